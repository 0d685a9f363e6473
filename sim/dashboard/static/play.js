// Flywheel Play page: one game per browser tab, driven through /api/play/*.
// Everything the page needs is in this file, play.html and the two style sheets: no CDN.
"use strict";

const play = {
  session: null, state: null, options: null, problems: {}, busy: false, checkTimer: null,
};
window.flywheelPlay = { errors: [], requests: 0 };

// ------------------------------------------------------------------ helpers

function $(id) { return document.getElementById(id); }

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function money(v) {
  if (v === null || v === undefined) return "n/a";
  const sign = v < 0 ? "-" : "";
  return sign + "$" + Math.abs(v).toLocaleString("en-US", { maximumFractionDigits: 0 });
}

function price(v) {
  return v === null || v === undefined ? "n/a"
    : "$" + v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function percent(v, digits = 0) {
  return v === null || v === undefined ? "n/a" : (v * 100).toFixed(digits) + "%";
}

function signed(v, digits = 2) {
  return v === null || v === undefined ? "n/a" : (v >= 0 ? "+" : "") + v.toFixed(digits);
}

function count(v) {
  return v === null || v === undefined ? "n/a"
    : v.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

function newSession() {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

async function post(path, body) {
  window.flywheelPlay.requests += 1;
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ session: play.session }, body)),
  });
  let data;
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.expired = Boolean(data.expired);
    throw error;
  }
  return data;
}

function setBusy(busy, message) {
  play.busy = busy;
  for (const id of ["submit", "rest", "undo", "save", "start", "save-end", "again"]) {
    const button = $(id);
    if (button) button.disabled = busy || (id === "undo" && !(play.state && play.state.can_undo));
  }
  if (!busy) refreshSubmit();
  $("state").textContent = message || "";
  $("state").className = "";
}

function showError(message, expired) {
  $("state").textContent = expired ? message + " (games left idle are cleaned up)." : message;
  $("state").className = "error";
}

// ------------------------------------------------------------------ setup form

async function loadScenarios() {
  const response = await fetch("/api/scenarios");
  const list = await response.json();
  const select = $("scenario");
  const wanted = document.body.dataset.defaultScenario;
  for (const item of list) {
    const option = document.createElement("option");
    option.value = item.name;
    option.textContent = item.name;
    option.title = item.description;
    select.appendChild(option);
  }
  if (list.some((item) => item.name === wanted)) select.value = wanted;
  await loadOptions();
}

async function loadOptions() {
  try {
    const options = await post("/api/play/options", { scenario: $("scenario").value });
    play.options = options;
    fillHelp(options.fields);
    $("description").textContent = options.description || "";
    const seat = $("seat");
    seat.innerHTML = options.seats.map((name) =>
      `<option value="${escapeHtml(name)}">${escapeHtml(name)}</option>`).join("");
    const years = options.steps / 52;
    const lengths = [[options.steps, `scenario's own: ${yearsText(options.steps)}`]];
    for (const y of [1, 2, 3, 5, 10]) {
      if (Math.abs(y - years) > 1e-9) lengths.push([y * 52, `${y} year${y > 1 ? "s" : ""} (${y * 4} quarters)`]);
    }
    $("length").innerHTML = lengths.map(([steps, label]) =>
      `<option value="${steps}">${escapeHtml(label)}</option>`).join("");
    const size = $("consumers");
    size.options[0].textContent = `scenario's own (${count(options.consumers)})`;
    $("setup-error").textContent = "";
  } catch (error) {
    $("setup-error").textContent = error.message;
  }
}

function yearsText(steps) {
  const quarters = Math.ceil(steps / 13);
  const years = steps / 52;
  return `${quarters} quarters (${Number.isInteger(years) ? years : years.toFixed(1)} y)`;
}

async function startGame(event) {
  if (event) event.preventDefault();
  $("setup-error").textContent = "";
  const body = {
    scenario: $("scenario").value,
    seat: $("seat").value,
    seed: $("seed").value.trim(),
    steps: $("length").value,
    consumers: $("consumers").value,
  };
  const file = $("resume").files[0];
  if (file) body.decisions = await file.text();
  $("resume").value = "";
  play.session = newSession();
  sessionStorage.setItem("flywheel-play-session", play.session);
  setBusy(true, file ? "Replaying the saved game…" : "Setting up the market…");
  try {
    show(await post("/api/play/start", body));
    setBusy(false);
  } catch (error) {
    setBusy(false);
    $("setup-error").textContent = error.message;
  }
}

