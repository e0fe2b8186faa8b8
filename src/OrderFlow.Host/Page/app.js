"use strict";
// The live page: every symbol at a glance (from /v1/streams and the /v1/events stream), and one symbol's chart (the
// host's bars as candles with their delta and CVD, its VWAP bands and volume profile, and a bar's footprint ladder).
// No build step: plain JavaScript and the vendored Lightweight Charts. The figures a planner trades on are the API's,
// exact; this page draws them.
const WINDOW = "5m";
const rows = new Map();
let sortKey = "symbol", sortDescending = false, events = null, renderQueued = false;
const chart = { symbol: null, interval: null, bars: new Map(), lastTime: null, picked: null, series: null, lines: null, marker: null, polling: null, loading: null };

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
    throw Object.assign(new Error(problem.detail || `${path}: HTTP ${response.status}`), { problem });
  }
  return { body: await response.json() };
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

// One symbol's chart: the host's bars (candles, delta under them, CVD at each close), the host's VWAP bands and profile
// lines from the window's snapshots, and one bar's footprint ladder. Every figure is the host's; the page only draws.
const BARS_SHOWN = 300;
function createCharts() {
  const options = {
    layout: { background: { color: "#161c23" }, textColor: "#d8dee6" },
    grid: { vertLines: { color: "#1e2730" }, horzLines: { color: "#1e2730" } },
    timeScale: { timeVisible: true, secondsVisible: true, barSpacing: 8, rightOffset: 3 },
    autoSize: true,
  };
  const priceChart = LightweightCharts.createChart(document.getElementById("price-chart"), options);
  const flowChart = LightweightCharts.createChart(document.getElementById("flow-chart"), { ...options, leftPriceScale: { visible: true } });
  const band = (color, style) => priceChart.addSeries(LightweightCharts.LineSeries, { color, lineWidth: 1, lineStyle: style, priceLineVisible: false, lastValueVisible: false });
  const candles = priceChart.addSeries(LightweightCharts.CandlestickSeries, { upColor: "#26a69a", downColor: "#ef5350", borderVisible: false, wickUpColor: "#26a69a", wickDownColor: "#ef5350" });
  chart.series = {
    candles,
    vwap: band("#f5b041", LightweightCharts.LineStyle.Solid),
    bands: [1, -1, 2, -2].map(k => ({ k, series: band("#f5b041", Math.abs(k) === 1 ? LightweightCharts.LineStyle.Dashed : LightweightCharts.LineStyle.Dotted) })),
    delta: flowChart.addSeries(LightweightCharts.HistogramSeries, { priceLineVisible: false }),
    cvd: flowChart.addSeries(LightweightCharts.LineSeries, { color: "#5dade2", lineWidth: 2, priceScaleId: "left" }),
  };
  chart.marker = LightweightCharts.createSeriesMarkers(candles, []);
  const line = title => candles.createPriceLine({ price: 0, color: "#9b59b6", lineWidth: 1, lineStyle: LightweightCharts.LineStyle.Dashed, axisLabelVisible: true, title, lineVisible: false });
  chart.lines = { poc: line("POC"), vah: line("VAH"), val: line("VAL") };
  // Both charts have a point per bar, so scrolling one scrolls the other by the same bars.
  priceChart.timeScale().subscribeVisibleLogicalRangeChange(range => range && flowChart.timeScale().setVisibleLogicalRange(range));
  priceChart.subscribeClick(param => { if (param.time !== undefined && chart.bars.has(param.time)) pickBar(param.time); });
}

const allSeries = () => [chart.series.candles, chart.series.vwap, chart.series.delta, chart.series.cvd, ...chart.series.bands.map(b => b.series)];

async function select(symbol) {
  if (chart.symbol === symbol) return;
  clearInterval(chart.polling);
  Object.assign(chart, { symbol, bars: new Map(), lastTime: null, vwapPoints: 0, picked: null, footprintAsked: 0 });
  document.getElementById("detail-title").textContent = `${symbol}: loading…`;
  for (const series of allSeries()) series.setData([]);
  for (const line of Object.values(chart.lines)) line.applyOptions({ lineVisible: false, axisLabelVisible: false });
  chart.marker.setMarkers([]);
  showFootprint(null, "");
  render();
  const loading = chart.loading = loadBars(symbol)
    .then(() => { if (chart.loading === loading) document.getElementById("detail-title").textContent = `${symbol}, ${chart.interval} bars, ${WINDOW} window`; })
    .catch(error => { if (chart.loading === loading) document.getElementById("detail-title").textContent = `${symbol}: ${error.message}`; });
  await loading;
  chart.polling = setInterval(() => { if (chart.symbol === symbol && chart.interval) poll(symbol).catch(() => {}); }, 1000);
}

