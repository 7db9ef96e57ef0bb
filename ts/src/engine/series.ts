// An asset's minute-bar series over a DataSource: one symbol, or a continuous future stitched from
// its contracts by the roll rule (spec §6.2: contract k owns [previous roll + 1 min, its roll), no
// back-adjustment). Windows inside one contract are zero-copy views; the windows that span a roll are
// slices of one copy of the bars around it. On a source that evicts (a catalog under a memory budget)
// bars are asked by time range through its barRuns, a chunk at a time, and no columns are kept.

import type { DataSource } from "../data/DataSource.js";
import { FerrobtError } from "../errors.js";
import { type BarColumnsView, Bars, type BarsPart, ColumnSet, joinedBars } from "../store/Bars.js";
import { allWholeMs, countBelow, MAX_QUERY_MS } from "../store/search.js";
import { MS_PER_MINUTE } from "../time.js";
import { type Asset, contractAt, nextContract } from "./asset.js";
import type { FillBar } from "./fills.js";
import type { RunInstant } from "./instant.js";

/** A contract's share of the stitched series: bars with from <= ts < to. */
interface Segment {
  readonly symbol: string;
  readonly from: number;
  readonly to: number;
  /** Its columns, fetched on first use. */
  cols?: ColumnSet;
  /** Index of the first bar >= from, found once (the data never changes). */
  lower?: number;
  /** Index of the first bar >= to, found once. */
  upper?: number;
  /** Its searches, made on first use. */
  cursor?: Cursor;
}

/**
 * Bar counts below a time in one symbol's columns, starting from where the last query of the same
 * kind landed (the clock moves forward, so that is usually a step or two away). Exact shortcut: for
 * whole-ms bars and whole-ms queries every DataSource answers countBelow on timesMs; anything else is
 * asked of the source.
 */
class Cursor {
  private before = 0;
  private atOrBefore = 0;

  constructor(
    private readonly source: DataSource,
    private readonly symbol: string,
    readonly wholeMs: boolean,
  ) {}

  /** Bars of `times` (the symbol's timesMs, handed in so the cursor never keeps the columns) below t. */
  count(times: Float64Array, t: number, inclusive: boolean): number {
    if (!this.wholeMs || !Number.isInteger(t) || Math.abs(t) > MAX_QUERY_MS) {
      return inclusive ? this.source.countAtOrBefore(this.symbol, t) : this.source.countBefore(this.symbol, t);
    }
    const i = countFrom(times, t, inclusive, inclusive ? this.atOrBefore : this.before);
    if (inclusive) this.atOrBefore = i;
    else this.before = i;
    return i;
  }
}

/**
 * countBelow(times, t, inclusive), found by walking from `from` (a previous answer): at most four
 * bars forward or back (the clock moves forward, so usually none or one), else a binary search.
 */
function countFrom(times: Float64Array, t: number, inclusive: boolean, from: number): number {
  const n = times.length;
  let i = Math.min(from, n);
  if (i < n && below(times[i], t, inclusive)) {
    // Forward, past the bars that count.
    const stop = i + 4;
    do i++;
    while (i < n && i < stop && below(times[i], t, inclusive));
    return i < n && below(times[i], t, inclusive) ? countBelow(times, t, inclusive) : i;
  }
  // Back, before the bars that do not count.
  const stop = i - 4;
  while (i > 0 && i > stop && !below(times[i - 1], t, inclusive)) i--;
  return i > 0 && !below(times[i - 1], t, inclusive) ? countBelow(times, t, inclusive) : i;
}

/** A bar (or a segment's start) at `x` counts for a query at t: x < t, or x = t when `inclusive`. */
const below = (x: number, t: number, inclusive: boolean) => x < t || (inclusive && x === t);

/**
 * The contract the clock is in, ready for the queries every tick makes: bar counts up to a whole-ms
 * time inside it, walked from the previous answer of the same stream (the window's and last price's
 * cut, t − 1 min, and the fill bar's, t + 2 min), with its columns and first bar at hand. The calls
 * are small so the market data's per-tick paths inline them; −1 sends a query to the general path.
 * Made only for whole-ms columns, where counting on timesMs is exact (see {@link Cursor}).
 */