// ------------------------------------------------------------------ the briefing

function card(title, body, extraClass) {
  return `<section class="card ${extraClass || ""}"><h3>${title}</h3>${body}</section>`;
}

function rows(pairs) {
  return "<table class=\"facts\">" + pairs.map(([label, value, cls]) =>
    `<tr class="${cls || ""}"><th>${label}</th><td>${value}</td></tr>`).join("") + "</table>";
}

function renderBriefing(b) {
  const last = b.last;
  const parts = [];
  if (b.exit_warning) parts.push(`<div class="exit-warning" role="alert">${escapeHtml(b.exit_warning)}</div>`);
  if (b.week === 0) {
    parts.push(card("Last quarter", "<p>No quarter played yet: this is your starting position and market.</p>"));
  } else {
    const pnl = [
      ["revenue", money(last.revenue)],
      ["− variable cost", money(last.variable_cost)],
      ["− fixed cost", money(last.fixed_cost)],
    ];
    if (last.platform_fees) pnl.push(["− platform fees", money(last.platform_fees)]);
    pnl.push(["= operating profit", money(last.operating_profit), "total"]);
    pnl.push(["− investment (your spends)", money(last.investment)]);
    pnl.push(["= profit", money(last.profit), "total " + (last.profit < 0 ? "loss" : "gain")]);
    parts.push(card("Last quarter: profit and loss", rows(pnl)));
    parts.push(card("Last quarter: customers", rows([
      ["units sold", count(last.units)],
      ["unit share", percent(b.share)],
      ["customers", `${count(last.customers)} <span class="${last.customer_growth < 0 ? "down" : "up"}">(${signed(last.customer_growth * 100, 1)}%)</span>`],
      ["repeat rate", percent(last.repeat_rate)],
      ["satisfaction", signed(last.satisfaction)],
    ])));
  }
  const lag = b.decision_lag_weeks
    ? `decisions take effect after ${b.decision_lag_weeks} weeks` : "decisions take effect at once";
  const stageClass = b.stage === "Day 1" ? "day1" : "day2";
  parts.push(card("Your position now", rows([
    ["cash", money(b.cash), b.cash < 0 ? "loss" : ""],
    ["price", price(b.price)],
    ["unit cost", price(b.unit_cost)],
    ["fixed cost", money(b.fixed_cost) + " a week"],
    ["experience", b.experience.toFixed(2)],
    ["selection", count(b.selection) + " items"],
    ["efficiency", b.efficiency.toFixed(2)],
    ["vitality", `${b.vitality.toFixed(2)} <span class="stage ${stageClass}">${escapeHtml(b.stage)}</span>`],
    ["speed", lag],
  ])));
  const rivalRows = b.rivals.map((r) => `<tr class="${r.alive ? "" : "gone"}"><th>${escapeHtml(r.name)}</th>` +
    `<td class="text">${escapeHtml(r.strategy)}</td><td>${price(r.price)}</td>` +
    `<td>${r.approximate_share === null ? "n/a" : "~" + percent(r.approximate_share)}</td>` +
    (b.rules.acquisition ? `<td>${!r.alive ? "" : r.asking_price === null ? "not for sale" : money(r.asking_price)}</td>` : "") +
    `<td>${r.alive ? "" : "left the market"}</td></tr>`).join("");
  const askHead = b.rules.acquisition ? "<th>asking price</th>" : "";
  const askHint = b.rules.acquisition
    ? ` Acquisitions are on: buy a live rival at its asking price (acquire); you can pay at most <b>${money(b.rules.budget || 0)}</b> now (cash, credit and shares).` : "";
  parts.push(card("Rivals (public facts)",
    `<p class="hint">Posted prices and approximate unit shares last quarter.${askHint}</p>` +
    `<table class="numbers"><thead><tr><th>firm</th><th class="text">strategy</th><th>price</th><th>share</th>${askHead}<th></th></tr></thead><tbody>${rivalRows}</tbody></table>`,
    "wide"));
  const r = b.research;
  const estimates = r.units_at_price.map(([p, u]) => `<tr><td>${price(p)}</td><td>${count(u)}</td></tr>`).join("");
  parts.push(card("Market research",
    `<p class="hint">A sample of ${count(r.sample_size)} consumers: estimates, not the truth.</p>` +
    rows([["needs a week in the market", "about " + count(r.weekly_needs)]]) +
    `<table class="numbers"><thead><tr><th>your price</th><th>your units a week</th></tr></thead><tbody>${estimates}</tbody></table>` +
    `<p>Price that would maximise this week's profit against rivals' prices: <b>${price(r.best_price)}</b></p>`));
  if (b.research_terms) {
    const t = b.research_terms;
    parts.push(card("Research precision", rows([
      ["owned customers in the sample", `${count(t.owned_sample)} of ${count(t.owned)}`],
      ["respondents surveyed", count(t.survey_sample)],
      ["error sd of taste estimates", t.error_sd === null ? "n/a" : t.error_sd.toFixed(3)],
      ["cost last quarter", money(t.weekly_spend) + " a week"],
      ["free respondents", count(t.free_respondents)],
      ["each further respondent", price(t.cost_per_respondent)],
      ["largest sample", count(t.max_sample)],
    ])));
  }
  if (b.defences) {
    const d = b.defences;
    parts.push(card("Channel defences", rows([
      ["platform price", d.platform_price === null ? "same as direct" : price(d.platform_price)],
      ["direct incentive", price(d.direct_incentive) + " a unit"],
      ["loyalty rebate", price(d.loyalty_rebate) + " a unit"],
      ["incentive cost last quarter", money(d.incentive_cost) + ` (${price(d.incentive_cost_ratio)} per $ of perk)`],
      ["loyalty cost last quarter", money(d.loyalty_cost) + ` (${price(d.loyalty_cost_per_member)} per member a week)`],
      ["loyalty members", count(d.loyalty_members)],
      ["owned customers", count(d.owned_customers)],
      ["brand strength", (d.brand_strength < 0 ? "-" : "") + price(Math.abs(d.brand_strength)) + " per consumer"],
    ])));
  }
  if (b.trust) {
    const t = b.trust;
    const yes = (v) => (v ? "yes" : "no");
    const signedPrice = (v) => (v === null ? "n/a" : (v < 0 ? "-" : "") + price(Math.abs(v)));
    parts.push(card("Trust", rows([
      ["trust gap (per aware consumer)", signedPrice(t.trust_gap)],
      ["believed experience", t.belief_mean === null ? "n/a" : `${t.belief_mean.toFixed(2)} (it is ${b.experience.toFixed(2)})`],
      ["reviews (weighted by age)", t.review_count > 0 && t.review_mean !== null ? `${t.review_count.toFixed(1)}, mean ${t.review_mean.toFixed(2)}` : "none yet"],
      ["returned last quarter", count(t.returns)],
      ["referred last quarter", count(t.referred_customers)],
      ["remedies' cost last quarter", money(t.trust_cost)],
      ["in force", `guarantee ${yes(t.guarantee)}, free returns ${yes(t.free_returns)}, try-on ${yes(t.try_on)}, reviews ${yes(t.reviews)}, referral ${price(t.referral_reward)}`],
      ["terms", `return collection ${price(t.return_cost)}, try-on kit ${price(t.try_on_cost)}, reviews ${price(t.review_cost)} a week`],
    ]), "wide"));
  }
  if (b.flywheel.length) {
    const links = b.flywheel.filter((l) => l.value !== null);
    parts.push(card("Flywheel meter",
      links.length ? rows(links.map((l) => [escapeHtml(l.label), signed(l.value)]))
          + "<p class=\"hint\">Each link: % the next step moves per 1% of this one. "
          + "A loop's gain is the product of its links; the loop gain is the sum of the loops' gains.</p>"
        : "<p>Not measured yet.</p>"));
  }
  if (b.channel_names) {
    const rates = Object.entries(b.take_rates).map(([name, rate]) => `${escapeHtml(name)} takes ${percent(rate)}`).join(", ");
    const when = b.channels_open ? "open now (yearly review)" : "at the next yearly review";
    parts.push(card("Channels", rows([
      ["selling through", escapeHtml(b.current_channels.join(" + "))],
      ["platform fees", rates || "none"],
      ["changes", when],
    ])));
  }
  $("briefing").innerHTML = parts.join("");
}

