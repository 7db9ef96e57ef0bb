// The fills of a run: each is written to the run's trade log as a fill event (its time, order, price,
// quantity and fee live there), and the ledger keeps what the log does not: which of the log's fill
// events are fills (an OCO parent's completion is logged as one too), their realized P&L, the fee
// total and the round trips, counted as fills arrive. The FillRecord objects are built only if the
// results' `fills` are read.

import type { FillRecord } from "./broker.js";
import { CapacityHint, grownF64, grownI32 } from "./columns.js";
import type { RunInstant } from "./instant.js";
import { BUYS, type OrderBook } from "./order.js";
import { RoundTrips } from "./stats.js";
import { TradeLog } from "./tradelog.js";

/** Fills a ledger starts with room for: as many as the last ledger holds (up to 2^18). */
const FILLS = new CapacityHint<FillLedger>(1_024, 1 << 18, (ledger) => ledger.length);

export class FillLedger {
  private n = 0;
  /** Each fill's index among the log's fill events, and its realized P&L. */
  private logFills: Int32Array<ArrayBuffer>;
  private realized: Float64Array<ArrayBuffer>;
  private fees = 0;
  /** The fills as records, once built (for as many fills as it holds: the ledger only grows). */
  private built: FillRecord[] | undefined;
  /** Round trips per asset key (Lumibot's trade count and win rate). */
  readonly trips = new RoundTrips();
  /** The trip slot of each of the book's asset ids (−1: not seen yet), and of each asset key. */
  private slotOfAssetId = new Int32Array(0);
  private readonly slotOfKey = new Map<string, number>();

  constructor(
    /** The book the fills' orders are rows of. */
    private readonly book: OrderBook,
    /** The trade log the fills are written to (a run's; by default one of the ledger's own). */
    private readonly log: TradeLog = new TradeLog("", book),
  ) {
    const fills = FILLS.start(this);
    this.logFills = new Int32Array(fills);
    this.realized = new Float64Array(fills);
  }

  /**
   * A fill of the order in `row` at the run's instant `now`, logged as a fill event; returns the event's
   * index among the log's fill events. Handed the instant, not its time: a double passed to a call V8
   * does not inline is boxed.
   */
  add(now: RunInstant, row: number, price: number, quantity: number, fee: number, realized: number): number {
    const f = this.log.addFill(now.ms, row, price, quantity, fee);
    if (this.n === this.logFills.length) this.grow();
    const i = this.n++;
    this.logFills[i] = f;
    this.realized[i] = realized;
    this.fees += fee;
    const book = this.book;
    const id = book.assetIds[row];
    const slot = id < this.slotOfAssetId.length && this.slotOfAssetId[id] >= 0 ? this.slotOfAssetId[id] : this.slotOf(id, row);
    this.trips.add(slot, BUYS[book.side[row]] === 1 ? quantity : -quantity, realized, fee);
    return f;
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
    this.logFills = grownI32(this.logFills);
    this.realized = grownF64(this.realized);
    FILLS.grewTo(this.logFills.length);
  }

  /** Number of fills. */
  get length(): number {
    return this.n;
  }

  /** The fees of every fill, summed oldest first. */
  totalFees(): number {
    return this.fees;
  }

  /** The fills as records, oldest first (built once per state). */
  records(): readonly FillRecord[] {
    if (this.built?.length !== this.n) {
      const log = this.log,
        out: FillRecord[] = [];
      for (let i = 0; i < this.n; i++) {
        const f = this.logFills[i];
        out.push({
          timeMs: log.fillTime(f),
          order: this.book.handle(log.fillRow(f)),
          price: log.fillPrice(f),
          quantity: log.fillQuantity(f),
          fee: log.fillFee(f),
          realized: this.realized[i],
        });
      }
      this.built = out;
    }
    return this.built as FillRecord[];
  }
}
