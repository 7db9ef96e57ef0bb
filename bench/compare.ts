// `npm run bench:compare <a.json> <b.json>`: per scenario (and per whole-process run, when both have them), the change from run a to run b.

import { readFileSync } from "node:fs";

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write("usage: npm run bench:compare <a.json> <b.json>\n");
  process.exit(2);
}
interface Row {
  scenario: string;
  criterionMs?: number;
  vitestMeanMs?: number;
}
interface ProcessRow {
  name: string;
  medianMs: number;
  peakRssMiB?: number;
}
interface Run {
  machine: { commit: string; cpu: string };
  rows: Row[];
  processes?: { results: ProcessRow[]; gcShare: number };
}
const [x, y] = [a, b].map((f) => JSON.parse(readFileSync(f, "utf8")) as Run);
const change = (p?: number, q?: number) => (p && q ? `${(((q - p) / p) * 100).toFixed(1).padStart(7)}%` : "      –");
const show = (v?: number) => (v === undefined ? "–" : v >= 1 ? `${v.toFixed(2)} ms` : `${(v * 1e6).toFixed(0)} ns`);
console.log(`${x.machine.commit} (${x.machine.cpu}) → ${y.machine.commit} (${y.machine.cpu})\n`);
console.log(
  `${"scenario".padEnd(26)}${"vitest a".padStart(12)}${"vitest b".padStart(12)}${"change".padStart(9)}${"criterion a".padStart(14)}${"criterion b".padStart(14)}${"change".padStart(9)}`,
);
for (const r of x.rows) {
  const s = y.rows.find((q) => q.scenario === r.scenario);
  console.log(
    `${r.scenario.padEnd(26)}${show(r.vitestMeanMs).padStart(12)}${show(s?.vitestMeanMs).padStart(12)}${change(r.vitestMeanMs, s?.vitestMeanMs)}${show(r.criterionMs).padStart(14)}${show(s?.criterionMs).padStart(14)}${change(r.criterionMs, s?.criterionMs)}`,
  );
}
if (x.processes && y.processes) {
  console.log(
    `\n${"process (median wall)".padEnd(58)}${"a".padStart(11)}${"b".padStart(11)}${"change".padStart(9)}${"RSS a".padStart(9)}${"RSS b".padStart(9)}`,
  );
  const mib = (v?: number) => (v === undefined ? "–" : `${v.toFixed(0)} MiB`);
  for (const r of x.processes.results) {
    const s = y.processes.results.find((q) => q.name === r.name);
    console.log(
      `${r.name.padEnd(58)}${show(r.medianMs).padStart(11)}${show(s?.medianMs).padStart(11)}${change(r.medianMs, s?.medianMs)}${mib(r.peakRssMiB).padStart(9)}${mib(s?.peakRssMiB).padStart(9)}`,
    );
  }
  console.log(
    `${"GC share of the one-year backtest".padEnd(58)}${`${(x.processes.gcShare * 100).toFixed(1)} %`.padStart(11)}${`${(y.processes.gcShare * 100).toFixed(1)} %`.padStart(11)}`,
  );
}
