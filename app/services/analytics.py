"""Profiles (actor, outlet, author) and an actor's timeline, built from the aggregate queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from sqlalchemy.orm import Session

from app.errors import NotFoundError, invalid_query
from app.models import Actor, Author, Outlet
from app.repositories import actor_stats, actors, authors, named, passages, profiles
from app.repositories.actor_stats import Interval, Tally
from app.schemas.article import ActorRef
from app.schemas.profiles import (
    ActorPassages,
    ActorProfile,
    ActorShare,
    ActorTimeline,
    AffiliationCount,
    ArticlePassages,
    AuthorProfile,
    CoMention,
    OutletCount,
    OutletProfile,
    OutletSentiment,
    PassageQuote,
    SentimentTally,
    Span,
    TimelinePoint,
    TopicShare,
)
from app.services import resolve

_TOP_TOPICS = 10


def actor_profile(
    session: Session,
    actor_id: int,
    *,
    outlets_limit: int,
    co_mentions_limit: int,
    start: date | None = None,
    end: date | None = None,
) -> ActorProfile:
    """The actor over all dates (from the roll-ups), or over the articles published from
    ``start`` to ``end`` inclusive (either may be open)."""
    actor = _actor(session, actor_id)
    # a merged actor's old id answers with the actor it became
    actor_id = actor.id
    if start is not None and end is not None and start > end:
        raise invalid_query("from", "must not be after `to`")
    lower = _midnight(start) if start is not None else None
    upper = _day_after(end) if end is not None else None
    if start is None and end is None:
        total = actor_stats.total(session, actor_id)
        first, last = actor_stats.seen_between(session, actor_id)
        by_outlet = actor_stats.by_outlet(session, actor_id, outlets_limit)
        co_mentioned = actor_stats.co_mentioned(session, actor_id, co_mentions_limit)
    else:
        total = actor_stats.total_between(session, actor_id, lower, upper)
        first, last = actor_stats.seen_between(session, actor_id, lower, upper)
        by_outlet = actor_stats.by_outlet_between(session, actor_id, outlets_limit, lower, upper)
        co_mentioned = actor_stats.co_mentioned_between(
            session, actor_id, co_mentions_limit, lower, upper
        )
    actor_scope = profiles.actor_scope(actor_id, lower, upper)
    return ActorProfile(
        **_ref(actor).model_dump(),
        aliases=sorted(alias.alias for alias in actor.aliases),
        part_of=None if actor.part_of is None else _ref(actor.part_of),
        parts=[_ref(part) for part in actors.parts_of(session, actor_id)],
        article_count=total.articles,
        mention_count=total.mentions,
        first_seen=first,
        last_seen=last,
        sentiment=_sentiment(total),
        by_outlet=[
            OutletSentiment(
                outlet_id=row.outlet_id,
                outlet=row.outlet,
                articles=row.tally.articles,
                mentions=row.tally.mentions,
                sentiment=_sentiment(row.tally),
            )
            for row in by_outlet
        ],
        topics=_topics(session, actor_scope, analysed=total.articles),
        subtopics=_topics(session, actor_scope, analysed=total.articles, subtopics=True),
        co_mentions=[CoMention(actor=_ref(other), articles=n) for other, n in co_mentioned],
    )


def actor_timeline(
    session: Session,
    actor_id: int,
    interval: Interval,
    *,
    start: date | None,
    end: date | None,
    outlet_terms: list[str],
    max_periods: int,
) -> ActorTimeline:
    """One point per period from ``start`` to ``end`` (default: the actor's first and last
    article), zero counts where nothing was published; more than ``max_periods`` is a 422."""
    actor = _actor(session, actor_id, with_aliases=False)
    actor_id = actor.id
    if start is not None and end is not None and start > end:
        raise invalid_query("from", "must not be after `to`")
    outlet_ids = resolve.outlet_ids(session, outlet_terms)
    if start is None or end is None:
        first, last = actor_stats.seen_between(session, actor_id)
        start = start or (first.date() if first else None)
        end = end or (last.date() if last else None)
    points: list[TimelinePoint] = []
    if start is not None and end is not None and start <= end:
        # Never more than one too many: `from=0001-01-01&to=9999-12-31` is millions of days.
        periods = list(islice(_periods(interval, start, end), max_periods + 1))
        if len(periods) > max_periods:
            raise invalid_query(
                "interval",
                f"gives more than {max_periods} periods from {start} to {end} "
                "(LENS_MAX_TIMELINE_PERIODS): choose a longer interval or a shorter range",
            )
        found = actor_stats.timeline(
            session,
            actor_id,
            interval,
            start=_midnight(periods[0]),
            end=_day_after(end),
            outlet_ids=outlet_ids,
        )
        empty = Tally(0, 0, 0, 0, 0, 0.0)
        for period in periods:
            tally = found.get(period, empty)
            points.append(
                TimelinePoint(
                    period=period,
                    articles=tally.articles,
                    mentions=tally.mentions,
                    sentiment=_sentiment(tally),
                )
            )
    return ActorTimeline(
        actor=_ref(actor),
        interval=interval,
        start=points[0].period if points else start,
        end=end,
        points=points,
    )


def outlet_profile(session: Session, outlet_id: int, *, actors_limit: int) -> OutletProfile:
    outlet = named.get(session, Outlet, outlet_id)
    if outlet is None:
        raise NotFoundError(f"There is no outlet {outlet_id}.")
    scope = profiles.outlet_scope(outlet_id)
    count, first, last = profiles.span(session, scope)
    labels = profiles.document_sentiment(session, scope)
    return OutletProfile(
        id=outlet.id,
        name=outlet.name,
        article_count=count,
        first_published=first,
        last_published=last,
        sentiment=_labels(labels),
        top_actors=_shares(profiles.outlet_actors(session, outlet_id, actors_limit)),
        topics=_topics(session, scope, analysed=sum(labels[:3])),
        subtopics=_topics(session, scope, analysed=sum(labels[:3]), subtopics=True),
    )


def author_profile(session: Session, author_id: int, *, actors_limit: int) -> AuthorProfile:
    author = named.get(session, Author, author_id)
    if author is None:
        raise NotFoundError(f"There is no author {author_id}.")
    scope = profiles.author_scope(author_id)
    count, first, last = profiles.span(session, scope)
    labels = profiles.document_sentiment(session, scope)
    held = [
        AffiliationCount(name=name, articles=n, last_published=at)
        for name, n, at in authors.affiliations(session, author_id)
    ]
    return AuthorProfile(
        id=author.id,
        name=author.name,
        article_count=count,
        first_published=first,
        last_published=last,
        sentiment=_labels(labels),
        top_actors=_shares(profiles.scope_actors(session, scope, actors_limit)),
        topics=_topics(session, scope, analysed=sum(labels[:3])),
        subtopics=_topics(session, scope, analysed=sum(labels[:3]), subtopics=True),
        outlets=[
            OutletCount(id=o.id, name=o.name, articles=n)
            for o, n in profiles.author_outlets(session, author_id)
        ],
        affiliation=held[0].name if held else None,
        affiliations=held,
    )


def period_start(interval: Interval, day: date) -> date:
    """The first day of the period that contains ``day`` (weeks start on Monday)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _periods(interval: Interval, start: date, end: date) -> Iterator[date]:
    period = period_start(interval, start)
    while period <= end:
        yield period
        try:
            if interval == "day":
                period += timedelta(days=1)
            elif interval == "week":
                period += timedelta(weeks=1)
            else:
                period = (period.replace(day=28) + timedelta(days=4)).replace(day=1)
        except OverflowError:  # the period after the one holding date.max (9999-12-31)
            return


