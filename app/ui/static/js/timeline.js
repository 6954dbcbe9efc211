// An actor's timeline: articles per period (bars) and the authors' mean stance (a line on its
// own axis, -1 to 1), drawn with the vendored Chart.js; the same numbers as a table.

import { count, h, score, side } from "./lens.js";

const COLOURS = { negative: "#b42318", neutral: "#6b7280", positive: "#1d4ed8" };
const NOUNS = { day: "daily", week: "weekly", month: "monthly" };

export function drawTimeline(canvas, timeline) {
  const points = timeline.points;
  const labels = points.map((p) => p.period);
  const means = points.map((p) => (p.articles ? p.sentiment.mean : null));
  const total = points.reduce((sum, p) => sum + p.articles, 0);
  Chart.getChart(canvas)?.destroy();
  const chart = new Chart(canvas, {
    data: {
      labels,
      datasets: [
        {
          type: "line",
          label: "Mean stance (right axis)",
          data: means,
          yAxisID: "stance",
          borderColor: "#334155",
          borderWidth: 1.5,
          pointBackgroundColor: means.map((m) => COLOURS[side(m)]),
          pointBorderColor: means.map((m) => COLOURS[side(m)]),
          pointRadius: points.length > 150 ? 1.5 : 3,
          spanGaps: false,
          order: 1,
        },
        {
          type: "bar",
          label: "Articles",
          data: points.map((p) => p.articles),
          yAxisID: "y",
          backgroundColor: "#cbd5e1",
          hoverBackgroundColor: "#94a3b8",
          order: 2,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxTicksLimit: 14, maxRotation: 0 }, grid: { display: false } },
        y: {
          beginAtZero: true,
          ticks: { precision: 0 },
          title: { display: true, text: "articles" },
        },
        stance: {
          position: "right",
          min: -1,
          max: 1,
          title: { display: true, text: "mean stance" },
          grid: { color: (context) => (context.tick.value === 0 ? "#94a3b8" : "transparent") },
        },
      },
      plugins: {
        legend: { position: "top", align: "end", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: (item) =>
              item.dataset.yAxisID === "stance"
                ? `Mean stance ${score(item.raw)}`
                : `${count(item.raw)} articles`,
            afterBody: (items) => {
              const s = points[items[0].dataIndex].sentiment;
              return `${s.negative} negative · ${s.neutral} neutral · ${s.positive} positive`;
            },
          },
        },
      },
    },
  });
  canvas.dataset.points = String(labels.length);
  canvas.setAttribute(
    "aria-label",
    `${NOUNS[timeline.interval]} articles about ${timeline.actor.name} and the authors' mean stance` +
      (labels.length ? ` from ${labels[0]} to ${labels[labels.length - 1]}` : "") +
      `: ${labels.length} periods, ${count(total)} articles. The numbers are in the table below.`,
  );
  return chart;
}

export function timelineTable(timeline) {
  const head = ["Period from", "Articles", "Mentions", "Mean stance", "Negative", "Neutral", "Positive"];
  return h(
    "table",
    { class: "numbers" },
    h("caption", { class: "visually-hidden" }, `${NOUNS[timeline.interval]} timeline of ${timeline.actor.name}`),
    h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
    h(
      "tbody",
      {},
      timeline.points.map((p) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, p.period),
          h("td", {}, count(p.articles)),
          h("td", {}, count(p.mentions)),
          h("td", {}, score(p.sentiment.mean)),
          h("td", {}, count(p.sentiment.negative)),
          h("td", {}, count(p.sentiment.neutral)),
          h("td", {}, count(p.sentiment.positive)),
        ),
      ),
    ),
  );
}
