// ferrobt/research: parameter sweeps, walk-forward analysis and the BullMQ queue runner and worker
// (a separate entry, so `import "ferrobt"` in every backtest loads neither piscina nor BullMQ).

export { type SweepFiles, sweepCsv, writeSweep } from "./files.js";
export { type Combination, checkGrid, expandGrid, type Grid, type ParameterValue, readGridFile } from "./grid.js";
export type { EquityCurve, RunFailure, RunOutcome, RunSpec, RunStats } from "./job.js";
export { DEFAULT_QUEUE, jobId, type QueueRunCounts, QueueRunner, type QueueRunnerOptions, QueueWorker, type QueueWorkerOptions } from "./queue.js";
export { defaultWorkers, PoolRunner, type Runner } from "./runner.js";
export { bestRow, OBJECTIVES, type Objective, type SweepOptions, type SweepResult, type SweepRow, sweep, type WindowOptions } from "./sweep.js";
export {
  parseDuration,
  type Segment,
  type SegmentWindow,
  segmentWindows,
  type WalkForwardOptions,
  type WalkForwardResult,
  walkForward,
  writeWalkForward,
} from "./walkforward.js";
