// Flywheel classroom dashboard: controls, a play loop and canvas charts.
// Everything the page needs is in this file, dashboard.css and index.html: no CDN.
"use strict";

const FONT = '14px "Liberation Sans", "DejaVu Sans", Arial, sans-serif';
const SESSION = Math.random().toString(36).slice(2) + Date.now().toString(36);
const state = {
  meta: null, rows: [], quarters: [], status: null, charts: [],
  playing: false, busy: false,
};
window.flywheelStats = { weeks: 0, frames: 0, draws: 0, errors: [], resets: 0, playing: false };

// ------------------------------------------------------------------ numbers and axes

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

function ticks(lo, hi, count) {
  const step = niceStep(hi - lo, count);
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function formatNumber(v, format) {
  if (format === "percent") return Math.round(v * 100) + "%";
  if (format === "money") return "$" + formatPlain(v);
  return formatPlain(v);
}

function formatPlain(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  if (a >= 100 || v === Math.round(v)) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toFixed(2);
}

// ------------------------------------------------------------------ a line chart

class Chart {
  // series: [{label, colour, dash, width, values: (index) => number|null, markers}]
  constructor(canvas, options) {
    this.canvas = canvas;
    this.o = Object.assign({ format: "plain", yMin: null, yMax: null, zero: true }, options);
  }

  size() {
    const ratio = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * ratio) || this.canvas.height !== Math.round(h * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
    }
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx, w, h };
  }

  range(series, xs, fixedMin, fixedMax, zero) {
    let lo = Infinity, hi = -Infinity;
    for (const s of series) {
      for (const v of s.data) {
        if (v === null || v === undefined || !isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (fixedMin !== null) lo = fixedMin;
    if (fixedMax !== null) hi = fixedMax;
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
    if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (hi - lo < 1e-9) { hi = lo + (Math.abs(lo) || 1); }
    const pad = fixedMax === null ? (hi - lo) * 0.05 : 0;
    return [lo - (fixedMin === null && lo < 0 ? pad : 0), hi + pad];
  }

  draw(xs, series, rightSeries, x0, x1, xLabel, refLines, emptyText) {
    const { ctx, w, h } = this.size();
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT;
    const o = this.o;
    const [lo, hi] = this.range(series, xs, o.yMin, o.yMax, o.zero);
    const left = 58, right = rightSeries ? 44 : 14, top = 8, bottom = 40;
    const pw = w - left - right, ph = h - top - bottom;
    const X = (x) => left + ((x - x0) / (x1 - x0)) * pw;
    const Y = (y) => top + (1 - (y - lo) / (hi - lo)) * ph;
    // grid and y ticks
    ctx.fillStyle = "#222"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const t of ticks(lo, hi, 4)) {
      const y = Math.round(Y(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(formatNumber(t, o.format), left - 6, y);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const t of ticks(x0, x1, Math.max(2, Math.floor(pw / 70)))) {
      if (t !== Math.round(t)) continue;
      const x = Math.round(X(t)) + 0.5;
      ctx.strokeStyle = "#eee";
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(String(t), x, top + ph + 4);
    }
    ctx.fillText(xLabel, left + pw / 2, top + ph + 21);
    ctx.strokeStyle = "#666";
    ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
    for (const ref of refLines || []) {
      ctx.save(); ctx.setLineDash([6, 4]); ctx.strokeStyle = ref.colour; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(left, Y(ref.y)); ctx.lineTo(left + pw, Y(ref.y)); ctx.stroke();
      ctx.restore();
    }
    ctx.save();
    ctx.beginPath(); ctx.rect(left, top, pw, ph); ctx.clip();
    for (const s of series) this.line(ctx, xs, s, X, Y);
    if (rightSeries) {
      const [rlo, rhi] = this.range([rightSeries], xs, 0, rightSeries.max, true);
      const RY = (y) => top + (1 - (y - rlo) / (rhi - rlo)) * ph;
      this.line(ctx, xs, rightSeries, X, RY);
      ctx.restore(); ctx.save();
      ctx.fillStyle = rightSeries.colour; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      for (const t of ticks(rlo, rhi, 4)) {
        if (t !== Math.round(t)) continue;
        ctx.fillText(String(t), left + pw + 6, RY(t));
      }
    }
    ctx.restore();
    if (emptyText) {
      ctx.fillStyle = "#555"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(emptyText, left + pw / 2, top + ph / 2);
    }
    window.flywheelStats.draws += 1;
  }

  line(ctx, xs, s, X, Y) {
    ctx.strokeStyle = s.colour; ctx.fillStyle = s.colour;
    ctx.lineWidth = s.width || 2; ctx.globalAlpha = s.alpha || 1;
    ctx.setLineDash(s.dash === "dashed" ? [7, 4] : s.dash === "dotted" ? [2, 3] : []);
    ctx.beginPath();
    let open = false;
    for (let i = 0; i < s.data.length; i++) {
      const v = s.data[i];
      if (v === null || v === undefined || !isFinite(v)) { open = false; continue; }
      const x = X(xs[i]), y = Y(v);
      if (open) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      open = true;
    }
    ctx.stroke();
    if (s.markers) {
      for (let i = 0; i < s.data.length; i++) {
        const v = s.data[i];
        if (v === null || v === undefined) continue;
        ctx.beginPath(); ctx.arc(X(xs[i]), Y(v), 3, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.globalAlpha = 1; ctx.setLineDash([]);
  }
}

// ------------------------------------------------------------------ panels

function years(week) {
  const start = state.meta.start_year;
  return (start === null ? 0 : start) + week / 52;
}

function column(key, index) {
  return state.rows.map((r) => (index === undefined ? r[key] : r[key][index]));
}

function rolling(values, window) {
  const out = [];
  let sum = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null) { sum += v; n += 1; }
    if (i >= window) { const old = values[i - window]; if (old !== null) { sum -= old; n -= 1; } }
    out.push(n ? sum / n : null);
  }
  return out;
}

const groups = () => state.meta.groups;

const PANELS = {
  share: {
    options: { format: "percent", yMin: 0, yMax: 1 },
    legend: () => [
      ...groups().map((g) => ({ label: g.name, colour: g.colour })),
      ...(state.meta.third_party_sellers ? [{ label: "third-party sellers on the marketplace", colour: "#666", dash: "dotted" }] : []),
    ],
    series: () => [
      ...groups().flatMap((g, i) => {
        const weekly = column("share", i);
        return [
          { colour: g.colour, width: 1, alpha: 0.35, data: weekly },
          { colour: g.colour, width: 3, data: rolling(weekly, 13) },
        ];
      }),
      ...(state.meta.third_party_sellers ? [{ colour: "#666", width: 3, dash: "dotted", data: rolling(column("pool_share"), 13) }] : []),
    ],
  },
  price: {
    options: { format: "money" },
    legend: () => [
      ...groups().map((g) => ({ label: g.name + " (posted)", colour: g.colour, dash: "dashed" })),
      { label: "paid", colour: "#000" },
    ],
    series: () => [
      ...groups().map((g, i) => ({ colour: g.colour, dash: "dashed", width: 2, data: column("group_price", i) })),
      { colour: "#000", width: 2, data: column("price") },
    ],
  },
  surplus: {
    options: { format: "money" },
    legend: () => [{ label: "surplus per shopper with a need, per week", colour: "#000" }],
    series: () => [{ colour: "#000", width: 2, data: column("surplus") }],
  },
  concentration: {
    options: { yMin: 0, yMax: 1 },
    legend: () => [{ label: "HHI (left axis)", colour: "#000" }, { label: "firms alive (right axis)", colour: "#009E73" }],
    series: () => [{ colour: "#000", width: 2, data: column("hhi") }],
    right: () => ({ colour: "#009E73", width: 2, data: column("alive"), max: Math.max(1, ...column("alive")) + 1 }),
  },
  vitality: {
    options: { yMin: 0, yMax: 1 },
    legend: () => [
      ...groups().map((g) => ({ label: g.name, colour: g.colour })),
      { label: "Day-2 line", colour: "#b00020", dash: "dashed" },
    ],
    series: () => groups().map((g, i) => ({ colour: g.colour, width: 2.5, data: column("vitality", i) })),
    refs: () => [{ y: state.meta.stasis_threshold, colour: "#b00020" }],
    extra: () => {
      const s = state.rows[state.rows.length - 1].stages;
      return `Firms now: Day 1 <b>${s.day1}</b> · stasis <b>${s.stasis}</b> · ` +
        `irrelevant <b>${s.irrelevant}</b> · decline <b>${s.decline}</b> · gone <b>${s.gone}</b>`;
    },
  },
  flywheel: {
    quarterly: true,
    options: {},
    legend: () => [
      ...groups().map((g) => ({ label: g.name, colour: g.colour })),
      ...state.meta.platforms.map((p) => ({ label: p + " (platform)", colour: "#000" })),
    ],
    series: () => [
      ...groups().map((g, i) => ({ colour: g.colour, width: 2, markers: true, data: state.quarters.map((q) => q.gain[i]) })),
      ...state.meta.platforms.map((p, k) => ({ colour: "#000", width: 2, markers: true, data: state.quarters.map((q) => q.platform_gain[k]) })),
    ],
    refs: () => [{ y: 0, colour: "#666" }],
    extra: () => {
      const q = state.quarters[state.quarters.length - 1];
      const rule = " Loop gain = sum over the loops of the product of their links' elasticities.";
      if (!q) return "Measured at the end of each quarter." + rule;
      return "Last quarter, firms measured: " + groups().map((g, i) => `${g.name} ${q.measured[i]} of ${q.live[i]}`).join(" · ") + "." + rule;
    },
  },
  channels: {
    options: { format: "percent", yMin: 0, yMax: 1 },
    legend: () => [
      { label: "all purchases through platforms", colour: "#000" },
      ...groups().map((g) => ({ label: g.name + ": its units via platforms", colour: g.colour, dash: "dashed" })),
      ...(state.meta.owned_platform ? [{ label: "third-party share of marketplace units", colour: "#666", dash: "dotted" }] : []),
    ],
    series: () => [
      { colour: "#000", width: 2.5, data: column("through_platforms") },
      ...groups().map((g, i) => ({ colour: g.colour, dash: "dashed", width: 2, data: column("platform_share", i) })),
      ...(state.meta.owned_platform ? [{ colour: "#666", dash: "dotted", width: 3, data: column("third_party") }] : []),
    ],
  },
  connected: {
    options: {},
    legend: () => groups().map((g) => ({ label: g.name, colour: g.colour })),
    series: () => groups().map((g, i) => ({ colour: g.colour, width: 2.5, data: column("owned", i) })),
  },
};

function legendHtml(items) {
  return items.map((it) =>
    `<span><span class="key ${it.dash || ""}" style="border-top-color:${it.colour}"></span>${escapeHtml(it.label)}</span>`
  ).join("");
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function buildPanels() {
  const holder = document.getElementById("panels");
  holder.innerHTML = "";
  state.charts = [];
  for (const key of state.meta.panels) {
    const def = PANELS[key];
    const [title, text] = state.meta.panel_guides[key];
    const section = document.createElement("section");
    section.className = "panel";
    section.dataset.panel = key;
    section.innerHTML = `<h3>${escapeHtml(title)}</h3><p class="what">${escapeHtml(text)}</p>` +
      `<div class="legend">${legendHtml(def.legend())}</div><canvas></canvas>` +
      (def.extra ? `<p class="extra"></p>` : "");
    holder.appendChild(section);
    state.charts.push({ key, def, section, chart: new Chart(section.querySelector("canvas"), def.options) });
  }
}

function drawPanels() {
  const meta = state.meta;
  const x0 = years(0), x1 = years(meta.horizon);
  const xLabel = meta.start_year === null ? "Years since start" : "Year";
  const weekXs = state.rows.map((r) => years(r.week));
  const quarterXs = state.quarters.map((q) => years(q.week));
  const started = state.rows.length > 1;
  for (const p of state.charts) {
    const xs = p.def.quarterly ? quarterXs : weekXs;
    const empty = !started ? "Press Step or Play to run the first week"
      : p.def.quarterly && !state.quarters.length ? "First measurement at the end of the first quarter" : "";
    p.chart.draw(xs, p.def.series(), p.def.right ? p.def.right() : null, x0, x1, xLabel,
      p.def.refs ? p.def.refs() : [], empty);
    if (p.def.extra) p.section.querySelector(".extra").innerHTML = p.def.extra();
  }
}

// ------------------------------------------------------------------ status

function showStatus() {
  const meta = state.meta, s = state.status;
  document.getElementById("title").textContent = meta.title;
  document.getElementById("guide").textContent = meta.guide;
  const yearIndex = Math.floor(Math.max(0, s.week - 1) / 52);  // week 52 is still year 1
  const when = meta.start_year === null ? `year ${yearIndex + 1}` : `${meta.start_year + yearIndex}`;
  let line = `Week ${s.week} of ${s.horizon} (${when}, quarter ${s.quarter}) · ` +
    `firms in the market ${s.alive} of ${s.firms} · seed ${meta.seed} · ${meta.consumers.toLocaleString("en")} consumers`;
  if (s.leader) line += ` · best seller this week: ${s.leader.name} (${Math.round(s.leader.share * 100)}% of units)`;
  document.getElementById("statusline").textContent = line;
  const stateLine = document.getElementById("state");
  stateLine.className = "";
  stateLine.textContent = s.state;
  document.getElementById("notes").innerHTML = meta.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("");
  document.getElementById("step").disabled = s.finished;
  document.getElementById("quarter").disabled = s.finished;
  document.getElementById("play").disabled = s.finished;
}

function showError(message) {
  const stateLine = document.getElementById("state");
  stateLine.className = "error";
  stateLine.textContent = message;
  window.flywheelStats.errors.push(message);
}

// ------------------------------------------------------------------ server calls

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ session: SESSION }, body)),
  });
  const data = await response.json();
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.expired = !!data.expired;
    throw error;
  }
  return data;
}

