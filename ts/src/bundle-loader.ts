// Runs dist's one CommonJS bundle of ferrobt (scripts/bundle.mjs) once per thread; dist's entry files
// re-export from it. The command line compiles it from a V8 code cache in the cache directory, one per command.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { commandOf } from "./cli/commands.js";
import { cacheDirOf } from "./util/cache-dir.js";
import { type CommonJsRun, runCommonJs } from "./util/code-cache.js";
import { growYoungGenerationAtOnce } from "./util/young-generation.js";

/** The bundle's exports: each entry module of dist, evaluated on its first call. */
interface FerrobtBundle {
  index(): Record<string, unknown>;
  reference(): Record<string, unknown>;
  research(): Record<string, unknown>;
  poolWorker(): Record<string, unknown>;
  /** Runs the command line on process.argv. */
  cli(): void;
}

const BUNDLE = new URL("./bundle/ferrobt.cjs", import.meta.url);

/** What the bundle gets besides Node's module arguments (the names scripts/bundle.mjs compiles it against). */
const EXTRA = {
  __ferrobtUrl: BUNDLE.href,
  __ferrobtImport: (specifier: string) => import(specifier),
};

let run: CommonJsRun | undefined;

/** The bundle's entry modules (the bundle runs on the first call in a thread). */
export function ferrobtBundle(): FerrobtBundle {
  run ??= runCommonJs(fileURLToPath(BUNDLE), undefined, EXTRA);
  return run.exports as FerrobtBundle;
}

/**
 * Runs the command line. A command's run compiles the bundle from `code/<command>-<node version>-<arch>.bin`
 * in the cache directory; when that was missing or not valid, the code compiled by this run is written there at exit.
 * `FERROBT_CODE_CACHE=0` turns the cache off.
 */
export function runCli(): void {
  const command = commandOf(process.argv[2]);
  const off = process.env.FERROBT_CODE_CACHE === "0";
  const file = command && !off ? join(cacheDirOf("code"), `${command}-${process.version}-${process.arch}.bin`) : undefined;
  // V8 drops the bytecode of functions that have not run for a while (those of the start-up, in a long
  // run); a cache written at the end of such a run would lack them and make later starts slower. The
  // flag is set before anything is compiled, so a cache is always made and read under the same flags.
  if (file) setFlagsFromString("--no-flush-bytecode");
  // Before the ingest, not only at the run: the command line's whole process is a backtest's.
  growYoungGenerationAtOnce();
  run = runCommonJs(fileURLToPath(BUNDLE), file, EXTRA);
  if (run.cache === "miss") process.once("exit", run.save);
  (run.exports as FerrobtBundle).cli();
}
