"""Profiles of actors, outlets and authors, actor timelines, and the topic list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import examples
from app.schemas.article import ActorRef


class SentimentTally(BaseModel):
    """Sentiment over a set of articles: the mean score and how many had each label."""

    mean: float | None = Field(
        description="Mean score in [-1, 1] (p(positive) - p(negative)); null when no articles.",
        examples=[-0.31],
    )
    negative: int = Field(examples=[41])
    neutral: int = Field(examples=[22])
    positive: int = Field(examples=[9])


class OutletSentiment(BaseModel):
    """How one outlet's authors wrote about the actor."""

    outlet_id: int | None = Field(description="Null for articles without an outlet.")
    outlet: str | None = Field(examples=["China Daily"])
    articles: int = Field(examples=[72])
    mentions: int = Field(examples=[388])
    sentiment: SentimentTally


class CoMention(BaseModel):
    """An actor mentioned in the same articles, and in how many."""

    actor: ActorRef
    articles: int = Field(description="Articles that mention both actors.", examples=[57])


class ActorProfile(ActorRef):
    """An actor and what the corpus says about it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTOR_PROFILE]})

    aliases: list[str] = Field(examples=[["rus", "russian federation"]])
    part_of: ActorRef | None = Field(
        default=None,
        description="The actor this one is part of: the United States for the White House, "
        "Congress for the Senate; null for most. `include_parts=true` on GET /v1/articles "
        "lets a filter on that actor match this one too.",
    )
    parts: list[ActorRef] = Field(
        default_factory=list,
        description="The actors directly part of this one (its institutions), by name.",
    )
    article_count: int = Field(description="Analysed articles that mention it.", examples=[72])
    mention_count: int = Field(description="Mentions across those articles.", examples=[388])
    first_seen: datetime | None = Field(description="Earliest publication date among them.")
    last_seen: datetime | None = Field(description="Latest publication date among them.")
    sentiment: SentimentTally = Field(description="The authors' sentiment toward the actor.")
    by_outlet: list[OutletSentiment] = Field(
        description="Per outlet, the outlets that mention the actor most first."
    )
    topics: list[TopicShare] = Field(
        default_factory=list,
        description="The topic mix of the analysed articles that mention it, most frequent first.",
    )
    subtopics: list[TopicShare] = Field(
        default_factory=list, description="The subtopic mix of those articles, most frequent first."
    )
    co_mentions: list[CoMention] = Field(
        description="The actors most often mentioned in the same articles."
    )


class TimelinePoint(BaseModel):
    """One period of a timeline."""

    period: date = Field(
        description="First day of the period (weeks start on Monday).", examples=["2021-03-22"]
    )
    articles: int = Field(examples=[12])
    mentions: int = Field(examples=[61])
    sentiment: SentimentTally = Field(description="The authors' sentiment toward the actor.")


class Span(BaseModel):
    start: int
    end: int


class PassageQuote(BaseModel):
    """A passage behind the stance, with its text and where the actor is named inside it."""

    start: int = Field(description="Character offset into the article's `text`.")
    end: int
    text: str = Field(description="The article text at `[start, end)`.")
    label: str | None = Field(
        description="The stance it reads (for a sentence: the sentence's sentiment)."
    )
    score: float | None = Field(description="p(positive) - p(negative) in it.")
    weight: float | None = Field(
        description="Its share of the actor's combined stance, in [0, 1]; null for a sentence."
    )
    kind: Literal["passage", "sentence"] = Field(
        description="`passage`: read by the stance model; `sentence`: an evidence sentence of an "
        "article analysed before it."
    )
    mentions: list[Span] = Field(
        description="The actor's mentions inside the passage, offsets relative to its `text`."
    )


class ArticlePassages(BaseModel):
    """The author's stance toward the actor in one article, and the passages behind it."""

    article_id: int
    label: str = Field(examples=["negative"])
    score: float = Field(examples=[-0.46])
    passages: list[PassageQuote] = Field(description="Strongest first.")


