"""Every dashboard page loads its data without console errors, and shows what the API holds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console
from tests.browser.seed import (
    EMOJI_TITLE,
    EMPTY_WEEKS,
    FIRST_MONDAY,
    OUTLETS,
    PER_WEEK,
    REANALYSED_OUTLET,
    WEEKS,
    Seeded,
)

pytestmark = pytest.mark.browser


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")


def assert_clean(page: Page, console: Console) -> None:
    assert console.errors == []
    assert page.locator(".problem").count() == 0, page.locator(".problem").all_inner_texts()


PAGES = [
    ("search", "/ui"),
    ("search-filtered", "/ui?find=rus&actor=Russia&from=2021-03-01&to=2021-04-30&sort=published"),
    ("actor", "/ui/actors/{russia}"),
    ("outlet", f"/ui/outlets?name={quote(OUTLETS[0])}"),
    ("author", "/ui/authors?name=Ann%20Reed"),
    ("article", "/ui/articles/{first}"),
    ("analyse", "/ui/analyse"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_page_loads_without_console_errors(
    page: Page, console: Console, base_url: str, seeded: Seeded, name: str, path: str
) -> None:
    url = base_url + path.format(russia=seeded.russia_id, first=seeded.article_ids[0])
    open_page(page, url)
    assert_clean(page, console)
    assert page.locator("h1").first.inner_text().strip()


def test_home_links_to_the_dashboard_and_the_api_docs(
    page: Page, console: Console, base_url: str
) -> None:
    page.goto(base_url + "/")
    assert page.get_by_role("link", name=re.compile("^API documentation")).get_attribute(
        "href"
    ) == ("/docs")
    page.get_by_role("link", name=re.compile("^Dashboard")).click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.url == base_url + "/ui"
    assert_clean(page, console)


def test_the_actor_chart_has_a_point_per_week_empty_weeks_included(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    last = FIRST_MONDAY + timedelta(weeks=WEEKS - 1)
    weeks = (last - FIRST_MONDAY).days // 7 + 1
    open_page(page, f"{base_url}/ui/actors/{seeded.russia_id}")

    chart = page.locator("#timeline-chart")
    assert chart.get_attribute("data-points") == str(weeks)
    labels, bars = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById("timeline-chart"));
            return [chart.data.labels, chart.data.datasets.find((d) => d.type === "bar").data];
        }"""
    )
    assert labels == [(FIRST_MONDAY + timedelta(weeks=w)).isoformat() for w in range(weeks)]
    assert [i for i, n in enumerate(bars) if n == 0] == sorted(EMPTY_WEEKS)
    assert page.locator("#timeline-table tbody tr").count() == weeks
    assert page.locator("#actor-filters select[name=interval]").input_value() == "week"
    assert_clean(page, console)


