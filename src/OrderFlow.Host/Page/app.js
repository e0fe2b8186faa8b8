"use strict";
// The live page: every symbol at a glance (from /v1/streams and the /v1/events stream), and one symbol's chart
// (its trades in one-second bars, with the host's own VWAP bands, CVD and volume profile). No build step: plain
// JavaScript and the vendored Lightweight Charts. The figures a planner trades on are the API's, exact; this page
// draws them.
const WINDOW = "5m";
const rows = new Map();
let sortKey = "symbol", sortDescending = false, events = null, renderQueued = false;
const chart = { symbol: null, bars: new Map(), lastId: null, series: null, lines: null, polling: null, loading: null };

const number = (value, digits = 2) => value === null || value === undefined ? "–"
  : Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const price = value => value === null || value === undefined ? "–" : Number(value).toLocaleString("en-US", { maximumFractionDigits: 8 });
const signed = (value, digits = 4) => value === null || value === undefined ? "–" : (value > 0 ? "+" : "") + number(value, digits);
const el = (tag, text, className) => { const e = document.createElement(tag); e.textContent = text; if (className) e.className = className; return e; };

// A host with an API key serves this page as /?apiKey=…: every request of the page carries it on.
const apiKey = new URLSearchParams(location.search).get("apiKey");
const withKey = path => apiKey === null ? path : `${path}${path.includes("?") ? "&" : "?"}apiKey=${encodeURIComponent(apiKey)}`;

async function getJson(path) {
  const response = await fetch(withKey(path));
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || `${path}: HTTP ${response.status}`);
  }
  return { body: await response.json(), next: nextLink(response.headers.get("Link")) };
}

function nextLink(header) {
  const match = header && /<([^>]+)>;\s*rel="next"/.exec(header);
  return match ? match[1] : null;
}

function row(symbol) {
  if (!rows.has(symbol)) rows.set(symbol, { symbol, state: "Connecting", fault: false, problem: null, tradesPerSecond: null, last: null, deltaPercent: null, cvd: null, quality: "–", qualityClass: "" });
  return rows.get(symbol);
}

// The streams' states and counters: the truth, read every few seconds; the events below make changes show at once.
async function refreshStreams() {
  try {
    const { body } = await getJson("/v1/streams");
    const streamed = new Set(body.streams.map(s => s.symbol));
    for (const s of body.streams) {
      const r = row(s.symbol);
      r.state = s.state;
      r.fault = s.state !== "Connected";
      r.problem = s.lastError;
    }
    for (const symbol of [...rows.keys()]) if (!streamed.has(symbol)) rows.delete(symbol);
    if (!events || events.symbols !== [...streamed].sort().join(",")) listen([...streamed].sort().join(","));
    queueRender();
  } catch (error) {
    document.getElementById("feed").textContent = `host not answering: ${error.message}`;
  }
}

function listen(symbols) {
  if (events) events.source.close();
  const source = new EventSource(withKey(`/v1/events?window=${WINDOW}&every=1s`));
  events = { source, symbols };
  const feed = document.getElementById("feed");
  source.onopen = () => { feed.textContent = "live"; feed.className = "up"; };
  source.onerror = () => { feed.textContent = "event stream lost, reconnecting…"; feed.className = "down"; };
  source.addEventListener("metrics", e => onMetrics(JSON.parse(e.data)));
  source.addEventListener("connected", e => onLifecycle(JSON.parse(e.data), "Connected", null));
  source.addEventListener("failed", e => { const f = JSON.parse(e.data); onLifecycle(f, "Failed", f.reason); });
  source.addEventListener("timedOut", e => { const t = JSON.parse(e.data); onLifecycle(t, "TimedOut", `timed out (phase: ${t.phase})`); });
}

function onLifecycle(event, state, problem) {
  const r = row(event.symbol);
  r.state = state;
  r.fault = state !== "Connected";
  r.problem = problem;
  queueRender();
}

function onMetrics(m) {
  const r = row(m.symbol);
  Object.assign(r, { tradesPerSecond: m.tradesPerSecond, last: m.last, deltaPercent: m.deltaPercent === null ? null : m.deltaPercent * 100, cvd: m.cvd.value });
  const q = m.quality;
  if (!m.coverage.ready) [r.quality, r.qualityClass] = [`not ready: ${m.coverage.notReadyBecause}`, "warn"];
  else if (q.unrecoveredGapsInWindow > 0) [r.quality, r.qualityClass] = [`${q.unrecoveredGapsInWindow} unrecovered gap(s) in the window`, "down"];
  else if (q.secondsSinceLastTrade !== null && q.secondsSinceLastTrade > 30) [r.quality, r.qualityClass] = [`no trade for ${number(q.secondsSinceLastTrade, 0)}s`, "warn"];
  else [r.quality, r.qualityClass] = ["ok" + (q.gapsBackfilled ? ` · ${q.gapsBackfilled} gap(s) backfilled` : "") + (q.duplicatesDropped ? ` · ${q.duplicatesDropped} duplicate(s)` : ""), ""];
  queueRender();
  if (m.symbol === chart.symbol) drawSnapshot(m);
}

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => { renderQueued = false; render(); }, 250);
}

