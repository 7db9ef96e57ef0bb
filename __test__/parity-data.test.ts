// Data-level parity: the native store and the pure-TS reference backend return identical timestamps
// and bit-identical OHLCV for 10,000 seeded random queries per timeframe on a generated year of
// minute bars (five contracts, rolls, DST changes, gaps).

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BarColumnsView, BarStore, type DataSource, generateSample } from "../ts/src/index.js";
import { ReferenceSource } from "../ts/src/reference.js";
import { rng, tempDir } from "./helpers/fixtures.js";

const SEED = 20_231_231;
const QUERIES = 10_000;
let path: string;
let native: BarStore;
let reference: ReferenceSource;

beforeAll(async () => {
  path = join(tempDir(), "year.parquet");
  generateSample(path, { start: "2023-01-01", end: "2024-01-01", seed: 11 });
  native = BarStore.openParquetSync(path);
  reference = await ReferenceSource.open(path);
}, 120_000);

const bits = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** First difference between two windows, or undefined. */
function diff(a: BarColumnsView, [as, ae]: number[], b: BarColumnsView, [bs, be]: number[]): string | undefined {
  if (ae - as !== be - bs) return `lengths ${ae - as} vs ${be - bs}`;
  for (let i = 0; i < ae - as; i++)
    if (a.timestamps[as + i] !== b.timestamps[bs + i]) return `timestamp[${i}] ${a.timestamps[as + i]} vs ${b.timestamps[bs + i]}`;
  for (const k of ["timesMs", "open", "high", "low", "close", "volume"] as const) {
    const x = bits(a[k].subarray(as, ae)),
      y = bits(b[k].subarray(bs, be));
    const at = x.findIndex((v, j) => v !== y[j]);
    if (at >= 0) return `${k}[${at >> 3}] ${a[k][as + (at >> 3)]} vs ${b[k][bs + (at >> 3)]} (bit patterns differ)`;
  }
  return undefined;
}

function compare(timeframe: string, n: DataSource, r: DataSource): void {
  expect([...n.symbols()]).toEqual([...r.symbols()]);
  const next = rng(SEED);
  const symbols = n.symbols();
  for (let q = 0; q < QUERIES; q++) {
    const symbol = symbols[Math.floor(next() * symbols.length)];
    const t = n.columns(symbol).timesMs;
    const span = t[t.length - 1] - t[0];
    // Clocks from a day before the first bar to a day after the last, on whole minutes or anywhere.
    const raw = t[0] - 86_400_000 + next() * (span + 2 * 86_400_000);
    const end = next() < 0.5 ? Math.round(raw / 60_000) * 60_000 : raw;
    const length = Math.floor(next() * 400);
    const ne = n.countBefore(symbol, end),
      re = r.countBefore(symbol, end);
    const nl = n.countAtOrBefore(symbol, end),
      rl = r.countAtOrBefore(symbol, end);
    const problem =
      ne !== re || nl !== rl
        ? `counts ${ne}/${nl} vs ${re}/${rl}`
        : diff(n.columns(symbol), [Math.max(0, ne - length), ne], r.columns(symbol), [Math.max(0, re - length), re]);
    if (problem) {
      throw new Error(
        `parity failure (${timeframe}, seed ${SEED}, query ${q}): window(${symbol}, end=${end} ms, length=${length}): native vs reference: ${problem}`,
      );
    }
  }
}

describe("data parity: native vs reference", () => {
  it("holds the same symbols and bars", () => {
    expect(native.symbols().length).toBeGreaterThanOrEqual(5);
    compare("1m", native, reference);
  });
  it.each([
    ["5m", 5],
    ["15m", 15],
    ["1h", 60],
    ["1d", 1440],
  ])("%s resampled", (tf, minutes) => {
    const n = native.resample(native.symbols()[0], tf);
    const r = reference.resample(minutes);
    for (const s of n.symbols()) expect(n.size(s)).toBe(r.columns(s).timesMs.length);
    compare(tf, n, r);
  });
});
