// Flywheel classroom dashboard: controls, a play loop and canvas charts.
// Everything the page needs is in this file, dashboard.css and index.html: no CDN.
"use strict";

const FAMILY = '"Liberation Sans", "DejaVu Sans", Arial, sans-serif';
const SESSION = Math.random().toString(36).slice(2) + Date.now().toString(36);
const state = {
  meta: null, rows: [], quarters: [], status: null, charts: [],
  playing: false, busy: false,
  // Each reset starts a new generation; an answer for an older one is dropped, so a
  // step still under way when the scenario changes never adds weeks of the old run.
  generation: 0,
  previous: null,  // the run before the last reset, drawn faded under the new one
  projector: false,
};
window.flywheelStats = {
  weeks: 0, frames: 0, draws: 0, errors: [], resets: 0, playing: false, stale: 0, markers: 0, faded: 0,
};
window.flywheelDebug = () => ({
  run: state.meta && state.meta.run,
  scenario: state.meta && state.meta.scenario,
  weeks: state.rows.map((r) => r.week),
  previous: state.previous ? state.previous.rows.length : 0,
  previousScenario: state.previous ? state.previous.meta.scenario : null,
});

// Markers for life-cycle events on every chart (kinds sent by the server in each row).
const MARKERS = {
  entry: { symbol: "\u25B2", colour: "#009E73", label: "entry" },
  exit: { symbol: "\u2715", colour: "#b00020", label: "exit" },
  acquisition: { symbol: "\u25C6", colour: "#6a3d9a", label: "acquisition" },
  copying: { symbol: "\u25CF", colour: "#E69F00", label: "copying" },
};

const fontSize = () => (state.projector ? 22 : 14);
const chartFont = () => `${fontSize()}px ${FAMILY}`;

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

for (const [key, def] of Object.entries(PANELS)) def.key = key;

