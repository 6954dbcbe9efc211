"""The ORM classes; importing this package registers every table on ``Base.metadata``."""

from app.models.actor import Actor, ActorAlias, ActorMerge
from app.models.analysis_run import AnalysisRun
from app.models.annotation import ArticleActor, ArticleSentiment, ArticleTopic, Mention
from app.models.api_key import ApiKey, KeyScope
from app.models.article import Article, ArticleStatus, Genre
from app.models.author import ArticleAuthor, Author
from app.models.history import ArticleHistory
from app.models.outlet import Outlet
from app.models.quotation import ActorRelation, Quotation, QuotationTarget
from app.models.rollup import ActorOutletStats, ActorPair
from app.models.source import ArticleSource
from app.models.subscription import Delivery, DeliveryState, Subscription

__all__ = [
    "Actor",
    "ActorAlias",
    "ActorMerge",
    "ActorOutletStats",
    "ActorPair",
    "ActorRelation",
    "AnalysisRun",
    "ApiKey",
    "Article",
    "ArticleActor",
    "ArticleAuthor",
    "ArticleHistory",
    "ArticleSentiment",
    "ArticleSource",
    "ArticleStatus",
    "ArticleTopic",
    "Author",
    "Delivery",
    "DeliveryState",
    "Genre",
    "KeyScope",
    "Mention",
    "Outlet",
    "Quotation",
    "QuotationTarget",
    "Subscription",
]
