// Writes a backtest's results: trades.csv (Lumibot columns), stats.json, portfolio.csv.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BacktestResult } from "../engine/backtest.js";
import { formatNy } from "../util/nytime.js";

/** Paths of the files written. */
export interface ResultFiles {
  readonly trades: string;
  readonly stats: string;
  readonly portfolio: string;
}

/** The stats JSON document (summary, counts and run facts). */
export function statsDocument(r: BacktestResult): Record<string, unknown> {
  const events = r.tradeLog.events;
  return {
    strategy: r.strategy,
    backend: r.backend,
    start: formatNy(r.startMs),
    end: formatNy(r.endMs),
    iterations: r.iterations,
    orders: r.orderCount,
    tradeLogRows: { new: r.tradeLog.count("new"), fill: r.tradeLog.count("fill"), canceled: r.tradeLog.count("canceled"), total: events.length },
    fills: r.fills.length,
    fees: r.fees,
    finalPortfolioValue: r.finalPortfolioValue,
    finalCash: r.finalCash,
    ...r.summary,
  };
}

/** portfolio.csv: one row per lifecycle call (datetime, portfolio_value, cash, positions). */
export function portfolioCsv(r: BacktestResult): string {
  const lines = ["datetime,portfolio_value,cash,positions"];
  for (const row of r.rows) {
    const pos = row.positions.map((p) => `${p.symbol}:${p.quantity}`).join(" ");
    lines.push(`${formatNy(row.timeMs)},${row.portfolioValue},${row.cash},${pos}`);
  }
  return lines.join("\n") + "\n";
}

/** Writes the three files into `dir` (created if needed). */
export function writeResults(r: BacktestResult, dir: string): ResultFiles {
  mkdirSync(dir, { recursive: true });
  const files = { trades: join(dir, "trades.csv"), stats: join(dir, "stats.json"), portfolio: join(dir, "portfolio.csv") };
  writeFileSync(files.trades, r.tradeLog.toCsv());
  writeFileSync(files.stats, JSON.stringify(statsDocument(r), null, 2) + "\n");
  writeFileSync(files.portfolio, portfolioCsv(r));
  return files;
}