// ------------------------------------------------------------------ the decision form

function renderForm(state) {
  const b = state.briefing;
  $("decision-quarter").textContent = b.label.toLowerCase();  // the shared rule: sim.play.rules
  $("fields").innerHTML = state.form.map((f) => `
    <tr data-field="${f.name}">
      <th><label for="field-${f.name}">${f.name}</label></th>
      <td><input id="field-${f.name}" name="${f.name}" value="${escapeHtml(f.value)}"
           data-default="${escapeHtml(f.value)}" autocomplete="off" aria-describedby="message-${f.name}">
          <div class="message" id="message-${f.name}" role="alert"></div></td>
      <td class="unit">${escapeHtml(f.unit)}</td>
      <td class="meaning">${escapeHtml(f.meaning)}</td>
    </tr>`).join("");
  for (const input of $("fields").querySelectorAll("input")) {
    input.addEventListener("input", () => {
      clearTimeout(play.checkTimer);
      play.checkTimer = setTimeout(checkForm, 350);
    });
    input.addEventListener("change", checkForm);
  }
  play.problems = {};
  showMessages({}, {});
}

function formEntries() {
  // Only entries the player changed: an untouched field keeps the exact value in force.
  const entries = {};
  for (const input of $("fields").querySelectorAll("input")) {
    if (input.value.trim() !== input.dataset.default.trim()) entries[input.name] = input.value;
  }
  return entries;
}

