// The equity recorder: after every lifecycle call, the run's instant, the portfolio value computed
// before the call and the cash after it, in growable typed-array columns; a positions snapshot only
// when the positions differ from the last one; the returns the summary statistics need are gathered
// as it goes.

import { CapacityHint, grownF64 } from "./columns.js";
import { RunInstant } from "./instant.js";
import type { Position } from "./portfolio.js";
import { type EquitySeries, ReturnsScan, type StatsRow } from "./stats.js";

/** A position as recorded: symbol and signed quantity. */
export interface HeldQuantity {
  readonly symbol: string;
  readonly quantity: number;
}

const NO_POSITIONS: readonly HeldQuantity[] = Object.freeze([]);

/** Snapshots, and positions in them, a recorder starts with room for: as many as the last one holds (a run's positions change with its fills). */
const SNAPSHOTS = new CapacityHint<EquityRecorder>(64, 1 << 22, (r) => r.snapshotCount);
const HELD = new CapacityHint<EquityRecorder>(64, 1 << 22, (r) => r.heldCount);

/**
 * What a row takes from the run's Portfolio: its valuation at the call's start, its cash and its
 * positions now. Read here, not handed over: a double passed to a call V8 does not inline is boxed.
 */
export interface RecordedPortfolio {
  readonly valuation: number;
  readonly cash: number;
  readonly heldPositions: readonly Position[];
}

/** The recorded series: columns (views of the first `length` entries) and the positions at each entry. */
export interface EquityColumns extends EquitySeries {
  readonly timeMs: Float64Array;
  readonly portfolioValue: Float64Array;
  readonly cash: Float64Array;
  /** Positions held after entry `i`. */
  positionsAt(i: number): readonly HeldQuantity[];
}

export class EquityRecorder {
  private n = 0;
  /** Entries each column has room for. */
  private capacity: number;
  /**
   * The three columns in one array, `capacity` entries each: times, then portfolio values, then cash
   * (a row then checks one typed array, not three).
   */
  private table: Float64Array<ArrayBuffer>;
  /** Snapshots so far: the entry index where each starts (ascending) and where its positions start in the flat columns. */
  private snapshots = 0;
  private snapshotFrom: Float64Array<ArrayBuffer>;
  private snapshotAt: Float64Array<ArrayBuffer>;
  /** Where the last snapshot's positions start (snapshotAt's last entry, kept apart for the per-row comparison). */
  private lastSnapshotAt = 0;
  /** Every snapshot's positions, one after the other. */
  private held = 0;
  private readonly heldSymbols: string[] = [];
  private heldQuantities: Float64Array<ArrayBuffer>;
  /** The last snapshot built as objects, by index. */
  private builtIndex = -1;
  private built: readonly HeldQuantity[] = NO_POSITIONS;
  /** The returns of the recorded portfolio values, for the summary statistics. */
  readonly returns: ReturnsScan;

  /**
   * `expected`: about how many entries the run will record (the columns grow past it when needed).
   * Room is reserved, not touched: the pages an entry never reaches cost nothing. `now`: the run's
   * instant, each row's time.
   */
  constructor(
    expected = 4_096,
    readonly now = new RunInstant(),
  ) {
    this.capacity = Math.max(16, Math.min(Math.ceil(expected), 1 << 24));
    this.table = new Float64Array(3 * this.capacity);
    this.returns = new ReturnsScan(this.capacity);
    const snapshots = SNAPSHOTS.start(this);
    this.snapshotFrom = new Float64Array(snapshots);
    this.snapshotAt = new Float64Array(snapshots);
    this.heldQuantities = new Float64Array(HELD.start(this));
  }

  /** Snapshots so far. */
  get snapshotCount(): number {
    return this.snapshots;
  }

  /** Positions in all snapshots so far. */
  get heldCount(): number {
    return this.held;
  }

