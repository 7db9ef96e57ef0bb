// Counts below a time in one column of ascending ms times: by binary search at first, then, once the
// column has been searched enough, through a bucket table (the first row of each fixed-width time
// bucket) built once, so a count is one table read and a short search inside one bucket.

import { countBelow } from "./search.js";

/** Rows per bucket on average over the column's time span (the table costs 4 bytes per bucket). */
const ROWS_PER_BUCKET = 4;
/**
 * Plain searches per row before the table is built: building costs ~5–10 ns per row and saves ~180 ns
 * per search (a year of minute bars), so a column searched fewer times than that never pays for one.
 */
const SEARCHES_PER_ROW_BEFORE_TABLE = 1 / 32;

/** One column of ascending ms times and its bucket table, once earned. */
export class BucketedTimes {
  /** `firsts[b]`: rows in the buckets before b; the last entry is the row count. Undefined until built. */
  private firsts: Uint32Array | undefined = undefined;
  /** The first time: bucket 0 starts there. */
  private origin = 0;
  /** Buckets per ms. */
  private perMs = 0;
  /** Plain searches left before the table is built. */
  private plainSearchesLeft: number;

  constructor(private readonly times: Float64Array) {
    this.plainSearchesLeft = times.length * SEARCHES_PER_ROW_BEFORE_TABLE;
  }

  /** Bytes of the bucket table (0 before it is built). */
  get tableBytes(): number {
    return this.firsts?.byteLength ?? 0;
  }

  /** Rows with time < x (or <= x when `inclusive`): exactly countBelow(times, x, inclusive). */
  countBelow(x: number, inclusive: boolean): number {
    const firsts = this.firsts ?? this.earnedTable();
    const xs = this.times;
    if (firsts === undefined) return countBelow(xs, x, inclusive);
    const b = Math.floor((x - this.origin) * this.perMs);
    // Before the first bucket (or NaN, which no row is below): none; after the last: all.
    if (!(b >= 0)) return 0;
    if (b >= firsts.length - 1) return xs.length;
    return countBelow(xs, x, inclusive, firsts[b], firsts[b + 1]);
  }

  /** The table, built now when the plain searches made have earned it. */
  private earnedTable(): Uint32Array | undefined {
    if (--this.plainSearchesLeft > 0) return undefined;
    const times = this.times,
      n = times.length;
    const origin = times[0],
      span = times[n - 1] - origin;
    // No rows, or a single instant: nothing to bucket.
    if (!(span > 0 && span < Number.POSITIVE_INFINITY)) {
      this.plainSearchesLeft = Number.POSITIVE_INFINITY;
      return undefined;
    }
    const perMs = n / (ROWS_PER_BUCKET * span);
    // The bucket of t is floor((t - origin) · perMs), as countBelow computes it: monotone in t (a
    // rounded subtraction and product, then floor), so rows in earlier buckets than x's are below x
    // and rows in later ones above it, and the count lies within x's bucket.
    const count = Math.floor((times[n - 1] - origin) * perMs) + 1;
    const firsts = new Uint32Array(count + 1);
    let b = 0;
    for (let row = 0; row < n; row++) {
      const own = Math.floor((times[row] - origin) * perMs);
      // This row is the first of every bucket after the previous row's, up to its own.
      while (b <= own) firsts[b++] = row;
    }
    firsts[count] = n;
    this.origin = origin;
    this.perMs = perMs;
    this.firsts = firsts;
    return firsts;
  }
}
