"""How articles and their annotations are shown: a full view and a list item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.analysis import records
from app.analysis.layout import read_layout
from app.models import Article, ArticleActor
from app.models.article import ArticleStatus, Genre
from app.schemas import examples
from app.schemas.quotes import QuotationView

_TOP_TOPICS = 3


class SentimentView(BaseModel):
    # built from a stored row or a record: SentimentView.model_validate(row)
    model_config = ConfigDict(from_attributes=True)

    label: str = Field(examples=["negative"])
    score: float = Field(description="p(positive) - p(negative), in [-1, 1].", examples=[-0.42])


class DocumentSentimentView(SentimentView):
    probabilities: dict[str, float] = Field(
        examples=[{"negative": 0.55, "neutral": 0.32, "positive": 0.13}]
    )
    drivers: list[int] = Field(description="Indexes of the sentences that drove the label.")


class StancePassageView(BaseModel):
    """A passage that drove the author's stance toward an actor."""

    start: int = Field(description="Character offset into the article's `text`.")
    end: int
    text: str = Field(description="The article text at `[start, end)`.")
    label: str = Field(description="The stance this passage alone reads as.", examples=["negative"])
    score: float = Field(description="p(positive) - p(negative) in this passage.")
    weight: float = Field(description="Its share of the actor's combined stance, in [0, 1].")

    @classmethod
    def of(cls, passage: Mapping[str, Any], text: str) -> StancePassageView:
        """From a passage record (app/analysis/records.py: offsets, label, score, weight)."""
        start, end = int(passage["start"]), int(passage["end"])
        return cls(
            start=start,
            end=end,
            text=text[start:end],
            label=str(passage["label"]),
            score=float(passage["score"]),
            weight=float(passage["weight"]),
        )


class ActorSentimentView(SentimentView):
    probabilities: dict[str, float]
    evidence: list[int] = Field(
        description="Indexes of the sentences of the passages that drove the label."
    )
    passages: list[StancePassageView] = Field(
        default_factory=list,
        description="The passages that drove the label, strongest first (quoted words inside "
        "them are not read as the author's). Empty for articles analysed before the stance model.",
    )


def actor_fields(record: Mapping[str, Any], text: str) -> dict[str, Any]:
    """An actor record's columns (app/analysis/records.py: ACTOR_FIELDS) as a view's fields;
    both the stored article (ActorInArticle) and POST /v1/analyze (AnalyzedActor) use it."""
    return {
        "mention_count": record["mention_count"],
        "salience": record["salience"],
        "sentiment": ActorSentimentView(
            label=record["sentiment_label"],
            score=record["sentiment_score"],
            probabilities=record["sentiment_probabilities"],
            evidence=record["evidence"],
            passages=[StancePassageView.of(p, text) for p in record["passages"] or ()],
        ),
    }


class SentenceView(BaseModel):
    index: int
    start: int
    end: int
    label: str | None = None
    score: float | None = None


class TopicView(BaseModel):
    # built from an `ArticleTopic` row or a topic record: TopicView.model_validate(row)
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["medtop:11000000"])
    label: str = Field(examples=["politics"])
    score: float = Field(examples=[0.81])
    parent: str | None = Field(
        default=None,
        description="A subtopic's top-level topic (its code); null for a top-level topic.",
        examples=[None],
    )


def split_levels(topics: Iterable[TopicView]) -> tuple[list[TopicView], list[TopicView]]:
    """(top-level topics, subtopics), each in the order given."""
    listed = list(topics)
    return [t for t in listed if t.parent is None], [t for t in listed if t.parent is not None]


class ActorRef(BaseModel):
    id: int
    key: str = Field(examples=["country:RUS"])
    name: str = Field(examples=["Russia"])
    kind: str = Field(examples=["country"])


class ActorInArticle(ActorRef):
    part_of: ActorRef | None = Field(
        default=None,
        description="The actor this one is part of (the United States for the White House); "
        "null for most. `include_parts=true` on GET /v1/articles follows it.",
    )
    mention_count: int
    salience: float = Field(description="Share of the article's attention, in [0, 1].")
    sentiment: ActorSentimentView

    @classmethod
    def of(cls, row: ArticleActor, text: str) -> ActorInArticle:
        parent = row.actor.part_of
        return cls(
            **records.read(row.actor, ActorRef.model_fields),
            part_of=None if parent is None else records.read(parent, ActorRef.model_fields),
            **actor_fields(records.read(row, records.ACTOR_FIELDS), text),
        )


class ActorSummary(ActorRef):
    sentiment: SentimentView


class MentionView(BaseModel):
    # built from a `Mention` row: MentionView.model_validate(mention)
    model_config = ConfigDict(from_attributes=True)

    actor_id: int
    text: str = Field(description="The article text at `[start, end)`.", examples=["Moscow"])
    label: str = Field(examples=["LOC"])
    start: int
    end: int
    sentence_index: int


class AnalysisRunView(BaseModel):
    # built from an `AnalysisRun` row: AnalysisRunView.model_validate(run)
    model_config = ConfigDict(from_attributes=True)

    id: int
    fingerprint: str
    models: dict[str, str] = Field(examples=[{"encoder": "all-MiniLM-L6-v2@8b3219a9"}])
    config: dict[str, Any]
    created_at: datetime


class _ArticleBase(BaseModel):
    id: int
    title: str | None
    outlet: str | None
    authors: list[str]
    published: date | datetime | None = Field(
        description="A date when only the day is known, else a UTC datetime; null if unknown."
    )
    url: str | None
    status: ArticleStatus


