"""Analysis runs, an article's earlier analyses, and the re-annotation request."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.models.analysis_run import RunUsage
from app.models.keys import MAX_ID
from app.schemas.article import AnalysisRunView, ArticleDetail, SentimentView, TopicView
from app.schemas.ingest import Name


class RunView(BaseModel):
    """One set of models and settings, and what it annotated."""

    id: int
    fingerprint: str = Field(description="sha256 of the models and settings.")
    models: dict[str, str] = Field(examples=[{"encoder": "all-MiniLM-L6-v2@8b3219a9"}])
    config: dict[str, Any]
    created_at: datetime = Field(description="When a worker first used these models.")
    articles: int = Field(description="Articles whose current annotations this run produced.")
    replaced: int = Field(description="Its annotations that a later run has replaced.")
    first_used: datetime | None = Field(description="When it first annotated an article.")
    last_used: datetime | None = Field(description="When it last annotated an article.")

    @classmethod
    def of(cls, usage: RunUsage) -> RunView:
        # the run's columns and the usage's counts and dates, by name
        run = AnalysisRunView.model_validate(usage.run).model_dump()
        counts = {f.name: getattr(usage, f.name) for f in fields(usage) if f.name != "run"}
        return cls(**run, **counts)


class ActorSentimentEntry(BaseModel):
    """The author's sentiment toward one actor, as an earlier analysis saw it."""

    key: str = Field(examples=["country:RUS"])
    name: str = Field(examples=["Russia"])
    label: str = Field(examples=["negative"])
    score: float


class RelationEntry(BaseModel):
    """What one actor said about another in an earlier analysis: its quotations' targets."""

    speaker: str = Field(description="The speaker's actor key.", examples=["person:sergei lavrov"])
    target: str = Field(description="The target's actor key.", examples=["country:USA"])
    negative: int
    neutral: int
    positive: int


class HistoryEntry(BaseModel):
    """What an earlier analysis said, before a new run or a new text (a revision) replaced it."""

    # built from an `ArticleHistory` row: HistoryEntry.model_validate(row)
    model_config = ConfigDict(from_attributes=True)

    reason: str = Field(
        description="`reannotated` (a model change: `replaced_by_run_id` replaced it) or "
        "`revised` (a new text for the url replaced the text and its annotations)."
    )
    revision: int = Field(description="The text revision these annotations were made from.")
    title: str | None = Field(description="For `revised`: the title that was replaced.")
    text: str | None = Field(description="For `revised`: the text that was replaced.")
    analysis_run_id: int | None
    replaced_by_run_id: int | None
    analyzed_at: datetime | None
    replaced_at: datetime
    sentiment: SentimentView | None
    sentiment_probabilities: dict[str, float] | None
    topics: list[TopicView]
    actors: list[ActorSentimentEntry] = Field(
        description="The author's sentiment toward each actor, most salient first."
    )
    relations: list[RelationEntry] | None = Field(
        default=None,
        description="Who said what about whom in its quotations (speaker -> target, counts by "
        "the speaker's stance); null for analyses replaced before the history kept them.",
    )


class ArticleWithHistory(ArticleDetail):
    """An article in full; with `?include=history`, also what earlier analyses said."""

    history: list[HistoryEntry] | None = Field(
        default=None,
        description="With `?include=history`: earlier analyses, the most recently replaced "
        "first (empty if the article was analysed once); otherwise null.",
    )


_REANNOTATE_EXAMPLE: dict[str, JsonValue] = {
    "outlet": ["China Daily"],
    "from": "2021-01-01",
    "dry_run": True,
}


class ReannotateIn(BaseModel):
    """Which articles to queue again; every filter given must match. An empty body selects
    every analysed article that the current models did not annotate."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, json_schema_extra={"examples": [_REANNOTATE_EXAMPLE]}
    )

    outlet: list[Name] = Field(default_factory=list, description="Outlet names (any of them).")
    actor: list[Name] = Field(default_factory=list, description="Actors (all must be mentioned).")
    published_from: date | None = Field(default=None, alias="from")
    published_to: date | None = Field(default=None, alias="to")
    runs: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, description="Only articles annotated by these analysis runs."
    )
    all: bool = Field(
        default=False, description="Also articles the current models annotated already."
    )
    include_failed: bool = Field(default=False, description="Also articles whose analysis failed.")
    dry_run: bool = Field(default=False, description="Count only; queue nothing.")


class ReannotateResult(BaseModel):
    """How many articles were (or, with `dry_run`, would be) queued again."""

    queued: int = Field(description="Articles queued again (with dry_run: that would be).")
    dry_run: bool
    current_fingerprint: str | None = Field(
        description="The current models' run fingerprint, if this process knows them."
    )
    current_run_id: int | None = Field(
        description="Their run id; null until a worker has annotated an article with them."
    )
    actors_renamed: int = Field(
        default=0,
        description="Stored actors renamed to the current tables' key and name (`person:obama` "
        "to `person:barack obama`): the same id, the old name kept as an alias.",
    )
    actors_merged: int = Field(
        default=0,
        description="Stored actors merged into one already stored under their new key; the "
        "merged id and key still answer (`GET /v1/actors/{id}`, `actor=`) for that actor.",
    )
