"""The ORM classes; importing this package registers every table on ``Base.metadata``."""

from app.models.actor import Actor, ActorAlias
from app.models.analysis_run import AnalysisRun
from app.models.annotation import ArticleActor, ArticleSentiment, ArticleTopic, Mention
from app.models.article import Article, ArticleStatus, Genre
from app.models.author import ArticleAuthor, Author
from app.models.outlet import Outlet

__all__ = [
    "Actor",
    "ActorAlias",
    "AnalysisRun",
    "Article",
    "ArticleActor",
    "ArticleAuthor",
    "ArticleSentiment",
    "ArticleStatus",
    "ArticleTopic",
    "Author",
    "Genre",
    "Mention",
    "Outlet",
]
