// The reference backend: a deliberately simple, pure-TypeScript DataSource (hyparquet reader, BigInt
// timestamp index, linear-time resampling), written independently of the Rust store. It is the
// oracle of the parity tests; speed is not its job. hyparquet is an optional peer dependency,
// loaded when a file is first read.

import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FerrobtError } from "../errors.js";
import type { BarColumnsView } from "../store/Bars.js";
import { msToNs } from "../time.js";
import { importModule } from "../util/import-module.js";
import { nyOffsetMs, nyToUtc } from "../util/nytime.js";
import type { DataSource } from "./DataSource.js";

const NS_PER_MS = 1_000_000n;

/** Rows of one symbol while reading. */
interface Building {
  ts: bigint[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  v: number[];
}

export class ReferenceSource implements DataSource {
  readonly name = "reference";
  private readonly data = new Map<string, BarColumnsView>();

  private constructor(built: Map<string, Building>) {
    for (const [symbol, b] of [...built].sort((x, y) => (x[0] < y[0] ? -1 : 1))) this.data.set(symbol, columnsOf(b));
  }

  /** Reads DataBento-schema parquet files (paths, or `*` globs in the file name). */
  static async open(paths: string | string[]): Promise<ReferenceSource> {
    const hyparquet = await loadHyparquet();
    const built = new Map<string, Building>();
    for (const path of expand(Array.isArray(paths) ? paths : [paths])) await readInto(hyparquet, path, built);
    for (const [symbol, b] of built) checkOrder(symbol, b.ts);
    return new ReferenceSource(built);
  }

  /** A reference source over bars already in memory (for resampled stores). */
  static fromColumns(columns: Map<string, BarColumnsView>): ReferenceSource {
    const s = new ReferenceSource(new Map());
    for (const [k, v] of columns) s.data.set(k, v);
    return s;
  }

  symbols(): readonly string[] {
    return [...this.data.keys()];
  }

  columns(symbol: string): BarColumnsView {
    const c = this.data.get(symbol);
    if (!c) throw new FerrobtError("ERR_UNKNOWN_SYMBOL", `unknown symbol '${symbol}'`);
    return c;
  }

