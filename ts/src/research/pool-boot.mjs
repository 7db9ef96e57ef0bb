// A pool thread's entry when ferrobt runs from its TypeScript sources (tests, tsx): registers tsx in this
// thread, then loads the TypeScript task module (dist's threads load pool-worker.js directly).
import { register } from "tsx/esm/api";

register();
const task = await import(new URL("./pool-worker.ts", import.meta.url).href);
export default task.default;