class ActorPassages(BaseModel):
    """The passages behind the stance toward one actor, article by article."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTOR_PASSAGES]})

    actor: ActorRef
    items: list[ArticlePassages] = Field(
        description="In the order the articles were asked for; an article that is not analysed "
        "or does not name the actor is left out."
    )


class ActorTimeline(BaseModel):
    """Coverage of an actor and the tone toward it, period by period."""

    model_config = ConfigDict(
        validate_by_name=True,
        serialize_by_alias=True,
        json_schema_extra={"examples": [examples.ACTOR_TIMELINE]},
    )

    actor: ActorRef
    interval: Literal["day", "week", "month"]
    start: date | None = Field(alias="from", description="First period's first day.")
    end: date | None = Field(alias="to", description="Last day covered.")
    points: list[TimelinePoint] = Field(
        description="One per period, in order; periods without articles have zero counts."
    )


class ActorShare(BaseModel):
    """An actor as covered by one outlet or author."""

    actor: ActorRef
    articles: int = Field(examples=[57])
    mentions: int = Field(examples=[240])
    sentiment: SentimentTally = Field(description="The authors' sentiment toward the actor.")


class TopicShare(BaseModel):
    """A topic's share of a set of articles."""

    code: str = Field(examples=["medtop:11000000"])
    label: str = Field(examples=["politics"])
    articles: int = Field(examples=[640])
    share: float = Field(description="Fraction of the analysed articles.", examples=[0.42])
    parent: str | None = Field(
        default=None, description="A subtopic's top-level topic; null for a top-level topic."
    )


class OutletCount(BaseModel):
    """An outlet and how many of the articles appeared there."""

    id: int
    name: str = Field(examples=["China Daily"])
    articles: int


class _SourceProfile(BaseModel):
    id: int
    name: str
    article_count: int = Field(examples=[1520])
    first_published: datetime | None
    last_published: datetime | None
    sentiment: SentimentTally = Field(description="The documents' sentiment.")
    top_actors: list[ActorShare] = Field(description="The actors mentioned most, most first.")
    topics: list[TopicShare] = Field(description="The topic mix, the most frequent first.")
    subtopics: list[TopicShare] = Field(
        default_factory=list, description="The subtopic mix, the most frequent first."
    )


class OutletProfile(_SourceProfile):
    """An outlet: its coverage, tone, the actors it writes about most and its topics."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.OUTLET_PROFILE]})


class AffiliationCount(BaseModel):
    name: str = Field(examples=["Carnegie Moscow Center"])
    articles: int
    last_published: datetime | None


class AuthorProfile(_SourceProfile):
    """An author: the same as an outlet's profile, plus the outlets they wrote for."""

    outlets: list[OutletCount]
    affiliation: str | None = Field(
        description="The affiliation of the author's latest article that gives one.",
        examples=["Carnegie Moscow Center"],
    )
    affiliations: list[AffiliationCount] = Field(
        description="Every affiliation their articles give, the latest first."
    )


class AuthorView(BaseModel):
    """An author and the number of their articles."""

    id: int
    name: str = Field(examples=["Dmitri Trenin"])
    article_count: int


class TopicView(BaseModel):
    """A topic of the taxonomy (or found on articles) and its number of articles."""

    code: str = Field(examples=["medtop:16000000"])
    label: str = Field(examples=["conflict, war and peace"])
    description: str | None = Field(description="From the taxonomy; null for a topic outside it.")
    in_taxonomy: bool = Field(description="Listed in the configured taxonomy.")
    article_count: int = Field(examples=[318])
    parent: str | None = Field(
        default=None, description="A subtopic's top-level topic; null for a top-level topic."
    )
    subtopics: list[TopicView] = Field(
        default_factory=list,
        description="A top-level topic's subtopics, in the taxonomy's order, with their counts.",
    )