class HotSegment {
  // Number fields are declared with numbers: one declared without a value starts undefined, and V8
  // then keeps it tagged (a heap-number check on every read).
  /** The segment's index in its series. */
  readonly index: number = 0;
  /** Index of the segment's first bar. */
  readonly lower: number = 0;
  /** Its bars start at from; a time at or past end is past its roll or in the next segment. */
  private readonly from: number = Number.NaN;
  private readonly end: number = Number.NaN;
  private atOrBeforeCut = Number.NaN;
  private atOrBeforeCount = 0;
  private beforeCut = Number.NaN;
  private beforeCount = 0;

  constructor(
    index: number,
    readonly symbol: string,
    readonly cols: ColumnSet,
    lower: number,
    from: number,
    end: number,
  ) {
    this.index = index;
    this.lower = lower;
    this.from = from;
    this.end = end;
  }

  /** Bars with ts <= c, or −1 when c is not a whole ms inside the segment. */
  countAtOrBefore(c: number): number {
    if (c === this.atOrBeforeCut) return this.atOrBeforeCount;
    if (!this.holds(c)) return -1;
    this.atOrBeforeCount = countAtOrBeforeFrom(this.cols.timesMs, c, this.atOrBeforeCount);
    this.atOrBeforeCut = c;
    return this.atOrBeforeCount;
  }

  /** Bars with ts < x, or −1 when x − 1 ms is not a whole ms inside the segment (whole-ms bars before x are those at or before it). */
  countBefore(x: number): number {
    if (x === this.beforeCut) return this.beforeCount;
    if (!this.holds(x - 1)) return -1;
    // Walked from the later of this stream's last answer and the other's: the fill bar is not asked
    // every tick, but the window was at this tick, two minutes before the fill bar's cut.
    this.beforeCount = countAtOrBeforeFrom(this.cols.timesMs, x - 1, Math.max(this.beforeCount, this.atOrBeforeCount));
    this.beforeCut = x;
    return this.beforeCount;
  }

  private holds(c: number): boolean {
    return Number.isInteger(c) && Math.abs(c) <= MAX_QUERY_MS && this.from <= c && c < this.end;
  }
}

/**
 * Bars of `times` with ts <= c, walked from `from` (a count at an earlier cut): up to two bars more
 * (the clock moved a minute or two since), else a binary search. Kept small so the per-tick paths
 * inline it whole ({@link countFrom} is the general walk), with one call of the search: a computed
 * cut handed to calls at two places is boxed before either, on every query.
 */
function countAtOrBeforeFrom(times: Float64Array, c: number, from: number): number {
  const n = times.length;
  if (from <= n && (from === 0 || times[from - 1] <= c)) {
    // Two bars at most: a third at or before c sends the query to the search.
    const stop = Math.min(n, from + 3);
    let i = from;
    while (i < stop && times[i] <= c) i++;
    if (i < from + 3) return i;
  }
  return countBelow(times, c, true);
}

/**
 * The bars around one roll that every window spanning it is cut from: up to `length − 1` bars before
 * segment `k` (the older contracts' newest), then up to `length − 1` of segment k's first bars. A
 * window of `length` bars that ends in segment k and reaches back past its start is a slice of it.
 */
interface RollBridge {
  readonly k: number;
  readonly length: number;
  readonly cols: ColumnSet;
  /** Bars before segment k in the copy (segment k's follow them). */
  readonly older: number;
}

/** The longest window a {@link RollBridge} is made for (a longer one is copied per call, as before). */
const MAX_BRIDGED = 50_000;

/** A source read by time range, a chunk at a time. */
type ChunkedSource = Required<Pick<DataSource, "barRuns">>;

/**
 * A segment with every field present from the start, in one order: segments are read on every window,
 * last price and fill bar, and fields added later (or a spread copy) give them several shapes, which
 * turned those reads megamorphic.
 */
function segment(symbol: string, from: number, to: number): Segment {
  return { symbol, from, to, cols: undefined, lower: undefined, upper: undefined, cursor: undefined };
}

