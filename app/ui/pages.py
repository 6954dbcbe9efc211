"""The dashboard's routes: page shells (Jinja2) and the static files; none reads the database."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.models.article import ArticleStatus, Genre
from app.models.keys import MAX_ID

_HERE = Path(__file__).parent
STATIC_PATH = "/ui/static"

# Everything comes from this server: no CDN, no inline script (a page's ids reach its script in
# data- attributes), API calls to the same origin. Chart.js sizes its canvas through the style
# attribute, hence the inline styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

router = APIRouter(include_in_schema=False)

Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def mount(app: FastAPI) -> None:
    """Serve the pages and their static files (scripts, styles, the vendored Chart.js)."""
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=_HERE / "static"), name="ui-static")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Where a browser lands: the dashboard and the API's documentation."""
    return _page(request, "home.html", "Commentary Lens", nav=None)


@router.get("/ui", response_class=HTMLResponse)
def search(request: Request) -> HTMLResponse:
    return _page(
        request,
        "search.html",
        "Search",
        nav="search",
        genres=[genre.value for genre in Genre],
        statuses=[status.value for status in ArticleStatus],
    )


@router.get("/ui/actors/{actor_id}", response_class=HTMLResponse)
def actor(request: Request, actor_id: Id) -> HTMLResponse:
    return _page(request, "actor.html", "Actor", nav="search", entity_id=actor_id)


# Without an id the page finds the outlet or author by ?name= (article pages know only names).
@router.get("/ui/outlets", response_class=HTMLResponse)
@router.get("/ui/outlets/{outlet_id}", response_class=HTMLResponse)
def outlet(request: Request, outlet_id: Id | None = None) -> HTMLResponse:
    return _page(request, "source.html", "Outlet", nav="search", kind="outlet", entity_id=outlet_id)


@router.get("/ui/authors", response_class=HTMLResponse)
@router.get("/ui/authors/{author_id}", response_class=HTMLResponse)
def author(request: Request, author_id: Id | None = None) -> HTMLResponse:
    return _page(request, "source.html", "Author", nav="search", kind="author", entity_id=author_id)


@router.get("/ui/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: Id) -> HTMLResponse:
    return _page(request, "article.html", "Article", nav="search", entity_id=article_id)


@router.get("/ui/analyse", response_class=HTMLResponse)
def analyse(request: Request) -> HTMLResponse:
    return _page(request, "analyse.html", "Analyse a text", nav="analyse")


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    return Jinja2Templates(directory=_HERE / "templates")


def _page(request: Request, template: str, title: str, **context: Any) -> HTMLResponse:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    response = _templates().TemplateResponse(
        request,
        template,
        {
            "title": title,
            "root": root,
            "static": f"{root}{STATIC_PATH}",
            # a new release's scripts are never taken from a stale browser cache
            "version": __version__,
            **context,
        },
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
