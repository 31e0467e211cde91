/* The compare view's plots: parallel coordinates, scatter and contour (ECharts), overlaid metric
   charts (uPlot, via app.js). The plot kind and axes live in the URL's hash, so a link reopens them. */
"use strict";

(function () {
  const holder = document.getElementById("compare-data");
  if (!holder) return;
  const plotEl = document.getElementById("plot");
  const controls = document.querySelector(".plot-controls");
  const pick = (name) => controls.querySelector(`[data-axis="${name}"]`);
  const state = Object.assign({ plot: "parallel" }, Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
  let draw = null;  // set once the data has come

  function showControls() {
    controls.querySelectorAll("[data-for]").forEach((el) => {
      el.hidden = !el.dataset.for.split(" ").includes(state.plot);
    });
    document.querySelectorAll(".tabs [data-plot]").forEach((tab) => {
      tab.setAttribute("aria-selected", String(tab.dataset.plot === state.plot));
      tab.tabIndex = tab.dataset.plot === state.plot ? 0 : -1;
    });
  }
  document.querySelectorAll(".tabs [data-plot]").forEach((tab) => {
    tab.addEventListener("click", () => { state.plot = tab.dataset.plot; if (draw) draw(); else showControls(); });
    tab.addEventListener("keydown", (e) => {
      const tabs = [...document.querySelectorAll(".tabs [data-plot]")];
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus(); next.click();
    });
  });
  showControls();
  plotEl.dataset.ready = "0";
  plotEl.setAttribute("aria-busy", "true");
  fetch(holder.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((answer) => answer.ok ? answer.json() : answer.json().then((body) => { throw new Error(body.error || answer.statusText); }))
    .then((data) => { plotEl.removeAttribute("aria-busy"); start(data); })
    .catch((error) => { plotEl.removeAttribute("aria-busy"); plotEl.textContent = `Cannot load the plot data: ${error.message}`; });

  function start(data) {
    const runs = data.runs;
    const keys = Object.keys(data.columns);
    let chart = null, lines = null;

    const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    const numeric = (key) => data.columns[key].every((v) => v == null || typeof v === "number");
    const short = (key) => key.replace(/^metrics\./, "").replace(/^params\./, "");
    const firstMetric = data.metrics[0] || keys[0];
    const defaults = {
      dims: (data.differing_params.slice(0, 8).concat(firstMetric ? [firstMetric] : [])).join(","),
      x: data.differing_params[0] || keys[0], y: firstMetric, z: firstMetric,
      cx: data.differing_params[0] || keys[0], cy: data.differing_params[1] || data.differing_params[0] || keys[0],
      metric: firstMetric, xmode: "step",
    };
    for (const [name, value] of Object.entries(defaults)) if (!state[name]) state[name] = value;

    function fill(select, options, chosen) {
      select.innerHTML = "";
      options.forEach((key) => {
        const option = document.createElement("option");
        option.value = key; option.textContent = key;
        option.selected = chosen.includes(key);
        select.appendChild(option);
      });
    }
    function fillChecks(fieldset, options, chosen) {
      options.forEach((key) => {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox"; box.value = key; box.checked = chosen.includes(key);
        label.append(box, " " + key);
        fieldset.appendChild(label);
      });
    }
    fillChecks(pick("dims"), keys, state.dims.split(","));
    fill(pick("x"), keys, [state.x]);
    fill(pick("y"), keys, [state.y]);
    fill(pick("z"), keys.filter(numeric), [state.z]);
    fill(pick("cx"), keys, [state.cx]);
    fill(pick("cy"), keys, [state.cy]);
    fill(pick("metric"), data.metrics, [state.metric]);
    pick("xmode").value = state.xmode;

    function axisFor(key) {
      if (numeric(key)) return { type: "value", name: short(key), scale: true };
      const categories = [...new Set(data.columns[key].filter((v) => v != null).map(String))].sort();
      return { type: "category", name: short(key), data: categories };
    }
    function valueFor(key, i) {
      const v = data.columns[key][i];
      return v == null ? null : numeric(key) ? v : String(v);
    }
    function zRange(key) {
      const values = data.columns[key].filter((v) => typeof v === "number");
      return values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
    }
    function visualMap(key, dimension) {
      const [min, max] = zRange(key);
      return { type: "continuous", min, max, dimension, right: 0, top: 20, calculable: true, precision: 3, text: [short(key), ""],
        inRange: { color: ["#2456c8", "#6bb2d8", "#f2d45c", "#e8590c", "#b42318"] } };
    }

    function parallel() {
      const dims = state.dims.split(",").filter((k) => k in data.columns);
      const axes = Object.fromEntries(dims.map((key) => [key, axisFor(key)]));
      return {
        parallelAxis: dims.map((key, dim) => Object.assign({ dim, nameLocation: "end", nameTextStyle: { fontSize: 11 } }, axes[key])),
        parallel: { left: 60, right: 110, top: 50, bottom: 30 },
        visualMap: numeric(state.z) && dims.includes(state.z) ? visualMap(state.z, dims.indexOf(state.z)) : undefined,
        tooltip: { trigger: "item", formatter: (p) => esc(runs[p.dataIndex].name) },
        series: [{ type: "parallel", lineStyle: { width: runs.length > 200 ? 0.6 : 1.5, opacity: runs.length > 200 ? 0.35 : 0.8 },
          data: runs.map((run, i) => dims.map((key) => position(key, i, axes[key]))) }],
      };
    }

    function scatter() {
      const points = runs.map((run, i) => [valueFor(state.x, i), valueFor(state.y, i), run.name])
        .filter((p) => p[0] != null && p[1] != null);
      return {
        grid: { left: 70, right: 30, top: 30, bottom: 50 },
        xAxis: Object.assign({ nameLocation: "middle", nameGap: 30 }, axisFor(state.x)),
        yAxis: Object.assign({ nameLocation: "middle", nameGap: 50 }, axisFor(state.y)),
        tooltip: { formatter: (p) => `${esc(p.value[2])}<br>${esc(short(state.x))}: ${esc(p.value[0])}<br>${esc(short(state.y))}: ${esc(p.value[1])}` },
        series: [{ type: "scatter", symbolSize: runs.length > 200 ? 5 : 10, data: points, itemStyle: { color: "#2456c8", opacity: 0.8 } }],
      };
    }

    function position(key, i, axis) {
      const v = valueFor(key, i);
      if (v == null) return null;
      return axis.type === "category" ? axis.data.indexOf(String(v)) : v;
    }

    /* Contour: z interpolated (inverse distance) on a grid over x and y, drawn as colour bands. */
    function contour() {
      const ax = axisFor(state.cx), ay = axisFor(state.cy);
      const pts = runs.map((run, i) => [position(state.cx, i, ax), position(state.cy, i, ay), valueFor(state.z, i), run.name])
        .filter((p) => p[0] != null && p[1] != null && typeof p[2] === "number");
      const size = 40;
      const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
      const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
      const grid = [];
      for (let gx = 0; gx < size; gx++) {
        for (let gy = 0; gy < size; gy++) {
          const x = x0 + (x1 - x0) * gx / (size - 1), y = y0 + (y1 - y0) * gy / (size - 1);
          let num = 0, den = 0, exact = null;
          for (const p of pts) {
            const dx = (p[0] - x) / ((x1 - x0) || 1), dy = (p[1] - y) / ((y1 - y0) || 1);
            const d2 = dx * dx + dy * dy;
            if (d2 < 1e-12) { exact = p[2]; break; }
            const w = 1 / (d2 * d2);
            num += w * p[2]; den += w;
          }
          grid.push([gx, gy, exact != null ? exact : num / den]);
        }
      }
      const [zmin, zmax] = zRange(state.z);
      const label = (v, lo, hi) => (lo + (hi - lo) * v / (size - 1)).toPrecision(3);
      return {
        grid: { left: 70, right: 190, top: 30, bottom: 50 },
        xAxis: [{ type: "category", data: [...Array(size).keys()], name: short(state.cx), nameLocation: "middle", nameGap: 30,
          axisLabel: { interval: 7, formatter: (v) => label(v, x0, x1) } },
          { type: "value", show: false, min: x0, max: x1 }],
        yAxis: [{ type: "category", data: [...Array(size).keys()], name: short(state.cy), nameLocation: "middle", nameGap: 50,
          axisLabel: { interval: 7, formatter: (v) => label(v, y0, y1) } },
          { type: "value", show: false, min: y0, max: y1 }],
        visualMap: { type: "piecewise", splitNumber: 8, min: zmin, max: zmax, right: 0, top: 20, seriesIndex: 0,
          precision: 3, inRange: { color: ["#2456c8", "#6bb2d8", "#f2d45c", "#e8590c", "#b42318"] } },
        tooltip: { formatter: (p) => p.seriesIndex === 1 ? `${esc(p.value[3])}: ${esc(short(state.z))} ${esc(p.value[2])}` : `${esc(short(state.z))} ≈ ${Number(p.value[2]).toPrecision(4)}` },
        series: [{ type: "heatmap", data: grid, progressive: 0, emphasis: { disabled: true } },
          { type: "scatter", xAxisIndex: 1, yAxisIndex: 1, data: pts, symbolSize: 9, z: 5,
            itemStyle: { color: "#111", borderColor: "#fff", borderWidth: 1.5 } }],
      };
    }

    draw = function () {
      history.replaceState(null, "", "#" + new URLSearchParams(state).toString());
      showControls();
      plotEl.dataset.plot = state.plot;
      plotEl.dataset.ready = "0";
      if (state.plot === "lines") {
        if (chart) { chart.dispose(); chart = null; }
        plotEl.innerHTML = "";
        if (!state.metric) { plotEl.textContent = "These runs have no metrics."; return; }
        lines = window.autologCharts.metricChart(plotEl, runs, short(state.metric),
          { xmode: state.xmode, log: state.log === "1", smooth: Number(state.smooth || 0), height: 400 });
        lines.load(null);
        return;
      }
      lines = null;
      if (!chart) { plotEl.innerHTML = ""; chart = echarts.init(plotEl, null, { renderer: "canvas" }); }
      chart.clear();
      chart.setOption(Object.assign({ animation: false }, { parallel, scatter, contour }[state.plot]()), true);
      plotEl.dataset.ready = "1";
    };

    pick("dims").addEventListener("change", () => {
      state.dims = [...pick("dims").querySelectorAll("input:checked")].map((box) => box.value).join(","); draw();
    });
    for (const name of ["x", "y", "cx", "cy", "z", "metric", "xmode"]) pick(name).addEventListener("change", (e) => { state[name] = e.target.value; draw(); });
    pick("log").checked = state.log === "1";
    pick("log").addEventListener("change", (e) => { state.log = e.target.checked ? "1" : "0"; draw(); });
    pick("smooth").value = state.smooth || 0;
    pick("smooth").addEventListener("change", (e) => { state.smooth = e.target.value; draw(); });
    window.addEventListener("resize", () => chart && chart.resize());
    draw();
  }
})();