function render() {
  const sorted = [...rows.values()].sort((a, b) => {
    const [x, y] = [a[sortKey], b[sortKey]];
    if (x === y) return a.symbol.localeCompare(b.symbol);
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
    return sortDescending ? -order : order;
  });
  const body = document.querySelector("#board tbody");
  body.replaceChildren(...sorted.map(r => {
    const tr = document.createElement("tr");
    tr.dataset.symbol = r.symbol;
    tr.classList.toggle("fault", r.fault);
    tr.classList.toggle("selected", r.symbol === chart.symbol);
    const state = el("td", r.problem && r.fault ? `${r.state}: ${r.problem}` : r.state, `state ${r.state}`);
    state.title = state.textContent;
    tr.append(el("td", r.symbol), state,
      el("td", number(r.tradesPerSecond), "num"), el("td", price(r.last), "num"),
      el("td", r.deltaPercent === null ? "–" : signed(r.deltaPercent, 2) + "%", "num " + (r.deltaPercent > 0 ? "up" : r.deltaPercent < 0 ? "down" : "")),
      el("td", signed(r.cvd), "num " + (r.cvd > 0 ? "up" : r.cvd < 0 ? "down" : "")), el("td", r.quality, r.qualityClass));
    return tr;
  }));
  document.body.dataset.rows = String(rows.size);
  for (const th of document.querySelectorAll("#board th")) {
    th.classList.toggle("sorted", th.dataset.key === sortKey);
    th.classList.toggle("up", th.dataset.key === sortKey && !sortDescending);
  }
}

// One symbol's chart: its trades since the window began, then every new one, in one-second bars.
function createCharts() {
  const options = {
    layout: { background: { color: "#161c23" }, textColor: "#d8dee6" },
    grid: { vertLines: { color: "#1e2730" }, horzLines: { color: "#1e2730" } },
    // About five minutes of one-second bars across the chart.
    timeScale: { timeVisible: true, secondsVisible: true, barSpacing: 3, rightOffset: 3 },
    autoSize: true,
  };
  const priceChart = LightweightCharts.createChart(document.getElementById("price-chart"), options);
  const flowChart = LightweightCharts.createChart(document.getElementById("flow-chart"), { ...options, leftPriceScale: { visible: true } });
  const band = (color, style) => priceChart.addSeries(LightweightCharts.LineSeries, { color, lineWidth: 1, lineStyle: style, priceLineVisible: false, lastValueVisible: false });
  const priceLine = priceChart.addSeries(LightweightCharts.LineSeries, { color: "#d8dee6", lineWidth: 2 });
  chart.series = {
    price: priceLine,
    vwap: band("#f5b041", LightweightCharts.LineStyle.Solid),
    bands: [1, -1, 2, -2].map(k => ({ k, series: band("#f5b041", Math.abs(k) === 1 ? LightweightCharts.LineStyle.Dashed : LightweightCharts.LineStyle.Dotted) })),
    delta: flowChart.addSeries(LightweightCharts.HistogramSeries, { priceLineVisible: false }),
    cvd: flowChart.addSeries(LightweightCharts.LineSeries, { color: "#5dade2", lineWidth: 2, priceScaleId: "left" }),
  };
  const line = title => priceLine.createPriceLine({ price: 0, color: "#9b59b6", lineWidth: 1, lineStyle: LightweightCharts.LineStyle.Dashed, axisLabelVisible: true, title, lineVisible: false });
  chart.lines = { poc: line("POC"), vah: line("VAH"), val: line("VAL") };
  // Both charts have a point per bar, so scrolling one scrolls the other by the same bars.
  priceChart.timeScale().subscribeVisibleLogicalRangeChange(range => range && flowChart.timeScale().setVisibleLogicalRange(range));
}

async function select(symbol) {
  if (chart.symbol === symbol) return;
  clearInterval(chart.polling);
  Object.assign(chart, { symbol, bars: new Map(), lastId: null, cvdOffset: 0, vwapPoints: 0 });
  document.getElementById("detail-title").textContent = `${symbol}: loading…`;
  for (const series of [chart.series.price, chart.series.vwap, chart.series.delta, chart.series.cvd, ...chart.series.bands.map(b => b.series)]) series.setData([]);
  for (const line of Object.values(chart.lines)) line.applyOptions({ lineVisible: false, axisLabelVisible: false });
  render();
  const loading = chart.loading = loadTrades(`/v1/trades/${encodeURIComponent(symbol)}?since=${WINDOW}`, 5)
    .then(() => { if (chart.loading === loading) document.getElementById("detail-title").textContent = `${symbol}, ${WINDOW} window`; })
    .catch(error => { document.getElementById("detail-title").textContent = `${symbol}: ${error.message}`; });
  await loading;
  chart.polling = setInterval(() => { if (chart.lastId !== null) loadTrades(`/v1/trades/${encodeURIComponent(symbol)}?fromId=${chart.lastId + 1}`, 3).catch(() => {}); }, 1000);
}