def _base_fields(article: Article) -> dict[str, Any]:
    published: date | datetime | None = article.published
    if article.published is not None and not article.published_known:
        published = article.published.date()
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet else None,
        "authors": article.author_names,
        "published": published,
        "url": article.url,
        "status": article.status,
    }


class ArticleSummary(_ArticleBase):
    """A list item: the article's metadata and the gist of its analysis (null until `done`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ARTICLE_ITEM]})

    genre: Genre = Field(examples=["opinion"])
    genre_source: str | None = Field(
        description="`given`, `extracted` (page, url or section label) or `detected` (the "
        "genre model); null while unknown.",
        examples=["detected"],
    )
    language: str | None = Field(examples=["en"])
    sentiment: SentimentView | None = Field(description="The document's sentiment.")
    topics: list[TopicView] = Field(description=f"The top {_TOP_TOPICS} top-level topics.")
    subtopics: list[TopicView] = Field(
        default_factory=list,
        description=f"The top {_TOP_TOPICS} subtopics, each with its top-level topic (`parent`).",
    )
    actors: list[ActorSummary] = Field(
        description="Every actor, most salient first, with the author's sentiment toward it."
    )
    matched_actors: list[ActorSummary] = Field(
        description="The actors the `actor` filter matched, with the author's sentiment toward "
        "each; empty without an actor filter."
    )


def _cut_down(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """``model`` with every field but ``id`` left out unless asked for (`fields=`)."""
    fields: dict[str, Any] = {
        name: (info.annotation, ... if name == "id" else Field(None, description=info.description))
        for name, info in model.model_fields.items()
    }
    return create_model(name, __doc__=doc, **fields)


ArticleFields = _cut_down(
    ArticleSummary,
    "ArticleFields",
    "A list item cut down by `fields=`: its `id` and the fields asked for, as in ArticleSummary.",
)


class BylineView(BaseModel):
    author_id: int
    name: str = Field(examples=["Dmitri Trenin"])
    affiliation: str | None = Field(examples=["Carnegie Moscow Center"])


class LayoutPartView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(
        description="outlet, section, headline, pull_quote, byline, author_note, disclaimer "
        "or chrome",
        examples=["byline"],
    )
    start: int
    end: int


# the article's columns ArticleDetail shows as they are stored
_DETAIL_COLUMNS = (
    "text",
    "language",
    "genre",
    "genre_source",
    "genre_score",
    "sources",
    "revision",
    "skip_reason",
    "received_at",
    "attempts",
    "last_error",
    "analyzed_at",
)


class ArticleDetail(_ArticleBase):
    """An article with everything known about it; annotations appear once it is `done`."""

    text: str
    language: str | None
    genre: Genre
    genre_source: str | None = Field(
        description="`given`, `extracted` or `detected`; null while unknown."
    )
    genre_score: float | None = Field(
        description="p(opinion) from the genre model, when it detected the genre."
    )
    sources: dict[str, str] = Field(
        description="Where each known field came from: `given` (the request), `extracted` (the "
        "page's metadata or the pasted text's layout) or `detected` (language, genre).",
        examples=[{"title": "extracted", "authors": "extracted", "genre": "detected"}],
    )
    bylines: list[BylineView] = Field(description="The authors with their affiliation here.")
    layout: list[LayoutPartView] = Field(
        description="The parts of `text` that are layout (headline, byline, notes, reader "
        "chrome), kept out of the analysis; offsets index `text`."
    )
    revision: int = Field(description="1 for the text first received; +1 per revision.")
    skip_reason: str | None = Field(description="Why a `skipped` article is not analysed.")
    received_at: datetime
    attempts: int = Field(description="Analysis attempts so far.")
    last_error: str | None = Field(description="Why the last attempt failed, if it did.")
    analyzed_at: datetime | None
    analysis_run: AnalysisRunView | None
    sentiment: DocumentSentimentView | None
    sentences: list[SentenceView]
    topics: list[TopicView] = Field(description="Top-level topics (IPTC), best first.")
    subtopics: list[TopicView] = Field(
        default_factory=list, description="Subtopics, best first, each with its `parent`."
    )
    actors: list[ActorInArticle]
    mentions: list[MentionView]
    quotations: list[QuotationView] = Field(
        default_factory=list,
        description="Who said what about whom: direct quotations and reported speech, in text "
        "order, with their speakers and the speaker's stance toward each actor named.",
    )

    @classmethod
    def of(cls, article: Article) -> ArticleDetail:
        sentiment = article.sentiment
        topics, subtopics = split_levels(TopicView.model_validate(t) for t in article.topics)
        return cls(
            **_base_fields(article),
            **records.read(article, _DETAIL_COLUMNS),
            bylines=[
                BylineView(
                    author_id=link.author_id, name=link.author.name, affiliation=link.affiliation
                )
                for link in article.author_links
            ],
            layout=[LayoutPartView.model_validate(p) for p in read_layout(article.text).parts],
            analysis_run=AnalysisRunView.model_validate(article.analysis_run)
            if article.analysis_run
            else None,
            sentiment=DocumentSentimentView.model_validate(sentiment) if sentiment else None,
            sentences=[SentenceView.model_validate(s) for s in sentiment.sentences]
            if sentiment
            else [],
            topics=topics,
            subtopics=subtopics,
            actors=[ActorInArticle.of(row, article.text) for row in article.actors],
            mentions=[MentionView.model_validate(m) for m in article.mentions],
            quotations=[QuotationView.of_row(q) for q in article.quotations],
        )
