// Cash, positions and the futures FIFO lot ledger (spec §5.2–5.3).

import { type Asset, contractSpec } from "./asset.js";

/** A held position. */
export interface Position {
  readonly asset: Asset;
  /** Signed quantity (negative = short). */
  quantity: number;
  /** First fill price rounded to 2 decimals; never updated when adding or flipping (Lumibot). */
  readonly avgFillPrice: number;
}

interface Lot {
  qty: number;
  price: number;
}

/**
 * Everything booked on one asset: its open position (if any) and its FIFO lots. A slot outlives the
 * position, so a year of open/close cycles on one asset finds it with one lookup and never shrinks
 * and regrows a Map's table.
 */
interface Slot {
  position: Position | undefined;
  readonly lots: Lot[];
  /** The asset's futures margin per contract (looked up once; unused for stocks). */
  readonly margin: number;
}

/**
 * Cash, positions and lots of one strategy. Futures use margin cash; stocks notional cash. Only the
 * broker changes them (fills and fees); everyone else reads.
 */
export class Portfolio {
  private cashBalance: number;
  private readonly slots = new Map<string, Slot>();
  /** The open positions, in the order they were opened (iterated on every lifecycle call without an iterator object). */
  private readonly heldList: Position[] = [];
  /** The slot found last (fills come in runs on one asset); "" is no asset's key (a string from the start, so its reads stay typed). */
  private lastKey = "";
  private lastSlot: Slot | undefined;
  /** Contracts the last lot match closed and opened (fields, so a fill allocates no result object). */
  private closedByMatch = 0;
  private openedByMatch = 0;

  constructor(budget: number) {
    this.cashBalance = budget;
  }

  private slot(key: string): Slot | undefined {
    if (key === this.lastKey) return this.lastSlot;
    const s = this.slots.get(key);
    if (s) {
      this.lastKey = key;
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
    let slot = this.slot(asset.key);
    if (!slot) {
      slot = { position: undefined, lots: [], margin: asset.isFuture ? contractSpec(asset.symbol).margin : 0 };
      this.slots.set(asset.key, slot);
    }
    const realized = this.matchLots(slot.lots, asset.multiplier, signed, price);
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
  private matchLots(lots: Lot[], m: number, signed: number, price: number): number {
    const dir = Math.sign(signed);
    let remaining = Math.abs(signed);
    let realized = 0;
    let closed = 0;
    while (remaining > 0 && lots.length > 0 && Math.sign(lots[0].qty) === -dir) {
      const lot = lots[0];
      const take = Math.min(remaining, Math.abs(lot.qty));
      realized += lot.qty > 0 ? (price - lot.price) * take * m : (lot.price - price) * take * m;
      closed += take;
      remaining -= take;
      lot.qty += dir * take;
      if (lot.qty === 0) lots.shift();
    }
    if (remaining > 0) lots.push({ qty: dir * remaining, price });
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
    return this.slot(asset.key)?.position?.quantity ?? 0;
  }

  /** The position in `asset`, if any. */
  position(asset: Asset): Position | undefined {
    return this.slot(asset.key)?.position;
  }

  /**
   * cash + Σ futures [margin·|qty| + (last − entry)·qty·multiplier] + Σ stocks qty·last·multiplier.
   * `lastPrice` may return undefined (no data yet): the entry price stands in.
   */
  value(lastPrice: (asset: Asset) => number | undefined): number {
    let total = this.cashBalance;
    const list = this.heldList;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      const last = lastPrice(p.asset) ?? p.avgFillPrice;
      if (p.asset.isFuture) {
        total += (this.slot(p.asset.key) as Slot).margin * Math.abs(p.quantity) + (last - p.avgFillPrice) * p.quantity * p.asset.multiplier;
      } else {
        total += p.quantity * last * p.asset.multiplier;
      }
    }
    return total;
  }
}
