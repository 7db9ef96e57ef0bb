// The engine's outputs stay exactly what they were before its rewrite: every scenario's trade log,
// portfolio series and stats equal the recorded fixtures byte for byte (full files for the examples,
// SHA-256 for the rest). A difference prints the first differing line.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/fixtures.js";
import { FIXTURES, type Outputs, openData, runScenario, SCENARIOS, sha256 } from "./scenarios.js";

const { spring, shared } = openData(tempDir());
const hashes = JSON.parse(readFileSync(join(FIXTURES, "hashes.json"), "utf8")) as Record<string, Record<keyof Outputs, string>>;
afterAll(() => {
  spring.dispose();
  shared?.dispose();
});

function firstDifference(want: string, got: string): string {
  const w = want.split("\n"),
    g = got.split("\n");
  const i = w.findIndex((l, k) => l !== g[k]);
  const at = i < 0 ? Math.min(w.length, g.length) : i;
  return `line ${at + 1}:\n  recorded: ${w[at] ?? "(end)"}\n  now:      ${g[at] ?? "(end)"}`;
}

describe("engine regression fixtures (recorded before the engine rewrite)", () => {
  for (const s of SCENARIOS) {
    const skip = s.data === "shared" && !shared;
    it.skipIf(skip)(`${s.name}${skip ? " (skipped: ../shared/data/MES_ohlcv-1m.parquet is absent)" : ""}`, () => {
      const out = runScenario(s, s.data === "shared" ? shared! : spring);
      for (const k of ["trades", "portfolio", "stats"] as const) {
        const file = join(FIXTURES, `${s.name}.${k}.${k === "stats" ? "json" : "csv"}`);
        if (s.full && existsSync(file)) {
          const want = readFileSync(file, "utf8");
          if (want !== out[k]) expect.fail(`${s.name} ${k} differs at ${firstDifference(want, out[k])}`);
        }
        expect(sha256(out[k]), `${s.name} ${k}`).toBe(hashes[s.name][k]);
      }
      expect(out.trades.split("\n").length).toBeGreaterThan(2);
    });
  }
});
