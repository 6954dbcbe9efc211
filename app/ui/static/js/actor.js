// The actor page: its profile, its timeline, the comparison by outlet, co-mentioned actors, and
// what it said about others and what others said about it (quotations), and recent articles with
// the author's stance toward it and the passages behind each stance.

import { articlePages } from "./articles.js";
import {
  api,
  count,
  day,
  fill,
  h,
  label,
  links,
  loading,
  markReady,
  meanBar,
  pageParams,
  plural,
  problemBox,
  root,
  score,
  side,
  tallyBar,
} from "./lens.js";
import { relationsList } from "./quotes.js";
import { quotedPassages } from "./text.js";
import { drawTimeline, timelineTable } from "./timeline.js";

// The table lists the outlets that mention the actor most; the outlet menu offers more.
const TABLE_OUTLETS = 15;
const MENU_OUTLETS = 50;
const id = Number(document.getElementById("actor-page").dataset.actor);
const form = document.getElementById("actor-filters");
const params = pageParams();
const chosen = (name) => params.filter(([key]) => key === name).map(([, value]) => value);
// Without a choice: weeks for up to two years of coverage, months beyond (hundreds of weekly
// bars are no longer readable).
const WEEKS_UP_TO_DAYS = 731;
let interval = chosen("interval")[0] || null;
const outlets = chosen("outlet");
const range = [...chosen("from").map((v) => ["from", v]), ...chosen("to").map((v) => ["to", v])];

function fillForm() {
  form.elements.from.value = chosen("from")[0] || "";
  form.elements.to.value = chosen("to")[0] || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = [...new FormData(form)].filter(([, value]) => value !== "");
    location.assign(`${location.pathname}?${new URLSearchParams(values)}`);
  });
}

function stat(name, value, extra) {
  return h("div", { class: "stat" }, h("span", { class: "stat-label" }, name), h("span", { class: "stat-value" }, value), extra);
}

function showProfile(actor) {
  document.title = `${actor.name} · Commentary Lens`;
  fill("actor-name", actor.name);
  fill("actor-kind", `${label(actor.kind)} · ${actor.key}`);
  const aliases = actor.aliases.filter((a) => a.toLowerCase() !== actor.name.toLowerCase());
  fill("actor-aliases", aliases.length ? `Also: ${aliases.join(", ")}` : "");
  showRelations(actor);
  const s = actor.sentiment;
  fill(
    "actor-stats",
    stat("Articles", count(actor.article_count)),
    stat("Mentions", count(actor.mention_count)),
    stat("First seen", day(actor.first_seen)),
    stat("Last seen", day(actor.last_seen)),
    stat(
      "Authors' stance",
      h("span", { class: `stance-text-${side(s.mean)}` }, score(s.mean)),
      tallyBar(s),
    ),
  );
  const select = form.elements.outlet;
  for (const row of actor.by_outlet) {
    if (row.outlet_id !== null) select.append(h("option", { value: row.outlet_id }, row.outlet));
  }
  select.value = outlets[0] || "";
  showOutlets(actor);
  showCoMentions(actor);
}

function rangeText() {
  const [from, to] = [chosen("from")[0], chosen("to")[0]];
  if (!from && !to) return "all dates";
  return from && to ? `${from} to ${to}` : from ? `from ${from}` : `up to ${to}`;
}