def _actor(session: Session, actor_id: int, *, with_aliases: bool = True) -> Actor:
    actor = actors.get(session, actor_id, with_aliases=with_aliases)
    if actor is None:
        raise NotFoundError(f"There is no actor {actor_id}.")
    return actor


def _ref(actor: Actor) -> ActorRef:
    return ActorRef(id=actor.id, key=actor.key, name=actor.name, kind=actor.kind)


def _sentiment(tally: Tally) -> SentimentTally:
    return SentimentTally(
        mean=round(tally.score_sum / tally.articles, 4) if tally.articles else None,
        negative=tally.negative,
        neutral=tally.neutral,
        positive=tally.positive,
    )


def _labels(counts: profiles.LabelCounts) -> SentimentTally:
    negative, neutral, positive, score_sum = counts
    total = negative + neutral + positive
    return _sentiment(Tally(total, 0, negative, neutral, positive, score_sum))


def _shares(rows: list[tuple[Actor, Tally]]) -> list[ActorShare]:
    return [
        ActorShare(
            actor=_ref(actor),
            articles=tally.articles,
            mentions=tally.mentions,
            sentiment=_sentiment(tally),
        )
        for actor, tally in rows
    ]


def _topics(
    session: Session, scope: profiles.Scope, *, analysed: int, subtopics: bool = False
) -> list[TopicShare]:
    mix = profiles.topic_mix(session, scope, _TOP_TOPICS, subtopics=subtopics)
    return [
        TopicShare(
            code=code,
            label=label,
            articles=n,
            share=round(n / analysed, 4) if analysed else 0.0,
            parent=parent,
        )
        for code, label, n, parent in mix
    ]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _day_after(day: date) -> datetime:
    """Where an inclusive ``to`` ends: the next midnight, or the end of time after date.max."""
    return (
        _midnight(day + timedelta(days=1)) if day < date.max else datetime.max.replace(tzinfo=UTC)
    )


def actor_passages(session: Session, actor_id: int, article_ids: list[int]) -> ActorPassages:
    """The passages behind the stance toward an actor in each of some articles (a list's page)."""
    actor = _actor(session, actor_id, with_aliases=False)
    rows = passages.for_actor(session, actor.id, article_ids)
    return ActorPassages(actor=_ref(actor), items=[_article_passages(row) for row in rows])


def _article_passages(row: passages.PassageRow) -> ArticlePassages:
    if row.passages:
        spans = [
            (int(p["start"]), int(p["end"]), p["label"], p["score"], p["weight"], "passage")
            for p in row.passages
        ]
    else:  # analysed before the stance model: its evidence sentences
        by_index = {s["index"]: s for s in row.sentences}
        spans = [
            (s["start"], s["end"], s.get("label"), s.get("score"), None, "sentence")
            for s in (by_index.get(i) for i in row.evidence)
            if s is not None
        ]
    quotes = [
        PassageQuote(
            start=start,
            end=end,
            text=row.text[start:end],
            label=label,
            score=score,
            weight=weight,
            kind=kind,
            mentions=[
                Span(start=m_start - start, end=m_end - start)
                for m_start, m_end in row.mentions
                if m_start >= start and m_end <= end
            ],
        )
        for start, end, label, score, weight, kind in spans
    ]
    return ArticlePassages(
        article_id=row.article_id, label=row.label, score=row.score, passages=quotes
    )
