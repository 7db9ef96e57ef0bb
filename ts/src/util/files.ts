// Writing a file whole: to a temporary name beside it, then a rename, so a reader (or a killed writer)
// never leaves half a file that later reads as valid.

import { renameSync, rmSync, writeFileSync } from "node:fs";

/** Writes `data` to `path` through `path.<pid>.tmp` and a rename; a failed write removes the temporary file and throws. */
export function writeWhole(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
