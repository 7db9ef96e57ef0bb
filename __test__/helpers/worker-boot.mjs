// Worker entry: registers tsx in this worker's isolate, then runs the TypeScript worker body.
import { register } from "tsx/esm/api";

register();
await import(new URL("./worker-queries.ts", import.meta.url).href);
