/* autolog UI: metric charts (uPlot) with server-side downsampling, zoom that fetches detail,
   log scale, smoothing and overlays; a few keyboard shortcuts. No request leaves this server. */
"use strict";

const PALETTE = ["#2456c8", "#d9480f", "#2b8a3e", "#9c36b5", "#e67700", "#0b7285", "#c2255c", "#5f3dc4",
  "#087f5b", "#a61e4d", "#364fc7", "#5c940d"];

function colorOf(index) { return PALETTE[index % PALETTE.length]; }

async function fetchSeries(runs, key, opts) {
  const body = new URLSearchParams();
  runs.forEach((run) => body.append("run", run.id));
  body.set("key", key);
  body.set("x", opts.xmode || "step");
  body.set("points", String(opts.points || Math.max(200, Math.round((opts.width || 800) * 2))));
  if (opts.min != null) body.set("min", String(opts.min));
  if (opts.max != null) body.set("max", String(opts.max));
  const response = await fetch("/ui/data/metric", { method: "POST", body, credentials: "same-origin" });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function smoothed(ys, weight) {
  if (!weight) return ys;
  const out = new Array(ys.length);
  let last = 0, debias = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y == null) { out[i] = null; continue; }
    last = last * weight + (1 - weight) * y;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

function toTable(answer, opts) {
  const tables = answer.series.map((s) => {
    let ys = smoothed(s.y, opts.smooth);
    if (opts.log) ys = ys.map((y) => (y != null && y > 0 ? y : null));
    return [s.x, ys];
  });
  if (tables.length === 1) return tables[0];
  return uPlot.join(tables);
}

/* Draw (or redraw) one metric of some runs into `el`; returns the chart state. */
function metricChart(el, runs, key, opts) {
  const state = { el, runs, key, opts: Object.assign({}, opts), chart: null, answer: null, range: null };
  state.load = async function (range) {
    state.range = range || null;
    const width = Math.max(300, el.clientWidth - 4);
    try {
      state.answer = await fetchSeries(runs, key, Object.assign({ width }, state.opts, range || {}));
    } catch (error) {
      el.textContent = "Cannot load " + key + ": " + error.message;
      return;
    }
    draw(width);
  };
  function draw(width) {
    const answer = state.answer;
    const data = toTable(answer, state.opts);
    const series = [{ label: state.opts.xmode === "time" ? "time" : "step" }];
    answer.series.forEach((s, i) => series.push({
      label: (runs[i] && runs[i].name) || s.run_id.slice(0, 8), stroke: colorOf(i), width: runs.length > 50 ? 1 : 1.5,
      spanGaps: true, points: { show: false } }));
    const shown = answer.series.reduce((n, s) => n + s.shown, 0);
    const total = answer.series.reduce((n, s) => n + s.total, 0);
    const caption = el.closest("figure") && el.closest("figure").querySelector(".points");
    if (caption) caption.textContent = shown < total ? `${shown.toLocaleString()} of ${total.toLocaleString()} points` : `${total.toLocaleString()} points`;
    if (state.chart) state.chart.destroy();
    el.innerHTML = "";
    state.chart = new uPlot({
      width, height: state.opts.height || 240,
      legend: { show: runs.length <= 12 },
      scales: { x: { time: state.opts.xmode === "time" }, y: { distr: state.opts.log ? 3 : 1 } },
      axes: [{}, { size: 60 }],
      cursor: { drag: { x: true, y: false, setScale: false } },
      series,
      hooks: { setSelect: [(u) => {
        if (u.select.width < 3) return;
        const min = u.posToVal(u.select.left, "x"), max = u.posToVal(u.select.left + u.select.width, "x");
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
        state.load({ min, max });
      }] },
    }, data, el);
    state.chart.over.addEventListener("dblclick", () => state.load(null));
    el.dataset.points = String(shown);
    el.dataset.ready = "1";
  }
  state.redraw = function (changes) {
    Object.assign(state.opts, changes);
    if ("xmode" in changes) return state.load(null);
    if (state.answer) draw(Math.max(300, el.clientWidth - 4));
  };
  return state;
}

function lazily(el, start) {
  if (!("IntersectionObserver" in window)) { start(); return; }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { observer.disconnect(); start(); }
  }, { rootMargin: "200px" });
  observer.observe(el);
}

function runPageCharts() {
  const section = document.getElementById("charts");
  if (!section || typeof uPlot === "undefined") return;
  const run = { id: section.dataset.run, name: section.dataset.runName };
  const opts = { xmode: "step", log: false, smooth: 0 };
  const charts = [];
  section.querySelectorAll("figure.chart").forEach((figure) => {
    const plot = figure.querySelector(".plot");
    lazily(figure, () => {
      const chart = metricChart(plot, [run], figure.dataset.key, opts);
      charts.push(chart);
      chart.load(null);
    });
  });
  section.querySelector('[data-control="x"]').addEventListener("change", (e) => {
    opts.xmode = e.target.value; charts.forEach((c) => c.redraw({ xmode: opts.xmode }));
  });
  section.querySelector('[data-control="log"]').addEventListener("change", (e) => {
    opts.log = e.target.checked; charts.forEach((c) => c.redraw({ log: opts.log }));
  });
  section.querySelector('[data-control="smooth"]').addEventListener("input", (e) => {
    opts.smooth = Number(e.target.value); charts.forEach((c) => c.redraw({ smooth: opts.smooth }));
  });
}

function keyboard() {
  document.addEventListener("keydown", (e) => {
    const typing = /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (e.key === "/" && !typing) {
      const filter = document.getElementById("filter");
      if (filter) { e.preventDefault(); filter.focus(); filter.select(); }
    }
    if (!typing && (e.key === "n" || e.key === "p")) {
      const link = document.querySelector(e.key === "n" ? 'a[rel="next"]' : 'a[rel="prev"]');
      if (link) link.click();
    }
  });
}

window.autologCharts = { metricChart, colorOf, lazily };
document.addEventListener("DOMContentLoaded", () => { runPageCharts(); keyboard(); });