// The interval asked in the address (?interval=5m), else 1m; a host that keeps no such bars names those it keeps, and
// the page takes the shortest.
async function loadBars(symbol) {
  const path = interval => `/v1/bars/${encodeURIComponent(symbol)}?interval=${interval}&last=${BARS_SHOWN}`;
  let answer;
  try {
    // Time bars only: candles need one time each, and tick or volume bars can open within the same second.
    const asked = new URLSearchParams(location.search).get("interval");
    answer = await getJson(path(chart.interval = asked && !/[tv]$/.test(asked) ? asked : "1m"));
  } catch (error) {
    if (!error.problem?.tracked?.length) throw error;
    answer = await getJson(path(chart.interval = error.problem.tracked[0]));
  }
  if (symbol !== chart.symbol) return;
  addBars(answer.body.bars);
  await refreshFootprint(symbol);
}

async function poll(symbol) {
  const { body } = await getJson(`/v1/bars/${encodeURIComponent(symbol)}?interval=${chart.interval}&last=2`);
  if (symbol !== chart.symbol) return;
  addBars(body.bars);
  await refreshFootprint(symbol);
}

const barTime = bar => Date.parse(bar.from) / 1000;

function addBars(bars) {
  let redraw = false;
  for (const bar of bars) {
    const time = barTime(bar);
    chart.bars.set(time, bar);
    if (chart.lastTime !== null && time < chart.lastTime) redraw = true;
    else { drawBar(time, bar); chart.lastTime = time; }
  }
  if (redraw) {
    // A bar before the newest changed (it became final, or a backfill revised it): draw them all again.
    const times = [...chart.bars.keys()].sort((a, b) => a - b);
    for (const time of times.slice(0, -BARS_SHOWN)) chart.bars.delete(time);
    chart.series.candles.setData([...chart.bars].map(([time, b]) => ({ time, open: b.open, high: b.high, low: b.low, close: b.close })));
    chart.series.delta.setData([...chart.bars].map(([time, b]) => ({ time, value: b.delta, color: b.delta >= 0 ? "#26a69a" : "#ef5350" })));
    chart.series.cvd.setData([...chart.bars].map(([time, b]) => ({ time, value: b.cvd })));
  }
  for (const id of ["price-chart", "flow-chart"]) document.getElementById(id).dataset.bars = String(chart.bars.size);
}

// The picked bar's arrow, and on a futures symbol each bar's liquidations: longs forced out above it (red), shorts below (green).
function drawMarkers() {
  const times = [...chart.bars.keys()].sort((a, b) => a - b);
  const picked = chart.picked ?? times[times.length - 1];
  const markers = [];
  let liquidated = 0;
  for (const time of times) {
    const l = chart.bars.get(time).liquidations;
    if (l && (l.longs.count || l.shorts.count)) liquidated++;
    if (l && l.longs.count) markers.push({ time, position: "aboveBar", color: "#ef5350", shape: "circle", size: 1, text: `L${l.longs.count}` });
    if (l && l.shorts.count) markers.push({ time, position: "belowBar", color: "#26a69a", shape: "circle", size: 1, text: `S${l.shorts.count}` });
  }
  if (picked !== undefined) markers.push({ time: picked, position: "aboveBar", color: "#d8dee6", shape: "arrowDown", size: 1 });
  chart.marker.setMarkers(markers.sort((a, b) => a.time - b.time));
  document.getElementById("price-chart").dataset.liquidationMarkers = String(liquidated);
}

function drawBar(time, b) {
  chart.series.candles.update({ time, open: b.open, high: b.high, low: b.low, close: b.close });
  chart.series.delta.update({ time, value: b.delta, color: b.delta >= 0 ? "#26a69a" : "#ef5350" });
  chart.series.cvd.update({ time, value: b.cvd });
}

// The bar whose footprint is shown: one picked (a click on its candle, or ← →), else the newest, followed live.
function pickBar(time) {
  chart.picked = time;
  refreshFootprint(chart.symbol).catch(() => {});
}