  /** Bars with ts < endMs: binary search on the ns index. */
  countBefore(symbol: string, endMs: number): number {
    const ts = this.columns(symbol).timestamps;
    const end = msToNs(endMs);
    let lo = 0,
      hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bars with ts <= atMs. */
  countAtOrBefore(symbol: string, atMs: number): number {
    return this.countBefore(symbol, atMs) + (this.hasBarAt(symbol, atMs) ? 1 : 0);
  }

  private hasBarAt(symbol: string, atMs: number): boolean {
    const i = this.countBefore(symbol, atMs);
    const ts = this.columns(symbol).timestamps;
    return i < ts.length && ts[i] === msToNs(atMs);
  }

  /**
   * Resampled to `minutes`-wide bins (dividing a day) aligned to the New York trading day starting
   * `dayAnchorMinutes` after midnight (default 18:00): first/max/min/last/sum, labelled by bin start.
   */
  resample(minutes: number, dayAnchorMinutes = 18 * 60): ReferenceSource {
    if (!Number.isInteger(minutes) || minutes <= 0 || 1440 % minutes !== 0) throw new FerrobtError("ERR_TIMEFRAME", `${minutes} minutes do not divide a day`);
    const out = new Map<string, BarColumnsView>();
    for (const [symbol, c] of this.data) out.set(symbol, resampleColumns(c, minutes, dayAnchorMinutes));
    return ReferenceSource.fromColumns(out);
  }

  dispose(): void {
    this.data.clear();
  }
}

/** Bin start (UTC ms) of the bar at `t`: trading day start in New York, then whole bins from there. */
function binStart(t: number, minutes: number, anchor: number): number {
  const local = t + nyOffsetMs(t);
  const day = 86_400_000;
  const dayStart = Math.floor((local - anchor * 60_000) / day) * day + anchor * 60_000;
  const width = minutes * 60_000;
  const binLocal = dayStart + Math.floor((local - dayStart) / width) * width;
  const d = new Date(binLocal);
  return nyToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
}

function resampleColumns(c: BarColumnsView, minutes: number, anchor: number): BarColumnsView {
  const b: Building = { ts: [], o: [], h: [], l: [], c: [], v: [] };
  let current = -1;
  for (let i = 0; i < c.timesMs.length; i++) {
    const start = binStart(c.timesMs[i], minutes, anchor);
    if (start !== current) {
      current = start;
      b.ts.push(BigInt(start) * NS_PER_MS);
      b.o.push(c.open[i]);
      b.h.push(c.high[i]);
      b.l.push(c.low[i]);
      b.c.push(c.close[i]);
      b.v.push(c.volume[i]);
    } else {
      const k = b.ts.length - 1;
      b.h[k] = Math.max(b.h[k], c.high[i]);
      b.l[k] = Math.min(b.l[k], c.low[i]);
      b.c[k] = c.close[i];
      b.v[k] += c.volume[i];
    }
  }
  return columnsOf(b);
}

function columnsOf(b: Building): BarColumnsView {
  const timestamps = BigInt64Array.from(b.ts);
  return {
    timestamps,
    timesMs: Float64Array.from(b.ts, nsToMs),
    open: Float64Array.from(b.o),
    high: Float64Array.from(b.h),
    low: Float64Array.from(b.l),
    close: Float64Array.from(b.c),
    volume: Float64Array.from(b.v),
  };
}

function expand(patterns: string[]): string[] {
  return patterns.flatMap((p) => {
    if (!p.includes("*")) return [p];
    const re = new RegExp(
      `^${basename(p)
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return readdirSync(dirname(p))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dirname(p), f));
  });
}

const price = (x: unknown) => (typeof x === "bigint" ? Number(x) / 1e9 : Number(x));

type Hyparquet = typeof import("hyparquet");

/** Imports hyparquet, or throws ERR_MISSING_DEPENDENCY saying how to install it. */
async function loadHyparquet(): Promise<Hyparquet> {
  try {
    return await importModule<Hyparquet>("hyparquet");
  } catch (cause) {
    const { code, message } = cause as { code?: string; message?: string };
    if (code !== "ERR_MODULE_NOT_FOUND" || !String(message).includes("'hyparquet'")) throw cause;
    throw new FerrobtError(
      "ERR_MISSING_DEPENDENCY",
      "the reference backend reads parquet with the optional package 'hyparquet', which is not installed: npm install hyparquet",
      { cause },
    );
  }
}

async function readInto({ asyncBufferFromFile, parquetReadObjects }: Hyparquet, path: string, built: Map<string, Building>): Promise<void> {
  let rows: Record<string, unknown>[];
  try {
    const file = await asyncBufferFromFile(path);
    rows = (await parquetReadObjects({
      file,
      columns: ["ts_event", "open", "high", "low", "close", "volume", "symbol"],
      parsers: {
        timestampFromNanoseconds: (n: bigint) => n,
        timestampFromMicroseconds: (n: bigint) => n * 1000n,
        timestampFromMilliseconds: (n: bigint) => n * NS_PER_MS,
      },
    })) as Record<string, unknown>[];
  } catch (cause) {
    throw new FerrobtError("ERR_PARQUET", `${path}: the reference reader failed: ${(cause as Error).message}`, { cause });
  }
  for (const r of rows) {
    const symbol = String(r.symbol);
    let b = built.get(symbol);
    if (!b) built.set(symbol, (b = { ts: [], o: [], h: [], l: [], c: [], v: [] }));
    b.ts.push(BigInt(r.ts_event as bigint));
    b.o.push(price(r.open));
    b.h.push(price(r.high));
    b.l.push(price(r.low));
    b.c.push(price(r.close));
    b.v.push(Number(r.volume));
  }
}

function checkOrder(symbol: string, ts: bigint[]): void {
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] < ts[i - 1]) throw new FerrobtError("ERR_UNSORTED", `symbol '${symbol}': row ${i}: timestamps go backwards`);
    if (ts[i] === ts[i - 1]) throw new FerrobtError("ERR_DUPLICATE", `symbol '${symbol}': row ${i}: duplicate timestamp ${ts[i]} ns`);
  }
}

/** ns → ms: whole ms exactly, then the remainder (Number(ns) / 1e6 rounds twice past 2^53 ns). */
function nsToMs(ns: bigint): number {
  const ms = ns / NS_PER_MS,
    rest = ns % NS_PER_MS;
  return rest >= 0n ? Number(ms) + Number(rest) / 1e6 : Number(ms - 1n) + Number(rest + NS_PER_MS) / 1e6;
}
