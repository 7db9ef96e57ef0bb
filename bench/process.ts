// Whole-process scenarios, each a fresh process run N times (hyperfine-style median and min of the wall
// time, peak RSS from /usr/bin/time -v): node alone (the floor), the CLI's seed-window backtest (strategy
// cached, and a first run with an empty cache), the cold first openParquet of the one-year file beside
// nodejs-polars' cold readParquet, the GC share of the one-year backtest, that backtest alternated
// with the hand loop in one warm process, and the bytes each allocates per iteration. Reports; never asserts.
// Standalone: node --import tsx bench/process.ts [--quick]

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { V8_TUNING_ENV, YOUNG_GENERATION_FLAG } from "../ts/src/util/young-generation.js";
import { median, seedFile, yearFile } from "./fixtures.js";

const root = join(import.meta.dirname, "..");
const TIME = "/usr/bin/time";

/**
 * Node parses the whole bundle NODE_EXTRA_CA_CERTS names at every start, before any script runs
 * (about 80 ms on the 2-core EPYC sandbox, which sets it). The scenarios run without it, as a user's
 * shell normally does; the floor is also timed with it when it is set, so both figures are printed.
 */
const EXTRA_CA = "NODE_EXTRA_CA_CERTS";

/** The bench's environment without NODE_EXTRA_CA_CERTS. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[EXTRA_CA];
  return env;
}

/** One scenario's runs: wall time (ms), peak RSS (MiB, median over runs) and the medians of the figures the child printed. */
export interface ProcessResult {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly peakRssMiB: number | undefined;
  readonly child: Readonly<Record<string, number>>;
}

export interface ProcessReport {
  readonly results: readonly ProcessResult[];
  /** GC pause total over the one-year backtest's wall time, median of the runs (fraction). */
  readonly gcShare: number;
  readonly gcMs: number;
  readonly gcRunMs: number;
  /** The same backtest's GC share with node's own young generation sizing (FERROBT_V8_TUNING=0), median of the runs (fraction). */
  readonly gcShareUntuned: number;
  /** The one-year backtest, the hand loop and the hand loop through windows alternated in one warm process (bench/process/interleaved.ts): medians, ratios, warm GC share. */
  readonly interleaved: Readonly<Record<string, number>>;
  /** Bytes allocated per iteration by warm one-year runs (bench/process/allocation.ts): example, idle, handWindows, hand. */
  readonly allocation: Readonly<Record<string, number>>;
}

/** The last JSON object line a child printed, as numbers (none: {}). */
function childFigures(stdout: string): Record<string, number> {
  const line = stdout
    .trim()
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (!line) return {};
  return Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number"));
}

/** Runs `node <args>` `runs` times after `warmup` unmeasured runs; `before` runs ahead of every run, unmeasured. */
export function timeProcess(
  name: string,
  args: string[],
  opts: { runs: number; warmup?: number; cwd?: string; env?: Record<string, string>; before?: () => void },
): ProcessResult {
  const withTime = existsSync(TIME);
  const walls: number[] = [],
    rss: number[] = [],
    figures: Record<string, number>[] = [];
  for (let i = 0; i < (opts.warmup ?? 1) + opts.runs; i++) {
    opts.before?.();
    const began = performance.now();
    const r = spawnSync(withTime ? TIME : process.execPath, withTime ? ["-v", process.execPath, ...args] : args, {
      cwd: opts.cwd ?? root,
      encoding: "utf8",
      env: { ...childEnv(), ...opts.env },
      maxBuffer: 64 * 2 ** 20,
    });
    const wall = performance.now() - began;
    if (r.status !== 0) throw new Error(`${name}: node ${args.join(" ")} exited ${r.status}\n${r.stderr}`);
    if (i < (opts.warmup ?? 1)) continue;
    walls.push(wall);
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
    if (kb) rss.push(Number(kb) / 1024);
    figures.push(childFigures(r.stdout));
  }
  const keys = Object.keys(figures[0] ?? {});
  return {
    name,
    runs: opts.runs,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    peakRssMiB: rss.length ? median(rss) : undefined,
    child: Object.fromEntries(keys.map((k) => [k, median(figures.map((f) => f[k]))])),
  };
}

