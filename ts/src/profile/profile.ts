// The profiler: runs a backtest with its hot calls timed (getHistoricalPrices, getLastPrice, broker
// fill evaluation, strategy-level resampling, ingest), reports wall and CPU time, and compares the
// native and reference backends. Nothing is instrumented unless a profile is asked for: the timers
// are installed on the one Backtest instance being profiled, so ordinary runs carry no overhead.

import { Backtest, type BacktestResult } from "../engine/backtest.js";
import type { Strategy } from "../engine/strategy.js";
import { openSource, type Backend } from "../data/open.js";

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

/** Hot call sites: display name → method on the Backtest (or its broker). */
const SITES = [
  ["getHistoricalPrices", "historicalPrices", false],
  ["getLastPrice", "lastPrice", false],
  ["resampling", "resample", false],
  ["broker fill evaluation", "process", true],
] as const;

interface Counter {
  count: number;
  ns: bigint;
}

/** Replaces `obj[key]` by a timed wrapper for this object only. */
function time(obj: object, key: string, counter: Counter): void {
  const target = obj as Record<string, (...args: unknown[]) => unknown>;
  const original = target[key];
  target[key] = function timed(this: unknown, ...args: unknown[]) {
    const t0 = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      counter.ns += process.hrtime.bigint() - t0;
      counter.count++;
    }
  };
}

/** Runs `make()` on `paths` with one backend, timing ingest, the run and the hot calls. */
export async function profileRun(make: () => Strategy, paths: string[], backend: Backend, start: string, end: string): Promise<ProfileReport> {
  const i0 = performance.now();
  const data = await openSource(paths, backend);
  const ingestMs = performance.now() - i0;
  try {
    const backtest = new Backtest(make(), { data, start, end });
    const counters = SITES.map(() => ({ count: 0, ns: 0n }));
    SITES.forEach(([, key, onBroker], i) => time(onBroker ? (backtest as unknown as { broker: object }).broker : backtest, key, counters[i]));
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const result = backtest.run();
    const wallMs = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const calls = SITES.map(([name], i) => {
      const totalMs = Number(counters[i].ns) / 1e6;
      return { name, count: counters[i].count, totalMs, meanNs: counters[i].count ? (totalMs * 1e6) / counters[i].count : 0, share: totalMs / wallMs };
    });
    return { backend, ingestMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, iterations: result.iterations, calls, result };
  } finally {
    data.dispose();
  }
}

/** "equal", or the first differing trade-log line of two runs. */
export function parityVerdict(a: BacktestResult, b: BacktestResult): string {
  const x = a.tradeLog.toCsv().split("\n"), y = b.tradeLog.toCsv().split("\n");
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
  const line = (label: string, cells: string[], ratio?: number) => `${pad(label, 24)}${cells.map((c) => pad(c, 34)).join("")}${ratio !== undefined ? `${ratio.toFixed(1)}×` : ""}`;
  const speed = (f: (r: ProfileReport) => number) => (both ? f(reports[1]) / f(reports[0]) : undefined);
  const out = [head, "-".repeat(head.length + 4)];
  out.push(line("ingest", reports.map((r) => ms(r.ingestMs)), speed((r) => r.ingestMs)));
  out.push(line("run (wall)", reports.map((r) => ms(r.wallMs)), speed((r) => r.wallMs)));
  out.push(line("run (CPU)", reports.map((r) => ms(r.cpuMs)), speed((r) => r.cpuMs)));
  out.push(line("iterations", reports.map((r) => `${r.iterations} (${Math.round((r.iterations / r.wallMs) * 1000).toLocaleString("en-US")}/s)`)));
  reports[0].calls.forEach((c, i) => {
    const cells = reports.map((r) => {
      const k = r.calls[i];
      return `${k.count} × ${k.meanNs.toFixed(0)} ns = ${ms(k.totalMs)} (${(k.share * 100).toFixed(1)}%)`;
    });
    out.push(line(c.name, cells, speed((r) => r.calls[i].meanNs || 1)));
  });
  if (both) out.push("", `parity: ${parityVerdict(reports[0].result, reports[1].result)}`);
  return out.join("\n");
}