function stepPick(by) {
  const times = [...chart.bars.keys()].sort((a, b) => a - b);
  if (!times.length) return;
  const at = chart.picked === null ? times.length - 1 : times.indexOf(chart.picked);
  const next = Math.min(times.length - 1, Math.max(0, (at < 0 ? times.length - 1 : at) + by));
  if (next === times.length - 1 && by > 0) chart.picked = null; else chart.picked = times[next];
  refreshFootprint(chart.symbol).catch(() => {});
}

async function refreshFootprint(symbol) {
  const times = [...chart.bars.keys()].sort((a, b) => a - b);
  if (!times.length) return showFootprint(null, "no bar yet");
  const time = chart.picked ?? times[times.length - 1];
  const bar = chart.bars.get(time);
  drawMarkers();
  // A final bar's footprint does not change (unless revised): asked again only when the bar is not final yet.
  const shown = document.getElementById("footprint");
  if (bar.final && shown.dataset.from === bar.from && shown.dataset.revision === String(bar.revision)) return;
  const back = times.length - times.indexOf(time);
  const asked = ++chart.footprintAsked;
  const { body } = await getJson(`/v1/footprint/${encodeURIComponent(symbol)}?interval=${chart.interval}&last=${back}`);
  if (symbol !== chart.symbol || asked !== chart.footprintAsked) return;
  const footprint = body.bars.find(f => f.from === bar.from);
  showFootprint(footprint ? { ...footprint, bar, step: body.step, imbalance: body.imbalance } : null,
    footprint ? "" : "no footprint kept for this bar: the host keeps it for the newest bars only (orderflow.bars.footprint-keep)");
  showBarFigures(bar);
}

function showBarFigures(b) {
  const figure = (label, value) => { const span = el("span", `${label} `); span.append(el("b", value)); return span; };
  const time = iso => new Date(iso).toISOString().slice(11, 19);
  document.getElementById("bar-figures").replaceChildren(
    figure("bar", `${time(b.from)}–${time(b.to)} UTC`), figure("state", `${b.final ? "final" : "in progress"}${b.revision ? ` (revision ${b.revision})` : ""}${b.complete ? "" : ", incomplete"}`),
    figure("O H L C", [b.open, b.high, b.low, b.close].map(price).join(" ")), figure("buy / sell", `${volume(b.buyVolume)} / ${volume(b.sellVolume)}`),
    figure("delta", `${signed(b.delta)} (min ${signed(b.deltaMin)}, max ${signed(b.deltaMax)})`), figure("CVD", signed(b.cvd)),
    figure("VWAP", price(b.vwap)), figure("trades", `${b.trades} (${b.aggregates} aggregate)`));
}

const volume = value => Number(value).toLocaleString("en-US", { maximumFractionDigits: 8 });

// The ladder, highest price on top: sell (bid) volume left, buy (ask) volume right, as footprint charts read; an
// imbalance is marked on the side that dominates, the POC row outlined.
function showFootprint(f, note) {
  const table = document.getElementById("footprint");
  table.dataset.from = f ? f.from : "";
  table.dataset.revision = f ? String(f.revision) : "";
  const levels = f ? [...f.levels].sort((a, b) => b.price - a.price) : [];
  const most = Math.max(1e-12, ...levels.flatMap(l => [l.buyVolume, l.sellVolume]));
  table.querySelector("tbody").replaceChildren(...levels.map(level => {
    const tr = document.createElement("tr");
    tr.dataset.price = String(level.price);
    tr.classList.toggle("poc", level.price === f.poc);
    const side = (value, imbalance, className) => {
      const td = el("td", volume(value), `num ${className}${imbalance ? " imbalance" : ""}`);
      td.style.setProperty("--share", `${(100 * value / most).toFixed(1)}%`);
      return td;
    };
    tr.append(side(level.sellVolume, level.sellImbalance, "sell"), el("td", price(level.price), "num level"), side(level.buyVolume, level.buyImbalance, "buy"));
    return tr;
  }));
  document.getElementById("footprint-title").textContent = f
    ? `Footprint of the ${chart.interval} bar at ${new Date(f.from).toISOString().slice(11, 19)} UTC${f.final ? "" : " (in progress)"}${chart.picked === null ? ", following the newest" : ""}`
    : "Footprint";
  const ranges = (label, list) => list.length ? [`${label} ${list.map(r => `${price(r.low)}–${price(r.high)}`).join(", ")}`] : [];
  document.getElementById("footprint-notes").textContent = f
    ? [`step ${price(f.step)}`, `imbalance: diagonal, ≥ ${f.imbalance.ratioPercent}%, min volume ${volume(f.imbalance.minVolume)}, empty side ${f.imbalance.zero}, stacks of ${f.imbalance.stack}`,
       ...ranges("stacked buy", f.stackedBuy), ...ranges("stacked sell", f.stackedSell),
       ...(f.unfinishedHigh ? ["unfinished high"] : []), ...(f.unfinishedLow ? ["unfinished low"] : [])].join(" · ") + ". Click a candle or use ← → to pick a bar, End to follow the newest."
    : note;
  if (!f) document.getElementById("bar-figures").replaceChildren();
}

