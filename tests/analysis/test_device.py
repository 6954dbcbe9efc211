"""LENS_DEVICE: where the models run, and the fallback to the CPU when no GPU can be had."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from app.analysis import model_profiles, runtime
from app.analysis.runtime import onnx_model, onnx_providers, resolve_device
from app.core.config import Settings
from tests.analysis.tiny_models import tiny_config

pytest.importorskip("onnxruntime")


@pytest.fixture(autouse=True)
def _fresh_resolution() -> Iterator[None]:
    resolve_device.cache_clear()
    yield
    resolve_device.cache_clear()


def _gpu(monkeypatch: pytest.MonkeyPatch, onnx: bool, torch_cuda: bool) -> None:
    providers = (
        ["CUDAExecutionProvider", "CPUExecutionProvider"] if onnx else ["CPUExecutionProvider"]
    )
    monkeypatch.setattr(runtime, "_onnx_providers_available", lambda: providers)
    monkeypatch.setattr(runtime, "_torch_cuda_available", lambda: torch_cuda)


def test_the_default_is_the_cpu_and_asks_nothing_of_the_gpu_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail() -> Any:
        raise AssertionError("LENS_DEVICE=cpu must not look for a GPU")

    monkeypatch.setattr(runtime, "_onnx_providers_available", fail)
    monkeypatch.setattr(runtime, "_torch_cuda_available", fail)
    assert Settings().device == "cpu"
    assert resolve_device("cpu", "onnx") == "cpu"
    assert resolve_device("cpu", "torch") == "cpu"
    assert onnx_providers("cpu") == ["CPUExecutionProvider"]


@pytest.mark.parametrize("requested", ["cuda", "auto"])
def test_a_gpu_is_chosen_where_the_runtime_offers_one(
    monkeypatch: pytest.MonkeyPatch, requested: str
) -> None:
    _gpu(monkeypatch, onnx=True, torch_cuda=False)
    assert resolve_device(requested, "onnx") == "cuda"
    assert onnx_providers("cuda") == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    # PyTorch's own CUDA decides for LENS_RUNTIME=torch
    assert resolve_device(requested, "torch") == "cpu"
    _gpu(monkeypatch, onnx=False, torch_cuda=True)
    resolve_device.cache_clear()
    assert resolve_device(requested, "torch") == "cuda"


def test_cuda_without_a_gpu_falls_back_to_the_cpu_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _gpu(monkeypatch, onnx=False, torch_cuda=False)
    with caplog.at_level(logging.INFO, logger="app.analysis.runtime"):
        assert resolve_device("cuda", "onnx") == "cpu"
        assert resolve_device("cuda", "torch") == "cpu"
        assert resolve_device("auto", "onnx") == "cpu"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "CUDAExecutionProvider" in warnings[0].getMessage()
    assert "no CUDA device" in warnings[1].getMessage()
    # auto without a GPU is the CPU, said quietly
    assert [r.levelno for r in caplog.records].count(logging.INFO) == 1


def test_an_unknown_device_is_refused() -> None:
    with pytest.raises(ValueError, match="cpu, cuda or auto"):
        resolve_device("tpu", "onnx")
    with pytest.raises(ValueError, match="device"):
        Settings(device="tpu")  # type: ignore[arg-type]


def test_the_default_weights_follow_the_resolved_device(monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, onnx=False, torch_cuda=False)
    fallen_back = model_profiles.on_device(Settings(device="auto"))
    assert fallen_back.device == "cpu"
    assert fallen_back.quantized(None) is True  # int8 on the CPU, as before
    resolve_device.cache_clear()
    _gpu(monkeypatch, onnx=True, torch_cuda=False)
    on_gpu = model_profiles.on_device(Settings(device="cuda"))
    assert on_gpu.device == "cuda"
    assert on_gpu.quantized(None) is False  # fp32 on a GPU unless asked
    assert on_gpu.quantized(True) is True


def test_the_session_opens_with_the_providers_of_its_device(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import onnxruntime as ort
    from transformers import BertModel

    opened: list[list[str]] = []
    real = ort.InferenceSession

    def session(path: str, options: Any, providers: list[str]) -> Any:
        opened.append(list(providers))
        # this machine has no GPU: open the file on the CPU to finish the load
        return real(path, options, providers=["CPUExecutionProvider"])

    monkeypatch.setattr(ort, "InferenceSession", session)
    torch.manual_seed(0)
    model = BertModel(tiny_config()).eval()
    runner = onnx_model(
        model, version="tiny-device", output="last_hidden_state", cache_dir=tmp_path,
        device="cuda",
    )  # fmt: skip
    assert runner is not None
    assert runner.device == "cuda"
    assert opened == [["CUDAExecutionProvider", "CPUExecutionProvider"]]
