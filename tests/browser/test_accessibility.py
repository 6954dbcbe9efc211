"""Accessibility: axe-core (WCAG 2.1 A and AA rules) finds nothing on any page, and the dashboard
works from the keyboard alone: skip link, search, actor, article, the evidence in the text."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console
from tests.browser.seed import OUTLETS, Seeded
from tests.browser.test_pages import assert_clean, open_page

pytestmark = pytest.mark.browser

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGES = [
    ("home", "/"),
    ("search", "/ui?actor=Russia&find=r"),
    ("actor", "/ui/actors/{russia}"),
    ("outlet", f"/ui/outlets?name={quote(OUTLETS[1])}"),
    ("author", "/ui/authors?name=Li%20Wei"),
    ("article", "/ui/articles/{first}"),
    ("analyse", "/ui/analyse"),
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_axe_finds_no_violations(
    page: Page, axe: Axe, base_url: str, seeded: Seeded, name: str, path: str
) -> None:
    page.goto(base_url + path.format(russia=seeded.russia_id, first=seeded.article_ids[0]))
    if name != "home":  # the home page is static: no script, nothing to wait for
        page.wait_for_selector("body[data-ready=true]")
    # Closed disclosures hide content from the check: open them so it is checked too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    results = axe.run(page, options=RULES)
    assert results.violations_count == 0, results.generate_report()


def focused(page: Page) -> str:
    return page.evaluate(
        """(() => {
            const e = document.activeElement;
            return `${e.tagName.toLowerCase()}:${(e.innerText || e.value || e.id || "").trim()}`;
        })()"""
    )


def tab_to(page: Page, wanted: str, *, limit: int = 80) -> None:
    """Presses Tab until the focused element's tag:text starts with ``wanted``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now.startswith(wanted):
            return
        seen.append(now)
    raise AssertionError(f"Tab never reached {wanted!r}; focus went through {seen}")


def test_the_dashboard_works_from_the_keyboard(
    page: Page, console: Console, base_url: str, seeded: Seeded
) -> None:
    open_page(page, base_url + "/ui")
    page.keyboard.press("Tab")
    assert focused(page) == "a:Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "find"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.type("rus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui?find=rus")
    page.wait_for_selector("body[data-ready=true]")

    tab_to(page, "a:Russia")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text("Russia")

    tab_to(page, "a:Week ")  # the first recent article's title
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-ready=true]")
    tab_to(page, "summary:Passages behind the stance")
    page.keyboard.press("Enter")
    tab_to(page, "button:Show in text")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-pressed')") == "true"
    assert page.locator(".article-text .evidence.on").count() >= 1
    assert_clean(page, console)


def test_reads_that_need_a_key_ask_for_one_and_keep_it_for_the_tab(
    page: Page, console: Console, keyed_url: str, seeded: Seeded
) -> None:
    page.goto(f"{keyed_url}/ui/actors/{seeded.russia_id}")
    dialog = page.get_by_role("dialog", name="API key")
    expect(dialog).to_be_visible()
    page.get_by_label("Key", exact=True).fill("lens_not-a-key")
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("refused")

    page.get_by_label("Key", exact=True).fill(seeded.read_key)
    dialog.get_by_role("button", name="Use key").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text("Russia")
    assert page.locator(".problem").count() == 0
    assert page.evaluate("sessionStorage.getItem('lens.apiKey')") == seeded.read_key

    # Another page of the same tab sends the kept key without asking.
    page.get_by_role("link", name="Search").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(dialog).to_be_hidden()
    assert page.locator("#find-actors li").count() >= 1
    # The only errors are the browser's own lines for the two refused requests.
    assert all("401" in error for error in console.errors), console.errors
