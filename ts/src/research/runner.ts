// Where a sweep's runs execute: a worker_threads pool on this machine (piscina), or a queue of jobs
// that workers on any machine take (./queue.ts). Both hand back one outcome per spec, in spec order.

import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { checkPositiveCount, type ErrorCode, FerrobtError } from "../errors.js";
import type { RunOutcome, RunSpec } from "./job.js";
import type { TaskResult } from "./pool-worker.js";

/** Runs specs somewhere; `onOutcome` is called as each finishes (any order), the result is in spec order. */
export interface Runner {
  run(specs: readonly RunSpec[], onOutcome?: (index: number, outcome: RunOutcome) => void): Promise<RunOutcome[]>;
  close(): Promise<void>;
}

/** The pool thread's module, beside this one; from TypeScript sources (tests, tsx) a boot module registers tsx first. */
function workerModule(): string {
  return new URL(import.meta.url.endsWith(".ts") ? "./pool-boot.mjs" : "./pool-worker.js", import.meta.url).href;
}

/** The default worker count: the cores this process may use. */
export const defaultWorkers = (): number => availableParallelism();

/** A pool of `workers` threads on this machine, each running one backtest at a time. */
export class PoolRunner implements Runner {
  private readonly pool: Piscina;

  constructor(workers: number) {
    const n = checkPositiveCount("workers", workers);
    this.pool = new Piscina({ filename: workerModule(), minThreads: n, maxThreads: n, concurrentTasksPerWorker: 1, idleTimeout: 60_000 });
  }

  async run(specs: readonly RunSpec[], onOutcome?: (index: number, outcome: RunOutcome) => void): Promise<RunOutcome[]> {
    return Promise.all(
      specs.map(async (spec, i) => {
        const result = (await this.pool.run(spec)) as TaskResult;
        if ("fault" in result) throw new FerrobtError(result.fault.code as ErrorCode, result.fault.message);
        onOutcome?.(i, result.outcome);
        return result.outcome;
      }),
    );
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
