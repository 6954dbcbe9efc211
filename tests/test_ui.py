"""The dashboard's pages and files as the server answers them (the browser tests are in
tests/browser): every page is an HTML shell with a strict content policy, its scripts and the
vendored Chart.js are served from the package, and / and /docs link to it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.ui.pages import CONTENT_SECURITY_POLICY

PAGES = [
    "/",
    "/ui",
    "/ui/actors/1",
    "/ui/outlets/1",
    "/ui/outlets?name=China%20Daily",
    "/ui/authors/1",
    "/ui/authors?name=Dmitri%20Trenin",
    "/ui/articles/1",
    "/ui/analyse",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_shells_that_load_only_this_servers_files(
    client: TestClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources
    assert all(s.startswith(("/", "#")) and not s.startswith("//") for s in sources), sources
    assert "<script>" not in response.text  # no inline script: the policy would block it
    for source in sources:
        if source.startswith("/ui/static/"):
            assert client.get(source).status_code == 200, source


def test_the_vendored_chart_library_is_served_with_its_licence(client: TestClient) -> None:
    script = client.get("/ui/static/vendor/chart.umd.min.js")
    licence = client.get("/ui/static/vendor/chart.js.LICENSE.md")

    assert script.status_code == 200
    assert "Chart.js v4" in script.text[:200]
    assert "MIT License" in licence.text


def test_home_and_the_api_docs_link_to_the_dashboard(client: TestClient) -> None:
    assert 'href="/ui"' in client.get("/").text
    assert 'href="/docs"' in client.get("/").text
    assert "(/ui)" in client.get("/openapi.json").json()["info"]["description"]


def test_the_pages_stay_out_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if not path.startswith(("/v1", "/healthz", "/readyz"))]


def test_an_id_that_is_not_one_is_a_problem_not_a_page(client: TestClient) -> None:
    response = client.get("/ui/actors/abc")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_missing_static_file_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/ui/static/js/missing.js")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