const UPLOADED = "uploaded scenario";  // the name the server gives an uploaded file
const upload = { text: null };

function settings() {
  const value = (id) => document.getElementById(id).value;
  const out = { scenario: value("scenario"), seed: value("seed"), consumers: value("consumers") };
  if (out.scenario === UPLOADED && upload.text !== null) {
    delete out.scenario;
    out.scenario_text = upload.text;
  }
  if (document.getElementById("apply_mix").checked) {
    out.obsessed_firms = value("obsessed_firms");
    out.shareholder_firms = value("shareholder_firms");
  }
  if (document.getElementById("apply_costs").checked) {
    out.progress_ratio = value("progress_ratio");
    out.thin_margin = value("thin_margin");
  }
  return out;
}

async function reset() {
  stopPlaying();
  state.busy = true;
  try {
    const data = await post("/api/reset", settings());
    state.meta = data.meta;
    state.rows = data.rows;
    state.quarters = data.quarters;
    state.status = data.status;
    buildPanels();
    showStatus();
    drawPanels();
  } catch (error) {
    showError("Could not build the run: " + error.message);
  } finally {
    state.busy = false;
    window.flywheelStats.resets += 1;
  }
}

async function step(weeks) {
  if (!state.meta || state.status.finished) return 0;
  const last = state.rows[state.rows.length - 1].week;
  let data;
  try {
    data = await post("/api/step", { weeks, after: last });
  } catch (error) {
    stopPlaying();
    if (error.expired) { await reset(); return 0; }
    showError("Step failed: " + error.message);
    return 0;
  }
  for (const row of data.rows) state.rows.push(row);
  for (const q of data.quarters) state.quarters.push(q);
  state.status = data.status;
  showStatus();
  drawPanels();
  window.flywheelStats.weeks += data.rows.length;
  window.flywheelStats.frames += 1;
  window.flywheelStats.last = performance.now();
  return data.rows.length;
}

