"""Tiny randomly initialised hub-style models, built and saved by the tests themselves.

They exercise the hub profile's loading and conversion code offline: the outputs are random,
so tests assert on shapes, label mapping and offsets, never on quality.
"""

from __future__ import annotations

from pathlib import Path

from app.analysis.encoder import bundled_encoder_path

NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


def tiny_config(**labels: object) -> object:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        **labels,
    )


def build_tiny_models(root: Path) -> dict[str, Path]:
    """Save a sentiment, an NLI (zero-shot) and a token-classification model under ``root``."""
    import torch
    from transformers import (
        AutoTokenizer,
        BertForSequenceClassification,
        BertForTokenClassification,
    )

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_encoder_path()))
    specs = {
        "sentiment": (
            BertForSequenceClassification,
            {0: "negative", 1: "neutral", 2: "positive"},
        ),
        "nli": (
            BertForSequenceClassification,
            {0: "contradiction", 1: "neutral", 2: "entailment"},
        ),
        "ner": (BertForTokenClassification, dict(enumerate(NER_LABELS))),
    }
    paths: dict[str, Path] = {}
    for name, (cls, id2label) in specs.items():
        config = tiny_config(id2label=id2label, label2id={v: k for k, v in id2label.items()})
        model = cls(config)
        path = root / name
        model.save_pretrained(str(path))
        tokenizer.save_pretrained(str(path))
        paths[name] = path
    return paths


def build_tiny_stance(root: Path, *, focus: float = 2.0, neutral_bias: float = 1.0) -> Path:
    """A tiny random stance model in the bundle's format (scripts/train/train_stance.py's)."""
    import torch
    from safetensors.torch import save_file

    from app.analysis.stance import StanceNet

    torch.manual_seed(0)
    config = tiny_config()
    config.max_pieces = 64  # type: ignore[attr-defined]
    config.combine_focus = focus  # type: ignore[attr-defined]
    config.combine_neutral_bias = neutral_bias  # type: ignore[attr-defined]
    model = StanceNet(config)
    root.mkdir(parents=True, exist_ok=True)
    # The tiny model's word embeddings are its own: saved, unlike a bundle's (restored from the
    # encoder package, whose width differs).
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(root / "model.safetensors"), metadata={"format": "pt"})
    config.save_pretrained(str(root))  # type: ignore[attr-defined]
    return root
