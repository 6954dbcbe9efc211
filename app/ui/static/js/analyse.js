// The analyse page: a pasted text (or a page's HTML, reduced to its text here) analysed by
// POST /v1/analyze, shown as an article is; nothing is stored.

import { api, count, fill, h, loading, markReady } from "./lens.js";
import { actorsPanel, sentimentPanel, textPanel, topicsPanel } from "./reading.js";
import { fromAnalysis } from "./text.js";

const form = document.getElementById("analyse-form");
const area = document.getElementById("analyse-text");
const counter = document.getElementById("analyse-count");
const BLOCKS = new Set(["P", "DIV", "LI", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "TR", "SECTION", "ARTICLE"]);
const CHROME = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg";

/** The readable text of an HTML page: its <article> (or body) without scripts and page chrome. */
function htmlToText(html) {
  const page = new DOMParser().parseFromString(html, "text/html"); // inert: nothing runs
  for (const node of page.querySelectorAll(CHROME)) node.remove();
  const main = page.querySelector("article") || page.body;
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent.replace(/\s+/g, " "));
    else if (node.nodeName === "BR") parts.push("\n");
    for (const child of node.childNodes) walk(child);
    if (BLOCKS.has(node.nodeName)) parts.push("\n\n");
  };
  walk(main);
  return parts.join("").replace(/[ \t]*\n[ \t]*/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}

function looksLikeHtml(text) {
  return /^\s*(<!doctype html|<html[\s>])/i.test(text);
}

function showCount() {
  counter.textContent = area.value ? `${count(Array.from(area.value).length)} characters` : "";
}

function show(text, analysis) {
  const doc = fromAnalysis(text, analysis);
  const reading = textPanel(doc);
  const models = Object.entries(analysis.models).map(([part, model]) => h("li", {}, `${part}: `, h("code", {}, model)));
  fill(
    "analyse-result",
    h(
      "div",
      { class: "reading" },
      h("section", { class: "card", "aria-labelledby": "result-text-title" }, h("h2", { id: "result-text-title" }, "Text"), reading),
      h(
        "aside",
        { class: "side", "aria-label": "Analysis" },
        h("section", { class: "card" }, h("h2", {}, "Actors and the author's stance"), actorsPanel(doc, reading)),
        h("section", { class: "card" }, h("h2", {}, "Document sentiment"), sentimentPanel(analysis.sentiment)),
        h("section", { class: "card" }, h("h2", {}, "Topics"), topicsPanel(analysis.topics)),
        h("section", { class: "card" }, h("h2", {}, "Models"), h("ul", { class: "plain small" }, models)),
      ),
    ),
  );
}

area.addEventListener("input", showCount);

document.getElementById("analyse-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const content = await file.text();
  area.value = /\.html?$/i.test(file.name) || looksLikeHtml(content) ? htmlToText(content) : content;
  showCount();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let text = area.value;
  if (looksLikeHtml(text)) {
    text = htmlToText(text);
    area.value = text;
    showCount();
  }
  if (!text.trim()) return;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await loading("analyse-result", async () => show(text, await api("/v1/analyze", { body: { text } })));
  } finally {
    button.disabled = false;
  }
  document.getElementById("analyse-result").querySelector("h2")?.scrollIntoView({ block: "start" });
  document.body.dataset.analysed = String(Number(document.body.dataset.analysed || 0) + 1);
});
markReady();