function showMessages(problems, notes) {
  play.problems = problems;
  for (const row of $("fields").querySelectorAll("tr[data-field]")) {
    const name = row.dataset.field;
    const box = $("message-" + name);
    const input = $("field-" + name);
    if (problems[name]) {
      box.textContent = problems[name];
      box.className = "message problem";
      input.setAttribute("aria-invalid", "true");
    } else if (notes[name]) {
      box.textContent = "Note: " + notes[name];
      box.className = "message note";
      input.removeAttribute("aria-invalid");
    } else {
      box.textContent = "";
      box.className = "message";
      input.removeAttribute("aria-invalid");
    }
  }
  const others = Object.keys(problems).filter((name) => !$("field-" + name));
  $("form-state").textContent = others.map((name) => problems[name]).join("; ");
  refreshSubmit();
}

function refreshSubmit() {
  const invalid = Object.keys(play.problems).length > 0;
  for (const id of ["submit", "rest"]) $(id).disabled = play.busy || invalid;
  $("undo").disabled = play.busy || !(play.state && play.state.can_undo);
  if (invalid) $("form-state").textContent = "Correct the entries marked in red; nothing is played until every entry is valid.";
  else if ($("form-state").textContent.startsWith("Correct")) $("form-state").textContent = "";
}

async function checkForm() {
  if (!play.state || !play.state.briefing) return true;
  try {
    const answer = await post("/api/play/check", { decision: formEntries() });
    showMessages(answer.problems, answer.notes);
    return Object.keys(answer.problems).length === 0;
  } catch (error) {
    showError(error.message, error.expired);
    return false;
  }
}

async function decide(rest) {
  if (play.busy) return;
  const entries = formEntries();
  const quarters = play.state.game.quarters - play.state.played;
  setBusy(true, rest ? `Playing the remaining ${quarters} quarters…` : "Playing the quarter…");
  try {
    const answer = await post("/api/play/decide", { decision: entries, rest: Boolean(rest) });
    if (Object.keys(answer.problems).length) {
      setBusy(false);
      showMessages(answer.problems, answer.notes);
      return;
    }
    show(answer);
    setBusy(false);
    if (answer.over) await finish();
  } catch (error) {
    setBusy(false);
    showError(error.message, error.expired);
  }
}

async function undo() {
  setBusy(true, "Taking back the last quarter (the game is replayed up to it)…");
  try {
    show(await post("/api/play/undo", {}));
    setBusy(false, "Took back the last quarter; it is yours to decide again.");
  } catch (error) {
    setBusy(false);
    showError(error.message, error.expired);
  }
}

async function save() {
  try {
    const answer = await post("/api/play/save", {});
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([answer.text], { type: "text/yaml" }));
    link.download = answer.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    $("state").className = "";
    $("state").textContent = `Saved ${answer.text.split("\n- ").length - 1} quarters: downloaded ${answer.filename} (also kept on the server in its play folder). Resume it with "Resume a saved game".`;
  } catch (error) {
    showError(error.message, error.expired);
  }
}

async function finish() {
  setBusy(true, "Game over. Playing the ghosts (the same seed with each built-in strategy in your seat)…");
  try {
    show(await post("/api/play/finish", {}));
    setBusy(false);
  } catch (error) {
    setBusy(false);
    showError(error.message, error.expired);
  }
}

