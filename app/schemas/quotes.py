"""Quotations (who said what about whom) and the relations between actors they make."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.analysis import records
from app.analysis.types import Analysis
from app.models import Quotation
from app.schemas import examples


class QuoteActor(BaseModel):
    """An actor as a quotation names it; `id` is null in POST /v1/analyze (nothing stored)."""

    id: int | None = Field(examples=[7])
    key: str = Field(examples=["person:sergei lavrov"])
    name: str = Field(examples=["Sergei Lavrov"])


class QuoteTargetView(BaseModel):
    actor: QuoteActor
    label: str = Field(
        description="The speaker's stance toward the actor in the quoted words.",
        examples=["negative"],
    )
    score: float = Field(description="p(positive) - p(negative), in [-1, 1].", examples=[-0.72])


class QuotationView(BaseModel):
    """Words the article attributes to someone, with the speaker and the actors they are about."""

    start: int = Field(description="Character offset of the words into the article's `text`.")
    end: int
    text: str = Field(description="The quoted words (`text[start:end]`).")
    kind: str = Field(
        description="`direct` (the words inside quotation marks) or `reported` (the clause "
        "of X said that ...).",
        examples=["direct"],
    )
    cue: str | None = Field(
        description="The attribution's verb or phrase (said, told, according to, :); null "
        "when the speaker continues from the quotation before or is not given.",
        examples=["said"],
    )
    how: str = Field(
        description="How the speaker was found: `explicit` (named in the cue), `pronoun`, "
        "`title` (the spokesman), `context` (continues the speech before it) or `none`.",
        examples=["explicit"],
    )
    speaker: QuoteActor | None = Field(description="The speaker as an actor of the article.")
    speaker_name: str | None = Field(
        description="The speaker's name; set without `speaker` when the cue names someone who "
        "is none of the article's actors.",
        examples=["Sergei Lavrov"],
    )
    targets: list[QuoteTargetView] = Field(
        description="The actors the quoted words name, the speaker left out."
    )

    @classmethod
    def of_row(cls, row: Quotation) -> QuotationView:
        return cls(
            **records.read(row, records.QUOTATION_FIELDS),
            speaker=_stored_actor(row.speaker),
            targets=[
                QuoteTargetView(
                    actor=_stored_actor(t.actor) or QuoteActor(id=t.actor_id, key="", name=""),
                    label=t.label,
                    score=t.score,
                )
                for t in row.targets
            ],
        )

    @classmethod
    def of_analysis(cls, analysis: Analysis) -> list[QuotationView]:
        out = []
        for record in records.quotations(analysis):
            key, targets = record.pop("speaker_key"), record.pop("targets")
            out.append(
                cls(
                    **record,
                    speaker=None
                    if key is None
                    else QuoteActor(id=None, key=key, name=record["speaker_name"] or key),
                    targets=[
                        QuoteTargetView(
                            actor=QuoteActor(id=None, key=t["key"], name=t["name"]),
                            label=t["label"],
                            score=t["score"],
                        )
                        for t in targets
                    ],
                )
            )
        return out


def _stored_actor(actor: Any) -> QuoteActor | None:
    return None if actor is None else QuoteActor(id=actor.id, key=actor.key, name=actor.name)


class QuoteItem(QuotationView):
    """A quotation in a list: with its id and its article's."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUOTE_ITEM]})

    id: int
    article_id: int
    title: str | None
    outlet: str | None
    published: datetime | None


class StanceCounts(BaseModel):
    negative: int
    neutral: int
    positive: int


class RelationItem(BaseModel):
    actor: QuoteActor = Field(description="The other actor: spoken about, or speaking.")
    articles: int = Field(description="Articles with such quotations.")
    quotations: StanceCounts = Field(
        description="The quoted targets by the speaker's stance (a quotation counts once per "
        "target)."
    )
    latest: list[QuoteItem] = Field(description="The latest of those quotations.")


class ActorRelations(BaseModel):
    """What an actor said about others (`from`), or what others said about it (`to`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ACTOR_RELATIONS]})

    actor: QuoteActor
    direction: str = Field(examples=["from"])
    items: list[RelationItem]
