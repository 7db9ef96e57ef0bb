// Worker body (started through worker-boot.mjs): opens the store with `share` and posts whether it got
// the process's existing copy, with a digest of every column it sees.

import { parentPort, workerData } from "node:worker_threads";
import { BarStore } from "../../ts/src/index.js";
import { columnsDigest } from "./digest.js";

const { path } = workerData as { path: string };
const store = BarStore.openParquetSync(path, { share: true });
parentPort!.postMessage({ reused: store.report.reused, digest: columnsDigest(store) });
store.dispose();
