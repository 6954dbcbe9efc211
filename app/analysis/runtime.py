"""ONNX Runtime for the bundled transformers: the same weights, exported once, run faster.

A BERT-sized model on two CPU cores runs 1.4-1.7 times faster under ONNX Runtime than under
PyTorch with the same fp32 weights and the same outputs (docs/benchmarks.md). The model is traced
to ONNX the first time it loads and the file is cached under ``LENS_MODEL_CACHE``, keyed by the
weights' version and the exporter's versions, so later loads only open it. Every export is checked
against PyTorch on a padded batch before it is used; if the check or the export fails, the model
stays on PyTorch and the reason is logged.

``LENS_RUNTIME=torch`` keeps everything on PyTorch.

``LENS_DEVICE`` chooses where the passes run: ``cpu`` (the default, no GPU package needed),
``cuda`` (ONNX Runtime's CUDAExecutionProvider where the installed onnxruntime has one, PyTorch's
CUDA device on ``LENS_RUNTIME=torch``), or ``auto`` (the GPU when there is one). Where no GPU is
usable the models run on the CPU and, for ``cuda``, a warning says why (`resolve_device`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import os
import tempfile
import types
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

log = logging.getLogger(__name__)

# How far from PyTorch an export may be (see _check): fp32 hidden states and logits differ by
# about 5e-6 at most; int8 weights keep every token's vector at a cosine above 0.95 (a
# broken export lands near 0.5).
_FP32_TOLERANCE = 1e-3
_INT8_TOLERANCE = 0.05


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/commentary-lens`` (``~/.cache/commentary-lens``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "commentary-lens"


class _Output(torch.nn.Module):
    """Wraps a transformers model so the trace returns one tensor (hidden states or logits)."""

    def __init__(self, model: Any, output: str) -> None:
        super().__init__()
        self.model = model
        self.output = output

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        result = self.model(input_ids=input_ids, attention_mask=attention_mask)
        tensor: torch.Tensor = getattr(result, self.output)
        return tensor


def _example() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 20000, (3, 24), generator=generator)
    mask = torch.ones_like(ids)
    # Padding in the example: with an all-ones mask transformers drops the masking from the trace.
    mask[1, 15:] = 0
    mask[2, 6:] = 0
    return ids, mask


def _export(model: Any, output: str, path: Path) -> None:
    # Trace a copy: tracing leaves the traced module computing wrong values afterwards.
    traced = copy.deepcopy(model).eval()
    if hasattr(traced, "set_attn_implementation"):
        traced.set_attn_implementation("eager")
    axes = {0: "batch", 1: "tokens"}
    # The tracer warns about Python-side conditions and index ops: the check after the export
    # compares it with PyTorch on a padded batch instead.
    with (
        _replacing(path) as tmp,
        torch.inference_mode(False),
        torch.no_grad(),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Output(traced, output),
            _example(),
            tmp,
            input_names=["input_ids", "attention_mask"],
            output_names=[output],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, output: axes},
            opset_version=17,
            dynamo=False,
        )


def _quantize(source: Path, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # it logs every tensor it skips, to the root logger
    try:
        with _replacing(path) as tmp:
            quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[str]:
    """A temporary file beside ``path`` to write; it becomes ``path`` in one atomic rename if
    the block succeeds, so a concurrent loader sees the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".onnx.tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


_CUDA_PROVIDER = "CUDAExecutionProvider"
_CPU_PROVIDER = "CPUExecutionProvider"


def _onnx_providers_available() -> list[str]:
    try:
        import onnxruntime as ort
    except ImportError:
        return []
    return list(ort.get_available_providers())


def _torch_cuda_available() -> bool:
    return bool(torch.cuda.is_available())


@cache
def resolve_device(requested: str, runtime: str = "onnx") -> str:
    """The device the models of ``runtime`` run on for ``LENS_DEVICE=requested``: ``cuda`` where
    it asks for a GPU (``cuda`` or ``auto``) and the runtime can use one (onnxruntime built with
    the CUDAExecutionProvider, or torch with CUDA), else ``cpu``; ``cuda`` that cannot be had is
    logged as a warning (once per setting), ``auto`` without a GPU quietly."""
    if requested == "cpu":
        return "cpu"
    if requested not in ("cuda", "auto"):
        raise ValueError(f"LENS_DEVICE must be cpu, cuda or auto, not {requested!r}")
    if runtime == "onnx":
        available = _CUDA_PROVIDER in _onnx_providers_available()
        missing = f"onnxruntime offers no {_CUDA_PROVIDER} (install onnxruntime-gpu)"
    else:
        available = _torch_cuda_available()
        missing = "torch sees no CUDA device"
    if available:
        return "cuda"
    if requested == "cuda":
        log.warning("LENS_DEVICE=cuda, but %s: the models run on the CPU", missing)
    else:
        log.info("LENS_DEVICE=auto: %s, the models run on the CPU", missing)
    return "cpu"


def onnx_providers(device: str) -> list[str]:
    """ONNX Runtime's execution providers for a resolved ``device``, CPU last as the fallback
    for any operator the GPU's provider lacks."""
    return [_CUDA_PROVIDER, _CPU_PROVIDER] if device == "cuda" else [_CPU_PROVIDER]


