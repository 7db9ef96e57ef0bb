// Instructions per backtest run, counted by valgrind's callgrind: steadier than wall time on a shared
// machine, so two engine trees can be compared within a per cent or two. Each tree's child runs the MES
// example over the window R times in one process, with the counters dumped after every run; the first
// runs are still being compiled and some runs hold a major GC (a run without one is ~25 % cheaper), so
// the summary is the median, the minimum and the sum of the warm runs (from the third on). Trees run
// two at a time. Reports; never asserts.
//
//   node --import tsx bench/instructions.ts [--runs 8] [--young-mib 256] [--start ...] [--end ...] [<tree> ...]
//
// A tree is a checkout with node_modules, its native addon and dist built (its engine is measured from
// dist, as users run it): e.g. `git worktree add /tmp/base main`, symlink node_modules, copy
// ts/native/*.node, then `npm run build:ts` (again after each change). Default: this checkout. Needs
// valgrind (Debian's package); a quarter takes about 20 s per run under it.

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median, yearFile } from "./fixtures.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string", default: "8" },
    start: { type: "string", default: "2023-03-01T09:30" },
    end: { type: "string", default: "2023-06-01T16:00" },
    "young-mib": { type: "string", default: "0" },
  },
});
const runs = Number(values.runs);
// A young generation fixed this large (MiB per semi-space; 0: V8's sizing) leaves a quarter run about
// one scavenge, and the major GCs fall in the same runs of every tree: the same run of two trees then
// differs by the code alone (within ~0.5 M). For A/B of code, not of GC.
const youngMiB = Number(values["young-mib"]);
if (!Number.isInteger(youngMiB) || youngMiB < 0) throw new Error(`--young-mib ${values["young-mib"]}: a whole number of MiB`);
if (!Number.isInteger(runs) || runs < 3) throw new Error(`--runs ${values.runs}: at least 3 (the first two are not warm)`);
const trees = (positionals.length > 0 ? positionals : [join(import.meta.dirname, "..")]).map((t) => resolve(t));
const child = join(import.meta.dirname, "instructions", "child.ts");
const file = yearFile();

/** Millions of instructions of each run in `tree` (index 0: start-up and ingest). */
function count(tree: string): Promise<{ tree: string; perRun: number[]; fills: number }> {
  const dir = mkdtempSync(join(tmpdir(), "ferrobt-instr-"));
  const young = youngMiB > 0 ? [`--min-semi-space-size=${youngMiB}`, `--max-semi-space-size=${youngMiB}`] : [];
  const args = ["--tool=callgrind", `--callgrind-out-file=${join(dir, "out")}`, process.execPath, "--single-threaded", ...young, "--import", "tsx"];
  return new Promise((done, fail) =>
    execFile("valgrind", [...args, child, tree, String(runs), values.start as string, values.end as string, file], { cwd: tree }, (err, stdout, stderr) => {
      try {
        if (err) throw new Error(`${tree}: ${err.message}\n${stderr.slice(-2_000)}`);
        // Dumps are out.1, out.2, ... in order; the final out (program end) is left out.
        const dumps = readdirSync(dir)
          .filter((f) => /^out\.\d+$/.test(f))
          .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
        const perRun = dumps.map((f) => Number(/^summary: (\d+)$/m.exec(readFileSync(join(dir, f), "utf8"))?.[1]) / 1e6);
        if (perRun.length !== runs + 1) throw new Error(`${tree}: ${perRun.length} dumps for ${runs} runs`);
        done({ tree, perRun: perRun.slice(1), fills: JSON.parse(stdout.trim().split("\n").at(-1) as string).fills });
      } catch (e) {
        fail(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
}

const results = [];
for (let i = 0; i < trees.length; i += 2) results.push(...(await Promise.all(trees.slice(i, i + 2).map(count))));
const first = results[0];
const warmOf = (r: { perRun: number[] }) => r.perRun.slice(2);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b);
const base = warmOf(first);
process.stdout.write(
  `MES example ${values.start} → ${values.end}, ${runs} runs per tree${youngMiB > 0 ? `, young generation fixed at ${youngMiB} MiB per semi-space` : ""}; millions of instructions (callgrind)\n`,
);
for (const r of results) {
  const warm = warmOf(r);
  const vs =
    r === first
      ? ""
      : `; the first tree's ×${(median(warm) / median(base)).toFixed(3)} (median), ×${(Math.min(...warm) / Math.min(...base)).toFixed(3)} (min), ×${(sum(warm) / sum(base)).toFixed(3)} (sum)`;
  process.stdout.write(
    `${r.tree}: runs ${r.perRun.map((x) => x.toFixed(0)).join(" ")}; warm median ${median(warm).toFixed(0)}, min ${Math.min(...warm).toFixed(0)}, sum ${sum(warm).toFixed(0)}${vs} (fills ${r.fills})\n`,
  );
}
