// Opens parquet data as the engine's DataSource, on either backend; the reference backend (and its
// optional hyparquet dependency) is loaded only when asked for.

import { FerrobtError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import type { DataSource } from "./DataSource.js";

/** "native": the Rust/polars store; "reference": the pure-TS oracle. */
export type Backend = "native" | "reference";

/** Opens DataBento-schema parquet files (paths or globs) with the chosen backend. */
export async function openSource(paths: string | string[], backend: Backend = "native"): Promise<DataSource> {
  if (backend === "native") return BarStore.openParquet(paths);
  if (backend === "reference") {
    const { ReferenceSource } = await import("./ReferenceSource.js");
    return ReferenceSource.open(paths);
  }
  throw new FerrobtError("ERR_ARGUMENT", `argument 'backend': '${String(backend)}' is not "native" or "reference"`);
}
