// The seeded sample generator: byte-identical output, DataBento schema, tick grid, Globex hours.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BarStore, generateSample } from "../ts/src/index.js";
import { nyParts } from "../ts/src/util/nytime.js";
import { readIndependently, samplePath, tempDir } from "./helpers/fixtures.js";

describe("sample generator", () => {
  it("writes byte-identical parquet for the same seed, different bytes for another", () => {
    const dir = tempDir();
    const spec = { seed: 3, start: "2024-01-02", end: "2024-01-06" };
    const n = generateSample(join(dir, "a.parquet"), spec);
    expect(generateSample(join(dir, "b.parquet"), spec)).toBe(n);
    generateSample(join(dir, "c.parquet"), { ...spec, seed: 4 });
    const a = readFileSync(join(dir, "a.parquet"));
    expect(readFileSync(join(dir, "b.parquet")).equals(a)).toBe(true);
    expect(readFileSync(join(dir, "c.parquet")).equals(a)).toBe(false);
  });

  it("follows the DataBento schema, the 0.25 tick and CME Globex hours", async () => {
    const rows = (await readIndependently(samplePath())).get("MESH4")!;
    expect(rows.length).toBeGreaterThan(20_000);
    for (const r of rows) {
      for (const p of [r.open, r.high, r.low, r.close]) expect(Number.isInteger(p * 4)).toBe(true);
      expect(r.high).toBeGreaterThanOrEqual(Math.max(r.open, r.close));
      expect(r.low).toBeLessThanOrEqual(Math.min(r.open, r.close));
      const p = nyParts(Number(r.ts / 1_000_000n));
      expect(p.weekday).not.toBe(6); // no Saturday
      expect(p.hour).not.toBe(17); // daily halt 17:00–18:00 ET
      if (p.weekday === 0) expect(p.hour).toBeGreaterThanOrEqual(18);
      if (p.weekday === 5) expect(p.hour).toBeLessThan(17);
      // No bar in the sessions of Christmas and New Year's Day (from 18:00 the evening before).
      const session = new Date(Date.UTC(p.year, p.month - 1, p.day + (p.hour >= 18 ? 1 : 0)));
      expect(["11-25", "0-1"]).not.toContain(`${session.getUTCMonth()}-${session.getUTCDate()}`);
    }
    // Quiet overnight minutes have no bar: fewer bars than open minutes.
    const store = BarStore.openParquetSync(samplePath());
    const jan3 = store.between("MESH4", { start: Date.UTC(2024, 0, 3, 5), end: Date.UTC(2024, 0, 3, 11) });
    expect(jan3.length).toBeLessThan(360);
    expect(jan3.length).toBeGreaterThan(300);
    store.dispose();
  });

  it("trades the next contract alongside the front one before a roll", () => {
    const path = join(tempDir(), "roll.parquet");
    generateSample(path, { start: "2024-02-20", end: "2024-03-10" });
    const store = BarStore.openParquetSync(path);
    expect(store.symbols()).toEqual(["MESH4", "MESM4"]);
    const h4 = store.columns("MESH4").timesMs,
      m4 = store.columns("MESM4").timesMs;
    expect(h4[h4.length - 1]).toBeLessThan(Date.UTC(2024, 2, 5, 5)); // MESH4 ends at its roll (00:00 ET)
    expect(m4[0]).toBeLessThan(Date.UTC(2024, 2, 1)); // MESM4 starts trading days before
    store.dispose();
  });
});
