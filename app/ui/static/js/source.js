// The outlet and author pages: counts and tone, top actors with the stance toward each, the
// topic mix and recent articles. Reached by id, or by ?name= from an article, which knows names.

import { articlePages } from "./articles.js";
import {
  ApiError,
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
  percent,
  plural,
  problemBox,
  score,
  side,
  tallyBar,
} from "./lens.js";

const page = document.getElementById("source-page");
const kind = page.dataset.kind; // "outlet" or "author"
const NAME_PAGES = 5;

/** The id of the outlet or author called ``name`` (any case), by the list's `q`. */
async function idNamed(name) {
  let cursor = null;
  for (let n = 0; n < NAME_PAGES; n++) {
    const params = [["q", name], ["limit", "100"]];
    if (cursor) params.push(["cursor", cursor]);
    const list = await api(`/v1/${kind}s`, { params });
    const found = list.items.find((item) => item.name.toLowerCase() === name.toLowerCase());
    if (found) return found.id;
    cursor = list.next_cursor;
    if (!cursor) break;
  }
  throw new ApiError(404, { title: "Not found", detail: `No ${kind} is called “${name}”.` });
}

function stat(name, value, extra) {
  return h("div", { class: "stat" }, h("span", { class: "stat-label" }, name), h("span", { class: "stat-value" }, value), extra);
}

function showProfile(profile) {
  document.title = `${profile.name} · Commentary Lens`;
  fill("source-name", profile.name);
  const s = profile.sentiment;
  fill(
    "source-stats",
    stat("Articles", count(profile.article_count)),
    stat("First published", day(profile.first_published)),
    stat("Last published", day(profile.last_published)),
    stat("Document tone", h("span", { class: `stance-text-${side(s.mean)}` }, score(s.mean)), tallyBar(s)),
  );
  if (profile.outlets) {
    const outlets = profile.outlets.map((o) => h("a", { href: links.outlet(o.id) }, `${o.name} (${count(o.articles)})`));
    fill("source-outlets", outlets.length ? ["Writes for ", outlets.flatMap((a, i) => (i ? [", ", a] : [a]))] : "");
  }
  showActors(profile.top_actors);
  showTopics(profile.topics);
}

function showActors(shares) {
  if (!shares.length) return fill("top-actors", h("p", { class: "muted" }, "No actors yet."));
  const head = ["Actor", "Articles", "Mean", "", "− / ○ / +"];
  fill(
    "top-actors",
    h(
      "table",
      { class: "numbers" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((text, i) =>
            h("th", { scope: "col", class: i === 1 || i === 2 ? "num" : null }, text || h("span", { class: "visually-hidden" }, "Mean stance as a bar")),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        shares.map((share) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("a", { href: links.actor(share.actor.id) }, share.actor.name)),
            h("td", { class: "num" }, count(share.articles)),
            h("td", { class: "num" }, h("span", { class: `stance-text-${side(share.sentiment.mean)}` }, score(share.sentiment.mean))),
            h("td", {}, meanBar(share.sentiment.mean)),
            h("td", {}, tallyBar(share.sentiment)),
          ),
        ),
      ),
    ),
  );
  return undefined;
}

function showTopics(topics) {
  if (!topics.length) return fill("topic-mix", h("p", { class: "muted" }, "No topics yet."));
  const items = topics.map((topic) => {
    const bar = h("span", { class: "share-bar" }, h("span", {}));
    bar.firstChild.style.width = percent(topic.share);
    return h(
      "li",
      {},
      h("span", { class: "share-label" }, label(topic.label)),
      bar,
      h("span", { class: "share-value" }, `${percent(topic.share)} · ${plural(topic.articles, "article")}`),
    );
  });
  fill("topic-mix", h("ul", { class: "shares" }, items));
  return undefined;
}

async function main() {
  let id = page.dataset.id;
  if (!id) {
    const name = new URLSearchParams(location.search).get("name") || "";
    id = String(await idNamed(name));
    history.replaceState(null, "", links[kind](id));
  }
  await Promise.all([
    loading("source-stats", async () => showProfile(await api(`/v1/${kind}s/${id}`, { params: [["actors", "15"]] }))),
    articlePages(document.getElementById("source-articles"), [[kind, id]], { limit: 10 }),
  ]);
}

try {
  await main();
} catch (error) {
  fill("source-stats", problemBox(error));
}
markReady();
