// Assets (stock, future, continuous future) and the built-in futures contract table (spec §5.3, §6.1).

import { FerrobtError } from "../errors.js";
import { nyParts, nyToUtc } from "../util/nytime.js";

export type AssetType = "stock" | "future" | "cont_future";

/** Margin and multiplier of a futures root. */
export interface ContractSpec {
  readonly margin: number;
  readonly multiplier: number;
}

/** Initial margin per contract (Lumibot's table) and point value. Unknown roots: $5 000, multiplier 1. */
export const CONTRACTS: Readonly<Record<string, ContractSpec>> = {
  MES: { margin: 1_300, multiplier: 5 },
  ES: { margin: 13_000, multiplier: 50 },
  MNQ: { margin: 1_700, multiplier: 2 },
  NQ: { margin: 17_000, multiplier: 20 },
  MYM: { margin: 1_100, multiplier: 0.5 },
  YM: { margin: 11_000, multiplier: 5 },
  M2K: { margin: 800, multiplier: 5 },
  RTY: { margin: 8_000, multiplier: 50 },
  CL: { margin: 8_000, multiplier: 1_000 },
  MCL: { margin: 1_500, multiplier: 100 },
  GC: { margin: 10_000, multiplier: 100 },
  MGC: { margin: 1_200, multiplier: 10 },
  SI: { margin: 14_000, multiplier: 5_000 },
  NG: { margin: 3_000, multiplier: 10_000 },
  HG: { margin: 4_000, multiplier: 25_000 },
  "6E": { margin: 2_500, multiplier: 125_000 },
  "6J": { margin: 3_000, multiplier: 12_500_000 },
  "6B": { margin: 2_800, multiplier: 62_500 },
  "6C": { margin: 2_000, multiplier: 100_000 },
  ZB: { margin: 4_000, multiplier: 1_000 },
  ZN: { margin: 2_000, multiplier: 1_000 },
  ZF: { margin: 1_500, multiplier: 1_000 },
  ZT: { margin: 800, multiplier: 2_000 },
  ZC: { margin: 2_000, multiplier: 50 },
  ZS: { margin: 3_000, multiplier: 50 },
  ZW: { margin: 2_500, multiplier: 50 },
  ZL: { margin: 1_500, multiplier: 600 },
};

const DEFAULT_MARGIN = 5_000;

/** Assets built with a multiplier of their own (never replaced by a definition's). */
const givenMultiplier = new WeakSet<Asset>();

/** A tradable asset. Futures carry their multiplier; stocks have multiplier 1. */
export class Asset {
  readonly symbol: string;
  readonly assetType: AssetType;
  readonly multiplier: number;
  /** Minimum price increment, when a DBN definition gave it (the engine does not round to it). */
  readonly tickSize: number | undefined;
  /** Map key: `type:symbol`. */
  readonly key: string;

  constructor(symbol: string, assetType: AssetType = "stock", multiplier?: number, tickSize?: number) {
    if (typeof symbol !== "string" || symbol.trim() === "") throw new FerrobtError("ERR_ARGUMENT", "argument 'symbol': must be a non-empty string");
    if (!["stock", "future", "cont_future"].includes(assetType)) {
      throw new FerrobtError("ERR_ARGUMENT", `argument 'assetType': '${String(assetType)}' is not stock, future or cont_future`);
    }
    this.symbol = symbol.trim().toUpperCase();
    this.assetType = assetType;
    checkPositive("multiplier", multiplier);
    checkPositive("tickSize", tickSize);
    this.multiplier = multiplier ?? (assetType === "stock" ? 1 : contractSpec(this.symbol).multiplier);
    this.tickSize = tickSize;
    this.key = `${assetType}:${this.symbol}`;
    if (multiplier !== undefined) givenMultiplier.add(this);
  }

  static stock(symbol: string): Asset {
    return new Asset(symbol, "stock");
  }
  static future(symbol: string): Asset {
    return new Asset(symbol, "future");
  }
  static contFuture(root: string): Asset {
    return new Asset(root, "cont_future");
  }

  get isFuture(): boolean {
    return this.assetType !== "stock";
  }

  toString(): string {
    return this.symbol;
  }
}

/** ERR_ARGUMENT naming `name` unless `v` is undefined or a finite number > 0. */
function checkPositive(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new FerrobtError("ERR_ARGUMENT", `argument '${name}': ${v} must be a positive number`);
}

/** True when the asset was built with an explicit multiplier. */
export function hasGivenMultiplier(asset: Asset): boolean {
  return givenMultiplier.has(asset);
}

