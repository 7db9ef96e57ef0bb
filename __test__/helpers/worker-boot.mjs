// Worker entry: registers tsx in this worker's isolate, then runs the TypeScript worker body named by
// workerData.module (default worker-queries.ts), relative to this folder.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(new URL(workerData?.module ?? "./worker-queries.ts", import.meta.url).href);
