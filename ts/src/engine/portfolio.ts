// Cash, positions and the futures FIFO lot ledger (spec §5.2–5.3).

import { type Asset, contractSpec } from "./asset.js";
import { grownF64 } from "./columns.js";

/** A held position. */
export interface Position {
  readonly asset: Asset;
  /** Signed quantity (negative = short). */
  quantity: number;
  /** First fill price rounded to 2 decimals; never updated when adding or flipping (Lumibot). */
  readonly avgFillPrice: number;
}

/** Where valuation reads last prices: the market data, at the run's instant. */
export interface LastPrices {
  /** The last price of `asset` now; undefined when there is none yet. */
  lastPrice(asset: Asset): number | undefined;
}

/**
 * Everything booked on one asset: its open position (if any) and its FIFO lots. A slot outlives the
 * position, so a year of open/close cycles on one asset finds it with one lookup and never shrinks
 * and regrows a Map's table.
 */
interface Slot {
  position: Position | undefined;
  /**
   * The open lots, oldest first: signed quantity and price of lots lotHead … lotEnd−1, in columns
   * reused from one position to the next (no object per lot, no array shifted per close).
   */
  lotQty: Float64Array;
  lotPrice: Float64Array;
  lotHead: number;
  lotEnd: number;
  /** The asset's futures margin per contract (looked up once; unused for stocks). */
  readonly margin: number;
}

/**
 * Cash, positions and lots of one strategy. Futures use margin cash; stocks notional cash. Only the
 * broker changes them (fills and fees); everyone else reads.
 */
export class Portfolio {
  /** Declared with a number: a field that starts undefined stays tagged, and each cash update would box a new number. */
  private cashBalance = Number.NaN;
  private readonly slots = new Map<string, Slot>();
  /** The open positions, in the order they were opened (iterated on every lifecycle call without an iterator object). */
  private readonly heldList: Position[] = [];
  /**
   * The slot found last and its asset (fills and queries come in runs on one asset): the same Asset
   * object is one pointer compare, where its key, a string built per asset, costs a string compare.
   */
  private lastAsset: Asset | undefined;
  private lastSlot: Slot | undefined;
  /** Contracts the last lot match closed and opened (fields, so a fill allocates no result object). */
  private closedByMatch = 0;
  private openedByMatch = 0;
  /**
   * What the last valuation came to (left here, not returned: a double returned from a call V8 does
   * not inline is boxed into a new heap number).
   */
  private lastValue = Number.NaN;

  constructor(budget: number) {
    this.cashBalance = budget;
  }

  private slot(asset: Asset): Slot | undefined {
    if (asset === this.lastAsset) return this.lastSlot;
    const s = this.slots.get(asset.key);
    if (s) {
      this.lastAsset = asset;
      this.lastSlot = s;
    }
    return s;
  }

  /** Cash now. */
  get cash(): number {
    return this.cashBalance;
  }

  /** Positions held, by asset key, in the order they were opened (a new Map per call). */
  get positions(): ReadonlyMap<string, Position> {
    return new Map(this.heldList.map((p) => [p.asset.key, p]));
  }

  /** The positions held, in the order they were opened (a live list: read it, never keep or change it). */
  get heldPositions(): readonly Position[] {
    return this.heldList;
  }

  /** Charges a fee. */
  chargeFee(fee: number): void {
    this.cashBalance -= fee;
  }

  /**
   * Books a fill (`signed` = +qty for buys, -qty for sells). Futures: margin cash — margin back plus
   * realised P&L for the closing part, margin out for the opening part. Stocks: notional cash.
   * Returns the realised P&L of the closing part (FIFO), in currency.
   */
  book(asset: Asset, signed: number, price: number): number {
    let slot = this.slot(asset);
    if (!slot) {
      const margin = asset.isFuture ? contractSpec(asset.symbol).margin : 0;
      slot = { position: undefined, lotQty: new Float64Array(4), lotPrice: new Float64Array(4), lotHead: 0, lotEnd: 0, margin };
      this.slots.set(asset.key, slot);
    }
    const realized = this.matchLots(slot, asset.multiplier, signed, price);
    const closed = this.closedByMatch,
      opened = this.openedByMatch;
    if (asset.isFuture) {
      const margin = slot.margin;
      // Same operation order as Lumibot's ledger, so cash matches it bit for bit.
      if (closed > 0) this.cashBalance += margin * closed + realized;
      if (opened > 0) this.cashBalance -= margin * opened;
    } else {
      this.cashBalance -= signed * price * asset.multiplier;
    }
    this.updatePosition(slot, asset, signed, price);
    return realized;
  }

