// Opens bar data as the engine's DataSource, on either backend: the native store reads parquet and
// DBN; the reference backend (and its optional hyparquet dependency), parquet only, is loaded only
// when asked for.

import { closeSync, openSync, readSync } from "node:fs";
import { FerrobtError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import type { DataSource } from "./DataSource.js";

/** "native": the Rust/polars store; "reference": the pure-TS oracle. */
export type Backend = "native" | "reference";

/**
 * Opens bar files (paths or globs) with the chosen backend: native reads DataBento-schema parquet and
 * DBN (`.dbn`, `.dbn.zst`) alike; the reference backend reads parquet only (a DBN path is ERR_ARGUMENT).
 */
export async function openSource(paths: string | string[], backend: Backend = "native"): Promise<DataSource> {
  if (backend === "native") return BarStore.open(paths);
  if (backend === "reference") {
    for (const path of Array.isArray(paths) ? paths : [paths]) {
      if (isDbn(path)) {
        throw new FerrobtError("ERR_ARGUMENT", `argument 'backend': the reference backend reads parquet only; ${path} is DBN (use the native backend)`);
      }
    }
    const { ReferenceSource } = await import("./ReferenceSource.js");
    return ReferenceSource.open(paths);
  }
  throw new FerrobtError("ERR_ARGUMENT", `argument 'backend': '${String(backend)}' is not "native" or "reference"`);
}

/** True when `path` is a plain path (not a glob) to a file starting like DBN or a zstd frame. */
function isDbn(path: string): boolean {
  if (/[*?[]/.test(path)) return false;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return (n >= 3 && head.toString("latin1", 0, 3) === "DBN") || (n === 4 && head.readUInt32LE(0) === 0xfd2fb528);
  } catch {
    return false; // missing or unreadable: the backend reports it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
