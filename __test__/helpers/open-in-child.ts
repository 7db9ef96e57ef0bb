// Opens a parquet file in a process of its own and prints the error code and message as JSON. The
// bad-input test runs it without root's file-permission override (setpriv drops CAP_DAC_*), since root
// reads any file, and to see what a corrupt file prints to stderr.

import { BarStore } from "../../ts/src/index.js";

try {
  BarStore.openParquetSync(process.argv[2]).dispose();
  process.stdout.write(JSON.stringify({ code: "ok" }));
} catch (e) {
  const err = e as { code?: string; message: string };
  process.stdout.write(JSON.stringify({ code: err.code, message: err.message }));
}
