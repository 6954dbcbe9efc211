"""Reading one article in full; the page size rule every list shares."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.errors import NotFoundError, RequestInvalidError, field_error
from app.repositories import articles
from app.schemas.article import ArticleDetail


def get_article(session: Session, article_id: int) -> ArticleDetail:
    article = articles.get_detail(session, article_id)
    if article is None:
        raise NotFoundError(f"There is no article {article_id}.")
    return ArticleDetail.of(article)


def page_size(settings: Settings, limit: int | None) -> int:
    """The requested page size, checked against the configured maximum."""
    if limit is None:
        return min(settings.default_page_size, settings.max_page_size)
    if not 1 <= limit <= settings.max_page_size:
        raise RequestInvalidError(
            f"limit must be between 1 and {settings.max_page_size}.",
            errors=[
                field_error(
                    ["query", "limit"],
                    f"must be between 1 and {settings.max_page_size}",
                    "less_than_equal",
                )
            ],
        )
    return limit
