"""What the trainers share, so that each trainer script says only what is its own.

- seeding and threads (`seed_everything`), data readers (`read_jsonl`), a timestamped `log`;
- a fine-tuned encoder's set-up: its pretrained weights (`load_encoder`), what stays frozen
  (`freeze`), the optimiser (`adamw`: no decay on biases and LayerNorm, a learning rate of its own
  for the head) and the schedule (`linear_warmup`); with frozen lower layers, their output is
  computed once (`lower_states`) and each step runs only the layers above (`upper_states`);
- the loop (`Loop`: one optimiser step per batch, gradient clipping, a running loss in the log)
  and the dev selection (`select_epochs`: score each epoch, keep the best weights, stop early
  after ``patience`` epochs without a better score);
- the bundle: fp16 weights without the frozen word embeddings plus config.json (`save_model`),
  the int8 ONNX export's parity with PyTorch (`int8_parity`), and what the card and
  ``training.json`` are written from (`args_record`, `write_json`, `file_rows`, `report_row`).

Nothing here changes what a trainer computes: the same seed gives the same dev curve as the
trainer's own copy of this code did.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from app.analysis.encoder import file_digest
from app.analysis.encoder import save_fine_tuned_state
from app.analysis.types import SENTIMENT_LABELS

Record = dict[str, Any]
_NO_DECAY = ("bias", "LayerNorm.weight")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seed_everything(seed: int, threads: int, *, deterministic: bool = False) -> random.Random:
    """Threads and torch's seed for this run; the `random.Random` that shuffles its batches."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True)
    return random.Random(seed)


def read_jsonl(path: Path) -> list[Record]:
    """One record per non-blank line; ``.gz`` files are read through gzip."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- the encoder ------------------------------------------------------------------------------


def load_encoder(bert: torch.nn.Module, base: Path) -> None:
    """The pretrained weights of ``base/model.safetensors`` into ``bert``, every one of them."""
    from safetensors.torch import load_file

    state = bert.state_dict()
    loaded = load_file(str(base / "model.safetensors"))
    missing = set(state) - set(loaded)
    if missing:
        raise RuntimeError(f"encoder weights lack {sorted(missing)}")
    bert.load_state_dict({k: loaded[k] for k in state}, strict=True)


def freeze(bert: Any, layers: int) -> None:
    """The word-embedding matrix always (the bundle restores it from the encoder package); with
    ``layers``, the embedding layer and the lowest ``layers`` layers too."""
    bert.embeddings.word_embeddings.weight.requires_grad_(False)
    if layers:
        bert.embeddings.requires_grad_(False)
        for layer in bert.encoder.layer[:layers]:
            layer.requires_grad_(False)


def trained_layers(bert: Any) -> int:
    return sum(any(p.requires_grad for p in layer.parameters()) for layer in bert.encoder.layer)


def lower_states(
    bert: Any,
    batches: Iterable[tuple[Sequence[int], torch.Tensor, torch.Tensor]],
    size: int,
    layers: int,
    device: str = "cpu",
) -> list[torch.Tensor]:
    """The frozen lowest ``layers``' output of each example, fp16, unpadded, computed once.

    ``batches`` gives (example indices, input ids, attention mask); the model should be in eval
    mode. Frozen layers give the same output every epoch, so training runs only those above.
    """
    out: list[torch.Tensor] = [torch.empty(0)] * size
    with torch.inference_mode():
        for chunk, ids, mask in batches:
            states = bert(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                output_hidden_states=True,
            ).hidden_states[layers]
            for row, k in enumerate(chunk):
                n = int(mask[row].sum())
                out[k] = states[row, :n].to(torch.float16).cpu().clone()
    return out


def upper_states(
    bert: Any,
    lower: Sequence[torch.Tensor],
    chunk: Sequence[int],
    mask: torch.Tensor,
    device: str = "cpu",
) -> torch.Tensor:
    """The trained layers over the cached output of the frozen ones (`lower_states`)."""
    hidden = torch.zeros((*mask.shape, int(bert.config.hidden_size)), device=device)
    for row, k in enumerate(chunk):
        hidden[row, : len(lower[k])] = lower[k].to(device).float()
    # additive mask, broadcast over heads and query positions (eager and sdpa attention)
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    first = len(bert.encoder.layer) - trained_layers(bert)
    for layer in bert.encoder.layer[first:]:
        out = layer(hidden, additive)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


# --- optimiser, schedule, loop ------------------------------------------------------------------


def adamw(
    named: Sequence[tuple[str, torch.nn.Parameter]],
    lr: float,
    weight_decay: float,
    *,
    head_lr: float | None = None,
    body: str = "bert.",
) -> torch.optim.AdamW:
    """AdamW without weight decay on biases and LayerNorm weights; with ``head_lr``, the
    parameters outside ``body`` (the head) learn at a rate of their own."""
    if head_lr is None:
        groups: list[dict[str, Any]] = [
            {"params": [p for n, p in named if not n.endswith(_NO_DECAY)]},
            {"params": [p for n, p in named if n.endswith(_NO_DECAY)], "weight_decay": 0.0},
        ]
    else:
        inside = [(n, p) for n, p in named if n.startswith(body)]
        groups = [
            {"params": [p for n, p in inside if not n.endswith(_NO_DECAY)]},
            {"params": [p for n, p in inside if n.endswith(_NO_DECAY)], "weight_decay": 0.0},
            {"params": [p for n, p in named if not n.startswith(body)], "lr": head_lr},
        ]
    return torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)


def linear_warmup(
    optimizer: torch.optim.Optimizer, total: int, share: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``share`` of ``total`` steps, then linear decay to zero."""
    warm = max(1, int(total * share))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: s / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)),
    )


