// Bars: a window of one symbol's bars as typed-array views over a store's columns (no copies), and
// the one copy windows need: parts of several columns joined.

import { FerrobtError } from "../errors.js";

/** Full columns of one symbol. Times are bar open instants. */
export interface BarColumnsView {
  /** ns since the epoch, UTC. */
  readonly timestamps: BigInt64Array;
  /** ms since the epoch, UTC (exact for whole ms). */
  readonly timesMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Volume as a double (exact below 2^53). */
  readonly volume: Float64Array;
}

/** One bar as a plain object. */
export interface Bar {
  /** Bar open time, ms UTC. */
  readonly timeMs: number;
  /** Bar open time, ns UTC. */
  readonly timestamp: bigint;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Bar `k` of a symbol's columns as a plain object. */
export function barAt(c: BarColumnsView, k: number): Bar {
  return { timeMs: c.timesMs[k], timestamp: c.timestamps[k], open: c.open[k], high: c.high[k], low: c.low[k], close: c.close[k], volume: c.volume[k] };
}

/** Positions of the Float64 columns in {@link ColumnSet}'s origins. */
const TIMES_MS = 0,
  OPEN = 1,
  HIGH = 2,
  LOW = 3,
  CLOSE = 4,
  VOLUME = 5;
/** Bytes per Float64 value. */
const F64_BYTES = 8;

/** Where a Float64 column lies: its buffer and the byte offset of its first value. */
interface ColumnOrigin {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
}

/**
 * One symbol's columns (a {@link BarColumnsView} of one hidden class), and where each Float64 column
 * starts in its buffer, read once on the first view of it. A window's view is then one typed-array
 * construction: `subarray` looks up the species constructor and reads the buffer (a C++ getter) on
 * every call, which cost ~40 % more per view on the example's path (three views a minute).
 * @internal
 */
export class ColumnSet implements BarColumnsView {
  readonly timestamps: BigInt64Array;
  readonly timesMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /**
   * Each Float64 column's origin by position, made on its first partial view (private, so `columns()`
   * still shows the seven columns only). The slots exist from the start and each origin holds an
   * integer offset: a view reads one element and two fields, where a lazily made list of buffers
   * and a Float64Array of offsets cost an optional chain, two checked reads and double arithmetic.
   */
  readonly #origins: (ColumnOrigin | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];

  private constructor(c: BarColumnsView) {
    this.timestamps = c.timestamps;
    this.timesMs = c.timesMs;
    this.open = c.open;
    this.high = c.high;
    this.low = c.low;
    this.close = c.close;
    this.volume = c.volume;
  }

  /** `c` itself when it is a ColumnSet, else one over the same arrays (no copy). */
  static of(c: BarColumnsView): ColumnSet {
    return c instanceof ColumnSet ? c : new ColumnSet(c);
  }

  /**
   * {@link of}, the same ColumnSet for the same `c` every time: for a source's columns, so every
   * series over one symbol shares one (the resampler keeps its bins per columns object).
   */
  static shared(c: BarColumnsView): ColumnSet {
    if (c instanceof ColumnSet) return c;
    let set = SHARED.get(c);
    if (set === undefined) SHARED.set(c, (set = new ColumnSet(c)));
    return set;
  }

  /** Rows [start, end) of `column` (at origin position `at`): the column itself when that is all of it. */
  view(column: Float64Array, at: number, start: number, end: number): Float64Array {
    if (start === 0 && end === column.length) return column;
    const origin = this.#origins[at] ?? this.origin(column, at);
    return new Float64Array(origin.buffer, origin.byteOffset + start * F64_BYTES, end - start);
  }

  /** Reads and keeps `column`'s buffer and byte offset (on its first partial view). */
  private origin(column: Float64Array, at: number): ColumnOrigin {
    return (this.#origins[at] = { buffer: column.buffer, byteOffset: column.byteOffset });
  }
}

/** The ColumnSets of source columns that were plain objects (see {@link ColumnSet.shared}). */
const SHARED = new WeakMap<BarColumnsView, ColumnSet>();

/**
 * A window `[start, end)` of a symbol's bars, oldest first, newest last. Column getters return
 * views of the store's memory, made once per window: read them, never write them.
 */
export class Bars {
  /** Number of bars. */
  readonly length: number;
  private readonly cols: ColumnSet;
  private timestampsView: BigInt64Array | undefined;
  private timesMsView: Float64Array | undefined;
  private openView: Float64Array | undefined;
  private highView: Float64Array | undefined;
  private lowView: Float64Array | undefined;
  private closeView: Float64Array | undefined;
  private volumeView: Float64Array | undefined;

  constructor(
    readonly symbol: string,
    cols: BarColumnsView,
    /** Index of the first bar in the symbol's columns (in the copy's, for a window joined across a roll). */
    readonly start: number,
    /** Index after the last bar. */
    readonly end: number,
  ) {
    this.length = end - start;
    this.cols = ColumnSet.of(cols);
    // Views are built at offsets, which (unlike subarray) would not clamp a range outside the columns.
    if (!(start >= 0 && start <= end && end <= this.cols.timesMs.length)) {
      throw new FerrobtError(
        "ERR_ARGUMENT",
        `argument 'start'/'end' of Bars '${symbol}': rows [${start}, ${end}) are not within its columns' ${this.cols.timesMs.length} rows`,
      );
    }
  }

  /** @internal The full columns this window views. */
  get columnsView(): ColumnSet {
    return this.cols;
  }

  get timestamps(): BigInt64Array {
    return (this.timestampsView ??= this.cols.timestamps.subarray(this.start, this.end));
  }
  get timesMs(): Float64Array {
    return (this.timesMsView ??= this.cols.view(this.cols.timesMs, TIMES_MS, this.start, this.end));
  }
  get open(): Float64Array {
    return (this.openView ??= this.cols.view(this.cols.open, OPEN, this.start, this.end));
  }
  get high(): Float64Array {
    return (this.highView ??= this.cols.view(this.cols.high, HIGH, this.start, this.end));
  }
  get low(): Float64Array {
    return (this.lowView ??= this.cols.view(this.cols.low, LOW, this.start, this.end));
  }
  get close(): Float64Array {
    return (this.closeView ??= this.cols.view(this.cols.close, CLOSE, this.start, this.end));
  }
  get volume(): Float64Array {
    return (this.volumeView ??= this.cols.view(this.cols.volume, VOLUME, this.start, this.end));
  }

  /** True when the window holds no bar. */
  get empty(): boolean {
    return this.length === 0;
  }

  /** Bar `i` (negative counts from the end, as Array.prototype.at); undefined when out of range. */
  at(i: number): Bar | undefined {
    const k = i < 0 ? this.end + i : this.start + i;
    if (!Number.isInteger(i) || k < this.start || k >= this.end) return undefined;
    return barAt(this.cols, k);
  }

  /** The newest bar, if any. */
  get last(): Bar | undefined {
    return this.at(-1);
  }

  /** Copies the window into plain objects (for printing and tests; not for hot loops). */
  toRecords(): Bar[] {
    const out: Bar[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.at(i) as Bar);
    return out;
  }
}

/** Bars [start, end) of one symbol's columns: one piece of a window joined from several. */
export interface BarsPart {
  readonly symbol: string;
  readonly cols: BarColumnsView;
  readonly start: number;
  readonly end: number;
}

/**
 * `parts` (oldest first) copied into one window named `label`: across a roll, or across the time
 * chunks of a catalog under a budget.
 */
export function joinedBars(label: string, parts: readonly BarsPart[]): Bars {
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
