// The profiler: runs a backtest with its parts timed through the engine's probe (getHistoricalPrices,
// getLastPrice, strategy-level resampling, portfolio valuation, broker fill evaluation, the equity
// recorder) and ingest, reports wall and CPU time, and compares the native and reference backends.
// Ordinary runs are given no probe and carry no timing.

import { type Backend, openSource } from "../data/open.js";
import { Backtest, type BacktestResult } from "../engine/backtest.js";
import { PROBE_PARTS, type Probe, type ProbePart } from "../engine/probe.js";
import type { Strategy } from "../engine/strategy.js";

/** One timed call site. */
export interface CallStats {
  readonly name: string;
  readonly count: number;
  readonly totalMs: number;
  readonly meanNs: number;
  /** Share of the run's wall time (calls may nest: resampling runs inside getHistoricalPrices). */
  readonly share: number;
}

export interface ProfileReport {
  readonly backend: Backend;
  readonly ingestMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly iterations: number;
  readonly calls: readonly CallStats[];
  readonly result: BacktestResult;
}

/** Display names of the probe's parts. */
const LABELS: Record<ProbePart, string> = {
  getHistoricalPrices: "getHistoricalPrices",
  getLastPrice: "getLastPrice",
  resampling: "resampling",
  valuation: "portfolio valuation",
  broker: "broker fill evaluation",
  recorder: "equity recorder",
};

/** A probe that sums the count and duration of each part's calls. */
function countingProbe(): Probe & { readonly counts: Map<ProbePart, { count: number; ms: number }> } {
  const counts = new Map(PROBE_PARTS.map((p) => [p, { count: 0, ms: 0 }]));
  return {
    counts,
    start: () => performance.now(),
    stop(part, started) {
      const c = counts.get(part)!;
      c.ms += performance.now() - started;
      c.count++;
    },
  };
}

/** Runs `make()` on `paths` with one backend, timing ingest, the run and the hot calls. */
export async function profileRun(make: () => Strategy, paths: string[], backend: Backend, start: string, end: string): Promise<ProfileReport> {
  const i0 = performance.now();
  const data = await openSource(paths, backend);
  const ingestMs = performance.now() - i0;
  try {
    const probe = countingProbe();
    const backtest = new Backtest(make(), { data, start, end, probe });
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const result = backtest.run();
    const wallMs = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const calls = PROBE_PARTS.map((part) => {
      const { count, ms: totalMs } = probe.counts.get(part)!;
      return { name: LABELS[part], count, totalMs, meanNs: count ? (totalMs * 1e6) / count : 0, share: totalMs / wallMs };
    });
    return { backend, ingestMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, iterations: result.iterations, calls, result };
  } finally {
    data.dispose();
  }
}

/** "equal", or the first differing trade-log line of two runs. */
export function parityVerdict(a: BacktestResult, b: BacktestResult): string {
  const x = a.tradeLog.toCsv().split("\n"),
    y = b.tradeLog.toCsv().split("\n");
  const i = x.findIndex((l, k) => l !== y[k]);
  if (i < 0 && x.length === y.length) return `trade logs equal (${x.length - 2} rows, byte for byte)`;
  return `trade logs differ at line ${i + 1}:\n    native:    ${x[i] ?? "(end)"}\n    reference: ${y[i] ?? "(end)"}`;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const pad = (s: string, n: number) => s.padEnd(n);

/** The side-by-side (or single) table. */
export function formatProfile(reports: readonly ProfileReport[]): string {
  const cols = reports.map((r) => r.backend);
  const both = reports.length === 2;
  const head = `${pad("", 24)}${cols.map((c) => pad(c, 34)).join("")}${both ? "native speedup" : ""}`;
  const line = (label: string, cells: string[], ratio?: number) =>
    `${pad(label, 24)}${cells.map((c) => pad(c, 34)).join("")}${ratio !== undefined ? `${ratio.toFixed(1)}×` : ""}`;
  const speed = (f: (r: ProfileReport) => number) => (both ? f(reports[1]) / f(reports[0]) : undefined);
  const out = [head, "-".repeat(head.length + 4)];
  /** A row of one duration per backend, with native's speedup. */
  const timed = (label: string, pick: (r: ProfileReport) => number) =>
    line(
      label,
      reports.map((r) => ms(pick(r))),
      speed(pick),
    );
  out.push(
    timed("ingest", (r) => r.ingestMs),
    timed("run (wall)", (r) => r.wallMs),
    timed("run (CPU)", (r) => r.cpuMs),
  );
  out.push(
    line(
      "iterations",
      reports.map((r) => `${r.iterations} (${Math.round((r.iterations / r.wallMs) * 1000).toLocaleString("en-US")}/s)`),
    ),
  );
  reports[0].calls.forEach((c, i) => {
    const cells = reports.map((r) => {
      const k = r.calls[i];
      return `${k.count} × ${k.meanNs.toFixed(0)} ns = ${ms(k.totalMs)} (${(k.share * 100).toFixed(1)}%)`;
    });
    out.push(
      line(
        c.name,
        cells,
        speed((r) => r.calls[i].meanNs || 1),
      ),
    );
  });
  if (both) out.push("", `parity: ${parityVerdict(reports[0].result, reports[1].result)}`);
  return out.join("\n");
}
