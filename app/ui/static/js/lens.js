// What every dashboard page shares: the API client (the key, when reads need one, lives in
// this tab's sessionStorage), building elements without innerHTML, formats and stance marks.

const KEY_STORAGE = "lens.apiKey";
export const root = document.body.dataset.root || "";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// --- the API -------------------------------------------------------------------------------

let keyPrompt = null; // one dialog for every call that met a 401 at the same time

/** GET (or POST with `body`) a /v1 path; `params` is a URLSearchParams or [name, value] pairs. */
export async function api(path, { params, body, signal } = {}) {
  const url = new URL(root + path, location.origin);
  for (const [name, value] of params || []) url.searchParams.append(name, value);
  for (;;) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) headers.Authorization = `Bearer ${key}`;
    const init = { headers, signal };
    if (body !== undefined) {
      init.method = "POST";
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    if (response.ok) return response.json();
    const problem = await readProblem(response);
    if (response.status !== 401) throw new ApiError(response.status, problem);
    // Reads need a key here (LENS_AUTH_READS), or the one kept is no longer valid: ask.
    keyPrompt ||= askForKey(key ? "The API key kept in this tab was refused." : null).finally(
      () => (keyPrompt = null),
    );
    if (!(await keyPrompt)) throw new ApiError(401, problem);
  }
}

/** The URL of an API path with params, as a link (downloads) would fetch it. */
export function apiUrl(path, params) {
  const url = new URL(root + path, location.origin);
  for (const [name, value] of params || []) url.searchParams.append(name, value);
  return url;
}

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText || `HTTP ${response.status}` };
  }
}

/** Shows the key dialog; resolves true when a key was given, false when cancelled. */
function askForKey(reason) {
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-dialog-reason").textContent =
    reason || "This server needs an API key to read its data.";
  document.getElementById("key-forget").hidden = !storedKey();
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const value = input.value.trim();
        if (dialog.returnValue === "save" && value) {
          sessionStorage.setItem(KEY_STORAGE, value);
          showKeyButton();
          resolve(true);
          return;
        }
        if (dialog.returnValue === "forget") sessionStorage.removeItem(KEY_STORAGE);
        showKeyButton();
        resolve(false);
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}

function showKeyButton() {
  const button = document.getElementById("key-button");
  button.hidden = !storedKey();
  button.textContent = storedKey() ? "API key ✓" : "API key";
}

document.getElementById("key-button").addEventListener("click", () => {
  askForKey("Change or forget the API key this tab sends.").then((changed) => {
    if (changed) location.reload();
  });
});
document.getElementById("key-forget").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORAGE);
});
// Enter in the field means "use this key", not the form's first button ("forget").
document.getElementById("key-input").addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  document.getElementById("key-dialog").close("save");
});
showKeyButton();

// --- elements ------------------------------------------------------------------------------

/** An element: h("a", {href, class}, "text", child, ...); strings become text, never HTML. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces what ``target`` (an element or its id) holds. */
export function fill(target, ...children) {
  const element = typeof target === "string" ? document.getElementById(target) : target;
  element.replaceChildren();
  append(element, children);
  return element;
}

/** An error as the page shows it: the problem's title and detail, announced. */
export function problemBox(error) {
  const problem = error instanceof ApiError ? error.problem : { title: String(error) };
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("strong", {}, problem.title || "Error"),
    problem.detail ? ` ${problem.detail}` : "",
  );
}

/** Runs ``load`` with ``target`` marked busy; an error replaces its content. */
export async function loading(target, load) {
  const element = typeof target === "string" ? document.getElementById(target) : target;
  element.setAttribute("aria-busy", "true");
  try {
    return await load();
  } catch (error) {
    fill(element, problemBox(error));
    return undefined;
  } finally {
    element.removeAttribute("aria-busy");
  }
}

// --- links ---------------------------------------------------------------------------------

export const links = {
  actor: (id) => `${root}/ui/actors/${id}`,
  article: (id) => `${root}/ui/articles/${id}`,
  outlet: (id) => `${root}/ui/outlets/${id}`,
  author: (id) => `${root}/ui/authors/${id}`,
  // list items and articles name their outlet and authors; those pages look the id up
  outletNamed: (name) => `${root}/ui/outlets?name=${encodeURIComponent(name)}`,
  authorNamed: (name) => `${root}/ui/authors?name=${encodeURIComponent(name)}`,
};

// --- formats -------------------------------------------------------------------------------

const integer = new Intl.NumberFormat("en-US");

export function count(n) {
  return integer.format(n);
}

export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** A score in [-1, 1] with its sign: "+0.42", "−0.31"; "–" when there is none. */
export function score(value) {
  if (value === null || value === undefined) return "–";
  const fixed = Math.abs(value).toFixed(2);
  if (Number(fixed) === 0) return "0.00";
  return `${value > 0 ? "+" : "−"}${fixed}`;
}

export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

/** The day of an API date or datetime (UTC), "2021-03-22"; "undated" when unknown. */
export function day(value) {
  return value ? String(value).slice(0, 10) : "undated";
}

export function label(value) {
  return value ? value.charAt(0).toUpperCase() + value.slice(1) : "";
}

// --- stance marks --------------------------------------------------------------------------

/** A label with its score, coloured by the label and never by colour alone. */
export function stanceBadge(sentiment, { prefix = "" } = {}) {
  if (!sentiment) return h("span", { class: "badge" }, "not analysed");
  return h(
    "span",
    { class: `badge stance-${sentiment.label}` },
    `${prefix}${sentiment.label} ${score(sentiment.score)}`,
  );
}

/** A bar centred on zero for a mean score in [-1, 1]. */
export function meanBar(mean) {
  const bar = h("span", {
    class: "diverging",
    role: "img",
    "aria-label": mean === null ? "no score" : `mean ${score(mean)}`,
  });
  if (mean !== null && mean !== undefined) {
    const part = h("span", { class: mean < 0 ? "neg" : "pos" });
    part.style.width = `${Math.min(Math.abs(mean), 1) * 50}%`;
    bar.append(part);
  }
  return bar;
}

/** The negative / neutral / positive counts of a tally as one stacked bar. */
export function tallyBar(tally) {
  const total = tally.negative + tally.neutral + tally.positive;
  const text = `${tally.negative} negative, ${tally.neutral} neutral, ${tally.positive} positive`;
  const bar = h("span", { class: "tally", role: "img", "aria-label": text, title: text });
  for (const name of ["negative", "neutral", "positive"]) {
    if (!tally[name]) continue;
    const part = h("span", { class: `stance-${name}` });
    part.style.width = `${(tally[name] / total) * 100}%`;
    bar.append(part);
  }
  return bar;
}

/** Which side a mean score falls on, for colouring it. */
export function side(mean) {
  if (mean === null || mean === undefined || Math.abs(mean) < 0.05) return "neutral";
  return mean < 0 ? "negative" : "positive";
}

/** Says the page has shown what it loaded (or the errors it met): tests and scripts wait for it. */
export function markReady() {
  document.body.dataset.ready = "true";
}

/** The query of the page's URL as [name, value] pairs, without empty values. */
export function pageParams() {
  return [...new URLSearchParams(location.search)].filter(([, value]) => value !== "");
}