// ------------------------------------------------------------------ the whole page

function renderHistory(history) {
  $("history").hidden = history.length === 0;
  $("history-rows").innerHTML = history.map((h) => `<tr><td>${h.quarter}</td><td>${price(h.price)}</td>` +
    `<td>${money(h.revenue)}</td><td class="${h.profit < 0 ? "loss" : ""}">${money(h.profit)}</td>` +
    `<td>${money(h.cash)}</td><td>${count(h.customers)}</td><td>${percent(h.share)}</td>` +
    `<td>${percent(h.repeat_rate)}</td><td>${signed(h.satisfaction)}</td><td>${escapeHtml(h.stage)}</td></tr>`).join("");
}

function renderEnd(state) {
  const card = state.scorecard;
  $("end").hidden = false;
  $("end-text").textContent = `The same seed (${card.seed}) played again with each built-in strategy in ${card.seat}'s seat; every other firm ran its own strategy. Same customers, same luck, different decisions. Growth is compound per year between the first and the last full quarter in the market; repeat rate and satisfaction are over the last year.`;
  const head = "<thead><tr><th>metric</th>" + card.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("") + "</tr></thead>";
  const body = card.rows.map((row) => `<tr><th>${escapeHtml(row.label)}</th>` +
    row.cells.map((cell, i) => `<td class="${i === 0 ? "you" : ""}">${escapeHtml(cell)}</td>`).join("") + "</tr>").join("");
  $("scorecard").innerHTML = head + "<tbody>" + body + "</tbody>";
  const lead = (key) => card.rows.find((row) => row.metric === key).leader;
  $("leaders").innerHTML = `Shareholder value: <b>${escapeHtml(lead("shareholder_value"))}</b> led. Long-run customer value: <b>${escapeHtml(lead("customer_value"))}</b> led.`;
  $("folder").textContent = `The game is written on the server as the run folder ${card.folder} in its play folder (tables, figures, summary, decisions.yaml, scorecard.csv).`;
  $("ghost-figure").src = `/api/play/figure?session=${encodeURIComponent(play.session)}&t=${Date.now()}`;
}

function show(state) {
  play.state = state;
  const g = state.game;
  $("title").textContent = `${g.seat} in ${g.scenario} (seed ${g.seed}, ${count(g.consumers)} consumers)`;
  $("end").hidden = true;
  if (state.briefing) {
    const b = state.briefing;
    $("statusline").textContent = `${b.label} · year ${b.year + 1}, week ${b.week_in_year + 1} · ${state.played} played`;
    $("game").hidden = false;
    $("decisions").hidden = false;
    renderBriefing(b);
    renderForm(state);
  } else {
    const alive = state.scorecard ? state.scorecard.rows.find((row) => row.metric === "survived").cells[0] : "yes";
    $("statusline").textContent = `Game over: you decided ${state.played} of ${g.quarters} quarters` +
      (alive === "no" ? "; your firm left the market." : ".");
    $("briefing").innerHTML = "";
    $("decisions").hidden = true;
  }
  renderHistory(state.history || []);
  if (state.scorecard) renderEnd(state);
}

async function resumeTab() {
  const stored = sessionStorage.getItem("flywheel-play-session");
  if (!stored) return;
  play.session = stored;
  try {
    const state = await post("/api/play/state", {});
    show(state);
    if (state.over && !state.scorecard) await finish();
  } catch (error) {
    play.session = null;
  }
}

function fillHelp(fields) {
  $("field-help").innerHTML = fields.map((f) =>
    `<dt>${escapeHtml(f.name)} <span class="hint">${escapeHtml(f.unit)}</span></dt><dd>${escapeHtml(f.meaning)}</dd>`).join("");
}

async function startPage() {
  window.addEventListener("error", (e) => window.flywheelPlay.errors.push(String(e.message)));
  $("setup").addEventListener("submit", startGame);
  $("scenario").addEventListener("change", loadOptions);
  $("decisions").addEventListener("submit", (event) => { event.preventDefault(); decide(false); });
  $("rest").addEventListener("click", () => decide(true));
  $("undo").addEventListener("click", undo);
  $("save").addEventListener("click", save);
  $("save-end").addEventListener("click", save);
  $("again").addEventListener("click", () => { $("end").hidden = true; startGame(); });
  await loadScenarios();
  await resumeTab();
  document.body.dataset.ready = "yes";
}

startPage();
