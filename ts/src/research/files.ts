// Writes a sweep's results: sweep.json (one object per combination), sweep.csv (one column per
// parameter and stat) and sweep.html; each file replaced whole (written beside, then renamed).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeWhole } from "../util/files.js";
import { STAT_KEYS } from "./job.js";
import type { SweepResult, SweepRow } from "./sweep.js";

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function field(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** sweep.csv: the parameters, the stats, then the error of a failed run (its stats empty). */
export function sweepCsv(parameterNames: readonly string[], rows: readonly SweepRow[]): string {
  const header = [...parameterNames, ...STAT_KEYS, "error"];
  const lines = [header.map(field).join(",")];
  for (const r of rows) {
    const stats = STAT_KEYS.map((k) => (r.error ? "" : r[k]));
    const error = r.error ? `[${r.error.code}] ${r.error.message}` : "";
    lines.push([...parameterNames.map((p) => r.parameters[p]), ...stats, error].map(field).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** The paths written. */
export interface SweepFiles {
  readonly json: string;
  readonly csv: string;
  readonly html: string;
}

/** Writes sweep.json, sweep.csv and sweep.html into `dir` (created if needed). */
export async function writeSweep(result: SweepResult, dir: string, title: string): Promise<SweepFiles> {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, "sweep.json"), csv: join(dir, "sweep.csv"), html: join(dir, "sweep.html") };
  writeWhole(files.json, `${JSON.stringify(result.rows, null, 2)}\n`);
  writeWhole(files.csv, sweepCsv(Object.keys(result.grid), result.rows));
  const { sweepHtml } = await import("./html.js");
  writeWhole(files.html, sweepHtml(result, title));
  return files;
}