/** Bars of one asset, selected by time (all bounds in ms UTC). */
export class AssetSeries {
  /** The bar a pending order is tested against, reused call after call (read at once, never kept). */
  private readonly fill = { open: 0, high: 0, low: 0 };
  /** The segment the last lookup landed in. */
  private segmentHint = 0;
  /** Where the last newest-bar lookup landed. */
  private hitCols: BarColumnsView | undefined;
  private hitIndex = -1;
  /** The last cut {@link top} answered, and its answer: the newest segment starting before it and that segment's bars up to it. */
  private topCut = Number.NaN;
  private topInclusive = false;
  private topSegment = -1;
  private topUpper = 0;
  /** The segment {@link top} last landed in, when its times are whole ms. */
  private hot: HotSegment | undefined;
  /**
   * The roll bridges made for the segment windows last spanned into (one per window length): the
   * `length` windows after a roll are slices of one copy instead of a copy each.
   */
  private bridges: RollBridge[] = [];
  /**
   * The source when it may drop columns it handed out (a catalog under a memory budget): then every
   * query asks it for the bars of a time range (loading only the chunks they lie in) and nothing is
   * kept, so evicted chunks can be freed in the middle of a run. Undefined otherwise.
   */
  readonly chunked: ChunkedSource | undefined;

  private constructor(
    private readonly source: DataSource,
    readonly label: string,
    private readonly segments: readonly Segment[],
  ) {
    if (source.evicts && !source.barRuns) throw new FerrobtError("ERR_ARGUMENT", `data source '${source.name}' evicts but has no barRuns`);
    this.chunked = source.evicts ? (source as ChunkedSource) : undefined;
  }

  /** The series of `asset`; `fromMs`/`toMs` bound the roll schedule of continuous futures. */
  static of(source: DataSource, asset: Asset, fromMs: number, toMs: number): AssetSeries {
    const held = new Set(source.symbols());
    if (asset.assetType !== "cont_future") {
      if (!held.has(asset.symbol)) throw unknown(asset.symbol, source);
      return new AssetSeries(source, asset.symbol, [segment(asset.symbol, -Infinity, Infinity)]);
    }
    const segments: Segment[] = [];
    let c = contractAt(asset.symbol, fromMs);
    let from = -Infinity;
    for (let guard = 0; guard < 400; guard++) {
      const to = c.rollAt;
      if (held.has(c.symbol)) segments.push(segment(c.symbol, from, to));
      if (to > toMs) break;
      from = to + MS_PER_MINUTE;
      c = nextContract(c);
    }
    if (segments.length === 0) {
      throw new FerrobtError(
        "ERR_NO_DATA",
        `no contract of continuous future ${asset.symbol} is in the data (needs e.g. ${contractAt(asset.symbol, fromMs).symbol})`,
      );
    }
    const newest = segments[segments.length - 1];
    segments[segments.length - 1] = segment(newest.symbol, newest.from, Infinity);
    return new AssetSeries(source, asset.symbol, segments);
  }

  private colsOf(s: Segment): ColumnSet {
    return (s.cols ??= ColumnSet.shared(this.source.columns(s.symbol)));
  }

  private cursorOf(s: Segment): Cursor {
    if (!s.cursor) {
      const cols = this.colsOf(s);
      s.cursor = new Cursor(this.source, s.symbol, allWholeMs(cols.timestamps, cols.timesMs));
    }
    return s.cursor;
  }

  /** Bars of segment `s`'s symbol below t, from its cursor. */
  private countIn(s: Segment, t: number, inclusive: boolean): number {
    return this.cursorOf(s).count(this.colsOf(s).timesMs, t, inclusive);
  }

  private lowerOf(s: Segment): number {
    return (s.lower ??= s.from === -Infinity ? 0 : this.source.countBefore(s.symbol, s.from));
  }

  private upperOf(s: Segment): number {
    return (s.upper ??= s.to === Infinity ? this.colsOf(s).timesMs.length : this.source.countBefore(s.symbol, s.to));
  }

