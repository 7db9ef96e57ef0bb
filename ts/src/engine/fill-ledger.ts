// The fills of a run as columns (typed arrays, the order's row in the run's book among them): no
// object per fill while the run goes; the round trips are counted as fills arrive, and the FillRecord
// objects are built only if the results' `fills` are read.

import type { FillRecord } from "./broker.js";
import { CapacityHint, grownF64, grownI32 } from "./columns.js";
import { BUYS, type OrderBook } from "./order.js";
import { RoundTrips } from "./stats.js";

/** Fills a ledger starts with room for: as many as the last ledger holds (up to 2^18). */
const FILLS = new CapacityHint<FillLedger>(1_024, 1 << 18, (ledger) => ledger.length);

export class FillLedger {
  private n = 0;
  private times: Float64Array<ArrayBuffer>;
  private rows: Int32Array<ArrayBuffer>;
  private prices: Float64Array<ArrayBuffer>;
  private quantities: Float64Array<ArrayBuffer>;
  private fees: Float64Array<ArrayBuffer>;
  private realized: Float64Array<ArrayBuffer>;
  private built: FillRecord[] | undefined;
  /** Round trips per asset key (Lumibot's trade count and win rate). */
  readonly trips = new RoundTrips();
  /** The trip slot of each of the book's asset ids (−1: not seen yet), and of each asset key. */
  private slotOfAssetId = new Int32Array(0);
  private readonly slotOfKey = new Map<string, number>();

  constructor(
    /** The book the fills' orders are rows of. */
    private readonly book: OrderBook,
  ) {
    const fills = FILLS.start(this);
    this.times = new Float64Array(fills);
    this.rows = new Int32Array(fills);
    this.prices = new Float64Array(fills);
    this.quantities = new Float64Array(fills);
    this.fees = new Float64Array(fills);
    this.realized = new Float64Array(fills);
  }

  /** A fill of the order in `row`. */
  add(timeMs: number, row: number, price: number, quantity: number, fee: number, realized: number): void {
    if (this.n === this.times.length) this.grow();
    const i = this.n++;
    this.times[i] = timeMs;
    this.rows[i] = row;
    this.prices[i] = price;
    this.quantities[i] = quantity;
    this.fees[i] = fee;
    this.realized[i] = realized;
    this.built = undefined;
    const book = this.book;
    const id = book.assetIds[row];
    const slot = id < this.slotOfAssetId.length && this.slotOfAssetId[id] >= 0 ? this.slotOfAssetId[id] : this.slotOf(id, row);
    this.trips.add(slot, BUYS[book.side[row]] === 1 ? quantity : -quantity, realized, fee);
  }

  /** The trip slot of asset id `id` (the asset of `row`): one per asset key, first seen first. */
  private slotOf(id: number, row: number): number {
    if (id >= this.slotOfAssetId.length) {
      const ids = new Int32Array(Math.max(8, 2 * id + 2)).fill(-1);
      ids.set(this.slotOfAssetId);
      this.slotOfAssetId = ids;
    }
    const key = this.book.asset(row).key;
    let slot = this.slotOfKey.get(key);
    if (slot === undefined) this.slotOfKey.set(key, (slot = this.slotOfKey.size));
    this.slotOfAssetId[id] = slot;
    return slot;
  }

  private grow(): void {
    this.times = grownF64(this.times);
    this.rows = grownI32(this.rows);
    this.prices = grownF64(this.prices);
    this.quantities = grownF64(this.quantities);
    this.fees = grownF64(this.fees);
    this.realized = grownF64(this.realized);
    FILLS.grewTo(this.times.length);
  }

  /** Number of fills. */
  get length(): number {
    return this.n;
  }

  /** The fees of every fill, summed oldest first. */
  totalFees(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.fees[i];
    return sum;
  }

  /** The fills as records, oldest first (built once per state). */
  records(): readonly FillRecord[] {
    if (!this.built) {
      const out: FillRecord[] = [];
      for (let i = 0; i < this.n; i++) {
        out.push({
          timeMs: this.times[i],
          order: this.book.handle(this.rows[i]),
          price: this.prices[i],
          quantity: this.quantities[i],
          fee: this.fees[i],
          realized: this.realized[i],
        });
      }
      this.built = out;
    }
    return this.built;
  }
}
