// An analysed text as the article and analyse pages show it: actor mentions marked and coloured
// by the author's stance toward the actor, and the passages that drove each stance.
//
// The API's offsets count Unicode code points (Python's str); JavaScript strings count UTF-16
// units, so every slice goes through an array of code points.

import { h, label, score } from "./lens.js";
import { speakerColours } from "./quotes.js";

const QUOTE_CHARS = 420;

const pointsCache = new WeakMap();

/** The article as code points, computed once per analysed text object. */
function points(doc) {
  let chars = pointsCache.get(doc);
  if (!chars) {
    chars = Array.from(doc.text);
    pointsCache.set(doc, chars);
  }
  return chars;
}

function slice(doc, start, end) {
  return points(doc).slice(start, end).join("");
}

/**
 * The passages behind the author's stance toward ``actor``, strongest first: its
 * `sentiment.passages` (character offsets) where the API gives them, else the sentences of
 * `sentiment.evidence` (indexes into the text's sentences).
 */
export function passagesOf(actor, sentences) {
  const sentiment = actor.sentiment || {};
  // articles analysed before the stance model have an empty list: their evidence sentences
  if (Array.isArray(sentiment.passages) && sentiment.passages.length) {
    return sentiment.passages.map((p) => ({ ...p, kind: "passage" }));
  }
  const byIndex = new Map(sentences.map((s) => [s.index, s]));
  return (sentiment.evidence || [])
    .map((index) => byIndex.get(index))
    .filter(Boolean)
    .map((s) => ({ start: s.start, end: s.end, label: s.label, score: s.score, kind: "sentence" }));
}

/**
 * ``doc``: {text, sentences, actors: [{ref, name, sentiment}], mentions: [{ref, start, end}]}
 * where ``ref`` ties a mention to its actor. Returns the text as an element.
 */
export function annotatedText(doc) {
  const actors = new Map(doc.actors.map((a) => [a.ref, a]));
  const mentions = nonOverlapping(doc.mentions);
  const evidence = doc.actors.flatMap((a) =>
    passagesOf(a, doc.sentences).map((p) => ({ ...p, ref: a.ref })),
  );
  const quotes = doc.quotations || [];
  const colours = speakerColours(quotes);
  const length = points(doc).length;
  const cuts = new Set([0, length]);
  for (const range of [...mentions, ...evidence, ...quotes]) {
    cuts.add(clamp(range.start, length));
    cuts.add(clamp(range.end, length));
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  const container = h("div", { class: "article-text" });
  let m = 0;
  let mark = null;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [start, end] = [bounds[i], bounds[i + 1]];
    while (m < mentions.length && mentions[m].end <= start) m++;
    const mention = m < mentions.length && mentions[m].start <= start ? mentions[m] : null;
    const refs = evidence.filter((p) => p.start <= start && end <= p.end).map((p) => p.ref);
    const text = slice(doc, start, end);
    const said = quotes.find((q) => q.start <= start && end <= q.end);
    const words = said ? quotedPiece(said, colours, text) : text;
    const piece = refs.length
      ? h("span", { class: "evidence", "data-evidence": [...new Set(refs)].join(" ") }, words)
      : words;
    if (!mention) {
      mark = null;
      container.append(piece);
      continue;
    }
    if (!mark || mark.mention !== mention) {
      mark = markFor(mention, actors.get(mention.ref));
      mark.mention = mention;
      container.append(mark);
    }
    mark.append(piece);
  }
  return container;
}

/** A piece of quoted words, coloured by its speaker (the quotation's start ties the pieces). */
function quotedPiece(quote, colours, text) {
  const name = quote.speaker ? quote.speaker.name : quote.speaker_name;
  const colour = name && colours.has(name) ? colours.get(name) : "none";
  const title = name ? `${name} ${quote.cue || "(continued)"}` : "Speaker not given";
  return h("span", { class: `said speaker-${colour}`, "data-speaker": name || "", "data-quote": String(quote.start), title }, text);
}

