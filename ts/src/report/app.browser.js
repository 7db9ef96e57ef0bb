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
(function () {
  "use strict";
  /** @param {string} id */
  function el(id) {
    var e = document.getElementById(id);
    if (!e) throw new Error("report: element #" + id + " is missing");
    return e;
  }
  /** @param {number} t chart seconds */
  function stamp(t) { return /** @type {UTCTimestamp} */ (t); }
  /** @param {string} selector */
  function all(selector) { return /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(selector)); }

  var D = /** @type {EmbeddedReport} */ (JSON.parse(el("ferrobt-data").textContent || "null"));
  // Undo the delta coding of candles and turn the fill columns back into rows.
  /** @param {number[]} xs */
  function undelta(xs) { for (var i = 1; i < xs.length; i++) xs[i] = Number((xs[i - 1] + xs[i]).toPrecision(12)); return xs; }
  /** @param {Candles} c */
  function unpack(c) { [c.t, c.o, c.h, c.l, c.c].forEach(undelta); return c; }
  unpack(D.overview.candles);
  unpack(D.minute);
  var tc = D.trades;
  undelta(tc.t);
  /** @param {number} t */
  var wall = function (t) { return new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19); };
  /** @type {FillRow[]} */
  var trades = tc.t.map(function (t, i) { return { time: wall(t), side: tc.side[i], type: tc.type[i], qty: tc.qty[i], price: tc.price[i], fee: tc.fee[i], realized: tc.realized[i] }; });
  var markers = tc.t.map(function (t, i) { return { t: t, side: tc.side[i].indexOf("buy") === 0 ? "buy" : "sell", qty: tc.qty[i], price: tc.price[i] }; });
  var bc = D.brackets;
  undelta(bc.from);
  var brackets = bc.from.map(function (f, i) { return { from: f, to: f + bc.span[i], price: bc.price[i], kind: bc.tp[i] ? "take-profit" : "stop" }; });
  var MAX_ROWS = 2000;
  var LW = /** @type {typeof import("lightweight-charts")} */ (/** @type {any} */ (window).LightweightCharts);
  /** @param {unknown} x @param {number} [d] fraction digits (default 2) */
  var fmt = function (x, d) { return typeof x === "number" ? x.toLocaleString("en-US", { maximumFractionDigits: d === undefined ? 2 : d }) : String(x); };
  var base = { autoSize: true, layout: { background: { color: "#ffffff" }, textColor: "#1f2937" }, grid: { vertLines: { color: "#f1f5f9" }, horzLines: { color: "#f1f5f9" } }, timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 } };

  /** @param {Candles} c @param {number} from @param {number} to */
  function bars(c, from, to) {
    var out = [];
    for (var i = 0; i < c.t.length; i++) {
      if (c.t[i] < from || c.t[i] > to) continue;
      out.push({ time: stamp(c.t[i]), open: c.o[i], high: c.h[i], low: c.l[i], close: c.c[i] });
    }
    return out;
  }
  /** @param {number[]} times @param {number} t */
  function snap(times, t) {
    var lo = 0, hi = times.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (times[mid] <= t) lo = mid + 1; else hi = mid; }
    return times[Math.max(0, lo - 1)];
  }

  // Price chart with fills and bracket levels.
  var price = LW.createChart(el("price"), base);
  var candles = price.addSeries(LW.CandlestickSeries, { upColor: "#16a34a", downColor: "#dc2626", borderVisible: false, wickUpColor: "#16a34a", wickDownColor: "#dc2626" });
  var markerApi = LW.createSeriesMarkers(candles, /** @type {Marker[]} */ ([]));
  var tp = price.addSeries(LW.LineSeries, { color: "#16a34a", lineWidth: 1, lineStyle: 2, priceLineVisible: false, lastValueVisible: false });
  var sl = price.addSeries(LW.LineSeries, { color: "#dc2626", lineWidth: 1, lineStyle: 2, priceLineVisible: false, lastValueVisible: false });
  /** @param {string} kind */
  function levels(kind) {
    /** @type {({ time: UTCTimestamp, value: number } | { time: UTCTimestamp })[]} */
    var pts = [];
    var last = -Infinity;
    brackets.filter(function (b) { return b.kind === kind; }).sort(function (a, b) { return a.from - b.from; }).forEach(function (b) {
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

  var MAX_MINUTE_BARS = 20000;
  /** @param {string} which "overview" or "minute" */
  function show(which) {
    var data;
    if (which === "minute") {
      var r = price.timeScale().getVisibleRange();
      var mid = r ? (Number(r.from) + Number(r.to)) / 2 : D.minute.t[D.minute.t.length - 1];
      var half = Math.min((D.minute.t[D.minute.t.length - 1] - D.minute.t[0]) / 2 + 60, MAX_MINUTE_BARS * 30);
      data = bars(D.minute, mid - half, mid + half);
    } else {
      data = bars(D.overview.candles, -Infinity, Infinity);
    }
    candles.setData(data);
    var times = data.map(function (b) { return /** @type {number} */ (b.time); });
    var width = which === "minute" ? 60 : D.overview.minutes * 60;
    var first = times[0], last = times[times.length - 1] + width;
    /** @type {Marker[]} */
    var ms = markers.filter(function (m) { return m.t >= first && m.t <= last; }).map(function (m) {
      var buy = m.side === "buy";
      // Labels only where they stay readable: few fills, or the minute view.
      var label = markers.length <= 150 || which === "minute" ? (buy ? "B " : "S ") + m.qty + " @ " + fmt(m.price, 2) : "";
      /** @type {Marker} */
      var marker = { time: stamp(snap(times, m.t)), position: buy ? "belowBar" : "aboveBar", color: buy ? "#2563eb" : "#ea580c", shape: buy ? "arrowUp" : "arrowDown", text: label };
      return marker;
    }).sort(function (a, b) { return a.time - b.time; });
    markerApi.setMarkers(ms);
    all("#tf button").forEach(function (b) { b.classList.toggle("on", b.dataset.tf === which); });
    /** @type {any} */ (window).__ferrobtReport = { markers: markerApi.markers().length, candles: data.length, timeframe: which, ready: true };
  }
  el("tf-overview").textContent = D.overview.minutes >= 1440 ? "1 day" : D.overview.minutes >= 60 ? D.overview.minutes / 60 + " h" : D.overview.minutes + " min";
  all("#tf button").forEach(function (b) { b.addEventListener("click", function () { show(b.dataset.tf || "overview"); }); });

  // Equity and drawdown.
  /** @param {string} id @param {{ t: number[], v: number[] }} series @param {string} color @param {boolean} pct */
  function area(id, series, color, pct) {
    var c = LW.createChart(el(id), base);
    var s = c.addSeries(LW.AreaSeries, { lineColor: color, topColor: color + "55", bottomColor: color + "08", lineWidth: 2, priceFormat: pct ? { type: "percent" } : undefined });
    s.setData(series.t.map(function (t, i) { return { time: stamp(t), value: pct ? series.v[i] * 100 : series.v[i] }; }));
    c.timeScale().fitContent();
    return c;
  }
  area("equity", D.equity, "#2563eb", false);
  area("drawdown", D.drawdown, "#dc2626", true);

  // Header, stats, monthly returns, trades.
  var h = D.header;
  el("title").textContent = h.strategy + " — " + h.symbol;
  el("meta").textContent = h.data + " · " + h.start + " → " + h.end + " · backend " + h.backend + " · " + fmt(h.iterations, 0) + " iterations in " + fmt(h.runMs, 1) + " ms";
  var st = el("stats");
  Object.keys(D.stats).forEach(function (k) {
    var v = D.stats[k];
    var text = v && typeof v === "object" ? JSON.stringify(v) : fmt(v, 6);
    var tr = document.createElement("tr");
    var th = document.createElement("th"), td = document.createElement("td");
    th.textContent = k;
    td.textContent = text;
    tr.append(th, td);
    st.appendChild(tr);
  });
  var mon = el("monthly");
  var monthlySection = mon.closest("section");
  if (D.monthly.length === 0 && monthlySection) monthlySection.style.display = "none";
  D.monthly.forEach(function (m) {
    var cell = document.createElement("div");
    var a = Math.min(1, Math.abs(m.ret) * 20);
    cell.className = "cell";
    cell.style.background = m.ret >= 0 ? "rgba(22,163,74," + a + ")" : "rgba(220,38,38," + a + ")";
    cell.textContent = m.month + "  " + (m.ret * 100).toFixed(2) + "%";
    mon.appendChild(cell);
  });
  /** @type {(keyof FillRow)[]} */
  var cols = ["time", "side", "type", "qty", "price", "fee", "realized"];
  var body = /** @type {HTMLElement} */ (document.querySelector("#trades tbody"));
  /** @param {FillRow[]} rows */
  function renderTrades(rows) {
    body.textContent = "";
    el("shown").textContent = rows.length > MAX_ROWS ? "showing the first " + MAX_ROWS + " of " + rows.length + " fills in this order" : rows.length + " fills";
    rows.slice(0, MAX_ROWS).forEach(function (r) {
      var tr = document.createElement("tr");
      cols.forEach(function (c) { var td = document.createElement("td"); var v = r[c]; td.textContent = typeof v === "number" ? fmt(v, 6) : v; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  /** @type {keyof FillRow} */
  var sortKey = "time";
  var asc = true;
  all("#trades th").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = /** @type {keyof FillRow} */ (th.dataset.k);
      asc = sortKey === key ? !asc : true;
      sortKey = key;
      renderTrades(trades.slice().sort(function (a, b) { var x = a[sortKey], y = b[sortKey]; return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); }));
    });
  });
  renderTrades(trades);
  show("overview");
  price.timeScale().fitContent();
})();
