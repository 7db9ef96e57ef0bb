// `npm run bench [-- --quick]`: runs the criterion benches (crates/core/benches) and the vitest
// benches (bench/*.bench.ts) on the same scenarios, measures peak memory, times whole processes (the
// CLI, the cold first open, GC share; bench/process.ts), and writes the tables to
// bench/results/latest.md and latest.json (with the machine and commit). Reports; never asserts.

import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type CatalogBench, formatCatalogBench } from "./catalog.js";
import { ensureBuiltDist, formatProcessReport, processScenarios } from "./process.js";

const quick = process.argv.includes("--quick");
const root = join(import.meta.dirname, "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? "", ".cache/ferrobt/target");
const out = join(root, "out");
mkdirSync(out, { recursive: true });
const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CARGO_TARGET_DIR: targetDir, ...env } });

const SCENARIOS = [
  "ingest/1y-minute",
  "ingest/1y-minute-dbn",
  "window/200x1m",
  "window/200x5m-resampled",
  "last-bar",
  "last-price",
  "resample/1y-to-1h",
  "resample/1y-to-1d",
  "backtest/seed-window",
  "backtest/1y-minute",
] as const;

// 1. criterion (Rust core, no N-API).
run("cargo", ["bench", "-p", "ferrobt-core", "--bench", "store", "--target", "x86_64-unknown-linux-gnu", "--", ...(quick ? ["--quick"] : [])]);
const criterion = new Map<string, number>();
for (const s of SCENARIOS) {
  const f = join(targetDir, "criterion", s.replace("/", "_"), "new", "estimates.json");
  if (existsSync(f)) criterion.set(s, JSON.parse(readFileSync(f, "utf8")).mean.point_estimate / 1e6);
}

// 2. vitest bench (public API and baselines; the backtests run dist's bundle, as users do).
ensureBuiltDist();
const vitestJson = join(out, "vitest-bench.json");
run("npx", ["vitest", "bench", "--run", "--outputJson", vitestJson], { FERROBT_BENCH_QUICK: quick ? "1" : "0" });
interface Bench {
  name: string;
  mean: number;
  p99: number;
  sampleCount: number;
}
const vitest = new Map<string, Map<string, Bench>>();
for (const file of JSON.parse(readFileSync(vitestJson, "utf8")).files) {
  for (const g of file.groups) vitest.set(g.fullName.split(" > ").at(-1), new Map(g.benchmarks.map((b: Bench) => [b.name, b])));
}

