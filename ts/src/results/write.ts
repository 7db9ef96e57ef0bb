// Writes a backtest's results: trades.csv (Lumibot columns), stats.json, portfolio.csv.

import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacktestResult } from "../engine/backtest.js";
import type { HeldQuantity } from "../engine/recorder.js";
import { nyTimestampFormatter } from "../util/ny-formatter.js";
import { formatNy } from "../util/nytime.js";

/** Paths of the files written. */
export interface ResultFiles {
  readonly trades: string;
  readonly stats: string;
  readonly portfolio: string;
}

/** The stats JSON document (summary, counts and run facts). */
export function statsDocument(r: BacktestResult): Record<string, unknown> {
  return {
    strategy: r.strategy,
    backend: r.backend,
    start: formatNy(r.startMs),
    end: formatNy(r.endMs),
    iterations: r.iterations,
    orders: r.orderCount,
    tradeLogRows: { new: r.tradeLog.count("new"), fill: r.tradeLog.count("fill"), canceled: r.tradeLog.count("canceled"), total: r.tradeLog.length },
    fills: r.fillCount,
    fees: r.fees,
    finalPortfolioValue: r.finalPortfolioValue,
    finalCash: r.finalCash,
    ...r.summary,
  };
}

/** portfolio.csv: one row per lifecycle call (datetime, portfolio_value, cash, positions). */
export function portfolioCsv(r: BacktestResult): string {
  const { length, timeMs, portfolioValue, cash } = r.equity;
  const time = nyTimestampFormatter();
  // Positions change rarely: each snapshot (one array, shared by its run of entries) is joined once.
  let snapshot: readonly HeldQuantity[] | undefined,
    held = "";
  let text = "datetime,portfolio_value,cash,positions\n";
  for (let i = 0; i < length; i++) {
    const positions = r.equity.positionsAt(i);
    if (positions !== snapshot) {
      snapshot = positions;
      held = positions.map((p) => `${p.symbol}:${p.quantity}`).join(" ");
    }
    text += `${time(timeMs[i])},${portfolioValue[i]},${cash[i]},${held}\n`;
  }
  return text;
}

/**
 * Writes `text` to `path` as a new file: the old one is removed first, because truncating a file in
 * place makes ext4 (auto_da_alloc) flush it on close, which stalls a repeated run for milliseconds to
 * hundreds of them while the disk is busy.
 */
export function writeNewFile(path: string, text: string): void {
  // unlink, not rmSync: rmSync loads Node's rimraf on first use (~1 ms of a short command).
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  writeFileSync(path, text);
}

/** Writes the three files into `dir` (created if needed). */
export function writeResults(r: BacktestResult, dir: string): ResultFiles {
  mkdirSync(dir, { recursive: true });
  const files = { trades: join(dir, "trades.csv"), stats: join(dir, "stats.json"), portfolio: join(dir, "portfolio.csv") };
  writeNewFile(files.trades, r.tradeLog.toCsv());
  writeNewFile(files.stats, `${JSON.stringify(statsDocument(r), null, 2)}\n`);
  writeNewFile(files.portfolio, portfolioCsv(r));
  return files;
}
