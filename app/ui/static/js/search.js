// The search page: actors, outlets and authors by name; articles by every filter of
// GET /v1/articles. The form's field names are the API's parameters, so the page's URL is the
// query: it can be bookmarked and shared.

import { articlePages } from "./articles.js";
import { api, apiUrl, count, fill, h, links, loading, markReady, pageParams, problemBox, storedKey } from "./lens.js";

const FIND = "find";
const findForm = document.getElementById("find-form");
const articleForm = document.getElementById("article-form");
const query = pageParams();
const name = query.find(([key]) => key === FIND)?.[1] || "";
const filters = query.filter(([key]) => key !== FIND);

// --- the forms -----------------------------------------------------------------------------

/** Both forms' non-empty values: submitting one keeps the other's. */
function submitted() {
  const values = [];
  for (const form of [findForm, articleForm]) {
    for (const [key, value] of new FormData(form)) if (String(value).trim() !== "") values.push([key, value]);
  }
  return values;
}

for (const form of [findForm, articleForm]) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const target = new URL(form.action);
    target.search = new URLSearchParams(submitted()).toString();
    location.assign(target);
  });
}

/** A field that takes several values (the API's repeated parameters) gets "add another". */
function repeatable(field) {
  const first = field.querySelector("input, select");
  const caption = field.querySelector("label").textContent;
  let n = 1;
  const add = (value) => {
    n += 1;
    const copy = first.cloneNode(true);
    copy.id = `${first.id}-${n}`;
    copy.value = value ?? "";
    copy.setAttribute("aria-label", `${caption} ${n}`);
    field.append(copy);
    return copy;
  };
  const button = h(
    "button",
    { type: "button", class: "link-button", "aria-label": `Add another ${caption.toLowerCase()}` },
    "+ another",
  );
  button.addEventListener("click", () => add().focus());
  field.append(button);
  return { first, add };
}

function fillForm() {
  document.getElementById(FIND).value = name;
  const repeat = new Map();
  for (const field of articleForm.querySelectorAll("[data-repeat]")) {
    const control = repeatable(field);
    repeat.set(control.first.name, { ...control, used: 0 });
  }
  let advanced = false;
  for (const [key, value] of filters) {
    const many = repeat.get(key);
    const control = many
      ? many.used++ === 0
        ? many.first
        : many.add(value)
      : articleForm.elements.namedItem(key);
    if (!control) continue;
    control.value = value;
    if (control.closest("#more-filters")) advanced = true;
  }
  document.getElementById("more-filters").open = advanced;
}

/** The topic menus, from GET /v1/topics: flat, or a tree where topics have `children`. */
async function loadTopics() {
  const answer = await api("/v1/topics");
  const topics = Array.isArray(answer) ? answer : answer.items || [];
  const options = [];
  const walk = (list, depth) => {
    for (const topic of list) {
      const indent = "  ".repeat(depth);
      const n = topic.article_count === undefined ? "" : ` (${count(topic.article_count)})`;
      options.push([topic.code, `${indent}${depth ? "– " : ""}${topic.label}${n}`]);
      if (Array.isArray(topic.children)) walk(topic.children, depth + 1);
    }
  };
  walk(topics, 0);
  const wanted = filters.filter(([key]) => key === "topic").map(([, value]) => value);
  for (const select of articleForm.querySelectorAll("select[name=topic]")) {
    const chosen = select.value || wanted.shift() || "";
    select.append(...options.map(([code, text]) => h("option", { value: code }, text)));
    select.value = chosen;
  }
}

/** Suggestions while typing a name (the lists' own `q`, any part of the name). */
const SUGGESTIONS = {
  actor: ["/v1/actors", "actor-options"],
  outlet: ["/v1/outlets", "outlet-options"],
  author: ["/v1/authors", "author-options"],
};
let suggesting = null;
articleForm.addEventListener("input", (event) => {
  const source = SUGGESTIONS[event.target.name];
  const q = event.target.value.trim();
  if (!source || q.length < 2) return;
  clearTimeout(suggesting);
  suggesting = setTimeout(async () => {
    const [path, listId] = source;
    try {
      const page = await api(path, { params: [["q", q], ["limit", "10"]] });
      fill(listId, page.items.map((item) => h("option", { value: item.name })));
    } catch {
      // a convenience only: the search itself reports a name that matches nothing
    }
  }, 250);
});

// --- results -------------------------------------------------------------------------------

async function findNames() {
  const params = name ? [["q", name], ["limit", "10"]] : [["limit", "8"]];
  document.getElementById("find-caption").textContent = name
    ? `Names that contain “${name}”, most covered first.`
    : "The most covered, by number of analysed articles.";
  const lists = [
    ["/v1/actors", "find-actors", (a) => [h("a", { href: links.actor(a.id) }, a.name), ` ${a.kind}`]],
    ["/v1/outlets", "find-outlets", (o) => [h("a", { href: links.outlet(o.id) }, o.name)]],
    ["/v1/authors", "find-authors", (a) => [h("a", { href: links.author(a.id) }, a.name)]],
  ];
  await Promise.all(
    lists.map(([path, target, render]) =>
      loading(target, async () => {
        const page = await api(path, { params });
        const items = page.items.map((item) =>
          h("li", {}, render(item), h("span", { class: "count" }, count(item.article_count))),
        );
        fill(target, items.length ? items : h("li", { class: "muted" }, "None found."));
      }),
    ),
  );
}

function exportLink() {
  const link = document.getElementById("export-link");
  const url = apiUrl("/v1/articles/export", [...filters, ["format", "csv"]]);
  link.href = url;
  link.addEventListener("click", async (event) => {
    const key = storedKey();
    if (!key) return; // a plain download
    event.preventDefault();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    const file = URL.createObjectURL(await response.blob());
    const anchor = h("a", { href: file, download: "articles.csv" });
    anchor.click();
    URL.revokeObjectURL(file);
  });
}

// The filters a subscription saves: the search's own, lists where the API repeats them.
const LISTS = new Set(["actor", "outlet", "author", "topic", "genre", "genre_source", "language"]);
const NOT_SAVED = new Set(["sort", "status"]);

/** "Follow this search": a feed subscription of these filters, and its Atom link. */
function followButton() {
  const button = document.getElementById("follow-button");
  const result = document.getElementById("follow-result");
  button.addEventListener("click", async () => {
    const saved = {};
    for (const [key, value] of filters) {
      if (NOT_SAVED.has(key)) continue;
      if (LISTS.has(key)) (saved[key] ||= []).push(value);
      else saved[key] = value;
    }
    const title = filters.filter(([key]) => !NOT_SAVED.has(key)).map(([, v]) => v).join(", ");
    button.disabled = true;
    try {
      const created = await api("/v1/subscriptions", {
        body: { name: title || "Every analysed article", filters: saved },
      });
      // a feed reader sends no header: the tab's key, where it has one, goes in the link
      const key = storedKey();
      const feed = apiUrl(created.feed, key ? [["token", key]] : []);
      fill(result, "Following: new matches are listed in ", h("a", { href: feed }, "this Atom feed"), ` (subscription ${created.id}).`);
    } catch (error) {
      fill(result, problemBox(error));
    } finally {
      button.disabled = false;
    }
  });
}

fillForm();
exportLink();
followButton();
await Promise.all([
  findNames(),
  // without the menu the topic filter is still in the URL and applied
  loadTopics().catch(() => {}),
  articlePages(document.getElementById("article-results"), filters, { limit: 20 }),
]);
markReady();
