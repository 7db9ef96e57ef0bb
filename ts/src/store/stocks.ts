// Seeded stock data in the catalog layout over NYSE's sessions (the engine's market calendar, from
// pandas_market_calendars: holidays, early closes and unscheduled closures included).

import { MarketCalendar } from "../engine/calendar.js";
import { argumentError, checkString } from "../errors.js";
import { native } from "../native.js";
import { nyToUtc } from "../util/nytime.js";

/** What {@link generateStocks} makes. */
export interface StockOptions {
  /** Number of symbols (1 to 100,000). */
  symbols: number;
  /** Seed (whole number 0 to 2^32 - 1; default 42). */
  seed?: number;
  /** First New York calendar day, `YYYY-MM-DD` (default 2024-01-01). */
  start?: string;
  /** Day after the last one, `YYYY-MM-DD`, exclusive (default 2025-01-01: one year). */
  end?: string;
}

/** What {@link generateStocks} wrote. */
export interface StocksReport {
  /** The tickers, ascending. */
  readonly symbols: string[];
  /** Parquet files written (one per symbol and UTC year). */
  readonly files: number;
  readonly bars: number;
  readonly bytes: number;
  /** NYSE sessions covered. */
  readonly sessions: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function day(name: string, text: string): number {
  const m = DAY.exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [Number.NaN, 0, 0];
  const t = nyToUtc(y, mo, d);
  if (!m || !Number.isFinite(t) || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) argumentError(name, `'${text}' is not a YYYY-MM-DD date`);
  return t;
}

/**
 * Writes `symbols` seeded stocks into the new or empty directory `dir` as a catalog
 * (`symbol=TICKER/year=YYYY/part-00000-MM.parquet`, a file per UTC month, DataBento columns): 1-minute bars in every NYSE
 * session between `start` and `end` (09:30–16:00 New York, 13:00 on early closes; holidays have none),
 * prices in cents, share volumes, no splits. Each symbol has its own price, volatility, drift, beta on
 * a common market factor and liquidity (thin names miss a few minutes). Same options, same bytes;
 * symbol `i` does not depend on the count, so 100 symbols are the first 100 of 500.
 */
export function generateStocks(dir: string, options: StockOptions): StocksReport {
  checkString("dir", dir);
  const { symbols, seed = 42, start = "2024-01-01", end = "2025-01-01" } = options;
  if (!Number.isInteger(symbols) || symbols < 1 || symbols > 100_000) argumentError("symbols", `${String(symbols)} is not a whole number from 1 to 100000`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) argumentError("seed", `${String(seed)} is not a whole number from 0 to 4294967295`);
  const from = day("start", start),
    to = day("end", end);
  if (!(from < to)) argumentError("end", `${end} is not after start ${start}`);
  const sessions = new MarketCalendar("NYSE", from, to).sessions.filter((s) => s.open >= from && s.open < to);
  if (sessions.length === 0) argumentError("start", `no NYSE session from ${start} to ${end}`);
  const report = native().generateStocksCatalog(dir, {
    seed,
    symbols,
    sessionOpenMs: sessions.map((s) => s.open),
    sessionCloseMs: sessions.map((s) => s.close),
  });
  return { ...report, sessions: sessions.length };
}
