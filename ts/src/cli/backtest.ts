// `ferrobt backtest`: loads a TS strategy (compiled by esbuild, cached), runs it on the native store with a
// progress bar on a terminal, writes trades/stats/portfolio files and the report, prints a one-screen summary.

import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { openSource } from "../data/open.js";
import type { Asset } from "../engine/asset.js";
import { Backtest, type BacktestResult, StrategyError } from "../engine/backtest.js";
import { FerrobtError } from "../errors.js";
import { reportData } from "../report/data.js";
import { writeReport } from "../report/html.js";
import { type ResultFiles, statsDocument, writeResults } from "../results/write.js";
import { importModule } from "../util/import-module.js";
import { backendOf, dataPaths, fillModelOf, loadStrategy, memoryBudgetOf, paramsOf, SEED_WINDOW } from "./inputs.js";
import { money } from "./money.js";

export async function runBacktestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string" },
      start: { type: "string", default: SEED_WINDOW.start },
      end: { type: "string", default: SEED_WINDOW.end },
      budget: { type: "string" },
      "memory-budget-mb": { type: "string" },
      out: { type: "string" },
      backend: { type: "string" },
      "fill-model": { type: "string" },
      quiet: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      open: { type: "boolean", default: false },
      databento: { type: "string" },
      symbols: { type: "string" },
      cache: { type: "string" },
      warmup: { type: "string" },
      params: { type: "string" },
    },
  });
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", "backtest needs exactly one strategy file");
  const fillModel = fillModelOf(values["fill-model"]);
  const parameters = paramsOf(values.params);
  const file = positionals[0];
  // The strategy compiles (when not cached) in esbuild's own process while this one opens the data; a
  // strategy error still comes first.
  const strategy = loadStrategy(file);
  strategy.catch(() => undefined);
  const loadStart = performance.now();
  const catalog = { memoryBudgetMb: memoryBudgetOf(values["memory-budget-mb"]) };
  const backend = backendOf(values.backend);
  if (values.databento === undefined && (values.symbols ?? values.cache ?? values.warmup) !== undefined) {
    throw new FerrobtError("ERR_ARGUMENT", "--symbols, --cache and --warmup go with --databento");
  }
  if (values.databento !== undefined && (values.data !== undefined || backend !== "native")) {
    throw new FerrobtError("ERR_ARGUMENT", "--databento reads DataBento's DBN on the native backend: give it without --data and --backend reference");
  }
  const opening =
    values.databento === undefined
      ? openSource(dataPaths(values.data), backend, catalog)
      : import("./fetch.js").then((m) =>
          m.openDatabento({ ...values, dataset: values.databento!, start: values.start!, end: values.end!, quiet: values.quiet || values.json }),
        );
  const store = await opening.catch(async (e: unknown) => {
    await strategy;
    throw e;
  });
  const loadMs = performance.now() - loadStart;
  const StrategyCtor = await strategy.catch((e: unknown) => {
    store.dispose();
    throw e;
  });
  const out = resolve(values.out ?? `out/${basename(file).replace(/\.[cm]?[jt]s$/, "")}`);
  const quiet = values.quiet || values.json;
  const bar = quiet ? undefined : await progressBar();
  bar?.start(1000, 0, { iterations: 0 });
  const backtest = new Backtest(new StrategyCtor(), {
    data: store,
    start: values.start!,
    end: values.end!,
    budget: values.budget === undefined ? undefined : Number(values.budget),
    fillModel,
    parameters,
    onProgress: bar ? throttle((f, n) => bar.update(Math.round(f * 1000), { iterations: n })) : undefined,
  });
  let result: BacktestResult;
  let failure: StrategyError | undefined;
  try {
    result = backtest.run();
  } catch (e) {
    if (!(e instanceof StrategyError)) throw e;
    failure = e;
    result = e.partial;
  } finally {
    bar?.update(1000);
    bar?.stop();
  }
  const files = writeResults(result, out);
  const report = writeReport(reportData(result, store, tradedAsset(result), dataLabel(values)), out);
  store.dispose();
  if (values.json)
    process.stdout.write(`${JSON.stringify({ ...statsDocument(result), loadMs, files: { ...files, report }, error: failure?.message }, null, 2)}\n`);
  else if (!values.quiet) process.stdout.write(summary(result, loadMs, files, report));
  if (values.open && !values.json) process.stdout.write(`${pathToFileURL(report).href}\n`);
  if (failure) {
    process.stderr.write(`ferrobt: [${failure.code}] ${failure.message}\n(partial results written to ${out})\n`);
    return 1;
  }
  return 0;
}

/** What the report names as the data. */
function dataLabel(v: { data?: string; databento?: string; symbols?: string }): string {
  return v.databento !== undefined ? `DataBento ${v.databento} ${v.symbols}` : (v.data ?? "generated sample");
}

/** The progress bar on a terminal's stderr (cli-progress draws nothing elsewhere, so it is not even loaded). */
async function progressBar(): Promise<import("cli-progress").SingleBar | undefined> {
  if (!process.stderr.isTTY) return undefined;
  const { SingleBar, Presets } = await importModule<typeof import("cli-progress")>("cli-progress");
  return new SingleBar({ format: "backtest [{bar}] {percentage}% | ETA {eta_formatted} | {iterations} iterations", hideCursor: true }, Presets.shades_classic);
}

function throttle(f: (fraction: number, n: number) => void): (fraction: number, n: number) => void {
  let last = 0;
  return (fraction, n) => {
    const now = performance.now();
    if (now - last > 100) {
      last = now;
      f(fraction, n);
    }
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** The instrument the report charts: the asset of the first order (none: the data's first symbol). */
function tradedAsset(r: BacktestResult): Asset | undefined {
  return r.tradeLog.events[0]?.order.asset;
}

function summary(r: BacktestResult, loadMs: number, files: ResultFiles, report: string): string {
  const s = statsDocument(r) as { tradeLogRows: { new: number; fill: number; canceled: number } };
  return [
    "",
    `${r.strategy} on ${r.backend} data`,
    `  iterations            ${r.iterations}`,
    `  orders                ${r.orderCount} (trade-log rows new/fill/canceled ${s.tradeLogRows.new}/${s.tradeLogRows.fill}/${s.tradeLogRows.canceled})`,
    `  fills                 ${r.fillCount}`,
    `  fees                  ${money(r.fees)}`,
    `  final portfolio value ${money(r.finalPortfolioValue)}`,
    `  total return          ${pct(r.summary.totalReturn)}   max drawdown ${pct(r.summary.maxDrawdown.drawdown)}`,
    `  round trips           ${r.summary.tradeCount} (win rate ${pct(r.summary.winRate)})`,
    `  time                  load ${loadMs.toFixed(1)} ms, run ${r.wallMs.toFixed(1)} ms`,
    `  results               ${files.trades}`,
    `                        ${files.stats}`,
    `                        ${files.portfolio}`,
    `                        ${report}`,
    "",
  ].join("\n");
}
