// Records the regression fixtures: `node --import tsx __test__/regression/record.ts`. Run only to
// accept a deliberate, documented change of the engine's outputs; the test compares against them.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/fixtures.js";
import { FIXTURES, openData, runScenario, SCENARIOS, sha256 } from "./scenarios.js";

const { spring, shared } = openData(tempDir());
if (!shared) throw new Error("the shared reference data is missing: the fixtures need it");
mkdirSync(FIXTURES, { recursive: true });
const hashes: Record<string, Record<string, string>> = {};
for (const s of SCENARIOS) {
  const out = runScenario(s, s.data === "shared" ? shared : spring);
  hashes[s.name] = { trades: sha256(out.trades), portfolio: sha256(out.portfolio), stats: sha256(out.stats) };
  if (s.full) {
    writeFileSync(join(FIXTURES, `${s.name}.trades.csv`), out.trades);
    writeFileSync(join(FIXTURES, `${s.name}.portfolio.csv`), out.portfolio);
    writeFileSync(join(FIXTURES, `${s.name}.stats.json`), out.stats);
  }
  console.log(`${s.name}: ${out.trades.split("\n").length - 2} trade-log rows, ${out.portfolio.split("\n").length - 2} portfolio rows`);
}
writeFileSync(join(FIXTURES, "hashes.json"), `${JSON.stringify(hashes, null, 2)}\n`);