// 3. memory, in a fresh process.
const memory = JSON.parse(
  execFileSync(process.execPath, ["--import", "tsx", join(root, "bench/memory.ts")], { cwd: root, encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1)!,
);

// 4. whole processes, each run separately and repeatedly.
const processes = processScenarios(quick);

// 5. research at scale (sweeps on the pool, the queue, memory per worker), in a fresh process.
const research = JSON.parse(
  execFileSync(process.execPath, ["--import", "tsx", join(root, "bench/research.ts"), ...(quick ? ["--quick"] : [])], { cwd: root, encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1)!,
) as {
  throughput: { window: string; workers: number; runs: number; ms: number; runsPerSecond: number }[];
  pool: { perJobMs: number };
  queue?: { perJobMs: number };
  rss: { workers: number; peakRss: number; columnBytes: number }[];
};

// 5b. the lazy catalog (generating stocks, scans under a memory budget), in fresh processes.
const catalog = JSON.parse(
  execFileSync(process.execPath, ["--import", "tsx", join(root, "bench/catalog.ts"), ...(quick ? ["--quick"] : [])], { cwd: root, encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1)!,
) as CatalogBench;

// 6. the tables.
const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "n/a";
  }
};
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rustc: sh("rustc --version"),
  commit: sh("git rev-parse --short HEAD"),
  date: new Date().toISOString(),
  quick,
};
const time = (ms: number | undefined) => (ms === undefined ? "–" : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1e6).toFixed(0)} ns`);
const baseline = (group: Map<string, Bench> | undefined, prefix: string) => [...(group?.values() ?? [])].find((b) => b.name.startsWith(prefix));
const rows = SCENARIOS.map((scenario) => {
  const g = vitest.get(scenario);
  const ts = g?.get("ferrobt");
  const rust = criterion.get(scenario);
  const ratio = (b: Bench | undefined) => (ts && b ? ts.mean / b.mean : undefined);
  const polars = [...(g?.values() ?? [])].filter((b) => b.name.startsWith("nodejs-polars"));
  return {
    scenario,
    criterionMs: rust,
    vitestMeanMs: ts?.mean,
    vitestP99Ms: ts?.p99,
    // Only per-call scenarios have a meaningful crossing cost; for bulk work the two runs' noise dominates.
    napiCrossingMs: rust !== undefined && ts && rust < 0.01 ? ts.mean - rust : undefined,
    vsFloor: ratio(baseline(g, "js-floor")),
    vsApiFloor: ratio(baseline(g, "api-floor")),
    apiFloorVsFloor: ((a, f) => (a && f ? a.mean / f.mean : undefined))(baseline(g, "api-floor"), baseline(g, "js-floor")),
    vsReference: ratio(baseline(g, "reference")),
    vsNodejsPolars: polars.map((b) => ({ name: b.name, ratio: ratio(b), meanMs: b.mean })),
  };
});
const fmtRatio = (x: number | undefined) => (x === undefined ? "–" : x < 0.1 ? `1/${Math.round(1 / x).toLocaleString("en-US")}×` : `${x.toFixed(2)}×`);
const MiB = 2 ** 20;
const lines = [
  `# ferrobt benchmarks`,
  ``,
  `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.rustc}; commit ${machine.commit}; ${machine.date}${quick ? " (quick mode)" : ""}`,
  ``,
  `| scenario | criterion (Rust) | vitest mean | vitest p99 | N-API crossing (TS − Rust) | ÷ js-floor | ÷ reference | ÷ nodejs-polars |`,
  `|---|---:|---:|---:|---:|---:|---:|---|`,
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${time(r.criterionMs)} | ${time(r.vitestMeanMs)} | ${time(r.vitestP99Ms)} | ${time(r.napiCrossingMs)} | ${fmtRatio(r.vsFloor)} | ${fmtRatio(r.vsReference)} | ${r.vsNodejsPolars.map((p) => `${fmtRatio(p.ratio)} (${p.name})`).join("; ") || "–"} |`,
  ),
  ``,
  `Ratios are ferrobt's time divided by the baseline's (below 1 = ferrobt faster). js-floor: plain typed arrays`,
  `with a JS binary search (window, last bar), hyparquet + typed arrays (ingest), a hand-written loop of the`,
  `same rules (backtests). Backtests beside the api-floor (that loop reading its bars through a new 200-bar window`,
  `and its three views a minute, as the strategy API makes any strategy do): ${rows
    .filter((r) => r.vsApiFloor !== undefined)
    .map((r) => `${r.scenario} ${fmtRatio(r.vsApiFloor)} (the api-floor is ${fmtRatio(r.apiFloorVsFloor)} the js-floor)`)
    .join("; ")}.`,
  `nodejs-polars ${existsSync(join(root, "node_modules/nodejs-polars-linux-x64-gnu")) ? "0.26.1 loads on this Node (its platform package declares Node >= 22 and is installed explicitly as a dev dependency)" : "is not installed"}.`,
  ``,
  `Memory (one year, ${memory.rows.toLocaleString("en-US")} rows): raw columns ${(memory.columnBytes / MiB).toFixed(1)} MiB; peak RSS ${(memory.before / MiB).toFixed(0)} MiB before ingest, ` +
    `${(memory.afterIngest / MiB).toFixed(0)} MiB after ingest (+${((memory.afterIngest - memory.before) / MiB).toFixed(0)} MiB, ${((memory.afterIngest - memory.before) / memory.columnBytes).toFixed(2)}× the columns), ` +
    `${(memory.afterBacktest / MiB).toFixed(0)} MiB after the one-year backtest. The same year from \`.dbn.zst\`, in a process of its own: ` +
    `+${((memory.dbnAfterIngest - memory.dbnBefore) / MiB).toFixed(0)} MiB at its peak (${memory.dbnIngestPeakRatio.toFixed(2)}× the columns).`,
  ``,
  ...researchLines(),
  ``,
  ...formatCatalogBench(catalog),
  ``,
  `Whole processes (a fresh \`node\` per run; wall time measured around each spawn, peak RSS from /usr/bin/time -v):`,
  ``,
  ...formatProcessReport(processes),
];
function researchLines(): string[] {
  const [r1, r2] = research.rss;
  const windows = [...new Set(research.throughput.map((t) => t.window))].map((w) => {
    const [one, two] = research.throughput.filter((t) => t.window === w);
    return `${w}: 1 worker ${one.runsPerSecond.toFixed(1)} runs/s, 2 workers ${two.runsPerSecond.toFixed(1)} runs/s (scaling ${(two.runsPerSecond / one.runsPerSecond).toFixed(2)}×)`;
  });
  const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
  const q = research.queue;
  return [
    `Research (bench/research.ts): sweeps of ${research.throughput[0].runs} runs of the MES example on warm pools, ${machine.cores} cores; ${windows.join("; ")}. Per job of a one-hour run: ` +
      `in-process pool ${research.pool.perJobMs.toFixed(1)} ms, BullMQ queue (redis-server on loopback, one \`ferrobt worker\` process) ` +
      (q
        ? `${q.perJobMs.toFixed(1)} ms (${(q.perJobMs - research.pool.perJobMs).toFixed(1)} ms of queue overhead per job)`
        : "not measured (no redis-server)") +
      `. Peak RSS of a sweep process over five years of minutes (${mib(r1.columnBytes)} of columns, opened with share): 1 worker ${mib(r1.peakRss)}, ` +
      `2 workers ${mib(r2.peakRss)} (+${mib(r2.peakRss - r1.peakRss)} for the second thread; a second copy of the data would add ${mib(r1.columnBytes)}).`,
  ];
}
const md = `${lines.join("\n")}\n`;
process.stdout.write(`\n${md}`);
// Quick (smoke) runs never overwrite the full report.
const dir = quick ? out : join(root, "bench/results");
const name = quick ? "bench-quick" : "latest";
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `${name}.md`), md);
writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ machine, rows, memory, processes, research, catalog }, null, 2)}\n`);
process.stdout.write(`written to ${join(dir, name)}.md and .json\n`);
