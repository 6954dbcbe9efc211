"""Outlets and actors as listed, each with how many articles it has."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.article import ActorRef


class OutletView(BaseModel):
    """An outlet and the number of its articles."""

    id: int
    name: str = Field(examples=["China Daily"])
    article_count: int


class ActorView(BaseModel):
    """An actor, its other names, and the number of articles that mention it."""

    id: int
    key: str = Field(examples=["country:RUS"])
    name: str = Field(examples=["Russia"])
    kind: str = Field(examples=["country"])
    aliases: list[str] = Field(examples=[["rus", "russian federation"]])
    part_of: ActorRef | None = Field(
        default=None, description="The actor this one is part of (the White House: the US)."
    )
    article_count: int = Field(description="Articles that mention the actor.")
