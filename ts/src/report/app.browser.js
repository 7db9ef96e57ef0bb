// @ts-check
/* ferrobt report app: runs in the browser, offline. Reads the embedded JSON, draws the charts with
   lightweight-charts (inlined), fills the tables. Type-checked by tsconfig.check.json (JSDoc types). */
/**
 * @typedef {import("lightweight-charts").UTCTimestamp} UTCTimestamp
 * @typedef {import("lightweight-charts").SeriesMarker<UTCTimestamp>} Marker
 * @typedef {import("./data.js").ReportData} ReportData
 * @typedef {{ t: number[], o: number[], h: number[], l: number[], c: number[] }} Candles
 * @typedef {{ t: number[], side: string[], type: string[], qty: number[], price: number[], fee: number[], realized: number[] }} FillColumns
 * @typedef {{ from: number[], span: number[], price: number[], tp: number[] }} BracketColumns
 * @typedef {Omit<ReportData, "overview" | "minute" | "markers" | "trades" | "brackets"> & {
 *   overview: { minutes: number, candles: Candles }, minute: Candles, trades: FillColumns, brackets: BracketColumns }} EmbeddedReport
 *   The document html.ts embeds: candles and fill times delta-coded, fills and bracket levels as columns.
 * @typedef {{ time: string, side: string, type: string, qty: number, price: number, fee: number, realized: number }} FillRow
 */