  /**
   * FIFO lot matching: the opposing part closes the oldest lots, the rest opens a new lot. Returns the
   * realised P&L (multiplier `m`); the contracts closed and opened are left in closedByMatch and openedByMatch.
   */
  private matchLots(slot: Slot, m: number, signed: number, price: number): number {
    const dir = Math.sign(signed);
    let remaining = Math.abs(signed);
    let realized = 0;
    let closed = 0;
    const qty = slot.lotQty,
      lotPrice = slot.lotPrice;
    let head = slot.lotHead;
    const end = slot.lotEnd;
    while (remaining > 0 && head < end && Math.sign(qty[head]) === -dir) {
      const take = Math.min(remaining, Math.abs(qty[head]));
      realized += qty[head] > 0 ? (price - lotPrice[head]) * take * m : (lotPrice[head] - price) * take * m;
      closed += take;
      remaining -= take;
      qty[head] += dir * take;
      if (qty[head] === 0) head++;
    }
    // No lot left: the columns start over from their first entry.
    if (head === end) slot.lotHead = slot.lotEnd = 0;
    else slot.lotHead = head;
    if (remaining > 0) openLot(slot, dir * remaining, price);
    this.closedByMatch = closed;
    this.openedByMatch = remaining;
    return realized;
  }

  private updatePosition(slot: Slot, asset: Asset, signed: number, price: number): void {
    const held = slot.position;
    if (!held) {
      const opened = { asset, quantity: signed, avgFillPrice: Math.round(price * 100) / 100 };
      slot.position = opened;
      this.heldList.push(opened);
      return;
    }
    held.quantity += signed;
    if (held.quantity === 0) {
      slot.position = undefined;
      // Drop it from the list in place, keeping the order (splice would allocate the removed part).
      const list = this.heldList;
      for (let i = list.indexOf(held); i < list.length - 1; i++) list[i] = list[i + 1];
      list.pop();
    }
  }

  /** Signed quantity held of `asset` (0 if none). */
  quantity(asset: Asset): number {
    return this.slot(asset)?.position?.quantity ?? 0;
  }

  /** The position in `asset`, if any. */
  position(asset: Asset): Position | undefined {
    return this.slot(asset)?.position;
  }

  /** The portfolio value as the last {@link revalue} found it. */
  get valuation(): number {
    return this.lastValue;
  }

  /**
   * Values the portfolio at the last prices `prices` gives now, for {@link valuation}: cash + Σ futures
   * [margin·|qty| + (last − entry)·qty·multiplier] + Σ stocks qty·last·multiplier. A price may be
   * undefined (no data yet): the entry price stands in.
   */
  revalue(prices: LastPrices): void {
    // Flat (over half the example's minutes): the cash, from a body small enough for the lifecycle
    // call to inline (the loop is not).
    if (this.heldList.length === 0) this.lastValue = this.cashBalance;
    else this.revalueHeld(prices);
  }

  /** {@link revalue} with positions held. */
  private revalueHeld(prices: LastPrices): void {
    let total = this.cashBalance;
    const list = this.heldList;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      const last = prices.lastPrice(p.asset) ?? p.avgFillPrice;
      if (p.asset.isFuture) {
        total += (this.slot(p.asset) as Slot).margin * Math.abs(p.quantity) + (last - p.avgFillPrice) * p.quantity * p.asset.multiplier;
      } else {
        total += p.quantity * last * p.asset.multiplier;
      }
    }
    this.lastValue = total;
  }
}

/** Appends a lot to `slot`; when its columns are full, the open lots move to the front (the columns doubled if over half full). */
function openLot(slot: Slot, qty: number, price: number): void {
  if (slot.lotEnd === slot.lotQty.length) {
    const open = slot.lotEnd - slot.lotHead;
    slot.lotQty.copyWithin(0, slot.lotHead, slot.lotEnd);
    slot.lotPrice.copyWithin(0, slot.lotHead, slot.lotEnd);
    slot.lotHead = 0;
    slot.lotEnd = open;
    if (open * 2 > slot.lotQty.length) {
      slot.lotQty = grownF64(slot.lotQty);
      slot.lotPrice = grownF64(slot.lotPrice);
    }
  }
  slot.lotQty[slot.lotEnd] = qty;
  slot.lotPrice[slot.lotEnd] = price;
  slot.lotEnd++;
}