function drawSnapshot(m) {
  // The window's VWAP at the bar under way: one point per bar, so the line shares the candles' time scale.
  const seconds = chart.interval ? intervalSeconds(chart.interval) : 1;
  const time = Math.floor((Date.parse(m.to) / 1000 - 1) / seconds) * seconds;
  if (m.vwap && (chart.lastTime === null || time >= chart.lastTime)) {
    chart.series.vwap.update({ time, value: m.vwap.vwap });
    for (const { k, series } of chart.series.bands) series.update({ time, value: m.vwap.vwap + k * m.vwap.stdDev });
    document.getElementById("price-chart").dataset.vwapPoints = String(++chart.vwapPoints);
  }
  if (m.profile) {
    for (const [key, value] of [["poc", m.profile.pointOfControl], ["vah", m.profile.valueAreaHigh], ["val", m.profile.valueAreaLow]])
      chart.lines[key].applyOptions({ price: value, lineVisible: true, axisLabelVisible: true });
  }
  const figures = document.getElementById("detail-figures");
  const figure = (label, value) => { const span = el("span", `${label} `); span.append(el("b", value)); return span; };
  figures.replaceChildren(
    figure("trades", `${m.tradeCount} (${number(m.tradesPerSecond)}/s)`), figure("delta", `${signed(m.delta)} (${m.deltaPercent === null ? "–" : signed(m.deltaPercent * 100, 2)}%)`),
    figure("CVD", signed(m.cvd.value)), figure("VWAP", m.vwap ? price(Number(m.vwap.vwap.toFixed(8))) : "–"),
    figure("POC", m.profile ? price(m.profile.pointOfControl) : "–"), figure("VA", m.profile ? `${price(m.profile.valueAreaLow)}–${price(m.profile.valueAreaHigh)}` : "–"),
    figure("large", `buy ${m.largeTrades.buy.count} / sell ${m.largeTrades.sell.count}`), figure("ready", m.coverage.ready ? "yes" : `no: ${m.coverage.notReadyBecause}`),
    // A perpetual's context (absent on spot): mark and basis, funding, the window's liquidations, open interest.
    ...(m.mark ? [figure("mark", `${price(m.mark.mark)} (basis ${signed(m.mark.basis, 2)})${m.mark.ready ? "" : ", stale"}`)] : []),
    ...(m.funding ? [figure("funding", `${signed(m.funding.rate * 100, 4)}% · next ${new Date(m.funding.nextFundingTime).toISOString().slice(11, 16)} UTC`)] : []),
    ...(m.liquidations ? [figure("liquidations", `longs ${m.liquidations.longs.count} (${price(m.liquidations.longs.notional)}) · shorts ${m.liquidations.shorts.count} (${price(m.liquidations.shorts.notional)})${m.liquidations.coverage.ready ? "" : " · partial"}`)] : []),
    ...(m.openInterest ? [figure("open interest", price(m.openInterest.quantity))] : []));
  figures.dataset.mark = m.mark ? String(m.mark.mark) : "";
  figures.dataset.funding = m.funding ? String(m.funding.rate) : "";
}

// "90s", "5m", "1h", "1d" as seconds (the host's duration text).
function intervalSeconds(text) {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) return 60;
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
}

document.addEventListener("keydown", e => {
  if (e.target.closest?.("input, textarea")) return;
  if (e.key === "ArrowLeft") stepPick(-1);
  else if (e.key === "ArrowRight") stepPick(1);
  else if (e.key === "End") { chart.picked = null; refreshFootprint(chart.symbol).catch(() => {}); }
  else return;
  e.preventDefault();
});
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