async function stepButton(weeks) {
  if (state.busy || state.playing) return;
  state.busy = true;
  try { await step(weeks); } finally { state.busy = false; }
}

// ------------------------------------------------------------------ play loop

function stopPlaying() {
  state.playing = false;
  window.flywheelStats.playing = false;
  document.getElementById("play").innerHTML = "&#9654; Play";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function play() {
  if (state.playing) { stopPlaying(); return; }
  if (state.busy || !state.meta || state.status.finished) return;
  state.playing = true;
  window.flywheelStats.playing = true;
  document.getElementById("play").innerHTML = "&#10074;&#10074; Pause";
  const start = performance.now();
  window.flywheelStats.playStart = start;
  let done = 0;
  while (state.playing && !state.status.finished) {
    const speed = document.getElementById("speed").value;
    let weeks = 1;
    if (speed !== "max") {
      const due = ((performance.now() - start) / 1000) * Number(speed) - done;
      if (due < 1) { await sleep(((1 - due) / Number(speed)) * 1000); continue; }
      weeks = Math.min(13, Math.floor(due));
    }
    done += await step(weeks);
  }
  stopPlaying();
}

// ------------------------------------------------------------------ start

function bindRange(id, digits) {
  const input = document.getElementById(id), out = document.getElementById(id + "_out");
  const show = () => { out.textContent = Number(input.value).toFixed(digits); };
  input.addEventListener("input", show);
  show();
}

async function uploadScenario(event) {
  const file = event.target.files[0];
  if (!file) return;
  upload.text = await file.text();
  event.target.value = "";
  const select = document.getElementById("scenario");
  let option = document.getElementById("uploaded_option");
  if (!option) {
    option = document.createElement("option");
    option.id = "uploaded_option";
    option.value = UPLOADED;
    select.appendChild(option);
  }
  option.textContent = `${file.name} (opened file)`;
  select.value = UPLOADED;
  await reset();
}

async function start() {
  window.addEventListener("error", (e) => window.flywheelStats.errors.push(String(e.message)));
  const select = document.getElementById("scenario");
  const scenarios = await (await fetch("/api/scenarios")).json();
  for (const s of scenarios) {
    const option = document.createElement("option");
    option.value = s.name; option.textContent = s.name; option.title = s.description;
    select.appendChild(option);
  }
  select.value = document.body.dataset.defaultScenario;
  bindRange("obsessed_firms", 0); bindRange("shareholder_firms", 0);
  bindRange("progress_ratio", 2); bindRange("thin_margin", 2);
  select.addEventListener("change", reset);
  document.getElementById("scenario_file").addEventListener("change", uploadScenario);
  document.getElementById("reset").addEventListener("click", reset);
  document.getElementById("step").addEventListener("click", () => stepButton(1));
  document.getElementById("quarter").addEventListener("click", () => stepButton(13));
  document.getElementById("play").addEventListener("click", play);
  window.addEventListener("resize", () => state.meta && drawPanels());
  await reset();
}

start();
