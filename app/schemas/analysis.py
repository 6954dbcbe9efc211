"""POST /v1/analyze: a text in, its annotations out (the shapes of GET /v1/articles/{id})."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.analysis import records
from app.analysis.types import Analysis
from app.schemas.article import (
    ActorSentimentView,
    DocumentSentimentView,
    LayoutPartView,
    SentenceView,
    TopicView,
    actor_fields,
    split_levels,
)
from app.schemas.ingest import TEXT_OR_HTML
from app.schemas.quotes import QuotationView
from app.schemas.text import STORABLE_NOT_BLANK


class BylineIn(BaseModel):
    name: str
    affiliation: str | None = None


_SAMPLE = (
    "Russian Foreign Minister Sergei Lavrov's visit to Beijing on Monday and Tuesday followed "
    "the just concluded high-level talks between senior Chinese and US officials in Anchorage, "
    "Alaska. Both countries are under increasing pressure from the US."
)


class AnalyzeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": _SAMPLE},
                {"html": "<html><head><title>Lavrov in Beijing</title></head><body><article>"
                 f"<p>{_SAMPLE}</p></article></body></html>"},
            ],
            "oneOf": TEXT_OR_HTML,
        },
    )  # fmt: skip

    text: Annotated[str, STORABLE_NOT_BLANK] | None = Field(
        default=None,
        description="The text to analyse (at most LENS_MAX_TEXT_CHARS), clean or pasted with "
        "its headline, byline and chrome (kept out of the analysis).",
    )
    html: Annotated[str, STORABLE_NOT_BLANK] | None = Field(
        default=None,
        description="A saved web page in place of `text`: its main text is analysed, and "
        "returned as `text` (offsets point into it).",
    )

    @model_validator(mode="after")
    def _text_or_html(self) -> AnalyzeIn:
        if (self.text is None) == (self.html is None):
            raise PydanticCustomError(
                "text_or_html", "give the article as `text` or as `html`, exactly one of them"
            )
        return self


class ActorMentionView(BaseModel):
    text: str = Field(examples=["Sergei Lavrov"])
    label: str = Field(examples=["PER"])
    start: int
    end: int
    sentence_index: int


class ActorPartOf(BaseModel):
    key: str = Field(examples=["country:USA"])
    name: str = Field(examples=["United States"])
    kind: str = Field(examples=["country"])


class AnalyzedActor(BaseModel):
    key: str = Field(examples=["person:sergei lavrov"])
    name: str = Field(examples=["Sergei Lavrov"])
    kind: str = Field(examples=["person"])
    aliases: list[str] = Field(examples=[["Lavrov"]])
    part_of: ActorPartOf | None = Field(
        default=None,
        description="The actor this one is part of (the United States for the White House); "
        "null for most.",
    )
    mention_count: int
    salience: float = Field(description="Share of the text's attention, in [0, 1].")
    sentiment: ActorSentimentView = Field(description="The author's sentiment toward the actor.")
    mentions: list[ActorMentionView]


class EntityView(BaseModel):
    text: str = Field(examples=["Anchorage"])
    label: str = Field(examples=["LOC"])
    start: int
    end: int
    sentence_index: int
    score: float


class GenreView(BaseModel):
    label: str = Field(examples=["opinion"])
    score: float = Field(description="p(opinion), in [0, 1].", examples=[0.93])


class AnalysisView(BaseModel):
    """What the worker would store for this text; offsets index into `text` as sent."""

    text: str | None = Field(
        default=None, description="With `html`: the extracted text the offsets point into."
    )
    title: str | None = Field(default=None, description="Read from the page or the layout.")
    outlet: str | None = None
    authors: list[BylineIn] = Field(default_factory=list)
    language: str | None = Field(default=None, description="Detected, when confident.")
    genre: GenreView | None = Field(
        default=None, description="The genre model's reading (null without one)."
    )
    layout: list[LayoutPartView] = Field(
        default_factory=list, description="The parts kept out of the analysis."
    )
    models: dict[str, str] = Field(description="Component -> model name and version.")
    sentiment: DocumentSentimentView
    sentences: list[SentenceView]
    topics: list[TopicView] = Field(description="Top-level topics (IPTC), best first.")
    subtopics: list[TopicView] = Field(
        default_factory=list, description="Subtopics, best first, each with its `parent`."
    )
    actors: list[AnalyzedActor]
    entities: list[EntityView] = Field(description="Entity spans before actor resolution.")
    quotations: list[QuotationView] = Field(
        default_factory=list,
        description="Who said what about whom, with the speaker's stance toward each actor "
        "named (actor ids are null: nothing is stored).",
    )

    @classmethod
    def of(cls, analysis: Analysis, text: str) -> AnalysisView:
        topics, subtopics = split_levels(
            TopicView.model_validate(t) for t in records.topics(analysis)
        )
        return cls(
            genre=GenreView(label=analysis.genre.label, score=float(analysis.genre.score))
            if analysis.genre
            else None,
            models=dict(analysis.models),
            sentiment=DocumentSentimentView.model_validate(records.document_sentiment(analysis)),
            sentences=[SentenceView.model_validate(s) for s in records.sentences(analysis)],
            topics=topics,
            subtopics=subtopics,
            actors=[
                AnalyzedActor(
                    key=a.key,
                    name=a.name,
                    kind=a.kind,
                    aliases=list(a.aliases),
                    part_of=None
                    if a.part_of is None
                    else ActorPartOf(key=a.part_of.key, name=a.part_of.name, kind=a.part_of.kind),
                    **actor_fields(records.actor(a), text),
                    mentions=[ActorMentionView(**m) for m in records.mentions(a)],
                )
                for a in analysis.actors
            ],
            entities=[
                EntityView(
                    text=e.text,
                    label=e.label,
                    start=e.start,
                    end=e.end,
                    sentence_index=e.sentence_index,
                    score=float(e.score),
                )
                for e in analysis.entities
            ],
            quotations=QuotationView.of_analysis(analysis),
        )
