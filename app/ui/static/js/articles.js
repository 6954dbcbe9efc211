// Article lists: items of GET /v1/articles, one page at a time (cursor paging).

import { api, day, fill, h, label, links, loading, plural, problemBox, score, stanceBadge } from "./lens.js";

const MARKS = { negative: "▼", neutral: "●", positive: "▲" };

/** An actor's name, linked, marked with the author's stance toward it. */
export function actorChip(actor) {
  const stance = actor.sentiment ? actor.sentiment.label : "neutral";
  const title = actor.sentiment
    ? `The author's stance toward ${actor.name}: ${stance} ${score(actor.sentiment.score)}`
    : actor.name;
  return h(
    "a",
    { class: `chip stance-${stance}`, href: links.actor(actor.id), title },
    h("span", { "aria-hidden": "true", class: "mark" }, MARKS[stance] || ""),
    actor.name,
    h("span", { class: "visually-hidden" }, ` (${stance})`),
  );
}

export function sourceLine(article) {
  const parts = [];
  if (article.outlet) parts.push(h("a", { href: links.outletNamed(article.outlet) }, article.outlet));
  parts.push(h("time", { datetime: day(article.published) }, day(article.published)));
  const authors = article.authors || [];
  if (authors.length) {
    const named = authors.map((name) => h("a", { href: links.authorNamed(name) }, name));
    parts.push(h("span", {}, "by ", named.flatMap((a, i) => (i ? [", ", a] : [a]))));
  }
  return h("p", { class: "meta" }, parts.flatMap((p, i) => (i ? [" · ", p] : [p])));
}

/** One list item; ``focus`` (an actor id) shows the stance toward that actor first. */
export function articleItem(article, { focus = null } = {}) {
  const item = h(
    "li",
    { class: "article-item", "data-article": article.id },
    h("h3", { class: "article-title" }, h("a", { href: links.article(article.id) }, article.title || "(untitled)")),
    sourceLine(article),
  );
  const focused = focus && (article.matched_actors || []).find((a) => a.id === focus);
  if (focused) {
    item.append(
      h("p", { class: "focus-stance" }, "Stance toward ", focused.name, ": ", stanceBadge(focused.sentiment)),
    );
  }
  if (article.status && article.status !== "done") {
    item.append(h("p", { class: "muted" }, `Analysis ${article.status}.`));
    return item;
  }
  const tags = h("div", { class: "tags" });
  if (article.sentiment) tags.append(stanceBadge(article.sentiment, { prefix: "document " }));
  for (const topic of article.topics || []) tags.append(h("span", { class: "topic" }, label(topic.label)));
  item.append(tags);
  const others = (article.actors || []).filter((a) => a.id !== focus).slice(0, 8);
  if (others.length) item.append(h("p", { class: "chips" }, others.map(actorChip)));
  return item;
}

/**
 * The articles matching ``params`` in ``target``, ``limit`` per page, with a button for the next
 * page; ``decorate(items, elements)`` runs on each page shown (the actor page adds passages).
 */
export async function articlePages(target, params, { limit = 10, focus = null, decorate = null, empty = "No articles match." } = {}) {
  const list = h("ol", { class: "article-list" });
  const status = h("p", { class: "muted list-status", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "More articles");
  let cursor = null;
  let shown = 0;

  async function next() {
    const query = [...params, ["limit", String(limit)]];
    if (cursor) query.push(["cursor", cursor]);
    more.disabled = true;
    try {
      const page = await api("/v1/articles", { params: query });
      const elements = page.items.map((article) => articleItem(article, { focus }));
      list.append(...elements);
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = shown ? `Showing ${plural(shown, "article")}${cursor ? "" : ", all there are"}.` : empty;
      if (decorate) await decorate(page.items, elements);
    } catch (error) {
      list.after(problemBox(error));
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", next);
  fill(target, list, status, more);
  await loading(target, next);
}
