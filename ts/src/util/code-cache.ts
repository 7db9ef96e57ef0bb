// Runs a CommonJS file through vm.Script with a V8 code cache kept on disk (Node 20 has no module compile
// cache): a later process skips parsing and compiling every function an earlier one compiled.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";
import { writeWhole } from "./files.js";

/** A cache file starts with this many bytes: the SHA-256 of the runtime, the source and the V8 data after it. */
const DIGEST_BYTES = 32;

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
  const bytes = readFileSync(file);
  const digest = (data: Uint8Array) =>
    createHash("sha256").update(`${process.version} ${process.versions.v8} ${process.arch}\0`).update(bytes).update(data).digest();
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile, digest);
  const script = new Script(`(function (exports, require, module, __filename, __dirname, ${Object.keys(extra).join(", ")}) {${bytes.toString()}\n})`, {
    filename: file,
    cachedData: cached,
  });
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
