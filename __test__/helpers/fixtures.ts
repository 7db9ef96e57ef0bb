// Test fixtures: generated sample parquet (seeded), the shared Lumibot reference file, and an
// independent pure-JS read of a parquet file (hyparquet) to check the native store against.

import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { type FerrobtError, generateSample } from "../../ts/src/index.js";

export const REPO = resolve(import.meta.dirname, "../..");
/** Lumibot's reference data (read-only), in `../shared` beside the clone. */
export const SHARED_MES = resolve(REPO, "../shared/data/MES_ohlcv-1m.parquet");
/** Set by CI (`.ci/run` sets CI=true): tests that would be skipped for a missing file fail instead. */
export const IN_CI = !!process.env.CI && !["0", "false"].includes(process.env.CI);
/** Whether Lumibot's reference data is there. */
export const HAS_SHARED = existsSync(SHARED_MES);

/**
 * First call of a test that reads Lumibot's reference data: skips it with the reason when the file is
 * missing, except in CI (CI=true), where every test must run and a missing file is a failure.
 */
export function requireShared(skip: (note: string) => never): void {
  if (HAS_SHARED) return;
  const why = `${SHARED_MES} is missing (Lumibot's reference data, expected in ../shared beside the clone)`;
  if (IN_CI) throw new Error(`${why}; CI runs every test`);
  skip(`skipped: ${why}`);
}

export function tempDir(prefix = "ferrobt-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let sample: string | undefined;
/** The default generated sample (MES, 2023-12-17 .. 2024-01-13, seed 42), made once per process. */
export function samplePath(): string {
  if (!sample || !existsSync(sample)) {
    sample = join(tempDir(), "sample.parquet");
    generateSample(sample);
  }
  return sample;
}

/** One row as read by hyparquet; `ts` in ns. */
export interface JsRow {
  ts: bigint;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  symbol: string;
}

/** Reads a DataBento-schema parquet file with hyparquet, grouped by symbol in file order. */
export async function readIndependently(path: string): Promise<Map<string, JsRow[]>> {
  const file = await asyncBufferFromFile(path);
  const rows = (await parquetReadObjects({
    file,
    columns: ["ts_event", "open", "high", "low", "close", "volume", "symbol"],
    parsers: { timestampFromNanoseconds: (n: bigint) => n },
  })) as Record<string, unknown>[];
  const out = new Map<string, JsRow[]>();
  for (const r of rows) {
    const row: JsRow = {
      ts: BigInt(r.ts_event as bigint),
      open: r.open as number,
      high: r.high as number,
      low: r.low as number,
      close: r.close as number,
      volume: Number(r.volume),
      symbol: r.symbol as string,
    };
    const list = out.get(row.symbol) ?? [];
    list.push(row);
    out.set(row.symbol, list);
  }
  return out;
}

/** A seeded PRNG (mulberry32) for reproducible random queries. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The error `f` throws (fails the test when it does not throw). */
export function thrown(f: () => unknown): FerrobtError {
  try {
    f();
  } catch (e) {
    return e as FerrobtError;
  }
  throw new Error("did not throw");
}
