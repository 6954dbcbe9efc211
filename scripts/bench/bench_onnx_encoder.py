"""Experiment: the bundled MiniLM encoder under ONNX Runtime (fp32) against PyTorch, same inputs.

Not part of the service yet: it measures whether ONNX Runtime would close the annotation speed gap
(docs/benchmarks.md). Needs `pip install onnxruntime onnx` (not project dependencies).

    .venv/bin/python scripts/bench/bench_onnx_encoder.py --threads 2

Exports the bundled encoder (eager attention) to ONNX in a temporary folder, checks that both
runtimes give the same hidden states, then times token throughput at batch shapes the Encoder
uses (many short sentences; fewer long windows), with the same number of threads for both.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.encoder import bundled_encoder_path  # noqa: E402

SHAPES = [(64, 48), (32, 128), (16, 256)]


class _HiddenStates(torch.nn.Module):
    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def _rate(run: Any, tokens: int, seconds: float) -> float:
    run()
    started, n = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        run()
        n += 1
    return n * tokens / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=4.0, help="timing per shape and runtime")
    args = parser.parse_args()
    try:
        import onnxruntime as ort
    except ImportError:
        raise SystemExit("needs onnxruntime and onnx: pip install onnxruntime onnx") from None
    from transformers import AutoModel

    torch.set_num_threads(args.threads)
    model = AutoModel.from_pretrained(str(bundled_encoder_path()), attn_implementation="eager")
    model.eval()
    folder = Path(tempfile.mkdtemp(prefix="lens-onnx-"))
    example = torch.randint(1000, 20000, (2, 16))
    example_mask = torch.ones_like(example)
    example_mask[1, 10:] = 0  # with padding: an all-ones mask is traced away by transformers
    axes = {0: "batch", 1: "tokens"}
    # A copy of its own: tracing leaves state behind in the model it traces.
    traced = AutoModel.from_pretrained(str(bundled_encoder_path()), attn_implementation="eager")
    torch.onnx.export(
        _HiddenStates(traced.eval()),
        (example, example_mask),
        str(folder / "encoder.onnx"),
        input_names=["input_ids", "attention_mask"],
        output_names=["hidden"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
        opset_version=17,
        dynamo=False,
    )
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(folder / "encoder.onnx"), options, providers=["CPUExecutionProvider"]
    )
    rng = np.random.default_rng(7)
    print(f"{'batch x tokens':>15} {'torch tok/s':>12} {'onnx tok/s':>11} {'speed-up':>9} "
          f"{'max |diff|':>11} {'min cosine':>11}")  # fmt: skip
    for batch, length in SHAPES:
        ids = rng.integers(1000, 20000, (batch, length), dtype=np.int64)
        mask = np.ones_like(ids)
        # padding as the Encoder pads: the last rows shorter
        mask[batch // 2 :, length * 3 // 4 :] = 0
        feeds = {"input_ids": ids, "attention_mask": mask}
        tensors = {k: torch.from_numpy(v) for k, v in feeds.items()}
        with torch.inference_mode():
            expected = model(**tensors).last_hidden_state.numpy().copy()
            torch_rate = _rate(lambda t=tensors: model(**t), batch * length, args.seconds)
        got = np.array(session.run(None, feeds)[0], copy=True)
        onnx_rate = _rate(lambda f=feeds: session.run(None, f), batch * length, args.seconds)
        real = mask.astype(bool)
        a, b = expected[real], got[real]
        cosine = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
        print(
            f"{f'{batch} x {length}':>15} {torch_rate:>12,.0f} {onnx_rate:>11,.0f} "
            f"{onnx_rate / torch_rate:>8.2f}x {np.abs(a - b).max():>11.1e} {cosine.min():>11.7f}"
        )


if __name__ == "__main__":
    main()
