// A pool thread's task: one run spec in, its outcome out (the data and strategy stay cached in the
// thread). An error that fails the whole job comes back as data: a thrown error would lose its `code`
// crossing threads.

import { type RunFailure, type RunOutcome, type RunSpec, runFailure, runSpec } from "./job.js";

/** What a pool thread sends back. */
export type TaskResult = { readonly outcome: RunOutcome } | { readonly fault: RunFailure };

export default async function run(spec: RunSpec): Promise<TaskResult> {
  try {
    return { outcome: await runSpec(spec) };
  } catch (e) {
    return { fault: runFailure(e) };
  }
}