class OnnxModel:
    """One exported model in an ONNX Runtime session: ``(ids, mask) -> hidden states|logits``."""

    def __init__(
        self,
        path: Path,
        output: str,
        threads: int | None,
        spinning: bool = True,
        device: str = "cpu",
    ) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: one per physical core
        options.inter_op_num_threads = 1
        if not spinning:
            # Its threads sleep when a run ends instead of spinning for the next one: for a model
            # whose runs alternate with PyTorch ops, which would otherwise wait for the cores.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.path = path
        self.output = output
        self.int8 = path.name.endswith(".int8.onnx")
        self.device = device
        self.session = ort.InferenceSession(str(path), options, providers=onnx_providers(device))

    def __call__(
        self, input_ids: npt.NDArray[np.int64], attention_mask: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        if self.int8:
            return self._one_by_one(input_ids, attention_mask)
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        result: npt.NDArray[np.float32] = self.session.run(None, feeds)[0]
        return result

    def _one_by_one(
        self, input_ids: npt.NDArray[np.int64], attention_mask: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float32]:
        """Each sequence alone, without its padding. Dynamic int8 scales a matrix product's
        activations by the largest value in the whole input, so in a batch a text's result
        would depend on the texts beside it (and on their padding); alone it is always the
        same. It costs about 15 % of the speed (docs/benchmarks.md)."""
        out: npt.NDArray[np.float32] | None = None
        for row, length in enumerate(attention_mask.sum(axis=1).tolist()):
            n = max(int(length), 1)
            feeds = {
                "input_ids": input_ids[row : row + 1, :n],
                "attention_mask": attention_mask[row : row + 1, :n],
            }
            result = self.session.run(None, feeds)[0]
            if out is None:
                out = np.zeros((len(input_ids), input_ids.shape[1], *result.shape[2:]), np.float32)
            out[row, :n] = result[0]
        assert out is not None
        return out


def onnx_model(
    model: Any,
    *,
    version: str,
    output: str,
    cache_dir: Path | None = None,
    quantize: bool = False,
    threads: int | None = None,
    spinning: bool = True,
    device: str = "cpu",
) -> OnnxModel | None:
    """``model`` under ONNX Runtime, or None (logged) where that is not possible.

    ``version`` identifies the weights (a file digest); the cached file's name also carries the
    torch and transformers versions, so an upgrade exports again. ``quantize`` adds dynamic int8
    weights (per channel), checked against PyTorch with a looser bound. ``device`` is a
    resolved one (`resolve_device`): ``cuda`` opens the session on the GPU's provider.
    """
    try:
        import onnxruntime  # noqa: F401
        import transformers
    except ImportError:
        log.warning("onnxruntime is not installed: models run on PyTorch")
        return None
    key = hashlib.sha256(
        f"{version}|{output}|{torch.__version__}|{transformers.__version__}".encode()
    ).hexdigest()[:16]
    folder = _writable(cache_dir or default_cache_dir())
    fp32 = folder / f"{key}.onnx"
    path = folder / f"{key}.int8.onnx" if quantize else fp32
    tolerance = _INT8_TOLERANCE if quantize else _FP32_TOLERANCE
    try:
        cached = path.exists()
        runner, difference = _open(model, output, fp32, path, quantize, threads, spinning, device)
        if cached and not difference <= tolerance:
            # A damaged or foreign file under this key: export once more.
            fp32.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            runner, difference = _open(
                model, output, fp32, path, quantize, threads, spinning, device
            )
    except Exception as exc:  # any failure leaves the model on PyTorch
        log.warning("ONNX export of %s failed (%s): it runs on PyTorch", version, exc)
        return None
    if not difference <= tolerance:
        message = "ONNX export of %s differs from PyTorch by %.2g: it runs on PyTorch"
        log.warning(message, version, difference)
        return None
    log.info("%s runs on ONNX Runtime (%s, %.1g from PyTorch)", version, path.name, difference)
    return runner


def _writable(folder: Path) -> Path:
    """``folder``, created if need be; a fresh temporary folder where it cannot be written
    (a read-only home in a container): the models are then exported at every start."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    fallback = Path(tempfile.mkdtemp(prefix="lens-onnx-"))
    log.warning("model cache %s is not writable: exporting to %s", folder, fallback)
    return fallback


def _open(
    model: Any,
    output: str,
    fp32: Path,
    path: Path,
    quantize: bool,
    threads: int | None,
    spinning: bool,
    device: str = "cpu",
) -> tuple[OnnxModel, float]:
    if not fp32.exists():
        _export(model, output, fp32)
    if quantize and not path.exists():
        _quantize(fp32, path)
    runner = OnnxModel(path, output, threads, spinning, device)
    return runner, _check(model, runner, output)


def _check(model: Any, runner: OnnxModel, output: str) -> float:
    """How far the export is from PyTorch over the real tokens of a padded batch: the largest
    absolute difference, or for int8 weights one minus the lowest cosine between a token's
    vectors (int8 moves every value a little; a broken export points elsewhere)."""
    ids, mask = _example()
    with torch.inference_mode():
        expected = getattr(model(input_ids=ids, attention_mask=mask), output).float().numpy()
    got = runner(ids.numpy(), mask.numpy())
    real = mask.numpy().astype(bool)
    a, b = expected[real], got[real]
    if not runner.int8:
        return float(np.abs(a - b).max())
    cosine = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return float(1.0 - cosine.min())


def route_forward(model: Any, runner: OnnxModel) -> None:
    """Make ``model(...)`` (as a pipeline calls it) run ``runner`` and return its logits.

    The token-classification pipeline keeps doing the tokenising, windowing and span
    aggregation; only the forward pass moves to ONNX Runtime. Single-sequence inputs only:
    ``token_type_ids``, if given, are all zeros and are not needed.
    """
    from transformers.modeling_outputs import TokenClassifierOutput

    def forward(
        self: Any,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        **_: Any,
    ) -> TokenClassifierOutput:
        logits = runner(input_ids.numpy(), attention_mask.numpy())
        return TokenClassifierOutput(logits=torch.from_numpy(logits))

    model.forward = types.MethodType(forward, model)
