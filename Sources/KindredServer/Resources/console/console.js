// Kindred's editor's console: plain JavaScript on the server's own API (see /openapi.json).
"use strict";

const $ = (id) => document.getElementById(id);

/** An error from the API, carrying the problem's `detail` (RFC 9457) for the reader. */
class ApiError extends Error {}

/** Calls the API; throws ApiError with the server's explanation when the answer is not 2xx. */
async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = $("admin-token").value.trim();
  if (token && method !== "GET" && method !== "POST") headers["Authorization"] = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(`The server did not answer (${error.message}). Is kindred serve running?`);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const detail = data && data.detail ? data.detail : text || response.statusText;
    const hint = response.status === 401 ? " Enter the admin token on the left." : "";
    throw new ApiError(`${response.status} ${data && data.title ? data.title : ""}: ${detail}${hint}`);
  }
  return data;
}

function showError(error) {
  const box = $("error");
  box.textContent = error instanceof ApiError ? error.message : `Something went wrong: ${error.message}`;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

/** Runs `work` after `delay` ms of quiet: one request per pause in typing, not per key. */
function debounce(work, delay) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => work(...args), delay);
  };
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "className") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const state = { selected: null, overrides: { pinned: [], blocked: [] } };

/** The controls as API parameters; empty fields are left out so the server's defaults apply. */
function controls() {
  const values = {};
  for (const name of ["k", "min_score", "half_life", "freshness", "diversity", "fallback"]) {
    const value = $(name).value.trim();
    if (value !== "") values[name] = value;
  }
  if (values.half_life === undefined) delete values.freshness;
  const dedupe = $("dedupe").value.trim();
  values.dedupe = dedupe === "" ? "off" : dedupe;
  return values;
}

// MARK: finding an article

async function search(prefix) {
  const list = $("matches");
  if (prefix.trim() === "") {
    list.replaceChildren();
    return;
  }
  try {
    const data = await api("GET", `/v1/articles?prefix=${encodeURIComponent(prefix)}&limit=12`);
    clearError();
    list.replaceChildren(...data.articles.map((article) => element("li", {},
      element("button", { type: "button", "data-id": article.id, onclick: () => select(article.id) },
        article.title, element("span", { className: "meta" }, ` — ${article.section || "no section"}`)))));
    if (data.articles.length === 0) list.append(element("li", { className: "muted" }, "No article starts like that."));
  } catch (error) {
    showError(error);
  }
}

async function select(id) {
  state.selected = id;
  for (const button of document.querySelectorAll("#matches button")) {
    button.setAttribute("aria-current", button.dataset.id === id ? "true" : "false");
  }
  await refresh();
}

// MARK: the related list and its overrides

function describeResult(result, { steerable }) {
  const badges = [];
  if (result.reason !== "related") badges.push(element("span", { className: `badge ${result.reason}` }, result.reason));
  if (result.already_linked) badges.push(element("span", { className: "badge linked" }, "already linked"));
  const date = result.published_at ? result.published_at.slice(0, 10) : "undated";
  const item = element("li", { "data-id": result.id },
    element("div", {}, element("span", { className: "result-title" }, result.title), ...badges),
    element("div", { className: "meta" }, `score ${result.score.toFixed(3)} · ${result.section || "no section"} · ${date} · ${result.id}`));
  const explanation = result.explanation;
  if (explanation && explanation.shared_terms.length > 0) {
    const terms = explanation.shared_terms.map((term) => term.term).join(", ");
    item.append(element("div", { className: "why" }, `shared: ${terms}`));
  }
  if (explanation && explanation.meaning !== undefined) {
    const split = `meaning ${explanation.meaning.toFixed(2)} · words ${explanation.words.toFixed(2)}`;
    item.append(element("div", { className: "why" }, `${split} (meaning weighs ${explanation.semantic_weight})`));
  }
  if (steerable) {
    const pinned = state.overrides.pinned.includes(result.id);
    item.append(element("div", { className: "actions" },
      pinned
        ? element("button", { type: "button", onclick: () => steer(result.id, "unpin") }, `Unpin`)
        : element("button", { type: "button", onclick: () => steer(result.id, "pin") }, `Pin`),
      element("button", { type: "button", onclick: () => steer(result.id, "block") }, `Block`)));
  }
  return item;
}