def test_the_actor_filters_narrow_the_chart_and_the_articles(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, f"{base_url}/ui/actors/{seeded.russia_id}")
    page.select_option("#a-outlet", label=OUTLETS[1])
    page.fill("#a-from", "2021-03-08")
    page.fill("#a-to", "2021-03-21")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/ui/actors/*?*outlet=*")
    page.wait_for_selector("body[data-ready=true]")

    assert page.locator("#timeline-chart").get_attribute("data-points") == "2"
    # the profile's figures cover the same dates: two weeks of PER_WEEK articles
    expect(page.locator("#actor-stats .stat-value").first).to_have_text(str(2 * PER_WEEK))
    expect(page.locator("#outlets-caption")).to_contain_text("2021-03-08 to 2021-03-21")
    outlets = page.locator("#actor-articles .article-item .meta a").first
    expect(outlets).to_have_text(OUTLETS[1])
    for published in page.locator("#actor-articles time").all_inner_texts():
        assert "2021-03-08" <= published <= "2021-03-21"
    assert_clean(page, console)


def test_recent_articles_show_the_stance_toward_the_actor_and_its_passages(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, f"{base_url}/ui/actors/{seeded.russia_id}")
    items = page.locator("#actor-articles .article-item")
    assert items.count() == 10
    first = items.first
    # The passages of the whole page come in one call (GET /v1/actors/{id}/passages).
    for item in items.all():
        expect(item).to_have_attribute("data-passages", "shown")
    assert first.locator(".focus-stance .badge").inner_text().split()[0] in {
        "negative",
        "neutral",
        "positive",
    }
    quoted = first.locator(".evidence-block blockquote strong").all_inner_texts()
    assert quoted
    assert set(quoted) <= {"Russia", "Moscow"}
    assert_clean(page, console)


def test_actor_article_outlet_by_clicking(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, base_url + "/ui")
    page.locator("#find-actors").get_by_role("link", name="Russia").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text("Russia")

    title = page.locator("#actor-articles .article-title a").first
    title_text = title.inner_text()
    title.click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text(title_text)
    outlet = page.locator("#article-meta .meta a").first.inner_text()
    assert outlet in OUTLETS

    page.locator("#article-meta .meta a").first.click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text(outlet)
    assert "/ui/outlets/" in page.url  # the name was resolved to the outlet's id
    assert page.locator("#top-actors tbody tr").count() >= 1
    assert page.locator("#source-articles .article-item").count() >= 1
    assert_clean(page, console)


def test_the_article_marks_actors_at_their_offsets_beyond_the_basic_plane(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, base_url + "/ui?q=smile")
    page.get_by_role("link", name=EMOJI_TITLE).click()
    page.wait_for_selector("body[data-ready=true]")

    marks = page.locator(".article-text mark.mention")
    assert marks.all_inner_texts() == ["Russia", "China", "Beijing", "Moscow"]
    assert "stance-positive" in (marks.first.get_attribute("class") or "")
    assert_clean(page, console)


def test_the_article_shows_its_earlier_analyses(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, f"{base_url}/ui?outlet={quote(REANALYSED_OUTLET)}")
    page.locator("#article-results .article-title a").first.click()
    page.wait_for_selector("body[data-ready=true]")

    history = page.locator("#article-history li")
    assert history.count() == 1
    assert "replaced" in history.first.inner_text()
    expect(page.locator("#article-models code").last).to_have_text("fake-analyzer@2")
    assert_clean(page, console)


def test_a_pasted_text_is_analysed(page: Page, console: Console, base_url: str) -> None:
    open_page(page, base_url + "/ui/analyse")
    page.get_by_label("Text", exact=True).fill(
        "Sergei Lavrov flew to Beijing. Washington is a threat."
    )
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("body[data-analysed='1']")

    names = page.locator("#analyse-result .actor-line strong").all_inner_texts()
    assert set(names) == {"Sergei Lavrov", "China", "United States"}
    washington = page.locator(".article-text mark.mention", has_text="Washington")
    assert "stance-negative" in (washington.get_attribute("class") or "")
    assert_clean(page, console)


def test_an_institution_says_what_it_is_part_of(
    page: Page, console: Console, base_url: str
) -> None:
    open_page(page, base_url + "/ui/analyse")
    page.get_by_label("Text", exact=True).fill("The White House condemned the plan.")
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("body[data-analysed='1']")

    entry = page.locator("#analyse-result .actor-entry", has_text="White House")
    expect(entry.locator(".part-of")).to_have_text("United States")
    assert_clean(page, console)


def test_search_applies_the_api_filters_and_pages_by_cursor(
    page: Page, console: Console, base_url: str
) -> None:
    open_page(page, base_url + "/ui")
    page.fill("#f-actor", "Russia")
    page.locator("#more-filters summary").click()
    page.select_option("#f-actor-sentiment", "negative")
    page.get_by_role("button", name="Search articles").click()
    page.wait_for_url("**actor_sentiment=negative**")
    page.wait_for_selector("body[data-ready=true]")

    items = page.locator("#article-results .article-item")
    assert items.count() >= 1
    for chip in page.locator("#article-results .chip", has_text="Russia").all():
        assert "stance-negative" in (chip.get_attribute("class") or "")
    assert page.locator("#f-actor-sentiment").input_value() == "negative"

    open_page(page, base_url + "/ui?sort=published")
    assert items.count() == 20
    page.get_by_role("button", name="More articles").click()
    expect(items).to_have_count(len(seeded_dates()))
    dates = page.locator("#article-results time").all_inner_texts()
    assert dates == sorted(dates)
    assert_clean(page, console)


def seeded_dates() -> list[date]:
    """One per seeded article: PER_WEEK outside the empty weeks, and the emoji one."""
    return [
        FIRST_MONDAY + timedelta(weeks=w, days=2 * n)
        for w in range(WEEKS)
        if w not in EMPTY_WEEKS
        for n in range(PER_WEEK)
    ] + [FIRST_MONDAY + timedelta(days=1)]


PASSAGES_PROBE = """async ([text, actor, sentences, mentions]) => {
    const { annotatedText, passageQuotes } = await import("/ui/static/js/text.js");
    const doc = { text, sentences, actors: [actor], mentions };
    const quotes = passageQuotes(doc, actor);
    const marked = annotatedText(doc).querySelectorAll("[data-evidence]");
    return {
        quotes: [...quotes.querySelectorAll("blockquote")].map((q) => q.textContent),
        emphasised: [...quotes.querySelectorAll("blockquote strong")].map((s) => s.textContent),
        marked: [...marked].map((span) => span.textContent).join(""),
    };
}"""


def test_passages_with_offsets_are_quoted_strongest_first_else_the_evidence_sentences(
    page: Page, console: Console, base_url: str
) -> None:
    """`sentiment.passages` (character offsets) when the API gives them; before that, the
    sentences of `sentiment.evidence`. Offsets count code points, as the API's do."""
    text = "🙂 Russia is a partner. Moscow is a threat."
    first, second = "Russia is a partner.", "Moscow is a threat."
    spans = [(text.index(s), text.index(s) + len(s)) for s in (first, second)]
    sentences = [{"index": i, "start": a, "end": b} for i, (a, b) in enumerate(spans)]
    mentions = [
        {"ref": "7", "start": text.index(name), "end": text.index(name) + len(name)}
        for name in ("Russia", "Moscow")
    ]
    passages = [
        {
            "start": spans[1][0],
            "end": spans[1][1],
            "label": "negative",
            "score": -0.7,
            "weight": 0.8,
        },
        {
            "start": spans[0][0],
            "end": spans[0][1],
            "label": "positive",
            "score": 0.4,
            "weight": 0.2,
        },
    ]
    sentiment = {"label": "negative", "score": -0.3, "evidence": [0]}
    open_page(page, base_url + "/ui/analyse")

    actor = {"ref": "7", "name": "Russia", "sentiment": {**sentiment, "passages": passages}}
    shown = page.evaluate(PASSAGES_PROBE, [text, actor, sentences, mentions])
    assert shown["quotes"] == [second, first]
    assert shown["emphasised"] == ["Moscow", "Russia"]
    assert shown["marked"] == first + second

    actor = {"ref": "7", "name": "Russia", "sentiment": sentiment}
    shown = page.evaluate(PASSAGES_PROBE, [text, actor, sentences, mentions])
    assert shown["quotes"] == [first]
    assert shown["marked"] == first
    assert_clean(page, console)


def test_follow_this_search_makes_a_feed_subscription(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, base_url + "/ui?actor=Russia&actor_sentiment=negative&sort=published")
    # keys exist in this database, so a subscription belongs to one: the tab's, entered earlier
    page.evaluate(f"sessionStorage.setItem('lens.apiKey', '{seeded.read_key}')")
    page.get_by_role("button", name="Follow this search").click()
    link = page.locator("#follow-result a")
    expect(link).to_have_text("this Atom feed")
    href = link.get_attribute("href") or ""
    # the key rides in the link, for feed readers that cannot send headers
    assert re.search(r"/v1/subscriptions/\d+/feed\?token=lens_", href), href

    feed = page.request.get(href)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert_clean(page, console)


def test_quotations_on_the_actor_and_article_pages(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    # what others said about Russia: Lavrov, negatively, in the seeded quotation
    open_page(page, f"{base_url}/ui/actors/{seeded.russia_id}")
    heard = page.locator("#said-about-it .relation")
    assert heard.count() >= 1
    lavrov = heard.filter(has_text="Sergei Lavrov").first
    expect(lavrov.locator("blockquote")).to_contain_text("NATO is a threat to Russia")
    assert "negative" in lavrov.locator(".tally").get_attribute("aria-label").split(",")[0]
    # Lavrov's own page: what he said about others (NATO, Russia), then the article
    lavrov.get_by_role("link", name="Sergei Lavrov").first.click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text("Sergei Lavrov")
    said = page.locator("#said-about-others .relation")
    names = said.locator("> p a").all_inner_texts()
    assert {"NATO", "Russia"} <= set(names)
    said.first.locator("figcaption a").last.click()
    page.wait_for_selector("body[data-ready=true]")
    # the article marks the quoted words by speaker and lists them
    words = page.locator(".article-text .said")
    assert words.count() >= 1
    assert "NATO is a threat" in "".join(words.all_inner_texts())
    assert words.first.get_attribute("data-speaker") == "Sergei Lavrov"
    group = page.locator('#article-quotations .speaker-group[data-speaker="Sergei Lavrov"]')
    expect(group.locator(".quote-targets")).to_contain_text("NATO")
    assert_clean(page, console)
