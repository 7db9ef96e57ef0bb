#!/usr/bin/env node

// ferrobt command line: `backtest` a TS strategy file on parquet data, `generate` sample data.

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FerrobtError } from "../errors.js";
import { cacheDirOf } from "../util/cache-dir.js";
import { keepYearTablesIn } from "../util/tz.js";
import { type Command, commandOf } from "./commands.js";

const USAGE = `usage:
  ferrobt backtest <strategy.ts> [--data <parquet|glob>[,...]|<catalog dir>] [--start <YYYY-MM-DD[THH:MM]>] [--end <...>]
                   [--backend native|reference] [--budget 100000] [--memory-budget-mb N] [--out out/<strategy>]
                   [--fill-model polars|pandas] [--params '{"name": value}'|@params.json] [--quiet] [--json]
                   [--databento GLBX.MDP3 --symbols MES[,...] [--cache DIR] [--warmup 7d]]   (instead of --data)
  ferrobt profile <strategy.ts> [--mode native|reference|both] [--json out.json] [--data ...] [--start ...] [--end ...]
  ferrobt sweep <strategy.ts> --grid grid.json [--data ...] [--start ...] [--end ...] [--budget ...] [--memory-budget-mb N] [--fill-model ...]
                [--workers N] [--objective sharpe] [--out out/<strategy>-sweep] [--queue redis://HOST:PORT] [--json]
  ferrobt walkforward <strategy.ts> --grid grid.json --train 30d --test 7d [--step 7d] [the sweep options]
  ferrobt worker --queue redis://HOST:PORT [--concurrency N]
  ferrobt generate <out.parquet> [--seed 42] [--start 2023-12-17] [--end 2024-01-13]
  ferrobt generate <DIR> --symbols N [--seed 42] [--start 2024-01-01] [--end 2025-01-01]   (stocks, catalog layout)
  ferrobt catalog build <file|glob>... --out DIR [--start ...] [--end ...]
  ferrobt catalog info <DIR> [--json]
  ferrobt fetch <DATASET> --symbols A,B --start <...> --end <...> [--schema ohlcv-1m] [--cache DIR] [--json] [--quiet]
Times without an offset are New York wall-clock times. Without --data/--start/--end: the generated
sample (out/data/MES_sample.parquet) over the seed window 2024-01-03 09:30 → 2024-01-05 16:00.`;

/** Each command's run; each loads only its own modules. */
const RUN: Record<Command, (args: string[]) => Promise<number>> = {
  backtest: async (args) => (await import("./backtest.js")).runBacktestCommand(args),
  generate: (args) => generate(args),
  catalog: async (args) => (await import("./catalog.js")).runCatalogCommand(args),
  fetch: async (args) => (await import("./fetch.js")).runFetchCommand(args),
  profile: async (args) => (await import("./profile.js")).runProfileCommand(args),
  sweep: async (args) => (await import("./research.js")).runSweepCommand(args),
  walkforward: async (args) => (await import("./research.js")).runWalkForwardCommand(args),
  worker: async (args) => (await import("./worker.js")).runWorkerCommand(args),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Time-zone tables built by earlier commands are read back, so a command on years seen before never starts Intl (~20 ms).
  keepYearTablesIn(cacheDirOf("tz"));
  const command = commandOf(name);
  if (command) return RUN[command](rest);
  process.stderr.write(`${USAGE}\n`);
  return name === undefined || name === "--help" || name === "-h" ? 0 : 2;
}

async function generate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { seed: { type: "string" }, start: { type: "string" }, end: { type: "string" }, symbols: { type: "string" } },
  });
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", "generate needs exactly one output path");
  if (values.symbols !== undefined) return (await import("./catalog.js")).runGenerateStocks(positionals[0], { ...values, symbols: values.symbols });
  const out = resolve(positionals[0]);
  mkdirSync(dirname(out), { recursive: true });
  const { generateSample } = await import("../store/BarStore.js");
  const rows = generateSample(out, {
    seed: values.seed === undefined ? undefined : Number(values.seed),
    start: values.start,
    end: values.end,
  });
  process.stdout.write(`wrote ${rows} bars to ${positionals[0]}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`ferrobt: ${e.code ? `[${e.code}] ` : ""}${e.message}\n`);
    process.exit(1);
  },
);