  /** Records one lifecycle call at the instant. */
  record(portfolio: RecordedPortfolio): void {
    const timeMs = this.now.ms,
      portfolioValue = portfolio.valuation;
    const i = this.n;
    if (i === this.capacity) this.grow();
    const table = this.table,
      capacity = this.capacity;
    table[i] = timeMs;
    table[capacity + i] = portfolioValue;
    table[2 * capacity + i] = portfolio.cash;
    this.n = i + 1;
    this.returns.add(timeMs, portfolioValue);
    const held = portfolio.heldPositions;
    // A new snapshot when the positions differ from the last one (a fill, or the strategy changing a quantity itself).
    if (this.snapshots === 0 || this.differsFromLast(held)) this.addSnapshot(i, held);
  }

  /** The held quantities are not those of the last snapshot. */
  private differsFromLast(held: readonly Position[]): boolean {
    const from = this.lastSnapshotAt;
    if (this.held - from !== held.length) return true;
    for (let i = 0; i < held.length; i++) {
      if (this.heldQuantities[from + i] !== held[i].quantity || this.heldSymbols[from + i] !== held[i].asset.symbol) return true;
    }
    return false;
  }

  /** A snapshot of `held` starting at entry `i`. */
  private addSnapshot(i: number, held: readonly Position[]): void {
    if (this.snapshots === this.snapshotFrom.length) {
      this.snapshotFrom = grownF64(this.snapshotFrom);
      this.snapshotAt = grownF64(this.snapshotAt);
      SNAPSHOTS.grewTo(this.snapshotFrom.length);
    }
    this.snapshotFrom[this.snapshots] = i;
    this.snapshotAt[this.snapshots++] = this.lastSnapshotAt = this.held;
    for (let k = 0; k < held.length; k++) {
      if (this.held === this.heldQuantities.length) {
        this.heldQuantities = grownF64(this.heldQuantities);
        HELD.grewTo(this.heldQuantities.length);
      }
      this.heldSymbols[this.held] = held[k].asset.symbol;
      this.heldQuantities[this.held++] = held[k].quantity;
    }
  }

  /** Each column moved to twice the room. */
  private grow(): void {
    const capacity = this.capacity,
      table = new Float64Array(6 * capacity);
    for (let c = 0; c < 3; c++) table.set(this.table.subarray(c * capacity, (c + 1) * capacity), 2 * c * capacity);
    this.table = table;
    this.capacity = 2 * capacity;
  }

  /** Entries recorded so far. */
  get length(): number {
    return this.n;
  }

  /** Positions held after entry `i`. */
  positionsAt(i: number): readonly HeldQuantity[] {
    let lo = 0,
      hi = this.snapshots - 1;
    if (hi < 0 || i < this.snapshotFrom[0]) return NO_POSITIONS;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.snapshotFrom[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.snapshot(lo);
  }

  /** Snapshot k as objects (the last one asked for is kept: consecutive entries share it). */
  private snapshot(k: number): readonly HeldQuantity[] {
    if (k !== this.builtIndex) {
      const from = this.snapshotAt[k],
        to = k + 1 < this.snapshots ? this.snapshotAt[k + 1] : this.held;
      const out: HeldQuantity[] = [];
      for (let j = from; j < to; j++) out.push({ symbol: this.heldSymbols[j], quantity: this.heldQuantities[j] });
      this.builtIndex = k;
      this.built = out.length === 0 ? NO_POSITIONS : out;
    }
    return this.built;
  }

  /** The series so far (views; later entries are not visible through them). */
  columns(): EquityColumns {
    const n = this.n,
      c = this.capacity;
    return {
      length: n,
      timeMs: this.table.subarray(0, n),
      portfolioValue: this.table.subarray(c, c + n),
      cash: this.table.subarray(2 * c, 2 * c + n),
      positionsAt: (i) => this.positionsAt(i),
    };
  }

  /** The series as row objects (for callers that want them; not for hot loops). */
  rows(): StatsRow[] {
    const out: StatsRow[] = [];
    const { table, capacity } = this;
    for (let i = 0; i < this.n; i++)
      out.push({ timeMs: table[i], portfolioValue: table[capacity + i], cash: table[2 * capacity + i], positions: this.positionsAt(i) });
    return out;
  }
}
