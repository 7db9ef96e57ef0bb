// Runs a CommonJS file through vm.Script with a V8 code cache kept on disk (Node 20 has no module compile
// cache): a later process skips parsing and compiling every function an earlier one compiled.

import { createHash, type Hash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { writeWhole } from "./files.js";

/** A cache file starts with this many bytes: the SHA-256 of the runtime, the source and the V8 data after it. */
const DIGEST_BYTES = 32;

/**
 * The node build: every component version, the build configuration and the executable's size and
 * time. V8 does not checksum its cached data in release builds and a bad one can crash the process,
 * so a cache is only taken from exactly this build (V8's own check compares little more than the
 * source length and its flags).
 */
function runtimeIdentity(): string {
  let exe = "";
  try {
    const st = statSync(process.execPath);
    exe = `${st.size} ${st.mtimeMs}`;
  } catch {
    // No stat of the executable: the versions and the configuration still name the build.
  }
  return JSON.stringify([process.versions, process.arch, process.platform, process.config, process.execPath, exe]);
}

/** A CommonJS file that ran, with its code cache's fate. */
export interface CommonJsRun {
  readonly exports: unknown;
  /**
   * `hit`: compiled from the cache file; `miss`: there was none, or it was cut, damaged, written for
   * another source or runtime, or refused by V8 (save() then writes one); `off`: no cache file asked for.
   */
  readonly cache: "hit" | "miss" | "off";
  /** After a miss, writes the code of every function compiled so far (temporary file and rename); best effort, never throws. */
  save(): void;
}

/**
 * Runs the CommonJS file `file` with Node's module arguments (`exports`, `require`, `module`,
 * `__filename`, `__dirname`) and the named `extra` ones, and returns what it exported. With `cacheFile`
 * it is compiled from the V8 code cache there when that is exactly what this runtime wrote for this source.
 */
export function runCommonJs(file: string, cacheFile: string | undefined, extra: Readonly<Record<string, unknown>> = {}): CommonJsRun {
  // The digest covers the exact text V8 compiles (the wrapper names the extra arguments in order).
  const source = `(function (exports, require, module, __filename, __dirname, ${Object.keys(extra).join(", ")}) {${readFileSync(file, "utf8")}\n})`;
  // Runtime and source hashed once; each digest (the read check, then the write after a miss) adds the data.
  const prefix = cacheFile === undefined ? undefined : createHash("sha256").update(runtimeIdentity()).update("\0").update(source).update("\0");
  const digest = (data: Uint8Array) => (prefix as Hash).copy().update(data).digest();
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile, digest);
  const script = new Script(source, { filename: file, cachedData: cached });
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), ...Object.values(extra));
  const cache = cacheFile === undefined ? "off" : cached !== undefined && !script.cachedDataRejected ? "hit" : "miss";
  return {
    exports: module.exports,
    cache,
    save() {
      if (cacheFile === undefined || cache !== "miss") return;
      try {
        const data = script.createCachedData();
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeWhole(cacheFile, Buffer.concat([digest(data), data]));
      } catch {
        // Only a cache: the next process compiles the source again.
      }
    },
  };
}

/** The V8 data of a cache file whose digest holds, else undefined. */
function readCache(path: string, digest: (data: Uint8Array) => Buffer): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const data = file.subarray(DIGEST_BYTES);
  return file.length > DIGEST_BYTES && digest(data).equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined;
}
