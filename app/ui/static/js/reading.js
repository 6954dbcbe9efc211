// The panels of an analysed text, shared by the article and analyse pages: the text with its
// actors marked, the document sentiment, the topics, and each actor with its passages.

import { h, label, links, percent, stanceBadge } from "./lens.js";
import { annotatedText, passageQuotes, passagesOf } from "./text.js";

const LABELS = ["negative", "neutral", "positive"];

export function textPanel(doc) {
  const legend = h(
    "p",
    { class: "legend" },
    "Actors are marked by the author's stance toward them: ",
    LABELS.map((name) => h("mark", { class: `mention stance-${name}` }, name)).flatMap((m, i) => (i ? [" ", m] : [m])),
    ". ",
    h("span", { class: "evidence on legend-sample" }, "Underlined"),
    ": the passages behind the stance of the actor you show. ",
    (doc.quotations || []).length ? h("span", { class: "said speaker-0" }, "Italic") : "",
    (doc.quotations || []).length ? ": quoted words, in the colour of their speaker (hover for who)." : "",
  );
  return h("div", {}, legend, annotatedText(doc));
}

export function sentimentPanel(sentiment) {
  if (!sentiment) return h("p", { class: "muted" }, "Not analysed yet.");
  const bars = LABELS.map((name) => {
    const p = sentiment.probabilities[name] ?? 0;
    const bar = h("span", { class: `share-bar stance-bar-${name}` }, h("span", {}));
    bar.firstChild.style.width = percent(p);
    return h("li", {}, h("span", { class: "share-label" }, name), bar, h("span", { class: "share-value" }, percent(p)));
  });
  return h(
    "div",
    {},
    h("p", {}, stanceBadge(sentiment), h("span", { class: "muted small" }, " score = p(positive) − p(negative)")),
    h("ul", { class: "shares compact", "aria-label": "Probabilities" }, bars),
  );
}

export function topicsPanel(topics) {
  if (!topics.length) return h("p", { class: "muted" }, "No topics.");
  return h(
    "ul",
    { class: "shares compact" },
    topics.map((topic) => {
      const bar = h("span", { class: "share-bar" }, h("span", {}));
      bar.firstChild.style.width = percent(topic.score);
      return h(
        "li",
        {},
        h("span", { class: "share-label" }, label(topic.label)),
        bar,
        h("span", { class: "share-value" }, topic.score.toFixed(2)),
      );
    }),
  );
}

/** Each actor, most salient first: its stance, and its passages (shown in the text on demand). */
export function actorsPanel(doc, textRoot) {
  if (!doc.actors.length) return h("p", { class: "muted" }, "No actors found.");
  const items = doc.actors.map((actor) => {
    const name = actor.id ? h("a", { href: links.actor(actor.id) }, actor.name) : h("span", {}, actor.name);
    const n = passagesOf(actor, doc.sentences).length;
    const toggle = h("button", { type: "button", class: "link-button", "aria-pressed": "false" }, "Show in text");
    toggle.addEventListener("click", () => showEvidence(textRoot, actor.ref, toggle));
    return h(
      "li",
      { class: "actor-entry" },
      h("div", { class: "actor-line" }, h("strong", {}, name), " ", stanceBadge(actor.sentiment)),
      h(
        "p",
        { class: "muted small" },
        `${label(actor.kind)} · ${actor.mention_count} mention${actor.mention_count === 1 ? "" : "s"} · salience ${percent(actor.salience)}`,
        actor.part_of ? [" · part of ", partOf(actor.part_of)] : null,
      ),
      h(
        "details",
        {},
        h("summary", {}, `Passages behind the stance (${n})`),
        passageQuotes(doc, actor),
        n ? toggle : null,
      ),
    );
  });
  return h("ol", { class: "actor-entries" }, items);
}

// the actor an institution belongs to: a link where it is stored (the article page), its name
// where it is not (POST /v1/analyze gives no ids)
function partOf(parent) {
  return parent.id ? h("a", { href: links.actor(parent.id), class: "part-of" }, parent.name) : h("span", { class: "part-of" }, parent.name);
}

function showEvidence(textRoot, ref, toggle) {
  const on = toggle.getAttribute("aria-pressed") !== "true";
  for (const button of document.querySelectorAll(".actor-entries button[aria-pressed]")) {
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Show in text";
  }
  for (const span of textRoot.querySelectorAll(".evidence.on")) span.classList.remove("on");
  if (!on) return;
  toggle.setAttribute("aria-pressed", "true");
  toggle.textContent = "Hide in text";
  const spans = textRoot.querySelectorAll(`[data-evidence~="${CSS.escape(ref)}"]`);
  for (const span of spans) span.classList.add("on");
  spans[0]?.scrollIntoView({ block: "center", behavior: "smooth" });
}