function markFor(mention, actor) {
  const sentiment = actor ? actor.sentiment : null;
  const stance = sentiment ? sentiment.label : "neutral";
  const title = actor
    ? `${actor.name}: the author's stance is ${stance} (${score(sentiment.score)})`
    : "";
  return h("mark", { class: `mention stance-${stance}`, "data-actor": mention.ref, title });
}

/** Mentions in text order, any that overlaps an earlier one left out. */
function nonOverlapping(mentions) {
  const sorted = [...mentions].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  for (const mention of sorted) {
    if (!kept.length || mention.start >= kept[kept.length - 1].end) kept.push(mention);
  }
  return kept;
}

function clamp(offset, length) {
  return Math.max(0, Math.min(offset, length));
}

/**
 * The passages behind the stance toward ``actor`` as quotes (at most ``limit``), the actor's
 * mentions emphasised; a long passage is cut around its first mention.
 */
export function passageQuotes(doc, actor, { limit = 3 } = {}) {
  const passages = passagesOf(actor, doc.sentences).slice(0, limit);
  if (!passages.length) return h("p", { class: "muted" }, "No passages recorded.");
  const own = doc.mentions.filter((m) => m.ref === actor.ref);
  return h(
    "ol",
    { class: "passages" },
    passages.map((passage) => h("li", {}, quote(doc, passage, own))),
  );
}

/**
 * Passages as `GET /v1/actors/{id}/passages` gives them (each with its text and the actor's
 * mentions inside it, offsets relative to that text) as quotes, at most ``limit``.
 */
export function quotedPassages(passages, { limit = 3 } = {}) {
  if (!passages.length) return h("p", { class: "muted" }, "No passages recorded.");
  return h(
    "ol",
    { class: "passages" },
    passages.slice(0, limit).map((passage) => {
      const doc = { text: passage.text };
      const local = { ...passage, start: 0, end: points(doc).length };
      return h("li", {}, quote(doc, local, passage.mentions));
    }),
  );
}

function quote(doc, passage, mentions) {
  let { start, end } = passage;
  const inside = mentions.filter((m) => m.start >= start && m.end <= end);
  if (end - start > QUOTE_CHARS) {
    const focus = inside.length ? inside[0].start : start;
    start = Math.max(start, focus - QUOTE_CHARS / 3);
    end = Math.min(end, start + QUOTE_CHARS);
  }
  const body = h("blockquote", {});
  if (start > passage.start) body.append("… ");
  let at = start;
  for (const mention of inside) {
    if (mention.start < at || mention.end > end) continue;
    body.append(slice(doc, at, mention.start), h("strong", {}, slice(doc, mention.start, mention.end)));
    at = mention.end;
  }
  body.append(slice(doc, at, end).trimEnd());
  if (end < passage.end) body.append(" …");
  const note =
    passage.kind === "passage"
      ? `${label(passage.label)} ${score(passage.score)}, weight ${passage.weight.toFixed(2)}`
      : passage.label
        ? `Sentence: ${passage.label} ${score(passage.score)}`
        : "Sentence";
  return h("figure", { class: `quote stance-edge-${passage.label || "neutral"}` }, body, h("figcaption", {}, note));
}

/** The article or analysis of the API in the shape these functions read. */
export function fromArticle(article) {
  return {
    text: article.text,
    sentences: article.sentences,
    actors: article.actors.map((a) => ({ ...a, ref: String(a.id) })),
    mentions: article.mentions.map((m) => ({ ...m, ref: String(m.actor_id) })),
    quotations: article.quotations || [],
  };
}

export function fromAnalysis(text, analysis) {
  // refs are tokens of a data- attribute list: an actor's key may hold spaces, an index never
  const refs = new Map(analysis.actors.map((a, i) => [a.key, `a${i}`]));
  return {
    text,
    sentences: analysis.sentences,
    actors: analysis.actors.map((a) => ({ ...a, ref: refs.get(a.key) })),
    mentions: analysis.actors.flatMap((a) => a.mentions.map((m) => ({ ...m, ref: refs.get(a.key) }))),
    quotations: analysis.quotations || [],
  };
}