(() => {
  /** @param {string} id */
  function el(id) {
    const e = document.getElementById(id);
    if (!e) throw new Error(`report: element #${id} is missing`);
    return e;
  }
  /** @param {number} t chart seconds */
  function stamp(t) {
    return /** @type {UTCTimestamp} */ (t);
  }
  /** @param {string} selector */
  function all(selector) {
    return /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(selector));
  }

  const D = /** @type {EmbeddedReport} */ (JSON.parse(el("ferrobt-data").textContent || "null"));
  // Undo the delta coding of candles and turn the fill columns back into rows.
  /** @param {number[]} xs */
  function undelta(xs) {
    for (let i = 1; i < xs.length; i++) xs[i] = Number((xs[i - 1] + xs[i]).toPrecision(12));
    return xs;
  }
  /** @param {Candles} c */
  function unpack(c) {
    [c.t, c.o, c.h, c.l, c.c].forEach(undelta);
    return c;
  }
  unpack(D.overview.candles);
  unpack(D.minute);
  const tc = D.trades;
  undelta(tc.t);
  /** @param {number} t */
  const wall = (t) => new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19);
  /** @type {FillRow[]} */
  const trades = tc.t.map((t, i) => ({
    time: wall(t),
    side: tc.side[i],
    type: tc.type[i],
    qty: tc.qty[i],
    price: tc.price[i],
    fee: tc.fee[i],
    realized: tc.realized[i],
  }));
  const markers = tc.t.map((t, i) => ({ t: t, side: tc.side[i].indexOf("buy") === 0 ? "buy" : "sell", qty: tc.qty[i], price: tc.price[i] }));
  const bc = D.brackets;
  undelta(bc.from);
  const brackets = bc.from.map((f, i) => ({ from: f, to: f + bc.span[i], price: bc.price[i], kind: bc.tp[i] ? "take-profit" : "stop" }));
  const MAX_ROWS = 2000;
  const LW = /** @type {typeof import("lightweight-charts")} */ (/** @type {any} */ (window).LightweightCharts);
  /** @param {unknown} x @param {number} [d] fraction digits (default 2) */
  const fmt = (x, d) => (typeof x === "number" ? x.toLocaleString("en-US", { maximumFractionDigits: d === undefined ? 2 : d }) : String(x));
  const base = {
    autoSize: true,
    layout: { background: { color: "#ffffff" }, textColor: "#1f2937" },
    grid: { vertLines: { color: "#f1f5f9" }, horzLines: { color: "#f1f5f9" } },
    timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 },
  };

  /** @param {Candles} c @param {number} from @param {number} to */
  function bars(c, from, to) {
    const out = [];
    for (let i = 0; i < c.t.length; i++) {
      if (c.t[i] < from || c.t[i] > to) continue;
      out.push({ time: stamp(c.t[i]), open: c.o[i], high: c.h[i], low: c.l[i], close: c.c[i] });
    }
    return out;
  }
  /** @param {number[]} times @param {number} t */
  function snap(times, t) {
    let lo = 0,
      hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return times[Math.max(0, lo - 1)];
  }

  // Price chart with fills and bracket levels.
  const price = LW.createChart(el("price"), base);
  const candles = price.addSeries(LW.CandlestickSeries, {
    upColor: "#16a34a",
    downColor: "#dc2626",
    borderVisible: false,
    wickUpColor: "#16a34a",
    wickDownColor: "#dc2626",
  });
  const markerApi = LW.createSeriesMarkers(candles, /** @type {Marker[]} */ ([]));
  const tp = price.addSeries(LW.LineSeries, { color: "#16a34a", lineWidth: 1, lineStyle: 2, priceLineVisible: false, lastValueVisible: false });
  const sl = price.addSeries(LW.LineSeries, { color: "#dc2626", lineWidth: 1, lineStyle: 2, priceLineVisible: false, lastValueVisible: false });
  /** @param {string} kind */
  function levels(kind) {
    /** @type {({ time: UTCTimestamp, value: number } | { time: UTCTimestamp })[]} */
    const pts = [];
    let last = -Infinity;
    brackets
      .filter((b) => b.kind === kind)
      .sort((a, b) => a.from - b.from)
      .forEach((b) => {
        if (b.from <= last) return;
        pts.push({ time: stamp(b.from), value: b.price });
        if (b.to > b.from) pts.push({ time: stamp(b.to), value: b.price });
        pts.push({ time: stamp(Math.max(b.to, b.from) + 1) });
        last = Math.max(b.to, b.from) + 1;
      });
    return pts;
  }
  tp.setData(levels("take-profit"));
  sl.setData(levels("stop"));

  const MAX_MINUTE_BARS = 20000;
  /** @param {string} which "overview" or "minute" */
  function show(which) {
    let data;
    if (which === "minute") {
      const r = price.timeScale().getVisibleRange();
      const mid = r ? (Number(r.from) + Number(r.to)) / 2 : D.minute.t[D.minute.t.length - 1];
      const half = Math.min((D.minute.t[D.minute.t.length - 1] - D.minute.t[0]) / 2 + 60, MAX_MINUTE_BARS * 30);
      data = bars(D.minute, mid - half, mid + half);
    } else {
      data = bars(D.overview.candles, -Infinity, Infinity);
    }
    candles.setData(data);
    const times = data.map((b) => b.time);
    const width = which === "minute" ? 60 : D.overview.minutes * 60;
    const first = times[0],
      last = times[times.length - 1] + width;
    /** @type {Marker[]} */
    const ms = markers
      .filter((m) => m.t >= first && m.t <= last)
      .map((m) => {
        const buy = m.side === "buy";
        // Labels only where they stay readable: few fills, or the minute view.
        const label = markers.length <= 150 || which === "minute" ? `${(buy ? "B " : "S ") + m.qty} @ ${fmt(m.price, 2)}` : "";
        /** @type {Marker} */
        const marker = {
          time: stamp(snap(times, m.t)),
          position: buy ? "belowBar" : "aboveBar",
          color: buy ? "#2563eb" : "#ea580c",
          shape: buy ? "arrowUp" : "arrowDown",
          text: label,
        };
        return marker;
      })
      .sort((a, b) => a.time - b.time);
    markerApi.setMarkers(ms);
    all("#tf button").forEach((b) => {
      b.classList.toggle("on", b.dataset.tf === which);
    });
    /** @type {any} */ (window).__ferrobtReport = { markers: markerApi.markers().length, candles: data.length, timeframe: which, ready: true };
  }
  el("tf-overview").textContent =
    D.overview.minutes >= 1440 ? "1 day" : D.overview.minutes >= 60 ? `${D.overview.minutes / 60} h` : `${D.overview.minutes} min`;
  all("#tf button").forEach((b) => {
    b.addEventListener("click", () => {
      show(b.dataset.tf || "overview");
    });
  });

  // Equity and drawdown.
  /** @param {string} id @param {{ t: number[], v: number[] }} series @param {string} color @param {boolean} pct */
  function area(id, series, color, pct) {
    const c = LW.createChart(el(id), base);
    const s = c.addSeries(LW.AreaSeries, {
      lineColor: color,
      topColor: `${color}55`,
      bottomColor: `${color}08`,
      lineWidth: 2,
      priceFormat: pct ? { type: "percent" } : undefined,
    });
    s.setData(series.t.map((t, i) => ({ time: stamp(t), value: pct ? series.v[i] * 100 : series.v[i] })));
    c.timeScale().fitContent();
    return c;
  }
  area("equity", D.equity, "#2563eb", false);
  area("drawdown", D.drawdown, "#dc2626", true);

  // Header, stats, monthly returns, trades.
  const h = D.header;
  el("title").textContent = `${h.strategy} — ${h.symbol}`;
  el("meta").textContent = `${h.data} · ${h.start} → ${h.end} · backend ${h.backend} · ${fmt(h.iterations, 0)} iterations in ${fmt(h.runMs, 1)} ms`;
  const st = el("stats");
  Object.keys(D.stats).forEach((k) => {
    const v = D.stats[k];
    const text = v && typeof v === "object" ? JSON.stringify(v) : fmt(v, 6);
    const tr = document.createElement("tr");
    const th = document.createElement("th"),
      td = document.createElement("td");
    th.textContent = k;
    td.textContent = text;
    tr.append(th, td);
    st.appendChild(tr);
  });
  const mon = el("monthly");
  const monthlySection = mon.closest("section");
  if (D.monthly.length === 0 && monthlySection) monthlySection.style.display = "none";
  D.monthly.forEach((m) => {
    const cell = document.createElement("div");
    const a = Math.min(1, Math.abs(m.ret) * 20);
    cell.className = "cell";
    cell.style.background = m.ret >= 0 ? `rgba(22,163,74,${a})` : `rgba(220,38,38,${a})`;
    cell.textContent = `${m.month}  ${(m.ret * 100).toFixed(2)}%`;
    mon.appendChild(cell);
  });
  /** @type {(keyof FillRow)[]} */
  const cols = ["time", "side", "type", "qty", "price", "fee", "realized"];
  const body = /** @type {HTMLElement} */ (document.querySelector("#trades tbody"));
  /** @param {FillRow[]} rows */
  function renderTrades(rows) {
    body.textContent = "";
    el("shown").textContent = rows.length > MAX_ROWS ? `showing the first ${MAX_ROWS} of ${rows.length} fills in this order` : `${rows.length} fills`;
    rows.slice(0, MAX_ROWS).forEach((r) => {
      const tr = document.createElement("tr");
      cols.forEach((c) => {
        const td = document.createElement("td");
        const v = r[c];
        td.textContent = typeof v === "number" ? fmt(v, 6) : v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  /** @type {keyof FillRow} */
  let sortKey = "time";
  let asc = true;
  all("#trades th").forEach((th) => {
    th.addEventListener("click", () => {
      const key = /** @type {keyof FillRow} */ (th.dataset.k);
      asc = sortKey === key ? !asc : true;
      sortKey = key;
      renderTrades(
        trades.slice().sort((a, b) => {
          const x = a[sortKey],
            y = b[sortKey];
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        }),
      );
    });
  });
  renderTrades(trades);
  show("overview");
  price.timeScale().fitContent();
})();
