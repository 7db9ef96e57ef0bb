// @ts-check
/* ferrobt sweep / walk-forward page: runs in the browser, offline. Reads the embedded JSON and draws
   with Observable Plot (inlined): the objective's heatmap over two chosen parameters (sweep), the
   equity, and a table sorted by a click on its header. Type-checked by tsconfig.check.json. */
/**
 * @typedef {{ code: string, message: string, at?: string }} RunFailure
 * @typedef {Record<string, string | number | boolean>} Combination
 * @typedef {{ parameters: Combination, error?: RunFailure } & Record<string, unknown>} Row
 * @typedef {{ timeMs: number[], value: number[] }} Curve
 * @typedef {{ kind: "sweep", objective: string, grid: Record<string, (string | number | boolean)[]>, rows: Row[], best: number | null, equity: Curve | null }} SweepDoc
 * @typedef {{ trainStart: string, trainEnd: string, testStart: string, testEnd: string, chosen: Combination | null,
 *   inSample: Record<string, number> | null, outOfSample: Record<string, number> | null, error?: RunFailure }} Segment
 * @typedef {{ kind: "walkforward", objective: string, segments: Segment[], equity: Curve, totalReturn: number }} WalkDoc
 */
(() => {
  /** @type {typeof import("@observablehq/plot")} */
  const Plot = /** @type {any} */ (window).Plot;
  /** @param {string} id */
  function el(id) {
    const e = document.getElementById(id);
    if (!e) throw new Error(`page: element #${id} is missing`);
    return e;
  }
  const doc = /** @type {SweepDoc | WalkDoc} */ (JSON.parse(el("ferrobt-data").textContent ?? "{}"));
  /** What the page drew (read by the browser test); `ready` once everything is drawn. */
  const state = { cells: 0, rows: 0, equityPoints: 0, ready: false };
  /** @param {unknown} v */
  const show = (v) =>
    typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toPrecision(6)) : v === undefined || v === null ? "" : String(v);

  /** @param {Curve | null} curve */
  function equity(curve) {
    const target = el("equity");
    if (!curve || curve.timeMs.length === 0) {
      target.textContent = "no run finished";
      return;
    }
    const points = curve.timeMs.map((t, i) => ({ t: new Date(t), v: curve.value[i] }));
    state.equityPoints = points.length;
    target.append(
      Plot.plot({
        width: 1100,
        height: 260,
        marginLeft: 70,
        y: { grid: true, label: "portfolio value" },
        marks: [Plot.lineY(points, { x: "t", y: "v", stroke: "#2563eb" })],
      }),
    );
  }

  /**
   * A table sorted by a click on a column header (numbers numerically, failed values last).
   * @param {string[]} columns
   * @param {Record<string, unknown>[]} records
   * @param {number | null} highlight
   */
  function table(columns, records, highlight) {
    const t = /** @type {HTMLTableElement} */ (el("rows"));
    const head = t.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.textContent = c;
      th.dataset.k = c;
      head.append(th);
    }
    const body = t.createTBody();
    let order = records.map((_, i) => i);
    let sortKey = "",
      dir = 1;
    const draw = () => {
      body.replaceChildren();
      for (const i of order) {
        const tr = body.insertRow();
        if (i === highlight) tr.className = "best";
        for (const c of columns) {
          const td = tr.insertCell();
          const v = records[i][c];
          td.textContent = show(v);
          if (c === "error" && v) td.className = "err";
        }
      }
      state.rows = order.length;
    };
    head.addEventListener("click", (e) => {
      const k = /** @type {HTMLElement} */ (e.target).dataset.k;
      if (!k) return;
      dir = k === sortKey ? -dir : 1;
      sortKey = k;
      const val = (/** @type {number} */ i) => records[i][k];
      order = [...order].sort((a, b) => {
        const x = val(a),
          y = val(b);
        if (x === undefined || x === "") return 1;
        if (y === undefined || y === "") return -1;
        return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * dir;
      });
      draw();
    });
    draw();
  }

  /** @param {SweepDoc} d */
  function sweepPage(d) {
    const params = Object.keys(d.grid);
    const stats = ["sharpe", "sortino", "cagr", "totalReturn", "maxDrawdown", "winRate", "tradeCount", "fills", "iterations", "finalPortfolioValue"];
    el("meta").textContent =
      `${d.rows.length} runs · objective ${d.objective}${d.best === null ? " · every run failed" : ` · best: ${JSON.stringify(d.rows[d.best].parameters)}`}`;
    const records = d.rows.map((r) => ({
      ...r.parameters,
      ...Object.fromEntries(stats.map((s) => [s, r[s]])),
      error: r.error ? `[${r.error.code}] ${r.error.message}` : "",
    }));
    table([...params, ...stats, "error"], records, d.best);
    equity(d.equity);
    // The heatmap: the objective over two parameters, each cell the best run over the other parameters.
    const axes = el("axes");
    const sign = d.objective === "maxDrawdown" ? -1 : 1;
    /** @param {string} name @param {string} initial */
    const picker = (name, initial) => {
      const label = document.createElement("label");
      label.textContent = name;
      const s = document.createElement("select");
      s.id = `axis-${name}`;
      for (const p of ["(none)", ...params]) s.add(new Option(p, p, false, p === initial));
      label.append(s);
      axes.append(label);
      s.addEventListener("change", heat);
      return s;
    };
    const xs = picker("x", params[0]);
    const ys = picker("y", params[1] ?? "(none)");
    function heat() {
      const x = xs.value,
        y = ys.value;
      /** @type {Map<string, { x: unknown, y: unknown, v: number }>} */
      const cells = new Map();
      for (const r of d.rows) {
        const v = /** @type {number} */ (r[d.objective]);
        if (r.error || typeof v !== "number" || Number.isNaN(v)) continue;
        const cx = x === "(none)" ? "all" : r.parameters[x],
          cy = y === "(none)" ? "all" : r.parameters[y];
        const key = JSON.stringify([cx, cy]);
        const old = cells.get(key);
        if (!old || sign * v > sign * old.v) cells.set(key, { x: cx, y: cy, v });
      }
      const data = [...cells.values()];
      state.cells = data.length;
      const domain = (/** @type {string} */ p) => (p === "(none)" ? ["all"] : d.grid[p]);
      el("heatmap").replaceChildren(
        Plot.plot({
          width: 720,
          height: 90 + 36 * domain(y).length,
          marginLeft: 70,
          padding: 0.04,
          x: { label: x, type: "band", domain: domain(x) },
          y: { label: y, type: "band", domain: domain(y) },
          color: { type: "linear", scheme: "RdYlGn", reverse: sign < 0, legend: true, label: d.objective },
          marks: [
            Plot.cell(data, { x: "x", y: "y", fill: "v", inset: 0.5 }),
            Plot.text(data, { x: "x", y: "y", text: (/** @type {{v: number}} */ c) => c.v.toPrecision(3), fill: "black" }),
          ],
        }),
      );
    }
    heat();
  }

  /** @param {WalkDoc} d */
  function walkPage(d) {
    el("meta").textContent = `${d.segments.length} segments · objective ${d.objective} · stitched out-of-sample return ${(d.totalReturn * 100).toFixed(2)}%`;
    const records = d.segments.map((s) => ({
      trainStart: s.trainStart,
      trainEnd: s.trainEnd,
      testStart: s.testStart,
      testEnd: s.testEnd,
      chosen: s.chosen ? JSON.stringify(s.chosen) : "",
      [`in-sample ${d.objective}`]: s.inSample?.[d.objective],
      [`out-of-sample ${d.objective}`]: s.outOfSample?.[d.objective],
      "out-of-sample return": s.outOfSample?.totalReturn,
      error: s.error ? `[${s.error.code}] ${s.error.message}` : "",
    }));
    table(Object.keys(records[0] ?? { error: "" }), records, null);
    equity(d.equity);
  }

  if (doc.kind === "sweep") sweepPage(doc);
  else walkPage(doc);
  state.ready = true;
  /** @type {any} */ (window).__ferrobtResearch = state;
})();