function showOutlets(actor) {
  fill("outlets-caption", `How each outlet's authors write about it, ${rangeText()}.`);
  fill("co-caption", `The actors most often named in the same articles, ${rangeText()}.`);
  if (!actor.by_outlet.length) return fill("by-outlet", h("p", { class: "muted" }, "No articles yet."));
  const rows = actor.by_outlet.slice(0, TABLE_OUTLETS).map((row) =>
    h(
      "tr",
      {},
      h(
        "th",
        { scope: "row" },
        row.outlet_id === null ? h("span", { class: "muted" }, "no outlet") : h("a", { href: links.outlet(row.outlet_id) }, row.outlet),
      ),
      h("td", { class: "num" }, count(row.articles)),
      h("td", { class: "num" }, h("span", { class: `stance-text-${side(row.sentiment.mean)}` }, score(row.sentiment.mean))),
      h("td", {}, meanBar(row.sentiment.mean)),
      h("td", {}, tallyBar(row.sentiment)),
      h(
        "td",
        {},
        row.outlet_id === null
          ? ""
          : h("a", { href: `?${new URLSearchParams([...chosen("interval").map((v) => ["interval", v]), ["outlet", row.outlet_id], ...range])}`, class: "small", "aria-label": `Only ${row.outlet}` }, "only this"),
      ),
    ),
  );
  fill(
    "by-outlet",
    h(
      "table",
      { class: "numbers" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Outlet"),
          h("th", { scope: "col", class: "num" }, "Articles"),
          h("th", { scope: "col", class: "num" }, "Mean"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Mean stance as a bar")),
          h("th", { scope: "col" }, "− / ○ / +"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Filter")),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
  return undefined;
}

// An institution's country ("Part of United States"), a country's institutions ("Parts: White
// House, ..."), each a link to its own page; the parts' articles are one search away.
function showRelations(actor) {
  const pieces = [];
  if (actor.part_of) {
    pieces.push("Part of ", h("a", { href: links.actor(actor.part_of.id), id: "actor-part-of" }, actor.part_of.name));
  }
  if (actor.parts.length) {
    if (pieces.length) pieces.push(" · ");
    pieces.push("Parts: ");
    actor.parts.forEach((part, i) => {
      if (i) pieces.push(", ");
      pieces.push(h("a", { href: links.actor(part.id), class: "actor-part" }, part.name));
    });
    const all = new URLSearchParams([["actor", String(actor.id)], ["include_parts", "true"]]);
    pieces.push(" (", h("a", { href: `${root}/ui?${all}`, id: "actor-with-parts" }, "articles on any of them"), ")");
  }
  fill("actor-relations", ...pieces);
}

function showCoMentions(actor) {
  if (!actor.co_mentions.length) return fill("co-mentions", h("p", { class: "muted" }, "No other actors."));
  const items = actor.co_mentions.map((co) => {
    const both = new URLSearchParams([["actor", String(actor.id)], ["actor", String(co.actor.id)], ...range]);
    return h(
      "li",
      {},
      h("a", { href: links.actor(co.actor.id) }, co.actor.name),
      h("span", { class: "muted" }, ` ${co.actor.kind}`),
      h("a", { class: "count", href: `${root}/ui?${both}`, "aria-label": `${plural(co.articles, "article")} naming both ${actor.name} and ${co.actor.name}` }, plural(co.articles, "article")),
    );
  });
  fill("co-mentions", h("ul", { class: "entity-list" }, items));
  return undefined;
}

function defaultInterval(actor) {
  const first = chosen("from")[0] || actor.first_seen;
  const last = chosen("to")[0] || actor.last_seen;
  if (!first || !last) return "week";
  const days = (Date.parse(day(last)) - Date.parse(day(first))) / 86_400_000;
  return days > WEEKS_UP_TO_DAYS ? "month" : "week";
}

async function showTimeline() {
  const query = [["interval", interval], ...outlets.map((o) => ["outlet", o]), ...range];
  const timeline = await api(`/v1/actors/${id}/timeline`, { params: query });
  const points = timeline.points;
  fill(
    "timeline-caption",
    points.length
      ? `${label(interval)} by ${interval}, ${points[0].period} to ${day(timeline.to)}; periods without articles count zero.` +
          (outlets.length ? " Only the chosen outlet." : "")
      : "No analysed articles in this range.",
  );
  drawTimeline(document.getElementById("timeline-chart"), timeline);
  fill("timeline-table", timelineTable(timeline));
}

/**
 * Each listed article's passages behind the stance toward this actor: one call per page of the
 * list (GET /v1/actors/{id}/passages), each quote with its text, not one whole article per item.
 */
async function addPassages(items, elements) {
  const blocks = new Map();
  for (const element of elements) {
    element.dataset.passages = "loading";
    const block = h("div", { class: "evidence-block" }, h("p", { class: "evidence-title" }, "Passages behind this stance"));
    element.append(block);
    blocks.set(element.dataset.article, { element, block });
  }
  if (!blocks.size) return;
  const ids = [...blocks.keys()];
  let found;
  try {
    found = await api(`/v1/actors/${id}/passages`, { params: ids.map((article) => ["article", article]) });
  } catch (error) {
    for (const { block } of blocks.values()) block.append(problemBox(error));
    return;
  }
  const byArticle = new Map(found.items.map((item) => [String(item.article_id), item]));
  for (const [article, { element, block }] of blocks) {
    const item = byArticle.get(article);
    block.append(item ? quotedPassages(item.passages) : h("p", { class: "muted" }, "No longer found in this article."));
    element.dataset.passages = "shown";
  }
}

/** The profile; then the timeline, once the interval is known (the profile has the dates). */
async function showActor() {
  // the same dates as the chart and the list, so the three tell one story
  const profile = api(`/v1/actors/${id}`, { params: [["outlets", String(MENU_OUTLETS)], ["co_mentions", "12"], ...range] });
  let timeline = null;
  if (interval) timeline = loading("timeline", showTimeline);
  const actor = await loading("actor-stats", async () => {
    const found = await profile;
    showProfile(found);
    return found;
  });
  if (!interval) {
    interval = actor ? defaultInterval(actor) : "week";
    timeline = loading("timeline", showTimeline);
  }
  form.elements.interval.value = interval;
  await timeline;
}

/** What it said about others and what others said about it, over the page's dates and outlet. */
async function showQuotedRelations() {
  const query = [...outlets.map((o) => ["outlet", o]), ...range, ["actors", "8"]];
  await Promise.all(
    [
      ["from", "said-about-others"],
      ["to", "said-about-it"],
    ].map(([direction, element]) =>
      loading(element, async () => {
        const relations = await api(`/v1/actors/${id}/relations`, { params: [["direction", direction], ...query] });
        fill(element, relationsList(relations));
      }),
    ),
  );
}

fillForm();
await Promise.all([
  showActor(),
  showQuotedRelations(),
  articlePages(document.getElementById("actor-articles"), [["actor", String(id)], ...outlets.map((o) => ["outlet", o]), ...range], {
    limit: 10,
    focus: id,
    decorate: addPassages,
  }),
]);
markReady();
