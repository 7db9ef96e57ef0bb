// The fills of a run as columns (typed arrays, the order's row in the run's book among them): no
// object per fill while the run goes; the stats read the columns, and the FillRecord objects are
// built only if the results' `fills` are read.

import type { FillRecord } from "./broker.js";
import { grownF64, grownI32 } from "./columns.js";
import { BUYS, type OrderBook } from "./order.js";
import type { FillSeries } from "./stats.js";

export class FillLedger {
  private n = 0;
  private times = new Float64Array(1_024);
  private rows = new Int32Array(1_024);
  private prices = new Float64Array(1_024);
  private quantities = new Float64Array(1_024);
  private fees = new Float64Array(1_024);
  private realized = new Float64Array(1_024);
  private built: FillRecord[] | undefined;

  constructor(
    /** The book the fills' orders are rows of. */
    private readonly book: OrderBook,
  ) {}

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
  }

  private grow(): void {
    this.times = grownF64(this.times);
    this.rows = grownI32(this.rows);
    this.prices = grownF64(this.prices);
    this.quantities = grownF64(this.quantities);
    this.fees = grownF64(this.fees);
    this.realized = grownF64(this.realized);
  }

  /** Number of fills. */
  get length(): number {
    return this.n;
  }

  /** The fills as columns (views of the ledger's own, valid until the next fill; each fill's asset and side read anew from its order's row). */
  series(): FillSeries {
    const n = this.n;
    return {
      length: n,
      assets: Array.from(this.rows.subarray(0, n), (row) => this.book.asset(row)),
      buys: Uint8Array.from(this.rows.subarray(0, n), (row) => BUYS[this.book.side[row]]),
      quantity: this.quantities.subarray(0, n),
      fee: this.fees.subarray(0, n),
      realized: this.realized.subarray(0, n),
    };
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
