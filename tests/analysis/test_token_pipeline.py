"""The faster decoding of the token-classification pipeline gives the stock pipeline's entities."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from app.analysis.encoder import bundled_encoder_path
from app.analysis.entities import EntityModel, bundled_ner_path
from app.analysis.text import split_sentences
from app.analysis.token_pipeline import FastTokenClassification
from tests.analysis.tiny_models import NER_LABELS, tiny_config

SENTENCES = [
    "Washington imposed new sanctions on Moscow, the Kremlin said on Thursday.",
    "Zürich's Café Größe and the U.S.-China talks in São Paulo went nowhere.",
    "Prime Minister Narendra Modi met Xi Jinping ☃ at the BRICS summit 🙂 in Kazan.",
    "the un-capitalised nato and eu officials of the ﬁnance ministry said nothing",
    "Rolls-Royce, AT&T and O'Neill’s firm (ACME Inc.) — all named.",
    " ".join(f"Name{i} of Paris" for i in range(150)),  # several 256-piece windows
    "x",
    "",
]


def _entities(pipe: Any, texts: list[str], **kwargs: Any) -> list[list[dict[str, Any]]]:
    out = pipe([t for t in texts if t], batch_size=4, stride=32, **kwargs)
    return [list(item) for item in out]


def _pipelines(path: Path, aggregation: str = "first") -> tuple[Any, Any]:
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    from app.analysis.entities import _window_tokenizer

    model = AutoModelForTokenClassification.from_pretrained(str(path))
    tokenizer = _window_tokenizer(AutoTokenizer.from_pretrained(str(path)), model)
    stock = pipeline(
        "token-classification", model=model, tokenizer=tokenizer,
        aggregation_strategy=aggregation,
    )  # fmt: skip
    fast = pipeline(
        "token-classification", model=model, tokenizer=tokenizer,
        aggregation_strategy=aggregation, pipeline_class=FastTokenClassification,
    )  # fmt: skip
    assert isinstance(fast, FastTokenClassification)
    return stock, fast


@pytest.fixture(scope="module")
def random_tagger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny tagger whose labels jump from piece to piece (random weights, sharpened), so
    words, B-/I- runs and "O" gaps of every kind occur."""
    import torch
    from transformers import AutoTokenizer, BertForTokenClassification

    torch.manual_seed(3)
    id2label = dict(enumerate(NER_LABELS))
    model = BertForTokenClassification(
        tiny_config(id2label=id2label, label2id={v: k for k, v in id2label.items()})  # type: ignore[arg-type]
    )
    with torch.no_grad():
        model.classifier.weight.mul_(40.0)
    path = tmp_path_factory.mktemp("random-tagger")
    model.save_pretrained(str(path))
    AutoTokenizer.from_pretrained(str(bundled_encoder_path())).save_pretrained(str(path))
    return path


def test_the_same_entities_as_the_stock_pipeline(random_tagger: Path) -> None:
    stock, fast = _pipelines(random_tagger)
    expected = _entities(stock, SENTENCES)
    assert sum(len(found) for found in expected) > 100  # the random tagger finds plenty
    assert _entities(fast, SENTENCES) == expected
    # and with other labels to ignore
    assert _entities(fast, SENTENCES, ignore_labels=["O", "PER"]) == _entities(
        stock, SENTENCES, ignore_labels=["O", "PER"]
    )


def test_other_strategies_are_the_stock_code(random_tagger: Path) -> None:
    stock, fast = _pipelines(random_tagger, aggregation="max")
    assert _entities(fast, SENTENCES) == _entities(stock, SENTENCES)


_NO_WEIGHTS = not (bundled_ner_path() / "model.safetensors").exists()
_ARTICLES = Path(__file__).resolve().parents[3] / "shared/data/articles/allsides-10k.jsonl.gz"


@pytest.mark.slow
@pytest.mark.skipif(_NO_WEIGHTS or not _ARTICLES.exists(), reason="bundled NER or data absent")
def test_the_bundled_tagger_finds_the_same_entities_on_articles() -> None:
    """The bundled tagger (int8 on ONNX Runtime, as the service runs it) over the sentences of
    30 AllSides articles: the fast decoding and the stock one agree exactly."""
    model = EntityModel(quantize=True, runtime="onnx")
    with gzip.open(_ARTICLES, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for _, line in zip(range(30), handle, strict=False)]
    sentences = [s.text for text in texts for s in split_sentences(text)]
    from transformers import TokenClassificationPipeline

    stock = TokenClassificationPipeline(
        model=model.model, tokenizer=model.tokenizer, aggregation_strategy="first"
    )
    expected = _entities(stock, sentences)
    assert sum(len(found) for found in expected) > 500
    assert _entities(model._pipeline, sentences) == expected
