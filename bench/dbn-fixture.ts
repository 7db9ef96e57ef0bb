// The DBN twins of the bench's generated parquet files: the same bars, written once with the dbn
// crate's encoder (BarStore.writeDbn, zstd-compressed as DataBento delivers them) into bench/.cache.

import { existsSync } from "node:fs";
import { BarStore } from "../ts/src/index.js";
import { seedFile, yearFile } from "./fixtures.js";

/** `parquet` as `.dbn.zst` beside it, made on first use. */
function dbnOf(parquet: string): string {
  const path = parquet.replace(/\.parquet$/, ".dbn.zst");
  if (!existsSync(path)) {
    const store = BarStore.openParquetSync(parquet);
    store.writeDbn(path);
    store.dispose();
  }
  return path;
}

/** One year of MES minute bars as DBN OHLCV-1m: the bars of {@link yearFile}. */
export const yearDbnFile = () => dbnOf(yearFile());
/** The seed window's bars as DBN. */
export const seedDbnFile = () => dbnOf(seedFile());
