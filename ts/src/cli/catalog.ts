// `ferrobt catalog build <files…> --out DIR`, `ferrobt catalog info DIR`, and `ferrobt generate DIR
// --symbols N`: writing and inspecting catalogs (directories of per-symbol bar files opened lazily).

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { FerrobtError } from "../errors.js";
import { buildCatalog, Catalog } from "../store/Catalog.js";
import { generateStocks } from "../store/stocks.js";
import { formatNy, parseNyTime } from "../util/nytime.js";

const USAGE = `usage:
  ferrobt catalog build <file|glob>... --out DIR [--start T] [--end T] [--on-unsorted error|sort] [--on-duplicate error|keepLast]
  ferrobt catalog info DIR [--json]`;

const MB = 1e6;

/** `ferrobt catalog …`: returns the exit code. */
export async function runCatalogCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "build") return build(rest);
  if (sub === "info") return info(rest);
  process.stderr.write(`${USAGE}\n`);
  return sub === undefined || sub === "--help" || sub === "-h" ? 0 : 2;
}

function time(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseNyTime(text);
  if (t === undefined) throw new FerrobtError("ERR_ARGUMENT", `argument '--${flag}': '${text}' is not YYYY-MM-DD[THH:MM] (New York) or ISO with an offset`);
  return t;
}

function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new FerrobtError("ERR_ARGUMENT", `argument '--${flag}': '${text}' is not ${allowed.join(" or ")}`);
  return text as T;
}

function build(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
      "on-unsorted": { type: "string" },
      "on-duplicate": { type: "string" },
    },
  });
  if (positionals.length === 0) throw new FerrobtError("ERR_ARGUMENT", "catalog build needs at least one input file (parquet or DBN, paths or globs)");
  if (!values.out) throw new FerrobtError("ERR_ARGUMENT", "catalog build needs --out DIR (a new or empty directory)");
  const began = performance.now();
  const report = buildCatalog(positionals, resolve(values.out), {
    start: time("start", values.start),
    end: time("end", values.end),
    onUnsorted: oneOf("on-unsorted", values["on-unsorted"], ["error", "sort"] as const),
    onDuplicate: oneOf("on-duplicate", values["on-duplicate"], ["error", "keepLast"] as const),
  });
  const seconds = (performance.now() - began) / 1000;
  process.stdout.write(
    `wrote ${report.symbols.length} symbols, ${report.bars.toLocaleString("en-US")} bars in ${report.files} files ` +
      `(${(report.bytes / MB).toFixed(1)} MB) from ${report.inputs.length} inputs to ${values.out} in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}

function info(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", "catalog info needs exactly one catalog directory");
  const catalog = Catalog.openSync(positionals[0]);
  try {
    const symbols = catalog.symbols().map((symbol) => ({ symbol, files: catalog.files(symbol).length, ...catalog.footerSpan(symbol) }));
    const stats = catalog.stats;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ dir: positionals[0], files: stats.files, bytes: stats.catalogBytes, symbols }, null, 2)}\n`);
      return 0;
    }
    const rows = symbols.reduce((n, s) => n + (s.rows ?? 0), 0);
    const first = Math.min(...symbols.map((s) => s.firstMs ?? Number.POSITIVE_INFINITY));
    const last = Math.max(...symbols.map((s) => s.lastMs ?? Number.NEGATIVE_INFINITY));
    const span = Number.isFinite(first) ? `, ${formatNy(first)} → ${formatNy(last)}` : "";
    const shown = symbols.slice(0, 10).map((s) => s.symbol);
    process.stdout.write(
      `${positionals[0]}: ${symbols.length} symbols, ${stats.files} files, ${(stats.catalogBytes / MB).toFixed(1)} MB, ` +
        `${rows.toLocaleString("en-US")} bars (from the footers)${span}\n` +
        `symbols: ${shown.join(", ")}${symbols.length > shown.length ? `, … (${symbols.length - shown.length} more)` : ""}\n`,
    );
    return 0;
  } finally {
    catalog.dispose();
  }
}

/** `ferrobt generate DIR --symbols N [--seed S --start D --end D]`: seeded stocks in the catalog layout. */
export function runGenerateStocks(dir: string, values: { symbols: string; seed?: string; start?: string; end?: string }): number {
  const count = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new FerrobtError("ERR_ARGUMENT", `argument '--${flag}': '${text}' is not a whole number`);
    return Number(text);
  };
  const began = performance.now();
  const report = generateStocks(resolve(dir), {
    symbols: count("symbols", values.symbols) as number,
    seed: count("seed", values.seed),
    start: values.start,
    end: values.end,
  });
  const seconds = (performance.now() - began) / 1000;
  process.stdout.write(
    `wrote ${report.symbols.length} stocks, ${report.bars.toLocaleString("en-US")} bars over ${report.sessions} NYSE sessions ` +
      `in ${report.files} files (${(report.bytes / MB).toFixed(1)} MB) to ${dir} in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
