// Quotations: who said what about whom. The actor page's two panels (what it said about others,
// what others said about it: GET /v1/actors/{id}/relations) and the article page's list of
// quotations by speaker, each quotation with the speaker's stance toward the actors it names.

import { h, links, plural, stanceBadge, tallyBar } from "./lens.js";

const QUOTE_CHARS = 260;
const SPEAKER_COLOURS = 6;

function short(text) {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS).trimEnd()} …` : text;
}

function actorLink(actor) {
  return actor.id === null || actor.id === undefined
    ? h("span", {}, actor.name)
    : h("a", { href: links.actor(actor.id) }, actor.name);
}

function speakerOf(quote) {
  if (quote.speaker) return actorLink(quote.speaker);
  return h("span", { class: "muted" }, quote.speaker_name || "unnamed speaker");
}

function targets(quote) {
  if (!quote.targets.length) return null;
  return h(
    "p",
    { class: "small quote-targets" },
    "About ",
    quote.targets.map((t, i) => h("span", { class: "quote-target" }, i ? ", " : "", actorLink(t.actor), " ", stanceBadge(t))),
  );
}

/** One quotation as a figure: the words, who said them (and how we know), the targets. */
export function quotationFigure(quote, { withArticle = false } = {}) {
  const how = quote.how === "explicit" || quote.how === "none" ? "" : ` (${quote.how})`;
  const caption = h("figcaption", {}, "— ", speakerOf(quote), quote.cue ? ` ${quote.cue}` : "", how);
  if (withArticle && quote.article_id) {
    caption.append(" · ", h("a", { href: links.article(quote.article_id) }, quote.title || `article ${quote.article_id}`));
    if (quote.outlet) caption.append(h("span", { class: "muted" }, ` (${quote.outlet})`));
  }
  return h(
    "figure",
    { class: `quote quotation ${quote.kind}`, "data-quote": String(quote.start) },
    h("blockquote", {}, quote.kind === "direct" ? `“${short(quote.text)}”` : short(quote.text)),
    caption,
    targets(quote),
  );
}

/** The relations of `GET /v1/actors/{id}/relations` as a list: each other actor with its
 * counts by stance and the latest quotation. */
export function relationsList(relations) {
  if (!relations.items.length) {
    return h("p", { class: "muted" }, relations.direction === "from" ? "No quotations of it naming other actors." : "No quotations about it.");
  }
  return h(
    "ul",
    { class: "relations" },
    relations.items.map((item) => {
      const total = item.quotations.negative + item.quotations.neutral + item.quotations.positive;
      return h(
        "li",
        { class: "relation", "data-other": String(item.actor.id) },
        h("p", {}, actorLink(item.actor), " ", h("span", { class: "muted" }, `${plural(total, "quotation")} in ${plural(item.articles, "article")}`), " ", tallyBar(item.quotations)),
        item.latest.length ? quotationFigure(item.latest[0], { withArticle: true }) : null,
      );
    }),
  );
}

/** A colour number per speaker, in order of first quotation (unnamed speakers share none). */
export function speakerColours(quotations) {
  const colours = new Map();
  for (const q of quotations) {
    const name = q.speaker ? q.speaker.name : q.speaker_name;
    if (name && !colours.has(name)) colours.set(name, colours.size % SPEAKER_COLOURS);
  }
  return colours;
}

/** The article's quotations grouped by speaker, in order of each speaker's first quotation. */
export function quotationsPanel(quotations) {
  if (!quotations || !quotations.length) return h("p", { class: "muted" }, "No quotations found.");
  const colours = speakerColours(quotations);
  const groups = new Map();
  for (const q of quotations) {
    const name = q.speaker ? q.speaker.name : q.speaker_name || "";
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(q);
  }
  return h(
    "div",
    { class: "quotations" },
    [...groups].map(([name, quotes]) =>
      h(
        "section",
        { class: `speaker-group speaker-${colours.has(name) ? colours.get(name) : "none"}`, "data-speaker": name },
        h("h3", {}, name ? (quotes[0].speaker ? actorLink(quotes[0].speaker) : name) : "Speaker not given", " ", h("span", { class: "muted small" }, plural(quotes.length, "quotation"))),
        quotes.map((q) => quotationFigure(q)),
      ),
    ),
  );
}


