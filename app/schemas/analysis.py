"""POST /v1/analyze: a text in, its annotations out (the shapes of GET /v1/articles/{id})."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.analysis.types import Analysis
from app.schemas.article import (
    ActorSentimentView,
    DocumentSentimentView,
    LayoutPartView,
    SentenceView,
    StancePassageView,
    TopicView,
    split_levels,
)
from app.schemas.ingest import TEXT_OR_HTML
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


class AnalyzedActor(BaseModel):
    key: str = Field(examples=["person:sergei lavrov"])
    name: str = Field(examples=["Sergei Lavrov"])
    kind: str = Field(examples=["person"])
    aliases: list[str] = Field(examples=[["Lavrov"]])
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

    @classmethod
    def of(cls, analysis: Analysis, text: str) -> AnalysisView:
        scored = {s.sentence_index: s for s in analysis.sentence_sentiments}
        document = analysis.sentiment
        topics, subtopics = split_levels(
            TopicView(code=t.code, label=t.label, score=float(t.score), parent=t.parent)
            for t in analysis.topics
        )
        return cls(
            genre=GenreView(label=analysis.genre.label, score=float(analysis.genre.score))
            if analysis.genre
            else None,
            models=dict(analysis.models),
            sentiment=DocumentSentimentView(
                label=document.label,
                score=float(document.score),
                probabilities={k: float(v) for k, v in document.probabilities.items()},
                drivers=[int(i) for i in document.drivers],
            ),
            sentences=[
                SentenceView(
                    index=s.index,
                    start=s.start,
                    end=s.end,
                    label=scored[s.index].label if s.index in scored else None,
                    score=float(scored[s.index].score) if s.index in scored else None,
                )
                for s in analysis.sentences
            ],
            topics=topics,
            subtopics=subtopics,
            actors=[
                AnalyzedActor(
                    key=a.key,
                    name=a.name,
                    kind=a.kind,
                    aliases=list(a.aliases),
                    mention_count=a.mention_count,
                    salience=float(a.salience),
                    sentiment=ActorSentimentView(
                        label=a.sentiment.label,
                        score=float(a.sentiment.score),
                        probabilities={k: float(v) for k, v in a.sentiment.probabilities.items()},
                        evidence=[int(i) for i in a.sentiment.evidence],
                        passages=[
                            StancePassageView(
                                start=p.start,
                                end=p.end,
                                text=text[p.start : p.end],
                                label=p.label,
                                score=float(p.score),
                                weight=float(p.weight),
                            )
                            for p in a.sentiment.passages
                        ],
                    ),
                    mentions=[
                        ActorMentionView(
                            text=m.text,
                            label=m.label,
                            start=m.start,
                            end=m.end,
                            sentence_index=m.sentence_index,
                        )
                        for m in a.mentions
                    ],
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
        )
