// Writing a file whole: to a temporary name beside it, then a rename, so a reader (or a killed writer)
// never leaves half a file that later reads as valid.

import { renameSync, writeFileSync } from "node:fs";

/** Writes `text` to `path` through `path.<pid>.tmp` and a rename. */
export function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
