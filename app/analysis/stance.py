"""The stance model: the author's stance toward a target in a passage, read together in one pass.

A cross-encoder fine-tuned here from the bundled all-MiniLM-L6-v2 weights
(``scripts/train/train_stance.py``; card in ``bundled/stance/README.md``). Its input is
``[CLS] target [SEP] passage [SEP]``; its output (negative, neutral, positive) comes from a small
MLP over `pooled_features`: the [CLS] vector, the passage's mean vector, and the target's mean
vector, taken over the target segment's word pieces together with the pieces of the target's
mentions inside the passage (so "Washington" in a passage read for "United States" is pooled as
the target), with their product and difference. Unlike `app.analysis.targeted`, the target
need not occur in the passage: opinion comments take a stance toward topics they never name.

At run time the encoder runs on ONNX Runtime (int8 weights, one pair at a time, so a pair's
result never depends on the pairs beside it) or PyTorch; the pooling and the small head run in
PyTorch on its output. The word-embedding matrix was frozen in training: the bundle leaves it out
and it is restored from the encoder package at load time, as for the other fine-tuned models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from app.analysis.actors.combiner import COMBINER_FILE, Combiner
from app.analysis.encoder import FloatArray, file_digest, load_fine_tuned
from app.analysis.runtime import OnnxModel, onnx_model
from app.analysis.types import SENTIMENT_LABELS

_NAME = "minilm-l6-stance"
DEFAULT_MAX_PIECES = 160
# The combination settings of a bundle that does not name its own (see actors.stance).
DEFAULT_FOCUS = 2.0
DEFAULT_NEUTRAL_BIAS = 1.0
# Targets are names or short topics; a longer one is cut, the passage never is without a window.
MAX_TARGET_PIECES = 16


def bundled_stance_path() -> Path:
    """Where the bundled stance model lives."""
    return Path(__file__).resolve().parent / "bundled" / "stance"


N_FEATURES = 5  # vectors of hidden_size in `pooled_features`
HEAD_HIDDEN = 256


class StanceNet(torch.nn.Module):
    """BERT over the pair, then `pooled_features` -> a one-hidden-layer MLP -> 3 logits."""

    def __init__(self, config: Any) -> None:
        from transformers import BertModel

        super().__init__()
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(float(config.hidden_dropout_prob))
        width = N_FEATURES * int(config.hidden_size)
        self.hidden = torch.nn.Linear(width, HEAD_HIDDEN)
        self.classifier = torch.nn.Linear(HEAD_HIDDEN, len(SENTIMENT_LABELS))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        target_mask: torch.Tensor,
        passage_mask: torch.Tensor,
    ) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.classify(hidden, target_mask, passage_mask)

    def classify(
        self, hidden: torch.Tensor, target_mask: torch.Tensor, passage_mask: torch.Tensor
    ) -> torch.Tensor:
        """Logits from the encoder's last hidden states (see the module docstring)."""
        features = pooled_features(hidden, target_mask, passage_mask)
        return self.head(self.dropout(features))

    def head(self, features: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.classifier(torch.nn.functional.gelu(self.hidden(features)))
        return logits


def _masked_mean(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def pooled_features(
    hidden: torch.Tensor, target_mask: torch.Tensor, passage_mask: torch.Tensor
) -> torch.Tensor:
    """The head's input: the [CLS] vector, the passage's mean (p), the target's mean (t), and
    t * p and |t - p|, which put how close the passage is to the target within a linear
    layer's reach (the encoder's pooled vectors were trained for that closeness)."""
    passage = _masked_mean(hidden, passage_mask)
    target = _masked_mean(hidden, target_mask)
    return torch.cat(
        [hidden[:, 0], passage, target, target * passage, (target - passage).abs()], dim=-1
    )


@dataclass(frozen=True, slots=True)
class Pair:
    """One model input: word-piece ids with the special tokens, and the target's positions."""

    ids: tuple[int, ...]
    target: tuple[int, ...]
    # position of the passage's first piece (after [CLS] target [SEP])
    passage_start: int


def _window(
    offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]], size: int
) -> tuple[int, int]:
    """Pieces ``[first, end)`` of at most ``size``: all of them if they fit, else a window
    centred on the mentions (or the beginning of the passage when it has none)."""
    n = len(offsets)
    if n <= size:
        return 0, n
    inside = [k for k, (a, b) in enumerate(offsets) if any(a < e and b > s for s, e in spans)]
    if not inside:
        return 0, size
    centre = (inside[0] + inside[-1]) // 2
    first = min(max(0, centre - size // 2), n - size)
    return first, first + size


def encode_pair(
    tokenizer: Any,
    target: str,
    passage: str,
    mentions: Sequence[tuple[int, int]] = (),
    max_pieces: int = DEFAULT_MAX_PIECES,
) -> Pair:
    """The input for ``target`` in ``passage``; ``mentions`` are character spans of the target's
    mentions in the passage, pooled with the target segment."""
    target_ids = list(tokenizer(target, add_special_tokens=False)["input_ids"])[:MAX_TARGET_PIECES]
    enc = tokenizer(
        passage, add_special_tokens=False, return_offsets_mapping=True, truncation=False,
        verbose=False,
    )  # fmt: skip
    offsets = [(int(a), int(b)) for a, b in enc["offset_mapping"]]
    first, end = _window(offsets, mentions, max(1, max_pieces - len(target_ids) - 3))
    cls_id, sep_id = int(tokenizer.cls_token_id), int(tokenizer.sep_token_id)
    ids = [cls_id, *target_ids, sep_id, *enc["input_ids"][first:end], sep_id]
    start = len(target_ids) + 2  # position of the passage's first piece
    positions = list(range(1, len(target_ids) + 1))
    for k in range(first, end):
        a, b = offsets[k]
        if any(a < e and b > s for s, e in mentions):
            positions.append(start + k - first)
    return Pair(ids=tuple(int(i) for i in ids), target=tuple(positions), passage_start=start)


def collate(pairs: Sequence[Pair], pad_id: int) -> dict[str, torch.Tensor]:
    """Padded tensors of a batch of pairs."""
    width = max(len(p.ids) for p in pairs)
    input_ids = torch.full((len(pairs), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(pairs), width), dtype=torch.long)
    target = torch.zeros((len(pairs), width), dtype=torch.float32)
    passage = torch.zeros((len(pairs), width), dtype=torch.float32)
    for row, pair in enumerate(pairs):
        input_ids[row, : len(pair.ids)] = torch.tensor(pair.ids)
        attention[row, : len(pair.ids)] = 1
        target[row, list(pair.target)] = 1.0
        passage[row, pair.passage_start : len(pair.ids) - 1] = 1.0
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "target_mask": target,
        "passage_mask": passage,
    }


def load_stance(path: Path) -> tuple[StanceNet, Any]:
    """The saved model (word embeddings restored from the encoder package) and its tokenizer."""
    model, tokenizer = load_fine_tuned(path, "stance", StanceNet)
    return model, tokenizer


class StanceModel:
    """Loads the stance model once; `probabilities` scores (target, passage) pairs."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        runtime: str = "torch",
        quantize: bool = False,
        cache_dir: Path | None = None,
        threads: int | None = None,
        batch_size: int = 16,
        device: str = "cpu",
    ) -> None:
        directory = path or bundled_stance_path()
        self.model, self.tokenizer = load_stance(directory)
        config = self.model.config
        self.max_pieces = int(getattr(config, "max_pieces", DEFAULT_MAX_PIECES))
        # How app.analysis.actors.stance combines passages, chosen with the weights on dev data.
        self.focus = float(getattr(config, "combine_focus", DEFAULT_FOCUS))
        self.neutral_bias = float(getattr(config, "combine_neutral_bias", DEFAULT_NEUTRAL_BIAS))
        self.batch_size = batch_size
        self.version = f"{_NAME}@{file_digest(directory / 'model.safetensors')}"
        # The learned passages-to-actor step, where the bundle has one (actors.combiner).
        self.combiner: Combiner | None = None
        if (directory / COMBINER_FILE).is_file():
            self.combiner = Combiner.load(directory / COMBINER_FILE)
            self.version += f"+combiner-{file_digest(directory / COMBINER_FILE, 8)}"
        self.onnx: OnnxModel | None = None
        if runtime == "onnx":
            self.onnx = onnx_model(
                self.model.bert,
                version=self.version,
                output="last_hidden_state",
                cache_dir=cache_dir,
                quantize=quantize,
                threads=threads,
                # each pair's run is followed by the head's small PyTorch ops, which waited on
                # the session's spinning threads: 17 % of the whole analysis's time (40 AllSides
                # articles, two cores, 2026-12-05; docs/benchmarks.md)
                spinning=False,
                device=device,
            )
        # the encoder's PyTorch passes on the device (LENS_DEVICE); the small head stays on the
        # CPU, where the hidden states come back
        self.device = device if self.onnx is None else "cpu"
        if self.device != "cpu":
            torch.nn.Module.to(self.model.bert, self.device)
        if quantize and self.onnx is not None:
            self.version += "+int8-onnx"
            # int8 runs each pair alone (runtime.OnnxModel); the head too, so that a pair's
            # probabilities never depend on the pairs beside it, to the last bit.
            self.batch_size = 1

    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair:
        """`encode_pair` with this model's tokenizer and window."""
        return encode_pair(self.tokenizer, target, passage, mentions, self.max_pieces)

    def probabilities(self, pairs: Sequence[Pair]) -> FloatArray:
        """(negative, neutral, positive) for each pair, rows in input order."""
        out = np.zeros((len(pairs), len(SENTIMENT_LABELS)), dtype=np.float32)
        if not pairs:
            return out
        order = sorted(range(len(pairs)), key=lambda k: len(pairs[k].ids))
        pad_id = int(self.tokenizer.pad_token_id or 0)
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                chunk = order[b : b + self.batch_size]
                batch = collate([pairs[k] for k in chunk], pad_id)
                logits = self.model.classify(
                    self._hidden(batch), batch["target_mask"], batch["passage_mask"]
                )
                out[chunk] = torch.softmax(logits.float(), dim=-1).numpy()
        return out

    def _hidden(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        ids, attention = batch["input_ids"], batch["attention_mask"]
        if self.onnx is not None:
            return torch.from_numpy(self.onnx(ids.numpy(), attention.numpy()))
        hidden: torch.Tensor = self.model.bert(
            input_ids=ids.to(self.device), attention_mask=attention.to(self.device)
        ).last_hidden_state
        return hidden.cpu()
