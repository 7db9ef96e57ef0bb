// `ferrobt fetch` (DataBento history into the local cache) and the data of `ferrobt backtest --databento`:
// the roots' contracts over the window plus warm-up, fetched where the cache lacks them, opened from it.

import { parseArgs } from "node:util";
import { DataBento, type DataBentoEvent, type DataBentoWarning, type FetchReport, isoNs } from "../databento/client.js";
import { parseTime } from "../engine/backtest.js";
import { FerrobtError } from "../errors.js";
import type { BarStore } from "../store/BarStore.js";
import { formatNy } from "../util/nytime.js";

const DAY_MS = 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS } as const;

/** `--warmup`: "7d", "12h", "300m", "2w" or "0" (ms). */
export function warmupOf(v: string | undefined): number {
  if (v === undefined) return DEFAULT_WARMUP_MS;
  if (v.trim() === "0") return 0;
  const m = /^\s*(\d+)\s*([mhdw])\s*$/.exec(v);
  if (!m) throw new FerrobtError("ERR_ARGUMENT", `--warmup must be a duration like 7d, 12h, 300m or 2w, not '${v}'`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/**
 * The default warm-up before a backtest's start: 7 days. Lumibot's first request reaches back
 * length × step + 5 days (spec §1.2); 200 minute bars (the MES example) need 5 days and 200 minutes.
 */
export const DEFAULT_WARMUP_MS = 7 * DAY_MS;

/** Progress and warnings on stderr (never the key: events and warnings do not carry it). */
function reporter(quiet: boolean): { onEvent?: (e: DataBentoEvent) => void; onWarning: (w: DataBentoWarning) => void } {
  return {
    onWarning: (w) => process.stderr.write(`ferrobt: DataBento ${w.kind}${w.symbol ? ` (${w.symbol})` : ""}: ${w.message}\n`),
    onEvent: quiet
      ? undefined
      : (e) => {
          if (e.type === "request")
            process.stderr.write(`fetching ${e.dataset} ${e.schema} ${e.symbol} [${e.start}, ${e.end})${e.attempt > 1 ? ` attempt ${e.attempt}` : ""}\n`);
          else if (e.type === "retry") process.stderr.write(`  ${e.symbol}: ${e.reason}; retrying in ${e.delayMs} ms\n`);
          else process.stderr.write(`  ${e.symbol}: ${e.records} bars, ${e.bytes} bytes cached\n`);
        },
  };
}

export async function runFetchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      symbols: { type: "string" },
      schema: { type: "string", default: "ohlcv-1m" },
      start: { type: "string" },
      end: { type: "string" },
      cache: { type: "string" },
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", "fetch needs exactly one dataset, e.g. GLBX.MDP3");
  if (!values.symbols) throw new FerrobtError("ERR_ARGUMENT", "fetch needs --symbols A,B (raw symbols, or a futures root such as MES)");
  if (!values.start || !values.end) throw new FerrobtError("ERR_ARGUMENT", "fetch needs --start and --end");
  const db = new DataBento({ cacheDir: values.cache, ...reporter(values.quiet || values.json) });
  const report = await db.fetch({
    dataset: positionals[0],
    symbols: values.symbols.split(","),
    schema: values.schema as "ohlcv-1m",
    start: values.start,
    end: values.end,
  });
  if (values.json) process.stdout.write(`${JSON.stringify(reportDocument(db, report), null, 2)}\n`);
  else if (!values.quiet) process.stdout.write(summary(db, report));
  return 0;
}

/** The report as JSON (ns as ISO strings). */
function reportDocument(db: DataBento, r: FetchReport): unknown {
  return {
    dataset: r.dataset,
    schema: r.schema,
    cacheDir: db.cacheDir,
    requests: r.requests,
    bytes: r.bytes,
    symbols: r.symbols.map((s) => ({
      symbol: s.symbol,
      root: s.root,
      start: isoNs(s.startNs),
      end: isoNs(s.endNs),
      fetched: s.fetched.map(([a, b]) => [isoNs(a), isoNs(b)]),
      files: s.files,
    })),
    warnings: r.warnings,
  };
}

function summary(db: DataBento, r: FetchReport): string {
  const ny = (ns: bigint) => formatNy(Number(ns / 1_000_000n)).slice(0, 16);
  const lines = [`${r.dataset} ${r.schema} in ${db.cacheDir}`];
  for (const s of r.symbols) {
    const what = s.fetched.length === 0 ? "cached" : `fetched ${s.fetched.length} range${s.fetched.length > 1 ? "s" : ""}`;
    lines.push(`  ${s.symbol.padEnd(8)} ${ny(s.startNs)} → ${ny(s.endNs)} ET  ${what}, ${s.files.length} file${s.files.length === 1 ? "" : "s"}`);
  }
  lines.push(`  ${r.requests} request${r.requests === 1 ? "" : "s"}, ${r.bytes} bytes`, "");
  return lines.join("\n");
}

/** The options of `backtest --databento`. */
export interface DatabentoRun {
  dataset: string;
  symbols?: string;
  cache?: string;
  warmup?: string;
  start: string;
  end: string;
  quiet: boolean;
}

/**
 * The bars of a `backtest --databento` run: the symbols (roots resolve to their contracts) over
 * [start − warm-up, end + 1 day) (the day after lets the last orders fill, as Lumibot's request
 * does), fetched where the cache lacks them, then opened from the cache.
 */
export async function openDatabento(run: DatabentoRun): Promise<BarStore> {
  if (!run.symbols) throw new FerrobtError("ERR_ARGUMENT", "--databento needs --symbols (e.g. MES)");
  const from = parseTime("start", run.start) - warmupOf(run.warmup);
  const to = parseTime("end", run.end) + DAY_MS;
  const db = new DataBento({ cacheDir: run.cache, ...reporter(run.quiet) });
  const { store, report } = await db.load({ dataset: run.dataset, symbols: run.symbols.split(","), schema: "ohlcv-1m", start: from, end: to });
  if (!run.quiet) {
    const fetched = report.symbols.filter((s) => s.fetched.length > 0).length;
    process.stderr.write(`DataBento ${report.dataset}: ${report.symbols.map((s) => s.symbol).join(", ")} (${fetched} fetched, ${report.requests} requests)\n`);
  }
  return store;
}
