// Corrupted parquet files through the public API in one Node process (fast-check, seeded): every
// outcome is a store or a typed error naming the file; the process survives them all. The cargo-fuzz
// target `ingest_parquet` does the same at depth; this proves the JS path end to end.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { BarStore, generateSample } from "../ts/src/index.js";

const dir = mkdtempSync(join(tmpdir(), "ferrobt-corrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const goodPath = join(dir, "good.parquet");
generateSample(goodPath, { start: "2024-01-02", end: "2024-01-03" });
const good = readFileSync(goodPath);

/** Codes a corrupt file may get: the file's own faults, never ERR_INTERNAL. */
const INPUT_CODES = [
  "ERR_PARQUET",
  "ERR_EMPTY",
  "ERR_SCHEMA",
  "ERR_NULL",
  "ERR_NOT_FINITE",
  "ERR_HIGH_LOW",
  "ERR_NEGATIVE_VOLUME",
  "ERR_TIMESTAMP_RANGE",
  "ERR_UNSORTED",
  "ERR_DUPLICATE",
];

const edit = fc.record({ at: fc.nat({ max: good.length - 1 }), byte: fc.integer({ min: 0, max: 255 }), bit: fc.boolean() });
const corruption = fc.record({ edits: fc.array(edit, { minLength: 1, maxLength: 6 }), cut: fc.option(fc.nat({ max: good.length - 1 }), { freq: 5 }) });

function corrupted({ edits, cut }: { edits: { at: number; byte: number; bit: boolean }[]; cut: number | null }): Buffer {
  const bytes = Buffer.from(good);
  for (const { at, byte, bit } of edits) bytes[at] = bit ? bytes[at] ^ (1 << (byte & 7)) : byte;
  return cut === null ? bytes : bytes.subarray(0, cut + 1);
}

describe("corrupted files through the public API", () => {
  it("are read or refused with a typed error naming the file; the process survives", () => {
    const seen = new Map<string, number>();
    let n = 0;
    fc.assert(
      fc.property(corruption, (c) => {
        const path = join(dir, `case-${n++}.parquet`);
        writeFileSync(path, corrupted(c));
        let code = "ok";
        try {
          BarStore.openParquetSync(path).dispose();
        } catch (e) {
          expect(e).toBeInstanceOf(Error); // native errors pass through with their code
          const err = e as Error & { code: string };
          code = err.code;
          expect(INPUT_CODES, err.message).toContain(code);
          expect(err.message).toContain(path);
        }
        seen.set(code, (seen.get(code) ?? 0) + 1);
        rmSync(path);
      }),
      { numRuns: 600, seed: 6 },
    );
    // The corruptions reach past the footer: some files still load, most are refused by the reader.
    expect(seen.get("ERR_PARQUET")).toBeGreaterThan(100);
    expect(seen.get("ok")).toBeGreaterThan(10);
    expect(BarStore.openParquetSync(goodPath).symbols()).toEqual(["MESH4"]);
  });
});
