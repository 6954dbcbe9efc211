"""One mapping of an analysis to rows: the records, their field names and the tables agree."""

from __future__ import annotations

from sqlalchemy import inspect

from app.analysis import records
from app.models import ArticleActor, ArticleSentiment, ArticleTopic, Mention, Quotation
from app.services import export_files
from tests.fakes import FakeAnalyzer

_TEXT = (
    "Moscow criticised Washington on Monday. China welcomed the talks with India, "
    "and NATO said nothing."
)


def _columns(model: type) -> set[str]:
    return {c.key for c in inspect(model).mapper.column_attrs}


def test_each_record_has_exactly_its_declared_fields() -> None:
    (analysis,) = FakeAnalyzer().analyze([_TEXT])
    assert analysis.actors
    assert analysis.topics
    assert analysis.sentences
    assert set(records.document_sentiment(analysis)) == set(records.DOCUMENT_SENTIMENT_FIELDS)
    for sentence in records.sentences(analysis):
        assert set(sentence) == set(records.SENTENCE_FIELDS)
    for topic in records.topics(analysis):
        assert set(topic) == set(records.TOPIC_FIELDS)
    for actor in analysis.actors:
        assert set(records.actor(actor)) == set(records.ACTOR_FIELDS)
        for mention in records.mentions(actor):
            assert set(mention) == set(records.MENTION_FIELDS)


def test_every_record_field_is_a_column_of_its_table() -> None:
    # what `records.read` reads back from a stored row is what the storage wrote
    assert set(records.DOCUMENT_SENTIMENT_FIELDS) <= _columns(ArticleSentiment)
    assert set(records.TOPIC_FIELDS) <= _columns(ArticleTopic)
    assert set(records.ACTOR_FIELDS) <= _columns(ArticleActor)
    assert set(records.MENTION_FIELDS) <= _columns(Mention)


def test_read_gives_back_the_record_a_row_was_written_from() -> None:
    (analysis,) = FakeAnalyzer().analyze([_TEXT])
    for topic in records.topics(analysis):
        row = ArticleTopic(article_id=1, **topic)
        assert records.read(row, records.TOPIC_FIELDS) == topic
    for actor in analysis.actors:
        record = records.actor(actor)
        row = ArticleActor(article_id=1, actor_id=1, **record)
        assert records.read(row, records.ACTOR_FIELDS) == record


def test_the_export_takes_its_fields_from_the_records() -> None:
    assert set(export_files._ACTOR_FIELDS) <= set(records.ACTOR_FIELDS)
    assert set(export_files._TOP_TOPIC_FIELDS) <= set(records.TOPIC_FIELDS)


def test_quotation_records_and_their_relations() -> None:
    text = (
        '"Washington is a threat and NATO is hostile," Lavrov said. '
        '"China is a good partner," he added. "Washington is bad," Lavrov said.'
    )
    (analysis,) = FakeAnalyzer().analyze([text])
    quotations = records.quotations(analysis)
    assert set(records.QUOTATION_FIELDS) <= _columns(Quotation)
    for record in quotations:
        assert set(records.QUOTATION_FIELDS) <= set(record)
        assert text[record["start"] : record["end"]] == record["text"]
    edges = {(r["speaker_key"], r["target_key"]): r for r in records.relations(analysis)}
    usa = edges["person:sergei lavrov", "country:USA"]
    assert (usa["negative"], usa["neutral"], usa["positive"]) == (2, 0, 0)
    assert edges["person:sergei lavrov", "country:CHN"]["positive"] == 1