/** True when the built-in table knows the futures symbol's root. */
export function isKnownContract(symbol: string): boolean {
  return CONTRACTS[futuresRoot(symbol)] !== undefined;
}

/** The symbol without a trailing contract month code and year digits (`ESH4` → `ES`; unchanged without one). */
export function withoutContractMonth(symbol: string): string {
  return symbol.replace(/[FGHJKMNQUVXZ]\d{1,2}$/, "");
}

/** The root of a futures symbol: exact table entry, else its leading letters (`ESH4` → `ES`). */
export function futuresRoot(symbol: string): string {
  if (CONTRACTS[symbol]) return symbol;
  const stripped = withoutContractMonth(symbol);
  if (CONTRACTS[stripped]) return stripped;
  const letters = /^[A-Z0-9]*?[A-Z]+/.exec(symbol)?.[0] ?? symbol;
  return letters;
}

/** Margin and multiplier for a futures symbol (exact root, else letters, else $5 000 / ×1). */
export function contractSpec(symbol: string): ContractSpec {
  return CONTRACTS[futuresRoot(symbol)] ?? { margin: DEFAULT_MARGIN, multiplier: 1 };
}

const MONTH_CODES = "FGHJKMNQUVXZ";

interface RollRule {
  months: number[];
  rollInstant: (year: number, month: number) => number;
}

/** 00:00 ET of the n-th weekday counted back from `from` (exclusive), exchange holidays not skipped. */
function weekdaysBefore(year: number, month: number, day: number, n: number): number {
  let t = Date.UTC(year, month - 1, day);
  let count = 0;
  while (count < n) {
    t -= 86_400_000;
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) count++;
  }
  const d = new Date(t);
  return nyToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function thirdFriday(year: number, month: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((5 - first + 7) % 7) + 14;
}

function thirdLastWeekday(year: number, month: number): number {
  let day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  let count = 0;
  for (;;) {
    const wd = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (wd !== 0 && wd !== 6 && ++count === 3) return day;
    day--;
  }
}

const QUARTERLY = [3, 6, 9, 12];
const EQUITY_INDEX: RollRule = { months: QUARTERLY, rollInstant: (y, m) => weekdaysBefore(y, m, thirdFriday(y, m), 8) };
const METALS = (months: number[]): RollRule => ({ months, rollInstant: (y, m) => weekdaysBefore(y, m, thirdLastWeekday(y, m), 7) });
const LEGACY: RollRule = { months: QUARTERLY, rollInstant: (y, m) => nyToUtc(y, m, 15) };

function rollRule(root: string): RollRule {
  if (["ES", "MES", "NQ", "MNQ", "YM", "MYM"].includes(root)) return EQUITY_INDEX;
  if (root === "GC") return METALS([2, 4, 6, 8, 10, 12]);
  if (root === "SI") return METALS([1, 3, 5, 7, 9, 12]);
  return LEGACY;
}

/** A dated contract of a root. */
export interface ContractMonth {
  readonly root: string;
  readonly year: number;
  readonly month: number;
  /** UTC ms at which the next contract takes over. */
  readonly rollAt: number;
  /** DataBento symbol: root + month code + last digit of the year (`MESH4`). */
  readonly symbol: string;
}

function contractMonth(root: string, rule: RollRule, year: number, month: number): ContractMonth {
  return {
    root,
    year,
    month,
    rollAt: rule.rollInstant(year, month),
    symbol: `${root}${MONTH_CODES[month - 1]}${((year % 10) + 10) % 10}`,
  };
}

function nextMonth(rule: RollRule, year: number, month: number): [number, number] {
  const m = rule.months.find((x) => x > month);
  return m === undefined ? [year + 1, rule.months[0]] : [year, m];
}

/** The contract a continuous future resolves to at instant `t` (spec §6.1). */
export function contractAt(root: string, t: number): ContractMonth {
  const rule = rollRule(root);
  const p = nyParts(t);
  let [y, m] = rule.months.includes(p.month) ? [p.year, p.month] : nextMonth(rule, p.year, p.month);
  let c = contractMonth(root, rule, y, m);
  if (t >= c.rollAt) {
    [y, m] = nextMonth(rule, y, m);
    c = contractMonth(root, rule, y, m);
  }
  return c;
}

/** The contract after `c`. */
export function nextContract(c: ContractMonth): ContractMonth {
  const rule = rollRule(c.root);
  const [y, m] = nextMonth(rule, c.year, c.month);
  return contractMonth(c.root, rule, y, m);
}