function renderOverrides() {
  const box = $("overrides");
  box.hidden = false;
  const describe = (ids, action, label) => ids.length === 0 ? ["none"] : ids.flatMap((id) => [
    element("button", { type: "button", onclick: () => steer(id, action), "aria-label": `${label} ${id}` }, `${id} ✕`), " "]);
  $("pinned-list").replaceChildren(...describe(state.overrides.pinned, "unpin", "Unpin"));
  $("blocked-list").replaceChildren(...describe(state.overrides.blocked, "unblock", "Unblock"));
}

async function refresh() {
  const id = state.selected;
  if (!id) return;
  try {
    const [article, overrides] = await Promise.all([
      api("GET", `/v1/articles/${encodeURIComponent(id)}`),
      api("GET", `/v1/articles/${encodeURIComponent(id)}/overrides`),
    ]);
    state.overrides = { pinned: overrides.pinned, blocked: overrides.blocked };
    const query = new URLSearchParams({ ...controls(), explain: "true" });
    const list = await api("GET", `/v1/articles/${encodeURIComponent(id)}/related?${query}`);
    clearError();
    $("article-title").textContent = `${article.title} (${article.section || "no section"}, ${article.language})`;
    $("article-title").classList.remove("muted");
    $("list-note").textContent = list.complete
      ? `${list.results.length} of ${list.k} as readers see them.`
      : `Only ${list.results.length} of ${list.k}: ${list.below_floor} more scored below the relevance floor.`;
    $("related").replaceChildren(...list.results.map((result) => describeResult(result, { steerable: true })));
    renderOverrides();
  } catch (error) {
    showError(error);
  }
}

/** Pins, unpins, blocks or unblocks `other` in the selected article's list, then shows the effect. */
async function steer(other, action) {
  const id = state.selected;
  const pinned = state.overrides.pinned.filter((x) => x !== other);
  const blocked = state.overrides.blocked.filter((x) => x !== other);
  if (action === "pin") pinned.push(other);
  if (action === "block") blocked.push(other);
  try {
    await api("PUT", `/v1/articles/${encodeURIComponent(id)}/overrides`, { pinned, blocked });
    await refresh();
  } catch (error) {
    showError(error);
  }
}

// MARK: drafts

async function suggest() {
  const title = $("draft-title").value, body = $("draft-body").value;
  const list = $("suggestions");
  if ((title + body).trim() === "") {
    list.replaceChildren();
    return;
  }
  const request = { title, body, explain: true, linked: "flag" };
  for (const [key, value] of Object.entries(controls())) {
    request[key] = ["fallback", "dedupe"].includes(key) ? value : Number(value);
  }
  try {
    const data = await api("POST", "/v1/related", request);
    clearError();
    list.replaceChildren(...data.results.map((result) => describeResult(result, { steerable: false })));
    if (data.results.length === 0) list.append(element("li", { className: "muted" }, "Nothing related enough yet."));
  } catch (error) {
    showError(error);
  }
}

// MARK: status and latency

async function loadStatus() {
  try {
    const status = await api("GET", "/v1/status");
    $("status-version").textContent = status.model.version;
    $("status-built").textContent = status.model.built_at.replace("T", " ").replace("Z", " UTC");
    $("status-articles").textContent = status.articles.toLocaleString("en");
    $("status-dimensions").textContent = status.dimensions;
    $("status-journal").textContent = status.journal_entries.toLocaleString("en");
    $("status-blas").textContent = status.blas;
  } catch (error) {
    showError(error);
  }
}