class Loop:
    """One optimiser step per batch: backward, gradients clipped to norm 1, step, schedule."""

    def __init__(
        self,
        params: Sequence[torch.nn.Parameter],
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        *,
        log_every: int = 50,
        max_steps: int = 0,
    ) -> None:
        self.params = list(params)
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.log_every = log_every
        self.max_steps = max_steps
        self.step = 0

    def epoch(
        self, name: str, batches: Sequence[Sequence[int]], loss_of: Callable[[Any], torch.Tensor]
    ) -> bool:
        """One pass over ``batches``; False once ``max_steps`` (a timing run) is reached."""
        started, running = time.monotonic(), 0.0
        for b, chunk in enumerate(batches, 1):
            loss = loss_of(chunk)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            running += loss.item()
            self.step += 1
            done = self.step == self.max_steps
            if b % self.log_every == 0 or done:
                per = (time.monotonic() - started) / b
                log(f"{name} step {b}/{len(batches)} "
                    f"loss {running / (b % self.log_every or self.log_every):.4f} {per:.2f} s/step "
                    f"(~{per * len(batches) / 60:.1f} min)")  # fmt: skip
                running = 0.0
            if done:
                log("step limit reached")
                return False
        return True


def select_epochs(
    model: torch.nn.Module,
    epochs: int,
    train: Callable[[int], bool],
    evaluate: Callable[[int, float], tuple[dict[str, Any], float]],
    *,
    before: bool = False,
    patience: int = 0,
    max_minutes: float = 0,
    on_epoch: Callable[[list[dict[str, Any]]], None] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Train epoch after epoch, score each on dev, and keep the weights of the best.

    ``train(epoch)`` runs one epoch (False: stop now, nothing kept); ``evaluate(epoch, minutes)``
    scores it (``minutes``: that epoch's training time) into its history entry and the score
    that is compared (the first best is kept on a tie). ``before`` scores the
    starting weights as epoch 0; ``patience`` stops after that many epochs without a better
    score; ``max_minutes`` stops once the epochs have taken longer. Returns the history and the
    kept epoch, whose weights ``model`` holds on return.
    """
    history: list[dict[str, Any]] = []
    best_score, best_epoch = -1.0, 0
    best_state: dict[str, torch.Tensor] = {}
    if before:
        entry, best_score = evaluate(0, 0.0)
        history.append(entry)
        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    started = time.monotonic()
    for epoch in range(1, epochs + 1):
        t = time.monotonic()
        if not train(epoch):
            return history, 0
        entry, score = evaluate(epoch, round((time.monotonic() - t) / 60, 1))
        history.append(entry)
        if score > best_score:
            best_score, best_epoch = score, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if on_epoch is not None:
            on_epoch(history)
        if patience and epoch - best_epoch >= patience:
            log(f"no better dev score for {patience} epoch(s): stopping early")
            break
        if max_minutes and (time.monotonic() - started) / 60 > max_minutes:
            log("time limit reached")
            break
    if best_state:
        model.load_state_dict(best_state)
    return history, best_epoch


# --- the bundle -------------------------------------------------------------------------------


def save_model(model: Any, out: Path, **settings: Any) -> None:
    """fp16 safetensors without the frozen word embeddings, and config.json with ``settings``
    (the architecture is the model's class)."""
    out.mkdir(parents=True, exist_ok=True)
    model.to("cpu")
    save_fine_tuned_state(model, out / "model.safetensors")
    config = model.config
    config.architectures = [type(model).__name__]
    for key, value in settings.items():
        setattr(config, key, value)
    config.save_pretrained(str(out))


def sentiment_labels() -> dict[str, Any]:
    """config.json's label maps for a (negative, neutral, positive) head."""
    return {
        "id2label": dict(enumerate(SENTIMENT_LABELS)),
        "label2id": {label: i for i, label in enumerate(SENTIMENT_LABELS)},
    }


def int8_parity(
    score: Callable[[bool], np.ndarray], *, floor: float = 0.95
) -> dict[str, float | int]:
    """How far the int8 ONNX export is from PyTorch fp32 on the same inputs.

    ``score(False)`` gives the PyTorch probabilities, ``score(True)`` the exported model's (the
    product's own runtime exports it). A label agreement below ``floor`` is logged as a warning:
    the product would read differently from what the dev figures describe.
    """
    fp32, int8 = score(False), score(True)
    result: dict[str, float | int] = {
        "n": len(fp32),
        "max_abs_difference": round(float(np.abs(fp32 - int8).max()), 4) if len(fp32) else 0.0,
        "label_agreement": round(float((fp32.argmax(1) == int8.argmax(1)).mean()), 4)
        if len(fp32)
        else 1.0,
    }
    log(f"int8 ONNX against PyTorch: {result}")
    if result["label_agreement"] < floor:
        log(f"WARNING: the int8 export agrees on fewer than {floor:.0%} of the labels")
    return result


def args_record(args: argparse.Namespace) -> dict[str, Any]:
    """The command-line settings as JSON values (paths as strings)."""
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


def write_json(path: Path, data: Any, indent: int = 1) -> None:
    path.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")


def file_rows(out: Path, names: Iterable[str]) -> str:
    """The card's file table rows: name, bytes, sha256."""
    return "\n".join(
        f"| `{name}` | {(out / name).stat().st_size:,} | `{file_digest(out / name, 64)}` |"
        for name in names
    )


def report_row(name: str, report: dict[str, Any]) -> str:
    """A card's results row from a `classification_report`: n, accuracy, macro F1, F1 per label."""
    f1 = {k: v["f1"] for k, v in report["per_label"].items()}
    return (
        f"| {name} | {report['n']:,} | {report['accuracy']:.3f} | "
        f"**{report['macro_f1']:.3f}** | "
        + " | ".join(f"{f1.get(label, 0.0):.3f}" for label in SENTIMENT_LABELS)
        + " |"
    )
