// An asset's minute-bar series over a DataSource: one symbol, or a continuous future stitched from
// its contracts by the roll rule (spec §6.2: contract k owns [previous roll + 1 min, its roll), no
// back-adjustment).

import type { DataSource } from "../data/DataSource.js";
import { Bars, type BarColumnsView } from "../store/Bars.js";
import { FerrobtError } from "../errors.js";
import { MS_PER_MINUTE } from "../time.js";
import { contractAt, nextContract, type Asset } from "./asset.js";

/** A contract's share of the stitched series: bars with from <= ts < to. */
interface Segment {
  readonly symbol: string;
  readonly from: number;
  readonly to: number;
  /** Index of the first bar >= from, found once (the data never changes). */
  lower?: number;
}

/** Bars of one asset, selected by time (all bounds in ms UTC). */
export class AssetSeries {
  private constructor(
    private readonly source: DataSource,
    readonly label: string,
    private readonly segments: readonly Segment[],
  ) {}

  /** The series of `asset`; `fromMs`/`toMs` bound the roll schedule of continuous futures. */
  static of(source: DataSource, asset: Asset, fromMs: number, toMs: number): AssetSeries {
    const held = new Set(source.symbols());
    if (asset.assetType !== "cont_future") {
      if (!held.has(asset.symbol)) throw unknown(asset.symbol, source);
      return new AssetSeries(source, asset.symbol, [{ symbol: asset.symbol, from: -Infinity, to: Infinity }]);
    }
    const segments: Segment[] = [];
    let c = contractAt(asset.symbol, fromMs);
    let from = -Infinity;
    for (let guard = 0; guard < 400; guard++) {
      const to = c.rollAt;
      if (held.has(c.symbol)) segments.push({ symbol: c.symbol, from, to });
      if (to > toMs) break;
      from = to + MS_PER_MINUTE;
      c = nextContract(c);
    }
    if (segments.length === 0) {
      throw new FerrobtError("ERR_NO_DATA", `no contract of continuous future ${asset.symbol} is in the data (needs e.g. ${contractAt(asset.symbol, fromMs).symbol})`);
    }
    segments[segments.length - 1] = { ...segments[segments.length - 1], to: Infinity };
    return new AssetSeries(source, asset.symbol, segments);
  }

  /** Index of the newest segment starting before `t` (bars in it may be < t). */
  private segmentBefore(t: number, inclusive: boolean): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const from = this.segments[i].from;
      if (from < t || (inclusive && from === t)) return i;
    }
    return -1;
  }

  /** Bars with fromMs <= ts < endMs (or <= endMs when `inclusive`), at most `length`, newest last. */
  window(endMs: number, length: number, inclusive = false, fromMs = -Infinity): Bars {
    if (this.segments.length === 1 && fromMs === -Infinity) {
      const s = this.segments[0];
      const upper = inclusive ? this.source.countAtOrBefore(s.symbol, endMs) : this.source.countBefore(s.symbol, endMs);
      return new Bars(s.symbol, this.source.columns(s.symbol), Math.max(0, upper - length), upper);
    }
    const parts: { symbol: string; cols: BarColumnsView; start: number; end: number }[] = [];
    let remaining = length;
    for (let i = this.segmentBefore(endMs, inclusive); i >= 0 && remaining > 0; i--) {
      const s = this.segments[i];
      const cut = Math.min(endMs, s.to);
      const upper = cut === s.to ? this.source.countBefore(s.symbol, cut) : inclusive ? this.source.countAtOrBefore(s.symbol, cut) : this.source.countBefore(s.symbol, cut);
      const lower = fromMs > s.from ? this.source.countBefore(s.symbol, fromMs) : this.lowerOf(s);
      const take = Math.min(remaining, Math.max(0, upper - lower));
      if (take > 0) parts.unshift({ symbol: s.symbol, cols: this.source.columns(s.symbol), start: upper - take, end: upper });
      remaining -= take;
    }
    if (parts.length === 0) return new Bars(this.label, EMPTY, 0, 0);
    if (parts.length === 1) return new Bars(parts[0].symbol, parts[0].cols, parts[0].start, parts[0].end);
    return concat(this.label, parts);
  }

  private lowerOf(s: Segment): number {
    if (s.lower === undefined) s.lower = s.from === -Infinity ? 0 : this.source.countBefore(s.symbol, s.from);
    return s.lower;
  }

  /** Where the newest bar with ts <= atMs (< atMs unless `inclusive`) sits: its symbol's columns and index. */
  private newestAtOrBefore(atMs: number, inclusive = true): { cols: BarColumnsView; i: number } | undefined {
    for (let k = this.segmentBefore(atMs, inclusive); k >= 0; k--) {
      const s = this.segments[k];
      const upper = atMs >= s.to ? this.source.countBefore(s.symbol, s.to) : inclusive ? this.source.countAtOrBefore(s.symbol, atMs) : this.source.countBefore(s.symbol, atMs);
      if (upper > this.lowerOf(s)) return { cols: this.source.columns(s.symbol), i: upper - 1 };
    }
    return undefined;
  }

  /** Open, high and low of the newest bar with ts < endMs (the broker's fill bar), without a window. */
  ohlBefore(endMs: number): { open: number; high: number; low: number } | undefined {
    const hit = this.newestAtOrBefore(endMs, false);
    return hit && { open: hit.cols.open[hit.i], high: hit.cols.high[hit.i], low: hit.cols.low[hit.i] };
  }

  /** Close of the newest bar with ts <= atMs (the last-price hot path). */
  closeAtOrBefore(atMs: number): number | undefined {
    const hit = this.newestAtOrBefore(atMs);
    return hit && hit.cols.close[hit.i];
  }
}

function unknown(symbol: string, source: DataSource): FerrobtError {
  const some = source.symbols().slice(0, 8).join(", ");
  return new FerrobtError("ERR_UNKNOWN_SYMBOL", `symbol '${symbol}' is not in the data (it holds: ${some}${source.symbols().length > 8 ? ", ..." : ""})`);
}

const EMPTY: BarColumnsView = {
  timestamps: new BigInt64Array(0),
  timesMs: new Float64Array(0),
  open: new Float64Array(0),
  high: new Float64Array(0),
  low: new Float64Array(0),
  close: new Float64Array(0),
  volume: new Float64Array(0),
};

/** Copies bars of several contracts into one window (only across a roll). */
function concat(label: string, parts: { cols: BarColumnsView; start: number; end: number }[]): Bars {
  const n = parts.reduce((a, p) => a + p.end - p.start, 0);
  const out = {
    timestamps: new BigInt64Array(n),
    timesMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let at = 0;
  for (const p of parts) {
    for (const k of Object.keys(out) as (keyof typeof out)[]) {
      (out[k] as Float64Array).set((p.cols[k] as Float64Array).subarray(p.start, p.end), at);
    }
    at += p.end - p.start;
  }
  return new Bars(label, out, 0, n);
}