/** Cumulative request-duration histogram of the related routes, from the server's /metrics. */
async function relatedHistogram() {
  const response = await fetch("/metrics");
  const text = await response.text();
  const buckets = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith("http_server_request_duration_bucket{") || !line.includes("related")) continue;
    const le = /le="([^"]+)"/.exec(line);
    if (!le) continue;
    const bound = le[1] === "+Inf" ? Infinity : Number(le[1]);
    buckets.set(bound, (buckets.get(bound) || 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]);
}

/** The upper bound of the bucket holding quantile `q` of the requests between two snapshots. */
function quantile(previous, current, q) {
  const before = new Map(previous);
  const deltas = current.map(([bound, count]) => [bound, count - (before.get(bound) || 0)]);
  const total = deltas.length ? deltas[deltas.length - 1][1] : 0;
  if (total <= 0) return null;
  const target = total * q;
  for (const [bound, count] of deltas) if (count >= target) return bound;
  return Infinity;
}

const latency = { previous: null, p95: [], lastSeen: null };

async function sampleLatency() {
  try {
    const current = await relatedHistogram();
    if (latency.previous) {
      const p95 = quantile(latency.previous, current, 0.95);
      const p50 = quantile(latency.previous, current, 0.5);
      latency.p95.push(p95);
      if (latency.p95.length > 48) latency.p95.shift();
      if (p95 !== null) latency.lastSeen = `p50 ≤ ${format(p50)}, p95 ≤ ${format(p95)}`;
      $("latency-caption").textContent = p95 !== null
        ? `Related-list latency, last 5 s: ${latency.lastSeen}`
        : latency.lastSeen
          ? `Related-list latency: no requests in the last 5 s (before: ${latency.lastSeen})`
          : "Related-list latency: no requests yet";
      drawChart();
    }
    latency.previous = current;
  } catch (error) {
    // The chart is a nicety: a failed sample is skipped, the next one retries.
  }
}

function format(seconds) {
  if (seconds === Infinity) return "over 5 s";
  return seconds < 1 ? `${(seconds * 1000).toFixed(seconds < 0.001 ? 2 : 0)} ms` : `${seconds} s`;
}

function drawChart() {
  const svg = $("latency-chart");
  const width = 240, height = 48;
  const values = latency.p95.map((v) => (v === null || v === Infinity ? null : Math.log10(v * 1e6)));
  const known = values.filter((v) => v !== null);
  const top = Math.max(4, ...known), bottom = Math.min(2, ...known);
  const points = values.map((v, i) => v === null ? null
    : `${(i / 47) * width},${height - 4 - ((v - bottom) / (top - bottom || 1)) * (height - 8)}`).filter(Boolean);
  svg.replaceChildren();
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", points.join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#0b5394");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
}

// MARK: wiring

document.addEventListener("DOMContentLoaded", () => {
  const token = sessionStorage.getItem("kindred-admin-token");
  if (token) $("admin-token").value = token;
  $("admin-token").addEventListener("change", () => sessionStorage.setItem("kindred-admin-token", $("admin-token").value));
  $("search").addEventListener("input", debounce((event) => search(event.target.value), 200));
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "ArrowDown") {
      const first = document.querySelector("#matches button");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  $("matches").addEventListener("keydown", (event) => {
    const buttons = [...document.querySelectorAll("#matches button")];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? buttons[index - 1] : $("search")).focus(); }
  });
  $("controls").addEventListener("input", debounce(() => { refresh(); suggest(); }, 300));
  $("controls").addEventListener("submit", (event) => event.preventDefault());
  const draftChanged = debounce(suggest, 400);
  $("draft-title").addEventListener("input", draftChanged);
  $("draft-body").addEventListener("input", draftChanged);
  loadStatus();
  setInterval(loadStatus, 10000);
  sampleLatency();
  setInterval(sampleLatency, 5000);
});
