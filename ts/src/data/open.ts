// Opens bar data as the engine's DataSource, on either backend: the native store reads parquet and
// DBN (a directory: a lazy catalog); the reference backend (and its optional hyparquet dependency), parquet only, is loaded only
// when asked for.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { FerrobtError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import type { CatalogOptions } from "../store/Catalog.js";
import type { DataSource } from "./DataSource.js";

/** "native": the Rust/polars store; "reference": the pure-TS oracle. */
export type Backend = "native" | "reference";

/**
 * Opens bar files (paths or globs) with the chosen backend: native reads DataBento-schema parquet and
 * DBN (`.dbn`, `.dbn.zst`) alike; the reference backend reads parquet only (a DBN path is ERR_ARGUMENT).
 * One path naming a directory is a catalog (native only), opened lazily with `catalog`'s options.
 */
export async function openSource(paths: string | string[], backend: Backend = "native", catalog: CatalogOptions = {}): Promise<DataSource> {
  const dir = catalogDir(paths);
  if (dir !== undefined && backend === "native") return BarStore.openCatalog(dir, catalog);
  if (dir !== undefined && backend === "reference") {
    throw new FerrobtError(
      "ERR_ARGUMENT",
      `argument 'backend': the reference backend reads parquet files; ${dir} is a catalog directory (use the native backend)`,
    );
  }
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

/** The one path of `paths` when it names a directory (a catalog). */
export function catalogDir(paths: string | string[]): string | undefined {
  const list = Array.isArray(paths) ? paths : [paths];
  if (list.length !== 1 || typeof list[0] !== "string") return undefined;
  try {
    return statSync(list[0]).isDirectory() ? list[0] : undefined;
  } catch {
    return undefined; // missing: the store reports it
  }
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
