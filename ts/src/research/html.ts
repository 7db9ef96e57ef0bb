// The sweep and walk-forward pages: self-contained HTML (Observable Plot and d3 inlined, data as JSON)
// drawn by research.browser.js: a sortable table, the objective's heatmap over two chosen parameters
// and an equity chart.

import { readFileSync } from "node:fs";
import { embedJson, packageText } from "../util/html.js";
import type { SweepResult } from "./sweep.js";
import type { WalkForwardResult } from "./walkforward.js";

/** d3 and Plot's UMD builds, inlined so the page works offline. */
function libraries(): string {
  return `<script>${packageText("d3", "dist/d3.min.js")}</script>\n<script>${packageText("@observablehq/plot", "dist/plot.umd.min.js")}</script>`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#111827;background:#f8fafc}
header{padding:16px 24px;background:#0f172a;color:#f8fafc}header h1{margin:0 0 4px;font-size:20px}#meta{color:#cbd5e1}
main{padding:16px 24px;display:grid;gap:16px}section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:left;font-variant-numeric:tabular-nums}
#rows th{cursor:pointer;position:sticky;top:0;background:#fff}.scroll{max-height:520px;overflow:auto}tr.best td{background:#ecfdf5}.err{color:#b91c1c}
label{margin-right:12px}select{margin-left:4px}`;

function page(title: string, kind: "sweep" | "walkforward", data: unknown, sections: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} — ferrobt ${kind}</title><style>${CSS}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1><div id="meta"></div></header>
<main>${sections}</main>
${libraries()}
<script type="application/json" id="ferrobt-data">${embedJson({ kind, ...(data as object) })}</script>
<script>${readFileSync(new URL("./research.browser.js", import.meta.url), "utf8")}</script>
</body></html>
`;
}

/** The sweep page. */
export function sweepHtml(r: SweepResult, title: string): string {
  const sections = `
<section><h2>Heatmap of the objective</h2><div id="axes"></div><p>Each cell: the best run over the parameters not on an axis.</p><div id="heatmap"></div></section>
<section><h2>Best run's equity</h2><div id="equity"></div></section>
<section><h2>Runs (click a column to sort)</h2><div class="scroll"><table id="rows"></table></div></section>`;
  return page(title, "sweep", { objective: r.objective, grid: r.grid, rows: r.rows, best: r.best, equity: r.bestEquity ?? null }, sections);
}

/** The walk-forward page. */
export function walkForwardHtml(r: WalkForwardResult, title: string): string {
  const sections = `
<section><h2>Out-of-sample equity, stitched</h2><div id="equity"></div></section>
<section><h2>Segments (click a column to sort)</h2><div class="scroll"><table id="rows"></table></div></section>`;
  const { segments, objective, outOfSample } = r;
  return page(title, "walkforward", { objective, segments, equity: outOfSample.equity, totalReturn: outOfSample.totalReturn }, sections);
}
