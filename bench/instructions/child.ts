// Child of bench/instructions.ts, run under callgrind: the MES example over a window, `runs` times, on
// the engine of the source tree `tree` as users run it (its dist bundle, which the example imports as
// "ferrobt" too), with callgrind's counters dumped after each run (so each dump holds one run's
// instructions). Arguments: <tree> <runs> <start> <end> <parquet>.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [tree, runsArg, start, end, file] = process.argv.slice(2);
const at = (path: string) => import(pathToFileURL(join(tree, path)).href);
// Not ts/src through tsx: there an imported constant is a module cell, loaded and checked on every
// use, where the bundle has one scope; a change can save instructions there and none in what ships.
const { Backtest, BarStore } = await at("dist/index.js");
const { default: Example } = await at("examples/mes-momentum-sma9.ts");
const store = BarStore.openParquetSync(file);
// Start-up and ingest go into a dump of their own.
execFileSync("callgrind_control", ["--dump=setup", String(process.pid)]);
let fills = 0;
for (let r = 0; r < Number(runsArg); r++) {
  fills += new Backtest(new Example(), { data: store, start, end }).run().fillCount;
  execFileSync("callgrind_control", [`--dump=run${r}`, String(process.pid)]);
}
process.stdout.write(`${JSON.stringify({ fills })}\n`);