async function loadTrades(path, pages) {
  const symbol = chart.symbol;
  for (let page = 0; path && page < pages; page++) {
    const { body, next } = await getJson(path);
    if (symbol !== chart.symbol) return;
    addTrades(body.trades);
    path = next;
  }
}

function addTrades(trades) {
  const changed = [];
  for (const t of trades) {
    if (chart.lastId !== null && t.aggregateId <= chart.lastId) continue;
    chart.lastId = t.aggregateId;
    const time = Math.floor(t.tradeTimeMs / 1000);
    const bar = chart.bars.get(time) || { time, close: 0, delta: 0 };
    bar.close = t.price;
    bar.delta += t.side === "BUY" ? t.quantity : -t.quantity;
    chart.bars.set(time, bar);
    if (changed[changed.length - 1] !== bar) changed.push(bar);
  }
  for (const bar of changed) {
    chart.series.price.update({ time: bar.time, value: bar.close });
    chart.series.delta.update({ time: bar.time, value: bar.delta, color: bar.delta >= 0 ? "#26a69a" : "#ef5350" });
  }
  if (changed.length) drawCvd();
  document.getElementById("price-chart").dataset.bars = String(chart.bars.size);
  document.getElementById("flow-chart").dataset.bars = String(chart.bars.size);
}

// CVD per bar: the running sum of the bars' delta, placed so its last point is the host's exact CVD.
function drawCvd() {
  let running = 0;
  const points = [...chart.bars.values()].map(bar => ({ time: bar.time, value: (running += bar.delta) }));
  chart.series.cvd.setData(points.map(p => ({ time: p.time, value: p.value + chart.cvdOffset })));
  chart.runningCvd = running;
}

function drawSnapshot(m) {
  const time = Math.floor(Date.parse(m.to) / 1000) - 1;
  if (m.vwap) {
    chart.series.vwap.update({ time, value: m.vwap.vwap });
    for (const { k, series } of chart.series.bands) series.update({ time, value: m.vwap.vwap + k * m.vwap.stdDev });
    document.getElementById("price-chart").dataset.vwapPoints = String(++chart.vwapPoints);
  }
  if (m.profile) {
    for (const [key, value] of [["poc", m.profile.pointOfControl], ["vah", m.profile.valueAreaHigh], ["val", m.profile.valueAreaLow]])
      chart.lines[key].applyOptions({ price: value, lineVisible: true, axisLabelVisible: true });
  }
  if (chart.runningCvd !== undefined) {
    chart.cvdOffset = m.cvd.value - chart.runningCvd;
    drawCvd();
  }
  const figures = document.getElementById("detail-figures");
  const figure = (label, value) => { const span = el("span", `${label} `); span.append(el("b", value)); return span; };
  figures.replaceChildren(
    figure("trades", `${m.tradeCount} (${number(m.tradesPerSecond)}/s)`), figure("delta", `${signed(m.delta)} (${m.deltaPercent === null ? "–" : signed(m.deltaPercent * 100, 2)}%)`),
    figure("CVD", signed(m.cvd.value)), figure("VWAP", m.vwap ? price(Number(m.vwap.vwap.toFixed(8))) : "–"),
    figure("POC", m.profile ? price(m.profile.pointOfControl) : "–"), figure("VA", m.profile ? `${price(m.profile.valueAreaLow)}–${price(m.profile.valueAreaHigh)}` : "–"),
    figure("large", `buy ${m.largeTrades.buy.count} / sell ${m.largeTrades.sell.count}`), figure("ready", m.coverage.ready ? "yes" : `no: ${m.coverage.notReadyBecause}`));
}

document.querySelector("#board thead").addEventListener("click", e => {
  const key = e.target.closest("th")?.dataset.key;
  if (!key) return;
  sortDescending = key === sortKey ? !sortDescending : key !== "symbol" && key !== "state";
  sortKey = key;
  render();
});
document.querySelector("#board tbody").addEventListener("click", e => {
  const tr = e.target.closest("tr");
  if (tr) select(tr.dataset.symbol);
});
document.getElementById("window").textContent = WINDOW;
createCharts();
refreshStreams().then(() => { const first = new URLSearchParams(location.search).get("symbol") || [...rows.keys()].sort()[0]; if (first) select(first); });
setInterval(refreshStreams, 3000);
