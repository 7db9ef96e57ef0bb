// Valid files from other writers load unchanged: pyarrow's layouts (v1/v2 data pages, every codec,
// dictionary on and off, many small pages and row groups, page index and checksums, required columns,
// an extra nested column) pass the structure check that runs before polars and read back exactly.
// The fixtures are committed; __test__/fixtures/writers/make-pyarrow.py regenerates them.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BarStore } from "../ts/src/index.js";
import { REPO } from "./helpers/fixtures.js";

const dir = join(REPO, "__test__/fixtures/writers");
type Expected = { rows: number; firstNs: string; lastNs: string; closeSum: number; volumeSum: number };
const expected: Record<string, Record<string, Expected>> = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));

describe("files written by pyarrow", () => {
  it.each(Object.entries(expected))("%s loads and reads back exactly", (name, symbols) => {
    const store = BarStore.openParquetSync(join(dir, `${name}.parquet`));
    expect(store.symbols()).toEqual(Object.keys(symbols));
    for (const [symbol, want] of Object.entries(symbols)) {
      const c = store.columns(symbol);
      expect(c.timestamps.length).toBe(want.rows);
      expect(c.timestamps[0]).toBe(BigInt(want.firstNs));
      expect(c.timestamps.at(-1)).toBe(BigInt(want.lastNs));
      expect(c.close.reduce((a, b) => a + b, 0)).toBe(want.closeSum);
      expect(c.volume.reduce((a, b) => a + b, 0)).toBe(want.volumeSum);
    }
    store.dispose();
  });
});