  /** Index of the newest segment starting before `t` (bars in it may be < t). */
  private segmentBefore(t: number, inclusive: boolean): number {
    const segments = this.segments;
    // The clock moves forward: the last answer usually stands (its segment starts before t, the next one does not).
    const h = this.segmentHint;
    if (below(segments[h].from, t, inclusive) && (h + 1 === segments.length || !below(segments[h + 1].from, t, inclusive))) return h;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (below(segments[i].from, t, inclusive)) {
        this.segmentHint = i;
        return i;
      }
    }
    return -1;
  }

  /**
   * The index of the newest segment starting before `cut` (−1 for none), with that segment's bars up
   * to `cut` left in `topUpper`. The last answer is kept: at a clock tick the window and the last price
   * ask for the same cut (t − 1 min, inclusive), and the columns never change.
   */
  private top(cut: number, inclusive: boolean): number {
    if (cut !== this.topCut || inclusive !== this.topInclusive) {
      const k = this.segmentBefore(cut, inclusive);
      this.topUpper = k < 0 ? 0 : this.upperAt(this.segments[k], cut, inclusive);
      this.topSegment = k;
      this.topCut = cut;
      this.topInclusive = inclusive;
      if (k >= 0 && this.hot?.index !== k) this.hot = this.hotSegment(k);
    }
    return this.topSegment;
  }

  /** Segment k as the clock's contract, or undefined when its times are not all whole ms. */
  private hotSegment(k: number): HotSegment | undefined {
    const s = this.segments[k];
    if (!this.cursorOf(s).wholeMs) return undefined;
    const next = k + 1 < this.segments.length ? this.segments[k + 1].from : Infinity;
    return new HotSegment(k, s.symbol, this.colsOf(s), this.lowerOf(s), s.from, Math.min(s.to, next));
  }

  /**
   * {@link window}(now − 1 min, length, true), the bars closed by now, when the clock's contract holds
   * the whole answer (every tick's case); undefined otherwise, for the caller to ask {@link window}.
   * Handed the instant, not the cut: a double passed to a call V8 does not inline is boxed.
   */
  windowInHot(now: RunInstant, length: number): Bars | undefined {
    const h = this.hot;
    if (h === undefined) return undefined;
    const upper = h.countAtOrBefore(now.ms - MS_PER_MINUTE);
    const take = Math.min(length, upper - h.lower);
    // Older contracts add nothing when the window is full or there is none; an empty window takes the general path.
    if (upper < 0 || take <= 0 || (take < length && h.index > 0)) return undefined;
    return new Bars(h.symbol, h.cols, upper - take, upper);
  }

  /** Bars of segment `s` with ts < cut (or <= cut when `inclusive`), capped at the segment's end. */
  private upperAt(s: Segment, cut: number, inclusive: boolean): number {
    if (cut >= s.to) return this.upperOf(s);
    return this.countIn(s, cut, inclusive);
  }

  /**
   * Bars with fromMs <= ts < endMs (or <= endMs when `inclusive`), at most `length`, newest last: a
   * view when they lie in one contract, a copy when they span a roll.
   */
  window(endMs: number, length: number, inclusive = false, fromMs = -Infinity): Bars {
    if (this.chunked) return this.joined(this.runs(endMs, length, inclusive, fromMs));
    const k = this.top(endMs, inclusive);
    if (k < 0) return new Bars(this.label, EMPTY, 0, 0);
    const s = this.segments[k];
    const upper = this.topUpper;
    const lower = fromMs > s.from ? this.countIn(s, fromMs, false) : this.lowerOf(s);
    const take = Math.min(length, Math.max(0, upper - lower));
    // The common case: the newest contract alone has the bars asked for (or no older one could add any).
    if (take === length || k === 0 || fromMs >= s.from) {
      return take > 0 ? new Bars(s.symbol, this.colsOf(s), upper - take, upper) : new Bars(this.label, EMPTY, 0, 0);
    }
    return this.spanning(k, endMs, length, inclusive, fromMs);
  }

  /**
   * A window collected newest segment first, over as many contracts as it needs: a slice of the roll's
   * bridge when it holds bars of segment k and of older ones (and no lower bound cuts it), else a copy.
   */
  private spanning(k: number, endMs: number, length: number, inclusive: boolean, fromMs: number): Bars {
    if (fromMs === -Infinity && length <= MAX_BRIDGED) {
      const s = this.segments[k];
      const newest = this.upperAt(s, Math.min(endMs, s.to), inclusive) - this.lowerOf(s);
      if (newest > 0) {
        const bridge = this.bridgeAt(k, length);
        if (bridge.older > 0) {
          const end = bridge.older + newest;
          return new Bars(this.label, bridge.cols, Math.max(0, end - length), end);
        }
      }
    }
    return this.copiedSpan(k, endMs, length, inclusive, fromMs);
  }

  /** Segment k's roll bridge for windows of `length` bars (made on first use; those of an earlier segment dropped). */
  private bridgeAt(k: number, length: number): RollBridge {
    for (const b of this.bridges) if (b.k === k && b.length === length) return b;
    if (this.bridges.length > 0 && this.bridges[0].k !== k) this.bridges = [];
    const s = this.segments[k];
    const lower = this.lowerOf(s);
    const newer = Math.min(length - 1, this.upperOf(s) - lower);
    // The older bars as the copy of a window ending at segment k's start: each older segment up to its roll.
    const older = k > 0 ? this.copiedSpan(k - 1, s.from, length - 1, false, -Infinity) : undefined;
    const parts: BarsPart[] = [];
    if (older !== undefined && older.length > 0) parts.push({ symbol: older.symbol, cols: older.columnsView, start: older.start, end: older.end });
    parts.push({ symbol: s.symbol, cols: this.colsOf(s), start: lower, end: lower + newer });
    const bridge = { k, length, cols: joinedBars(this.label, parts).columnsView, older: older?.length ?? 0 };
    this.bridges.push(bridge);
    return bridge;
  }

  /** {@link spanning} as a copy of its parts. */
  private copiedSpan(k: number, endMs: number, length: number, inclusive: boolean, fromMs: number): Bars {
    const parts: BarsPart[] = [];
    let remaining = length;
    for (let i = k; i >= 0 && remaining > 0; i--) {
      const s = this.segments[i];
      const upper = this.upperAt(s, Math.min(endMs, s.to), inclusive);
      const lower = fromMs > s.from ? this.countIn(s, fromMs, false) : this.lowerOf(s);
      const take = Math.min(remaining, Math.max(0, upper - lower));
      if (take > 0) parts.push({ symbol: s.symbol, cols: this.colsOf(s), start: upper - take, end: upper });
      remaining -= take;
    }
    if (parts.length === 0) return new Bars(this.label, EMPTY, 0, 0);
    if (parts.length === 1) return new Bars(parts[0].symbol, parts[0].cols, parts[0].start, parts[0].end);
    return joinedBars(this.label, parts.reverse());
  }

  /**
   * On a source that evicts: what {@link window} gives, as the views of the chunks it lies in (oldest
   * first, several symbols across a roll), loading only those chunks.
   */
  runs(endMs: number, length: number, inclusive = false, fromMs = -Infinity): Bars[] {
    const chunked = this.chunked as ChunkedSource;
    const newestFirst: Bars[] = [];
    let remaining = length;
    for (let k = this.segmentBefore(endMs, inclusive); k >= 0 && remaining > 0; k--) {
      const s = this.segments[k];
      // The segment's bars end at its roll.
      const capped = endMs >= s.to;
      const runs = chunked.barRuns(s.symbol, Math.max(fromMs, s.from), capped ? s.to : endMs, capped ? false : inclusive, remaining);
      for (let i = runs.length - 1; i >= 0; i--) {
        newestFirst.push(runs[i]);
        remaining -= runs[i].length;
      }
      // Older segments hold only bars before this one's start.
      if (fromMs >= s.from) break;
    }
    return newestFirst.reverse();
  }

  /** Runs as one window: the run itself when there is one, else a copy labelled by their symbol (or the asset's across a roll). */
  joined(runs: readonly Bars[]): Bars {
    if (runs.length === 0) return new Bars(this.label, EMPTY, 0, 0);
    if (runs.length === 1) return runs[0];
    const symbol = runs.every((r) => r.symbol === runs[0].symbol) ? runs[0].symbol : this.label;
    return joinedBars(
      symbol,
      runs.map((r) => ({ symbol: r.symbol, cols: r.columnsView, start: r.start, end: r.end })),
    );
  }

  /** True when `bars` is a view of one contract's columns (not a copy spanning a roll). */
  isView(bars: Bars): boolean {
    for (const s of this.segments) {
      if (s.cols === bars.columnsView) return true;
    }
    return false;
  }

  /** Finds the newest bar with ts <= atMs (< atMs unless `inclusive`); sets hitCols/hitIndex. */
  private newestAtOrBefore(atMs: number, inclusive: boolean): boolean {
    if (this.chunked) {
      const runs = this.runs(atMs, 1, inclusive);
      if (runs.length === 0) return false;
      this.hitCols = runs[0].columnsView;
      this.hitIndex = runs[0].start;
      return true;
    }
    const top = this.top(atMs, inclusive);
    for (let k = top; k >= 0; k--) {
      const s = this.segments[k];
      const upper = k === top ? this.topUpper : this.upperAt(s, atMs, inclusive);
      if (upper > this.lowerOf(s)) {
        this.hitCols = this.colsOf(s);
        this.hitIndex = upper - 1;
        return true;
      }
    }
    return false;
  }

  /**
   * Open, high and low of the newest bar with ts < now + `afterMs` (the broker's fill bar), without a
   * window. The object is reused by the next call: read it at once. Handed the instant and a whole
   * offset (a small integer), not their sum: a double passed to a call V8 does not inline is boxed.
   */
  ohlBefore(now: RunInstant, afterMs: number): FillBar | undefined {
    const endMs = now.ms + afterMs;
    const h = this.hot;
    const n = h === undefined ? -1 : h.countBefore(endMs);
    // The clock's contract has the bar (else an older contract may, or the time is not whole ms).
    if (h !== undefined && n > h.lower) return this.fillFrom(h.cols, n - 1);
    if (!this.newestAtOrBefore(endMs, false)) return undefined;
    const fill = this.fillFrom(this.hitCols as BarColumnsView, this.hitIndex);
    if (this.chunked) this.hitCols = undefined;
    return fill;
  }

  private fillFrom(c: BarColumnsView, i: number): FillBar {
    this.fill.open = c.open[i];
    this.fill.high = c.high[i];
    this.fill.low = c.low[i];
    return this.fill;
  }

  /**
   * The pandas fill model's bar at clock t: of the (at most two) newest bars with ts < t + 2 min, the
   * first with ts >= t, else the newest. Reused like {@link ohlBefore}'s.
   */
  pandasFillBar(t: number): FillBar | undefined {
    const two = this.window(t + 2 * MS_PER_MINUTE, 2);
    if (two.length === 0) return undefined;
    const times = two.timesMs;
    let i = two.length - 1;
    for (let k = 0; k < two.length; k++) {
      if (times[k] >= t) {
        i = k;
        break;
      }
    }
    this.fill.open = two.open[i];
    this.fill.high = two.high[i];
    this.fill.low = two.low[i];
    return this.fill;
  }

  /**
   * {@link closeAtOrBefore}(now − 1 min), the close of the newest bar closed by now, when the clock's
   * contract has the bar (every tick's case), else NaN for the caller to ask it. Handed the instant,
   * not the cut: a double passed to a call V8 does not inline is boxed.
   */
  closeInHot(now: RunInstant): number {
    return this.hotCloseAtOrBefore(now.ms - MS_PER_MINUTE);
  }

  /** {@link closeAtOrBefore} when the clock's contract has the bar, else NaN. */
  private hotCloseAtOrBefore(atMs: number): number {
    const h = this.hot;
    const n = h === undefined ? -1 : h.countAtOrBefore(atMs);
    return h !== undefined && n > h.lower ? h.cols.close[n - 1] : Number.NaN;
  }

  /** Close of the newest bar with ts <= atMs. */
  closeAtOrBefore(atMs: number): number | undefined {
    // A NaN close in the data takes the general path, which finds the same bar.
    const hot = this.hotCloseAtOrBefore(atMs);
    if (!Number.isNaN(hot)) return hot;
    if (!this.newestAtOrBefore(atMs, true)) return undefined;
    const close = (this.hitCols as BarColumnsView).close[this.hitIndex];
    if (this.chunked) this.hitCols = undefined;
    return close;
  }
}

function unknown(symbol: string, source: DataSource): FerrobtError {
  const some = source.symbols().slice(0, 8).join(", ");
  return new FerrobtError("ERR_UNKNOWN_SYMBOL", `symbol '${symbol}' is not in the data (it holds: ${some}${source.symbols().length > 8 ? ", ..." : ""})`);
}

const EMPTY: ColumnSet = ColumnSet.of({
  timestamps: new BigInt64Array(0),
  timesMs: new Float64Array(0),
  open: new Float64Array(0),
  high: new Float64Array(0),
  low: new Float64Array(0),
  close: new Float64Array(0),
  volume: new Float64Array(0),
});
