// The article page: the text with its actors marked by the author's stance, the passages behind
// each stance, its quotations by speaker, the document sentiment, topics, the models that produced
// them, earlier analyses.

import { sourceLine } from "./articles.js";
import { api, day, fill, h, label, loading, markReady, stanceBadge } from "./lens.js";
import { actorsPanel, sentimentPanel, textPanel, topicsPanel } from "./reading.js";
import { quotationsPanel } from "./quotes.js";
import { fromArticle } from "./text.js";

const id = Number(document.getElementById("article-page").dataset.article);

function showHead(article) {
  document.title = `${article.title || "Article"} · Commentary Lens`;
  fill("article-title", article.title || "(untitled)");
  const kicker = ["Article", article.genre !== "unknown" ? article.genre : null, article.language]
    .filter(Boolean)
    .join(" · ");
  fill("article-kicker", kicker);
  const meta = sourceLine(article);
  if (article.url && /^https?:/i.test(article.url)) {
    meta.append(" · ", h("a", { href: article.url, rel: "noopener noreferrer external" }, "original ↗"));
  }
  fill("article-meta", meta);
  if (article.status !== "done") {
    const why = article.status === "failed" ? ` The last attempt failed: ${article.last_error}` : "";
    fill("article-status", h("p", { class: "notice" }, `Analysis ${article.status} (${article.attempts} attempts).${why}`));
  }
}

function showModels(article) {
  const run = article.analysis_run;
  if (!run) return fill("article-models", h("p", { class: "muted" }, "Not analysed yet."));
  return fill(
    "article-models",
    h("p", { class: "small" }, `Analysed ${day(article.analyzed_at)} by run ${run.id} (`, h("code", {}, run.fingerprint.slice(0, 12)), ")."),
    h(
      "table",
      { class: "numbers compact" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Component"), h("th", { scope: "col" }, "Model"))),
      h(
        "tbody",
        {},
        Object.entries(run.models).map(([part, model]) => h("tr", {}, h("th", { scope: "row" }, part), h("td", {}, h("code", {}, model)))),
      ),
    ),
  );
}

function showHistory(history) {
  if (!history || !history.length) return fill("article-history", h("p", { class: "muted" }, "None: analysed once."));
  return fill(
    "article-history",
    h(
      "ol",
      { class: "history" },
      history.map((entry) =>
        h(
          "li",
          {},
          h("p", {}, h("strong", {}, `Run ${entry.analysis_run_id ?? "?"}`), ` (${day(entry.analyzed_at)}), replaced ${day(entry.replaced_at)} by run ${entry.replaced_by_run_id}`),
          h("p", { class: "small" }, "Document ", stanceBadge(entry.sentiment), entry.topics.length ? ` · ${entry.topics.map((t) => label(t.label)).join(", ")}` : ""),
          entry.actors.length
            ? h("p", { class: "small" }, entry.actors.map((a) => h("span", { class: "history-actor" }, `${a.name} `, stanceBadge(a))))
            : null,
        ),
      ),
    ),
  );
}

await loading("article-text", async () => {
  const article = await api(`/v1/articles/${id}`, { params: [["include", "history"]] });
  showHead(article);
  const doc = fromArticle(article);
  const text = textPanel(doc);
  fill("article-text", text);
  fill("article-actors", actorsPanel(doc, text));
  fill("article-quotations", quotationsPanel(article.quotations));
  fill("article-sentiment", sentimentPanel(article.sentiment));
  fill("article-topics", topicsPanel(article.topics));
  showModels(article);
  showHistory(article.history);
});
markReady();