/** Newest modification time under a directory, ms. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/** The processes run the built CLI: rebuild dist/ when a source is newer than it. */
export function ensureBuiltDist(): void {
  const main = join(root, "dist/cli/main.js");
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(root, "ts/src"))) return;
  const r = spawnSync("npm", ["run", "--silent", "build:ts"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build:ts failed: the process benches need a current dist/");
}

export function processScenarios(quick: boolean): ProcessReport {
  ensureBuiltDist();
  const seed = seedFile(),
    year = yearFile();
  const work = join(root, "out/bench-process");
  const cache = join(work, "strategy-cache");
  mkdirSync(work, { recursive: true });
  const runs = quick ? 3 : 10;
  const cli = [
    "dist/cli/main.js",
    "backtest",
    "examples/mes-momentum-sma9.ts",
    "--data",
    seed,
    "--start",
    "2024-01-03T09:30",
    "--end",
    "2024-01-05T16:00",
    "--out",
    join(work, "cli"),
  ];
  const env = { FERROBT_CACHE_DIR: cache };
  const results = [
    timeProcess("node -e 0 (floor)", ["-e", "0"], { runs }),
    timeProcess("ferrobt backtest, seed window (strategy cached)", cli, { runs, env }),
    timeProcess("ferrobt backtest, seed window (first run: empty cache)", cli, {
      runs: quick ? 1 : 5,
      warmup: 0,
      env,
      before: () => rmSync(cache, { recursive: true, force: true }),
    }),
    timeProcess("cold first openParquet, 1 year (ferrobt)", ["bench/process/cold-open.mjs", year], { runs: quick ? 2 : 5 }),
  ];
  const extraCa = process.env[EXTRA_CA];
  if (extraCa) results.splice(1, 0, timeProcess(`node -e 0 with ${EXTRA_CA} (as set here)`, ["-e", "0"], { runs, env: { [EXTRA_CA]: extraCa } }));
  if (existsSync(join(root, "node_modules/nodejs-polars-linux-x64-gnu"))) {
    results.push(timeProcess("cold readParquet + typed arrays, 1 year (nodejs-polars)", ["bench/process/polars-cold.mjs", year], { runs: quick ? 2 : 5 }));
  }
  const gc = timeProcess("1-year backtest with GC observed", ["bench/process/gc-share.mjs", year, "2023-01-03T09:30", "2023-12-29T16:00"], {
    runs: quick ? 1 : 3,
    warmup: 0,
    env,
  });
  results.push(gc);
  const gcUntuned = timeProcess(
    `1-year backtest with GC observed, ${V8_TUNING_ENV}=0 (node's young generation sizing)`,
    ["bench/process/gc-share.mjs", year, "2023-01-03T09:30", "2023-12-29T16:00"],
    { runs: quick ? 1 : 3, warmup: 0, env: { ...env, [V8_TUNING_ENV]: "0" } },
  );
  results.push(gcUntuned);
  const interleaved = timeProcess("1-year backtest and hand loop, interleaved", ["--import", "tsx", "bench/process/interleaved.ts", year, quick ? "2" : "7"], {
    runs: 1,
    warmup: 0,
  });
  const allocation = timeProcess("allocation per iteration", ["--import", "tsx", "bench/process/allocation.ts", year], { runs: 1, warmup: 0 });
  return {
    results,
    allocation: allocation.child,
    gcShare: gc.child.gcMs / gc.child.runMs,
    gcMs: gc.child.gcMs,
    gcRunMs: gc.child.runMs,
    gcShareUntuned: gcUntuned.child.gcMs / gcUntuned.child.runMs,
    interleaved: interleaved.child,
  };
}

const ms = (x: number | undefined) => (x === undefined ? "–" : `${x.toFixed(1)} ms`);
const bytes = (x: number) => `${x.toFixed(0)} B`;

/** The whole-process table (markdown), with each figure's ratio to its baseline. */
export function formatProcessReport(p: ProcessReport): string[] {
  const floor = p.results[0];
  const polars = p.results.find((r) => r.name.includes("nodejs-polars"));
  const vs = (r: ProcessResult) => {
    if (r === floor || r.name.includes("GC observed")) return "–";
    if (r.name.includes("openParquet") && polars) {
      return `${(r.medianMs / polars.medianMs).toFixed(2)}× polars wall, ${(r.child.openMs / polars.child.openMs).toFixed(2)}× its read, ${r.peakRssMiB && polars.peakRssMiB ? (r.peakRssMiB / polars.peakRssMiB).toFixed(2) : "–"}× its RSS`;
    }
    return `${(r.medianMs / floor.medianMs).toFixed(2)}× node alone (+${(r.medianMs - floor.medianMs).toFixed(0)} ms)`;
  };
  const gc = p.results.find((r) => r.name.includes("GC observed"))!.child;
  const inner = (r: ProcessResult) =>
    Object.entries(r.child)
      .filter(([k]) => k.endsWith("Ms"))
      .map(([k, v]) => `${k.slice(0, -2)} ${v.toFixed(1)}`)
      .join(", ") || "–";
  return [
    `| process (separate runs) | runs | median wall | min wall | peak RSS | inside the process (ms, medians) | ratio |`,
    `|---|---:|---:|---:|---:|---|---|`,
    ...p.results.map(
      (r) =>
        `| ${r.name} | ${r.runs} | ${ms(r.medianMs)} | ${ms(r.minMs)} | ${r.peakRssMiB === undefined ? "–" : `${r.peakRssMiB.toFixed(0)} MiB`} | ${inner(r)} | ${vs(r)} |`,
    ),
    ``,
    `GC share of the one-year backtest: ${(p.gcShare * 100).toFixed(1)} % (${p.gcMs.toFixed(0)} ms of GC pauses in a ${p.gcRunMs.toFixed(0)} ms run: ` +
      `scavenges ${gc.scavengeMs.toFixed(0)} ms, mark-compacts ${gc.markCompactMs.toFixed(0)} ms, incremental marking ${gc.incrementalMarkMs.toFixed(0)} ms; perf_hooks 'gc' entries, target ≤ 5 %), ` +
      `in a fresh process with node's default flags, as a program importing ferrobt runs it (the run sets ${YOUNG_GENERATION_FLAG} and holds a 2 MiB ballast so the young generation grows early); ` +
      `${(p.gcShareUntuned * 100).toFixed(1)} % with ${V8_TUNING_ENV}=0 (V8 grows the young generation a doubling at a time).`,
    ``,
    `The one-year backtest alternated with the hand-written loop in one warm process (a noisy machine slows both alike): ` +
      `engine ${p.interleaved.engineMs.toFixed(0)} ms, hand loop ${p.interleaved.handLoopMs.toFixed(0)} ms (medians), median ratio ${p.interleaved.ratio.toFixed(2)}× (target ≤ 2×); ` +
      `GC ${(p.interleaved.warmGcShare * 100).toFixed(1)} % of the warm runs. ` +
      `The hand loop reading its bars through a new 200-bar window and its three views a minute, as the API makes a strategy do: ` +
      `${p.interleaved.handWindowsMs.toFixed(0)} ms, ${p.interleaved.windowsRatio.toFixed(2)}× the hand loop; the engine is ${p.interleaved.ratioToWindows.toFixed(2)}× that.`,
    ``,
    `Bytes allocated per iteration, warm one-year runs (V8's sampling heap profiler, objects the GC collected included): ` +
      `the MES example ${bytes(p.allocation.example)}; the hand loop reading its bars through a new 200-bar window and its three views a minute ` +
      `(the API's floor) ${bytes(p.allocation.handWindows)}, the plain hand loop ${bytes(p.allocation.hand)}; a strategy whose iterations ask for nothing ` +
      `${bytes(p.allocation.idle)} (the engine's own, per minute). The example is ${bytes(p.allocation.example - p.allocation.handWindows)} above the floor: ` +
      `its own code, the numbers and orders the API hands it, and the engine's.`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  process.stdout.write(`${formatProcessReport(processScenarios(process.argv.includes("--quick"))).join("\n")}\n`);
