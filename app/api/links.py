"""OpenAPI links: which answer feeds which request (an outlet listed, then its articles).

They tell a reader of the document, a generated client and a stateful fuzzer where the values
an operation accepts come from: names and ids that exist, cursors the server issued. Each is
(from method, from path, status) -> name -> (to method, to path, the link's parameters or
requestBody). Declaring links turns schemathesis' own guesses off, so these cover those too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

_FIRST = "$response.body#/items/0"
_NEXT_PAGE = {"parameters": {"cursor": "$response.body#/next_cursor"}}

_ARTICLE = {"parameters": {"article_id": "$response.body#/id"}}

_LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, Any]]]] = {
    ("get", "/v1/outlets", "200"): {
        "NextPage": ("get", "/v1/outlets", _NEXT_PAGE),
        "OutletProfile": (
            "get",
            "/v1/outlets/{outlet_id}",
            {"parameters": {"outlet_id": f"{_FIRST}/id"}},
        ),
        "ArticlesOfOutlet": ("get", "/v1/articles", {"parameters": {"outlet": f"{_FIRST}/name"}}),
        "ReannotateOutlet": (
            "post",
            "/v1/reannotate",
            {"requestBody": {"outlet": [f"{_FIRST}/name"], "all": True, "dry_run": True}},
        ),
    },
    ("get", "/v1/actors", "200"): {
        "NextPage": ("get", "/v1/actors", _NEXT_PAGE),
        "ActorProfile": (
            "get",
            "/v1/actors/{actor_id}",
            {"parameters": {"actor_id": f"{_FIRST}/id"}},
        ),
        "ActorTimeline": (
            "get",
            "/v1/actors/{actor_id}/timeline",
            {"parameters": {"actor_id": f"{_FIRST}/id"}},
        ),
        "ArticlesAboutActor": ("get", "/v1/articles", {"parameters": {"actor": f"{_FIRST}/key"}}),
        "ReannotateActor": (
            "post",
            "/v1/reannotate",
            {"requestBody": {"actor": [f"{_FIRST}/key"], "all": True, "dry_run": True}},
        ),
    },
    ("get", "/v1/authors", "200"): {
        "NextPage": ("get", "/v1/authors", _NEXT_PAGE),
        "AuthorProfile": (
            "get",
            "/v1/authors/{author_id}",
            {"parameters": {"author_id": f"{_FIRST}/id"}},
        ),
        "ArticlesOfAuthor": ("get", "/v1/articles", {"parameters": {"author": f"{_FIRST}/name"}}),
    },
    ("get", "/v1/runs", "200"): {
        "NextPage": ("get", "/v1/runs", _NEXT_PAGE),
        "ReannotateRun": (
            "post",
            "/v1/reannotate",
            {"requestBody": {"runs": [f"{_FIRST}/id"], "dry_run": True}},
        ),
    },
    ("post", "/v1/articles", "202"): {"Article": ("get", "/v1/articles/{article_id}", _ARTICLE)},
    ("post", "/v1/articles", "200"): {"Article": ("get", "/v1/articles/{article_id}", _ARTICLE)},
    ("post", "/v1/articles/batch", "202"): {
        "FirstArticle": (
            "get",
            "/v1/articles/{article_id}",
            {"parameters": {"article_id": f"{_FIRST}/id"}},
        )
    },
    ("get", "/v1/articles/{article_id}", "200"): {
        "ActorProfile": (
            "get",
            "/v1/actors/{actor_id}",
            {"parameters": {"actor_id": "$response.body#/actors/0/id"}},
        ),
        "ActorTimeline": (
            "get",
            "/v1/actors/{actor_id}/timeline",
            {"parameters": {"actor_id": "$response.body#/actors/0/id"}},
        ),
    },
    ("get", "/v1/articles", "200"): {
        "NextPage": ("get", "/v1/articles", _NEXT_PAGE),
        "Article": (
            "get",
            "/v1/articles/{article_id}",
            {"parameters": {"article_id": f"{_FIRST}/id"}},
        ),
    },
}


def document_links(app: FastAPI) -> None:
    """Add the links to the answers of the OpenAPI document."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        paths = document["paths"]
        for (method, path, status), links in _LINKS.items():
            response = paths[path][method]["responses"][status]
            response["links"] = {
                name: {"operationId": paths[to_path][to_method]["operationId"], **target}
                for name, (to_method, to_path, target) in links.items()
            }
        return document

    app.openapi = openapi  # type: ignore[method-assign]
