// The research tests' strategy (sweep-probe.ts) and the reference they compare sweeps with: one
// Backtest run alone, in this thread, on the generated sample.

import { join } from "node:path";
import { loadStrategy } from "../../ts/src/cli/inputs.js";
import { Backtest, BarStore } from "../../ts/src/index.js";
import { type RunStats, runStats } from "../../ts/src/research/job.js";
import { REPO, samplePath } from "./fixtures.js";

export const PROBE = join(REPO, "__test__/fixtures/strategies/sweep-probe.ts");
export const SEED = { start: "2024-01-03T09:30", end: "2024-01-05T16:00" };

/** The stats of the probe with `parameters` run alone over `window` (default: the seed window). */
export async function aloneStats(parameters: Record<string, unknown>, window: { start: string | number; end: string | number } = SEED): Promise<RunStats> {
  const Strategy = await loadStrategy(PROBE);
  const store = BarStore.openParquetSync(samplePath());
  try {
    return runStats(new Backtest(new Strategy(), { data: store, ...window, parameters }).run());
  } finally {
    store.dispose();
  }
}
