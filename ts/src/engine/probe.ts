// The profiler's probe: the parts of a run it can time. A backtest given a probe reports every timed
// call to it; a backtest without one carries no timing code on its path beyond one check.

/** The timed parts of a run. Calls may nest: resampling runs inside getHistoricalPrices. */
export type ProbePart = "getHistoricalPrices" | "getLastPrice" | "resampling" | "valuation" | "broker" | "recorder";

export const PROBE_PARTS: readonly ProbePart[] = ["getHistoricalPrices", "getLastPrice", "resampling", "valuation", "broker", "recorder"];

/** Receives the duration of each timed call. */
export interface Probe {
  /** A start mark (e.g. process.hrtime.bigint() or performance.now()). */
  start(): number;
  /** The call to `part` that began at `started` ended. */
  stop(part: ProbePart, started: number): void;
}