function legendHtml(items) {
  return items.map((it) =>
    `<span><span class="key ${it.dash || ""}" style="border-top-color:${it.colour}"></span>${escapeHtml(it.label)}</span>`
  ).join("");
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function shownPanels() {
  if (!state.projector) return state.meta.panels;
  const chosen = [document.getElementById("projector_a").value, document.getElementById("projector_b").value];
  const out = chosen.filter((key, i) => key && state.meta.panels.includes(key) && chosen.indexOf(key) === i);
  return out.length ? out : state.meta.panels.slice(0, 2);
}

function buildPanels() {
  const holder = document.getElementById("panels");
  holder.innerHTML = "";
  state.charts = [];
  for (const key of shownPanels()) {
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

// The series of a panel for another run (the previous one): the panel's own definition,
// read from that run's rows, drawn faded and thin under the current run.
function previousSeries(def) {
  const run = state.previous;
  if (!run || !document.getElementById("overlay").checked || !run.meta.panels.includes(def.key)) return [];
  const saved = { meta: state.meta, rows: state.rows, quarters: state.quarters };
  Object.assign(state, { meta: run.meta, rows: run.rows, quarters: run.quarters });
  try {
    const xs = def.quarterly ? run.quarters.map((q) => years(q.week)) : run.rows.map((r) => years(r.week));
    return def.series().map((s) => Object.assign({}, s, { xs, alpha: 0.22, width: Math.max(1.5, (s.width || 2) - 0.5), markers: false }));
  } finally {
    Object.assign(state, saved);
  }
}

function eventMarkers() {
  const out = [];
  for (const row of state.rows) {
    for (const e of row.events || []) out.push({ x: years(row.week), kind: e.kind, firm: e.firm });
  }
  return out;
}

// In projector mode the charts fill the window below the status and legends (1024x768
// included); elsewhere the style sheet sets their height.
function fitProjector() {
  for (const p of state.charts) {
    const canvas = p.section.querySelector("canvas");
    if (!state.projector) { canvas.style.height = ""; continue; }
    const below = p.section.querySelector(".extra") ? 40 : 0;
    const room = window.innerHeight - canvas.getBoundingClientRect().top - below - 26 + document.querySelector("main").scrollTop;
    canvas.style.height = Math.max(200, Math.floor(room)) + "px";
  }
}

function drawPanels() {
  fitProjector();
  const meta = state.meta;
  const markers = eventMarkers();
  const x0 = years(0), x1 = years(meta.horizon);
  const xLabel = meta.start_year === null ? "Years since start" : "Year";
  const weekXs = state.rows.map((r) => years(r.week));
  const quarterXs = state.quarters.map((q) => years(q.week));
  const started = state.rows.length > 1;
  for (const p of state.charts) {
    const xs = p.def.quarterly ? quarterXs : weekXs;
    const empty = !started ? "Press Step or Play to run the first week"
      : p.def.quarterly && !state.quarters.length ? "First measurement at the end of the first quarter" : "";
    const faded = previousSeries(p.def);
    window.flywheelStats.faded += faded.length;
    p.chart.draw(xs, [...faded, ...p.def.series()], p.def.right ? p.def.right() : null,
      x0, x1, xLabel, p.def.refs ? p.def.refs() : [], empty, markers);
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
  const previous = document.getElementById("previous");
  previous.textContent = state.previous && document.getElementById("overlay").checked
    ? `Faded lines: the previous run (${state.previous.label}), to compare with this one.` : "";
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
    error.stale = !!data.stale;
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

function runLabel() {
  const m = state.meta;
  const parts = [m.title, `seed ${m.seed}`, `${m.consumers.toLocaleString("en")} consumers`];
  const value = (id) => document.getElementById(id).value;
  if (document.getElementById("apply_mix").checked) parts.push(`${value("obsessed_firms")} customer-obsessed, ${value("shareholder_firms")} shareholder-focused firms`);
  if (document.getElementById("apply_costs").checked) parts.push(`progress ratio ${value("progress_ratio")}, thin margin ${value("thin_margin")}`);
  return parts.join(", ");
}

async function reset() {
  stopPlaying();
  state.generation += 1;
  const generation = state.generation;
  const previous = state.meta && state.rows.length > 1
    ? { meta: state.meta, rows: state.rows, quarters: state.quarters, label: state.label } : state.previous;
  state.busy = true;
  try {
    const data = await post("/api/reset", settings());
    if (generation !== state.generation) { window.flywheelStats.stale += 1; return; }
    // The previous run is drawn under a new run of the same scenario (a what-if, another
    // seed or market size); a run of another scenario starts with no comparison.
    state.previous = previous && previous.meta.scenario === data.meta.scenario ? previous : null;
    state.meta = data.meta;
    state.rows = data.rows;
    state.quarters = data.quarters;
    state.status = data.status;
    state.label = runLabel();
    if (state.projector) setProjector(true); else buildPanels();
    showStatus();
    drawPanels();
  } catch (error) {
    showError("Could not build the run: " + error.message);
  } finally {
    if (generation === state.generation) {
      state.busy = false;
      window.flywheelStats.resets += 1;
    }
  }
}

async function step(weeks) {
  if (!state.meta || state.status.finished) return 0;
  const last = state.rows[state.rows.length - 1].week;
  const generation = state.generation;
  let data;
  try {
    data = await post("/api/step", { weeks, after: last, run: state.meta.run });
  } catch (error) {
    if (generation !== state.generation) { window.flywheelStats.stale += 1; return 0; }
    if (error.stale) {
      // The server holds another run than the one drawn (two resets answered out of
      // order): build the page's run again rather than step a run it does not show.
      window.flywheelStats.stale += 1;
      await reset();
      return 0;
    }
    stopPlaying();
    if (error.expired) { await reset(); return 0; }
    showError("Step failed: " + error.message);
    return 0;
  }
  // An answer for a run the page has since replaced, or not following on from the last
  // week drawn, is dropped: weeks of two runs are never mixed.
  if (generation !== state.generation || (data.rows.length && data.rows[0].week !== last + 1)) {
    window.flywheelStats.stale += 1;
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
  document.getElementById("projector_play").innerHTML = "&#9654; Play";
}

// ------------------------------------------------------------------ projector mode

// One or two panels, large type, the controls hidden (a bar keeps Play and the choice).
function setProjector(on) {
  state.projector = on;
  document.body.classList.toggle("projector", on);
  if (on && state.meta) {
    for (const [id, index] of [["projector_a", 0], ["projector_b", 1]]) {
      const select = document.getElementById(id), old = select.value;
      select.innerHTML = (index ? '<option value="">(none)</option>' : "") + state.meta.panels.map(
        (key) => `<option value="${key}">${escapeHtml(state.meta.panel_guides[key][0])}</option>`).join("");
      select.value = state.meta.panels.includes(old) ? old : (state.meta.panels[index] || "");
    }
  }
  if (state.meta) { buildPanels(); drawPanels(); }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function play() {
  if (state.playing) { stopPlaying(); return; }
  if (state.busy || !state.meta || state.status.finished) return;
  state.playing = true;
  window.flywheelStats.playing = true;
  document.getElementById("play").innerHTML = "&#10074;&#10074; Pause";
  document.getElementById("projector_play").innerHTML = "&#10074;&#10074; Pause";
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
  document.getElementById("overlay").addEventListener("change", () => { if (state.meta) { showStatus(); drawPanels(); } });
  document.getElementById("projector").addEventListener("click", () => setProjector(!state.projector));
  document.getElementById("projector_exit").addEventListener("click", () => setProjector(false));
  document.getElementById("projector_play").addEventListener("click", play);
  for (const id of ["projector_a", "projector_b"]) {
    document.getElementById(id).addEventListener("change", () => { if (state.meta) { buildPanels(); drawPanels(); } });
  }
  document.getElementById("markers_key").innerHTML = "Markers: " + Object.values(MARKERS).map(
    (m) => `<span style="color:${m.colour}">${m.symbol}</span> ${m.label}`).join(" &middot; ");
  await reset();
  if (new URLSearchParams(location.search).get("projector")) setProjector(true);
}

start();
