"""The entity step: label mapping, span clean-up, offsets into the article, long sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from app.analysis.encoder import bundled_encoder_path
from app.analysis.entities import (
    EntityModel,
    _Piece,
    bundled_ner_path,
    clean_span,
    may_name_entity,
    merge_pieces,
    normalise_label,
)

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "train" / "ner_conll03_dev.jsonl"
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("B-PER", "PER"),
        ("I-LOC", "LOC"),
        ("ORG", "ORG"),
        ("MISC", "MISC"),
        ("b-org", "ORG"),
        ("PERSON", "PER"),
        ("S-PER", "PER"),
        ("GPE", "LOC"),
        ("B-FAC", "LOC"),
        ("NORP", "MISC"),
        ("I-WORK_OF_ART", "MISC"),
        ("O", None),
        ("B-DATE", None),
        ("CARDINAL", None),
        ("LABEL_3", None),
    ],
)
def test_normalise_label(raw: str, expected: str | None) -> None:
    assert normalise_label(raw) == expected


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("said  Lavrov, on", (5, 13), "Lavrov"),
        ("said Lavrov on", (5, 8), "Lavrov"),
        ("said Lavrov on", (7, 11), "Lavrov"),
        ("in Washington.", (3, 14), "Washington"),
        ("the U.S. said", (4, 8), "U.S."),
        ("(NATO) said", (0, 6), "NATO"),
        ("Rolls-Royce shares", (0, 11), "Rolls-Royce"),
    ],
)
def test_clean_span(text: str, span: tuple[int, int], expected: str) -> None:
    start, end = clean_span(text, *span)
    assert text[start:end] == expected


def test_clean_span_stays_within_the_sentence() -> None:
    text = "AB.CD"
    assert clean_span(text, 3, 5, lo=3, hi=5) == (3, 5)
    assert clean_span(text, 3, 4, lo=3, hi=5) == (3, 5)


def test_clean_span_of_punctuation_is_empty() -> None:
    start, end = clean_span("a , b", 2, 3)
    assert start == end


def test_merge_pieces_joins_split_abbreviations_and_resolves_overlaps() -> None:
    text = "the U.S. and Lavrov Sergei met"
    pieces = [
        _Piece(4, 5, "LOC", 0.9),
        _Piece(6, 7, "LOC", 0.7),
        _Piece(13, 19, "PER", 0.99),
        _Piece(20, 26, "PER", 0.98),
        _Piece(20, 26, "ORG", 0.5),
    ]
    merged = merge_pieces(text, pieces)
    assert [(text[p.start : p.end], p.label) for p in merged] == [
        ("U.S.", "LOC"),
        ("Lavrov", "PER"),
        ("Sergei", "PER"),
    ]
    assert merged[0].score == pytest.approx(0.8)


class _StubModel(EntityModel):
    """Answers like the pipeline with aggregation, tagging the listed words wherever they occur."""

    WORDS: ClassVar[dict[str, str]] = {
        "Lavrov": "PER",
        "Beijing": "LOC",
        "NATO": "ORG",
        "U": "LOC",
        "S": "LOC",
        "Kre": "ORG",
    }

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def _run(self, inputs: list[str]) -> list[list[dict[str, Any]]]:
        self.calls.append(inputs)
        out = []
        for sentence in inputs:
            found = []
            for word, label in self.WORDS.items():
                for match in re.finditer(rf"\b{word}", sentence):
                    found.append(
                        {
                            "entity_group": label,
                            "score": 0.9,
                            "word": word,
                            "start": match.start(),
                            "end": match.end(),
                        }
                    )
            found.append({"entity_group": "DATE", "score": 0.9, "start": 0, "end": 1})
            out.append(sorted(found, key=lambda item: item["start"]))
        return out


def test_find_maps_offsets_into_the_original_text() -> None:
    first = "Headline\n\nLavrov spoke.  Then Beijing and NATO answered the U.S. in Kremlin talks."
    second = "Nothing here. NATO again."
    spans = [[(0, 8), (10, 23), (25, len(first))], [(0, 13), (14, 25)]]
    model = _StubModel()

    found = model.find([first, second], spans)

    assert len(model.calls) == 1  # every sentence of every text in one call
    assert [(m.text, m.label, m.sentence_index) for m in found[0]] == [
        ("Lavrov", "PER", 1),
        ("Beijing", "LOC", 2),
        ("NATO", "ORG", 2),
        ("U.S.", "LOC", 2),
        ("Kremlin", "ORG", 2),
    ]
    assert [(m.text, m.sentence_index) for m in found[1]] == [("NATO", 1)]
    for text, text_spans, mentions in zip([first, second], spans, found, strict=True):
        for mention in mentions:
            assert text[mention.start : mention.end] == mention.text
            start, end = text_spans[mention.sentence_index]
            assert start <= mention.start < mention.end <= end


def test_find_skips_blank_sentences_and_texts() -> None:
    model = _StubModel()
    assert model.find(["   ", ""], [[(0, 3)], []]) == [[], []]
    assert model.calls == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("But it was not enough.", False),
        ("“It was not enough,” he said.", False),
        ("the rest is history", False),
        ("It was not enough for Biden.", True),  # a capital after the first word
        ("Democrats said it was not enough.", True),  # the first word is not an opening word
        ("iPhones sold well.", True),  # a capital inside the first word
        ("He met the U.S. envoy.", True),
        ("   ", False),
    ],
)
def test_may_name_entity(sentence: str, expected: bool) -> None:
    assert may_name_entity(sentence) is expected


def test_the_gate_skips_sentences_that_cannot_name_an_entity() -> None:
    text = "Lavrov spoke. But it was not enough. Then NATO answered."
    spans = [[(0, 13), (14, 36), (37, len(text))]]
    model = _StubModel()
    model.version = "stub"
    model.gate_sentences()
    found = model.find([text], spans)
    assert model.calls == [["Lavrov spoke.", "Then NATO answered."]]
    assert [(m.text, m.sentence_index) for m in found[0]] == [("Lavrov", 0), ("NATO", 2)]
    assert model.version == "stub+capital-gate"  # part of the annotations' fingerprint
    model.gate_sentences()
    assert model.version == "stub+capital-gate"


@pytest.fixture(scope="module")
def taggers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny BERT taggers that give every word piece one label, saved offline."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

    id2label = dict(enumerate(NER_LABELS))
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_encoder_path()))
    root = tmp_path_factory.mktemp("taggers")
    paths = {}
    for label in ("B-PER", "I-ORG"):
        model = BertForTokenClassification(config)
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.fill_(-10.0)
            model.classifier.bias[NER_LABELS.index(label)] = 10.0
        path = root / f"tagger-{label}"
        model.save_pretrained(str(path))
        tokenizer.save_pretrained(str(path))
        paths[label] = path
    return paths


def test_long_sentences_are_read_to_the_end(taggers: dict[str, Path]) -> None:
    model = EntityModel.from_pretrained(taggers["B-PER"])
    words = [f"Name{i}" for i in range(700)]  # several times the 512-piece window
    sentence = " ".join(words)
    text = "Intro. " + sentence

    [mentions] = model.find([text], [[(0, 6), (7, len(text))]])

    assert model.version.startswith("tagger-B-PER@")
    assert [m.text for m in mentions] == ["Intro", *words]
    assert all(m.label == "PER" for m in mentions)
    assert mentions[-1].end == len(text)
    assert {m.sentence_index for m in mentions[1:]} == {1}


def test_hub_model_labels_without_prefix_are_normalised(taggers: dict[str, Path]) -> None:
    model = EntityModel.from_pretrained(taggers["I-ORG"], aggregation="simple", quantize=True)
    [mentions] = model.find(["NATO met."], [[(0, 9)]])
    assert model.version.endswith("+int8")
    assert [(m.text, m.label) for m in mentions] == [("NATO met", "ORG")]


_NO_WEIGHTS = not (bundled_ner_path() / "model.safetensors").exists()


@pytest.mark.slow
@pytest.mark.skipif(_NO_WEIGHTS, reason="bundled NER weights absent")
def test_bundled_model_finds_people_places_and_organisations() -> None:
    model = EntityModel()
    text = "Analysis. Sergei Lavrov said in Beijing that NATO had broken its promises."
    [mentions] = model.find([text], [[(0, 9), (10, len(text))]])
    found = {(m.text, m.label) for m in mentions}
    assert {("Sergei Lavrov", "PER"), ("Beijing", "LOC"), ("NATO", "ORG")} <= found
    assert all(m.sentence_index == 1 for m in mentions)
    assert model.version.startswith("minilm-l6-conll03-ner@")


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(_NO_WEIGHTS, reason="bundled NER weights absent")
@pytest.mark.skipif(not DEV.exists(), reason="shared data absent")
def test_bundled_model_meets_the_dev_floor() -> None:
    from app.analysis.ner_eval import evaluate_ner

    with DEV.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    from app.analysis.model_profiles import bundled_entity_model
    from app.core.config import Settings

    # the tagger as the service runs it (ONNX Runtime, int8 weights by default)
    scores = evaluate_ner(records, bundled_entity_model(Settings()))
    assert scores["micro_f1"] >= 0.86
