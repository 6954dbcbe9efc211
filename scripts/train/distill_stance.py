"""Distil the bundled stance model into a shallower student (issue 33: fewer layers, fewer passes).

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/data/stance_domain_data.py \
        --out cache/stance_domain.jsonl.gz
    HF_HUB_OFFLINE=1 nice -n 19 .venv/bin/python scripts/train/distill_stance.py \
        --prepared cache/stance_domain.jsonl.gz --data ../shared/data/train \
        --out cache/stance_student --layers 0,2,4
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/fit_stance_combiner.py \
        --prepared cache/stance_domain.jsonl.gz --bundle cache/stance_student

The student is the bundled model (`app/analysis/bundled/stance`, the teacher) with only the
encoder layers named by ``--layers`` (their weights copied, renumbered), and the teacher's
embeddings and head. It is trained on the teacher's soft outputs (PyTorch fp32, temperature
``--temperature``) over the training pairs the teacher itself was trained on by
`scripts/train/train_stance_domain.py`: the train split's labelled passages (junk and name_wrong
actors left out, neutral ones sampled to ``--neutral-cap``, the same seed) and ``--newsmtsc``
NewsMTSC training pairs. The dev splits are never trained on: each epoch is scored on the
in-domain dev passages and dev articles (the rule on its grid), as the teacher's epochs were,
with the teacher's own dev figures beside them, and the best epoch is kept.

The combiner (`combiner.json`) belongs to the teacher's readings: fit the student's with
`scripts/train/fit_stance_combiner.py` before reading it through `lens eval actor-sentiment`
(``LENS_STANCE_MODEL`` set to ``--out``). Runs on CPU (``--threads``) or a GPU (``--device``).
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.stance import ActorStance  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.stance import StanceNet  # noqa: E402
from app.analysis.stance import bundled_stance_path  # noqa: E402
from app.analysis.stance import load_stance  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402
from scripts.data import stance_data  # noqa: E402
from scripts.train import toolkit  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402
from scripts.train.train_stance import Split  # noqa: E402
from scripts.train.train_stance import _forward  # noqa: E402
from scripts.train.train_stance import report  # noqa: E402
from scripts.train.train_stance import save  # noqa: E402
from scripts.train.train_stance_domain import Actors  # noqa: E402
from scripts.train.train_stance_domain import _PairReader  # noqa: E402
from scripts.train.train_stance_domain import pair_split  # noqa: E402
from scripts.train.train_stance_domain import passage_pairs  # noqa: E402
from scripts.train.train_stance_domain import rule_grid  # noqa: E402
from scripts.train.train_stance_domain import training_pairs as domain_training_pairs  # noqa: E402


def student_of(teacher: StanceNet, layers: list[int]) -> StanceNet:
    """The teacher with only ``layers`` of its encoder (renumbered 0..), everything else copied."""
    config = copy.deepcopy(teacher.config)
    config.num_hidden_layers = len(layers)
    student = StanceNet(config)
    state = {}
    for key, value in teacher.state_dict().items():
        if key.startswith("bert.encoder.layer."):
            index = int(key.split(".")[3])
            if index not in layers:
                continue
            key = key.replace(f"layer.{index}.", f"layer.{layers.index(index)}.", 1)
        state[key] = value.clone()
    student.load_state_dict(state, strict=True)
    return student


def logits_of(model: StanceNet, split: Split, device: str) -> np.ndarray:
    """The model's logits over ``split`` (eval mode, batches of similar length)."""
    model.eval()
    out = np.zeros((len(split.pairs), len(SENTIMENT_LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for chunk in split.batches(128, None):
            out[chunk] = _forward(model, split, chunk, device).float().cpu().numpy()
    model.train()
    return out


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return probs


def training_pairs(
    lines: list[dict[str, Any]], tokenizer: Any, max_pieces: int, args: argparse.Namespace
) -> tuple[Split, Counter[str]]:
    """The teacher's training mix (`train_stance_domain.training_pairs`)."""
    reader = ActorStance(_PairReader(tokenizer, max_pieces), max_passages=3)  # type: ignore[arg-type]
    train_lines = [x for x in lines if x["split"] == "train"]
    news = stance_data.newsmtsc(args.data)
    train, counts, _ = domain_training_pairs(train_lines, reader, tokenizer, max_pieces, args, news)
    return train, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepared", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    parser.add_argument("--teacher", type=Path, default=bundled_stance_path())
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", default="0,2,4", help="the teacher's layers the student keeps")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-minutes", type=float, default=0, help="stop after an epoch past it")
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument(
        "--hard", type=float, default=0.0, help="weight of the gold labels' loss beside the soft"
    )
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--newsmtsc", type=int, default=3000, help="as the teacher's mix")
    parser.add_argument("--neutral-cap", type=int, default=6000, help="as the teacher's mix")
    parser.add_argument("--limit", type=int, default=0, help="articles (smoke runs)")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after N steps (timing)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    rng = toolkit.seed_everything(args.seed, args.threads)
    started = time.monotonic()
    with gzip.open(args.prepared, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    if args.limit:
        lines = lines[: args.limit]
    teacher, tokenizer = load_stance(args.teacher)
    max_pieces = int(getattr(teacher.config, "max_pieces", 160))
    layers = [int(x) for x in args.layers.split(",")]
    student = student_of(teacher, layers)
    teacher.to(args.device)

    train, counts = training_pairs(lines, tokenizer, max_pieces, args)
    reader = ActorStance(_PairReader(tokenizer, max_pieces), max_passages=3)  # type: ignore[arg-type]
    dev_lines = [x for x in lines if x["split"] == "dev"]
    dev_pairs, dev_labels, _ = passage_pairs(dev_lines, reader, training=False)
    dev_passages = pair_split("dev_passages", dev_pairs, dev_labels)
    dev_actors = Actors(dev_lines, reader)
    dev_actor_split = dev_actors.split("dev_actor_pairs")
    log(f"train {len(train.pairs)} pairs {dict(sorted(counts.items()))}; dev "
        f"{len(dev_pairs)} passages, {len(dev_actors.gold)} actors")  # fmt: skip

    t = time.monotonic()
    soft = torch.from_numpy(logits_of(teacher, train, args.device))
    teacher_dev = _softmax(logits_of(teacher, dev_passages, args.device))
    teacher_actor = _softmax(logits_of(teacher, dev_actor_split, args.device))
    teacher_setting, teacher_articles = rule_grid(dev_actors, teacher_actor)
    teacher_scores = {
        "dev_passages": report("dev_passages", dev_passages.labels, teacher_dev),
        "dev_articles_rule": {"setting": teacher_setting, **teacher_articles},
    }
    minutes = (time.monotonic() - t) / 60
    log(f"teacher: dev passages {teacher_scores['dev_passages']['macro_f1']:.3f}, articles "
        f"(rule) {teacher_articles['macro_f1']:.3f} ({minutes:.1f} min, with its outputs over "
        "the training pairs)")  # fmt: skip
    del teacher

    student.to(args.device)
    toolkit.freeze(student.bert, 0)
    named = [(n, p) for n, p in student.named_parameters() if p.requires_grad]
    optimizer = toolkit.adamw(named, args.lr, args.weight_decay, head_lr=args.head_lr)
    total = len(train.batches(args.batch_size, None)) * args.epochs
    loop = toolkit.Loop(
        [p for _, p in named],
        optimizer,
        toolkit.linear_warmup(optimizer, total, args.warmup),
        log_every=100,
        max_steps=args.max_steps,
    )
    temperature = args.temperature
    hard_loss = torch.nn.CrossEntropyLoss()

    def loss_of(chunk: list[int]) -> torch.Tensor:
        logits = _forward(student, train, chunk, args.device)
        target = torch.softmax(soft[chunk].to(args.device) / temperature, dim=-1)
        log_probs = torch.log_softmax(logits / temperature, dim=-1)
        kl = torch.nn.functional.kl_div(log_probs, target, reduction="batchmean")
        loss: torch.Tensor = kl * temperature**2
        if args.hard:
            gold = torch.from_numpy(train.labels[chunk]).to(args.device)
            loss = loss + args.hard * hard_loss(logits, gold)
        return loss

    def train_epoch(epoch: int) -> bool:
        student.train()
        return loop.epoch(f"epoch {epoch}", train.batches(args.batch_size, rng), loss_of)

    def evaluate(epoch: int, minutes: float) -> tuple[dict[str, Any], float]:
        probs = _softmax(logits_of(student, dev_passages, args.device))
        passages = report("dev_passages", dev_passages.labels, probs)
        agreement = float((probs.argmax(1) == teacher_dev.argmax(1)).mean())
        actor_probs = _softmax(logits_of(student, dev_actor_split, args.device))
        setting, articles = rule_grid(dev_actors, actor_probs)
        entry = {
            "epoch": epoch,
            "minutes": minutes,
            "dev_passages": passages,
            "dev_passages_agree_with_teacher": round(agreement, 4),
            "dev_articles_rule": {"setting": setting, **articles},
            "score": round((passages["macro_f1"] + articles["macro_f1"]) / 2, 4),
        }
        log(f"epoch {epoch}: dev passages {passages['macro_f1']:.3f} (agree with the teacher "
            f"{agreement:.3f}), articles (rule {setting}) {articles['macro_f1']:.3f}")  # fmt: skip
        return entry, entry["score"]

    history, best_epoch = toolkit.select_epochs(
        student, args.epochs, train_epoch, evaluate, before=True, max_minutes=args.max_minutes
    )
    setting = next(h for h in history if h["epoch"] == best_epoch)["dev_articles_rule"]["setting"]
    focus, bias = (float(x) for x in setting.split("/"))
    save(student, args.out, max_pieces, focus, bias)
    meta = {
        "teacher": file_digest(args.teacher / "model.safetensors"),
        "version": file_digest(args.out / "model.safetensors"),
        "layers": layers,
        "args": toolkit.args_record(args),
        "train_pairs": dict(sorted(counts.items())),
        "teacher_dev": teacher_scores,
        "best_epoch": best_epoch,
        "history": history,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    toolkit.write_json(args.out / "training.json", meta)
    log(f"kept epoch {best_epoch}; saved to {args.out} ({meta['minutes']} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
