// Writes the self-contained HTML report (charts by lightweight-charts, inlined; data as JSON).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeNewFile } from "../results/write.js";
import { embedJson, packageText } from "../util/html.js";
import type { Candles, ReportData } from "./data.js";

/** The charting library's standalone build, inlined so the report works offline. */
function chartLibrary(): string {
  return packageText("lightweight-charts", "dist/lightweight-charts.standalone.production.js");
}

function appScript(): string {
  return readFileSync(new URL("./app.browser.js", import.meta.url), "utf8");
}

/**
 * Deltas from the previous value (first one absolute), rounded to 12 significant digits; short in JSON
 * for sorted times and prices. A whole number of quarters below 1e10 (times, tick-sized price moves)
 * already has at most 12 digits, so it skips the slow toPrecision round trip (same value).
 */
function deltas(xs: readonly number[]): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const d = i === 0 ? xs[0] : xs[i] - xs[i - 1];
    out[i] = i === 0 || (Number.isInteger(d * 4) && Math.abs(d) < 1e10) ? d : Number(d.toPrecision(12));
  }
  return out;
}

/** Candles as delta-coded columns (the app sums them back). */
function packCandles(c: Candles): Record<keyof Candles, number[]> {
  return { t: deltas(c.t), o: deltas(c.o), h: deltas(c.h), l: deltas(c.l), c: deltas(c.c) };
}

/**
 * The embedded document: large series delta-coded, fills and bracket levels as columns; the app
 * derives the fill markers from the fills (so they are not stored twice).
 */
function pack(d: ReportData): unknown {
  const col = <K extends keyof ReportData["trades"][number]>(k: K) => d.trades.map((t) => t[k]);
  const { markers: _derived, ...rest } = d;
  const display = (x: number) => Number(x.toPrecision(10));
  return {
    ...rest,
    overview: { minutes: d.overview.minutes, candles: packCandles(d.overview.candles) },
    minute: packCandles(d.minute),
    trades: { t: deltas(col("t")), side: col("side"), type: col("type"), qty: col("qty"), price: col("price"), fee: col("fee"), realized: col("realized") },
    brackets: {
      from: deltas(d.brackets.map((b) => b.from)),
      span: d.brackets.map((b) => b.to - b.from),
      price: d.brackets.map((b) => display(b.price)),
      tp: d.brackets.map((b) => (b.kind === "take-profit" ? 1 : 0)),
    },
  };
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#111827;background:#f8fafc}
header{padding:16px 24px;background:#0f172a;color:#f8fafc}header h1{margin:0 0 4px;font-size:20px}#meta{color:#cbd5e1}
main{padding:16px 24px;display:grid;gap:16px}section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}.chart{height:420px}.small{height:200px}#tf button{margin-right:4px;border:1px solid #cbd5e1;background:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
#tf button.on{background:#0f172a;color:#fff}table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:left;font-variant-numeric:tabular-nums}
#trades th{cursor:pointer;position:sticky;top:0;background:#fff}.scroll{max-height:420px;overflow:auto}#monthly{display:flex;flex-wrap:wrap;gap:4px}.cell{padding:6px 8px;border-radius:4px;font-size:12px;min-width:120px}
.legend span{margin-right:12px}`;

/** The report as one HTML document. */
export function reportHtml(d: ReportData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${d.header.strategy} — ferrobt report</title><style>${CSS}</style></head>
<body>
<header><h1 id="title"></h1><div id="meta"></div></header>
<main>
<section><h2>Price and fills</h2>
<div id="tf">candles: <button data-tf="overview" id="tf-overview"></button><button data-tf="minute">1 min (around the visible range)</button>
<span class="legend"><span style="color:#2563eb">▲ buy</span><span style="color:#ea580c">▼ sell</span><span style="color:#16a34a">- - take-profit</span><span style="color:#dc2626">- - stop</span></span></div>
<div id="price" class="chart"></div></section>
<section><h2>Equity</h2><div id="equity" class="small"></div></section>
<section><h2>Drawdown</h2><div id="drawdown" class="small"></div></section>
<section><h2>Monthly returns</h2><div id="monthly"></div></section>
<section><h2>Statistics</h2><table id="stats"></table></section>
<section><h2>Fills (click a column to sort)</h2><div id="shown"></div><div class="scroll"><table id="trades"><thead><tr>
<th data-k="time">time</th><th data-k="side">side</th><th data-k="type">type</th><th data-k="qty">qty</th><th data-k="price">price</th><th data-k="fee">fee</th><th data-k="realized">realized P&amp;L</th>
</tr></thead><tbody></tbody></table></div></section>
</main>
<script>${chartLibrary()}</script>
<script type="application/json" id="ferrobt-data">${embedJson(pack(d))}</script>
<script>${appScript()}</script>
</body></html>
`;
}

/** Writes `report.html` into `dir` and returns its path. */
export function writeReport(d: ReportData, dir: string): string {
  const path = join(dir, "report.html");
  writeNewFile(path, reportHtml(d));
  return path;
}
