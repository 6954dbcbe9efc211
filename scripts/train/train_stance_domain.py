"""Fine-tune the stance model on the in-domain labels, then learn the passages-to-actor step.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/data/stance_domain_data.py \
        --out cache/stance_domain.jsonl.gz
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_stance_domain.py \
        --prepared cache/stance_domain.jsonl.gz --data ../shared/data/train \
        --out cache/stance_domain

Starts from the bundled stance model (`app/analysis/bundled/stance`, trained on the public sets by
`scripts/train/train_stance.py`) and trains it further on the passage labels of
``stance_actor_labels.jsonl.gz``'s train split (its outlets never in dev), with a share of
NewsMTSC's training sentences kept in the mix so the targeted-sentiment floor holds. Each pair is
built by the product's own code (`ActorStance.read`, `author_voice`, the model's window) from what
`scripts/data/stance_domain_data.py` recorded of the product's analysis, so training reads what the
service reads. Actors flagged ``junk`` or ``name_wrong`` are left out of training (their stance is
toward someone other than the name); the dev figures count every labelled actor.

Each epoch is scored on the dev split: passages (macro F1), and articles through the rule of
`app.analysis.actors.stance` with its two settings on a grid. The best epoch is kept; then the
learned combiner (`app.analysis.actors.combiner`) is fitted on the train actors' article labels
(multinomial logistic regression over the product's passages' probabilities and the actor's
context) and its label bias chosen on dev. The combiner is kept only if it beats the rule on dev.
Runs on CPU (``--threads``) or a GPU (``--device cuda``) with the same code.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.combiner import COMBINER_FILE  # noqa: E402
from app.analysis.actors.combiner import FEATURES  # noqa: E402
from app.analysis.actors.combiner import Combiner  # noqa: E402
from app.analysis.actors.combiner import features  # noqa: E402
from app.analysis.actors.stance import ActorStance  # noqa: E402
from app.analysis.actors.stance import StanceInput  # noqa: E402
from app.analysis.actors.stance import actor_passages  # noqa: E402
from app.analysis.actors.stance import combine  # noqa: E402
from app.analysis.actors.stance import label_of  # noqa: E402
from app.analysis.actors.stance import paragraph_of  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.sentiment_eval import classification_report  # noqa: E402
from app.analysis.stance import Pair  # noqa: E402
from app.analysis.stance import bundled_stance_path  # noqa: E402
from app.analysis.stance import encode_pair  # noqa: E402
from app.analysis.stance import load_stance  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402
from app.analysis.types import Sentence  # noqa: E402
from scripts.data import stance_data  # noqa: E402
from scripts.train import toolkit  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402
from scripts.train.toolkit import report_row  # noqa: E402
from scripts.train.train_stance import Split  # noqa: E402
from scripts.train.train_stance import epoch_trainer  # noqa: E402
from scripts.train.train_stance import freeze_and_cache  # noqa: E402
from scripts.train.train_stance import predict  # noqa: E402
from scripts.train.train_stance import report  # noqa: E402
from scripts.train.train_stance import save  # noqa: E402

LABEL = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
FOCUS_GRID = (0.0, 1.0, 2.0, 4.0)
NEUTRAL_BIAS_GRID = (0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
BIAS_GRID = tuple(np.round(np.arange(-3.0, 1.51, 0.25), 2))


class _PairReader:
    """What `ActorStance` needs of a stance model to choose passages and build pairs."""

    focus = 2.0
    neutral_bias = 1.0
    combiner = None

    def __init__(self, tokenizer: Any, max_pieces: int) -> None:
        self.tokenizer = tokenizer
        self.max_pieces = max_pieces

    def pair(self, target: str, passage: str, mentions: Any = ()) -> Pair:
        return encode_pair(self.tokenizer, target, passage, mentions, self.max_pieces)


def pair_split(name: str, pairs: list[Pair], labels: list[int]) -> Split:
    split = Split.__new__(Split)
    split.name, split.records, split.pairs = name, [], pairs
    split.labels = np.array(labels, dtype=np.int64)
    split.lower = None
    return split


def stance_input(line: dict[str, Any]) -> StanceInput:
    text = line["text"]
    sentences = [Sentence(i, a, b, text[a:b]) for i, (a, b) in enumerate(line["sentences"])]
    return StanceInput(
        text=text,
        sentences=sentences,
        actors=[(a["name"], [tuple(m) for m in a["mentions"]]) for a in line["actors"]],
        evaluative=line["evaluative"] or None,
        opinion=line["opinion"],
        kinds=[a["kind"] for a in line["actors"]],
    )


def training_pairs(
    train_lines: list[dict[str, Any]],
    reader: ActorStance,
    tokenizer: Any,
    max_pieces: int,
    args: argparse.Namespace,
    news: dict[str, list[dict[str, Any]]],
) -> tuple[Split, Counter[str], Counter[str]]:
    """The training mix: the train split's labelled passages, neutral ones sampled down to
    ``--neutral-cap`` (seeded; every polar one kept), and ``--newsmtsc`` pairs of ``news``'s
    NewsMTSC training part. Also the counts by source and label, and what was left out. The
    distilled student (`distill_stance.py`) trains on the same mix."""
    pairs, labels, skipped = passage_pairs(train_lines, reader, training=True)
    if args.neutral_cap and labels.count(LABEL["neutral"]) > args.neutral_cap:
        # a seeded sample of the neutral passages, every polar one (CPU budget)
        neutral = [k for k, y in enumerate(labels) if y == LABEL["neutral"]]
        keep = set(random.Random(args.seed).sample(neutral, args.neutral_cap))
        chosen = [k for k, y in enumerate(labels) if y != LABEL["neutral"] or k in keep]
        skipped["neutral_passages_not_sampled"] = len(labels) - len(chosen)
        pairs, labels = [pairs[k] for k in chosen], [labels[k] for k in chosen]
    counts = Counter(f"allsides/{SENTIMENT_LABELS[y]}" for y in labels)
    public = random.Random(args.seed).sample(news["train"], min(args.newsmtsc, len(news["train"])))
    for r in public:
        pairs.append(encode_pair(tokenizer, r["target"], r["passage"], r["mentions"], max_pieces))
        labels.append(LABEL[r["label"]])
        counts[f"newsmtsc/{r['label']}"] += 1
    return pair_split("train", pairs, labels), counts, skipped


def passage_pairs(
    lines: list[dict[str, Any]], reader: ActorStance, training: bool
) -> tuple[list[Pair], list[int], Counter[str]]:
    """The labelled passages as the product's pairs (train: junk and name_wrong left out)."""
    pairs, labels, skipped = [], [], Counter[str]()
    for line in lines:
        doc = stance_input(line)
        paragraphs = paragraph_of(doc.text, doc.sentences)
        for actor, (name, mentions) in zip(line["actors"], doc.actors, strict=True):
            gold = actor.get("gold")
            if gold is None:
                continue
            if training and (gold.get("junk") or gold.get("name_wrong")):
                skipped["junk_or_name_wrong"] += 1
                continue
            spans = {
                (p.start, p.end): p
                for p in actor_passages(doc.text, doc.sentences, paragraphs, mentions)
            }
            for gp in gold["passages"]:
                passage = spans.get((gp["start"], gp["end"]))
                if passage is None:
                    skipped["passage_not_found"] += 1
                    continue
                pairs.append(reader._pair(doc.text, name, passage))
                labels.append(LABEL[gp["label"]])
    return pairs, labels, skipped


class Actors:
    """Every labelled actor that the product found, as the product reads it: its pairs (the
    passages `ActorStance` chooses), its context and its article label."""

    def __init__(self, lines: list[dict[str, Any]], reader: ActorStance) -> None:
        self.pairs: list[Pair] = []
        self.rows: list[list[int]] = []
        self.contexts: list[Any] = []
        self.gold: list[int] = []
        self.sample: list[str] = []
        self.unmatched = 0
        for line in lines:
            doc = stance_input(line)
            self.unmatched += len(line.get("unmatched", []))
            for actor, (name, passages, context) in zip(
                line["actors"], reader.read(doc), strict=True
            ):
                if "gold" not in actor:
                    continue
                first = len(self.pairs)
                self.pairs += [reader._pair(doc.text, name, p) for p in passages]
                self.rows.append(list(range(first, len(self.pairs))))
                self.contexts.append(context)
                self.gold.append(LABEL[actor["gold"]["label"]])
                self.sample.append(line["sample"])

    def split(self, name: str) -> Split:
        return pair_split(name, self.pairs, [-1] * len(self.pairs))

    def features(self, probs: np.ndarray) -> np.ndarray:
        return np.stack(
            [features(probs[r], c) for r, c in zip(self.rows, self.contexts, strict=True)]
        )

    def rule(self, probs: np.ndarray, focus: float, bias: float) -> list[int]:
        return [label_of(combine(probs[r], focus)[0], bias) if r else 1 for r in self.rows]

    def scores(self, name: str, predicted: list[int]) -> dict[str, Any]:
        """Macro F1 over all, and per sample (mixed, opinion, world)."""
        out = classification_report(name, self.gold, predicted, [0, 1, 2])
        for sample in sorted(set(self.sample)):
            keep = [k for k, s in enumerate(self.sample) if s == sample]
            out[f"sample_{sample}"] = classification_report(
                f"{name} ({sample})",
                [self.gold[k] for k in keep],
                [predicted[k] for k in keep],
                [0, 1, 2],
            )
        return out


def rule_grid(actors: Actors, probs: np.ndarray) -> tuple[str, dict[str, Any]]:
    best: tuple[str, dict[str, Any]] = ("", {"macro_f1": -1.0})
    for focus, bias in itertools.product(FOCUS_GRID, NEUTRAL_BIAS_GRID):
        result = actors.scores("dev articles (rule)", actors.rule(probs, focus, bias))
        if result["macro_f1"] > best[1]["macro_f1"]:
            best = (f"{focus}/{bias}", result)
    return best


def blend(
    base: dict[str, torch.Tensor], trained: dict[str, torch.Tensor], alpha: float
) -> dict[str, torch.Tensor]:
    """``base + alpha (trained - base)``, tensor by tensor (WiSE-FT; see
    `scripts/train/blend_stance.py`)."""
    return {
        k: (v + alpha * (trained[k] - v)) if v.is_floating_point() else trained[k]
        for k, v in base.items()
    }


def _alphas(table: list[dict[str, Any]]) -> str:
    return ",".join(f"{r['alpha']:g}" for r in table)


def fit(train: Actors, x_train: np.ndarray, c: float) -> Combiner:
    """Logistic regression (balanced classes) on the train actors' standardised features."""
    from sklearn.linear_model import LogisticRegression

    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit((x_train - mean) / scale, train.gold)
    return Combiner(mean, scale, model.coef_, model.intercept_)


def tune_bias(combiner: Combiner, dev: Actors, x_dev: np.ndarray) -> dict[str, Any]:
    """The label bias with the best dev macro F1, with that score (``bias``)."""
    logits = combiner.logits(x_dev)
    best: dict[str, Any] = {"macro_f1": -1.0}
    for b_neg, b_pos in itertools.product(BIAS_GRID, BIAS_GRID):
        bias = np.array([b_neg, 0.0, b_pos])
        predicted = [int(k) for k in np.argmax(logits + bias, axis=1)]
        result = dev.scores("dev articles (combiner)", predicted)
        if result["macro_f1"] > best["macro_f1"]:
            best = {**result, "bias": bias.tolist()}
    return best


def fit_combiner(
    train: Actors, train_probs: np.ndarray, dev: Actors, dev_probs: np.ndarray, c: float
) -> tuple[Combiner, dict[str, Any]]:
    """`fit` on the train actors; the label bias chosen on dev (`tune_bias`)."""
    combiner = fit(train, train.features(train_probs), c)
    best = tune_bias(combiner, dev, dev.features(dev_probs))
    combiner.bias = np.array(best["bias"])
    return combiner, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepared", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    parser.add_argument("--base", type=Path, default=bundled_stance_path())
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--head-lr", type=float, default=3e-4)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--freeze-layers", type=int, default=2)
    parser.add_argument("--newsmtsc", type=int, default=2000, help="NewsMTSC train pairs kept")
    parser.add_argument(
        "--neutral-cap", type=int, default=0, help="train on at most N neutral passages (0: all)"
    )
    parser.add_argument("--combiner-c", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=0, help="articles (smoke runs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--card-only", action="store_true", help="rewrite --out's README.md")
    args = parser.parse_args(argv)
    if args.card_only:
        write_card(args.out)
        return 0

    rng = toolkit.seed_everything(args.seed, args.threads)
    started = time.monotonic()
    with gzip.open(args.prepared, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    if args.limit:
        lines = lines[: args.limit]
    model, tokenizer = load_stance(args.base)
    max_pieces = int(getattr(model.config, "max_pieces", 160))
    reader = ActorStance(_PairReader(tokenizer, max_pieces), max_passages=3)  # type: ignore[arg-type]

    train_lines = [x for x in lines if x["split"] == "train"]
    dev_lines = [x for x in lines if x["split"] == "dev"]
    news = stance_data.newsmtsc(args.data)
    train, counts, skipped = training_pairs(train_lines, reader, tokenizer, max_pieces, args, news)
    dev_pairs, dev_labels, _ = passage_pairs(dev_lines, reader, training=False)
    dev_passages = pair_split("dev_passages", dev_pairs, dev_labels)
    dev_actors = Actors(dev_lines, reader)
    dev_actor_split = dev_actors.split("dev_actor_pairs")
    log(f"train {len(train.pairs)} pairs {dict(sorted(counts.items()))}; left out {dict(skipped)}")
    log(f"dev {len(dev_pairs)} passages, {len(dev_actors.gold)} actors "
        f"({dev_actors.unmatched} labelled actors the product did not find)")  # fmt: skip

    model.train()
    freeze_and_cache(model, [train, dev_passages, dev_actor_split], args)

    train_epoch = epoch_trainer(model, train, args, rng, log_every=100)

    def evaluate(epoch: int, minutes: float) -> tuple[dict[str, Any], float]:
        passages = report(
            "dev_passages", dev_passages.labels, predict(model, dev_passages, args.device)
        )
        probs = predict(model, dev_actor_split, args.device)
        setting, articles = rule_grid(dev_actors, probs)
        entry = {
            "epoch": epoch,
            "minutes": minutes,
            "dev_passages": passages,
            "dev_articles_rule": {"setting": setting, **articles},
            "score": round((passages["macro_f1"] + articles["macro_f1"]) / 2, 4),
        }
        log(f"epoch {epoch}: dev passages {passages['macro_f1']:.3f}, articles (rule {setting}) "
            f"{articles['macro_f1']:.3f}")  # fmt: skip
        return entry, entry["score"]

    def keep(history: list[dict[str, Any]]) -> None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")

    history, best_epoch = toolkit.select_epochs(
        model, args.epochs, train_epoch, evaluate, before=True, on_epoch=keep
    )
    best = {"epoch": best_epoch}
    log(f"kept epoch {best['epoch']}; fitting the combiner")
    train_actors = Actors(train_lines, reader)
    train_probs = predict(model, train_actors.split("train_actor_pairs"), args.device)
    dev_probs = predict(model, dev_actor_split, args.device)
    combiner, combined = fit_combiner(
        train_actors, train_probs, dev_actors, dev_probs, args.combiner_c
    )
    setting, rule = rule_grid(dev_actors, dev_probs)
    use_combiner = combined["macro_f1"] > rule["macro_f1"]
    log(f"dev articles: combiner {combined['macro_f1']:.3f} (bias {combined['bias']}), "
        f"rule {rule['macro_f1']:.3f} ({setting}) -> "
        f"{'combiner' if use_combiner else 'rule'}")  # fmt: skip

    holdout = pair_split(
        "newsmtsc_holdout",
        [encode_pair(tokenizer, r["target"], r["passage"], r["mentions"], max_pieces)
         for r in news["holdout"]],
        [LABEL[r["label"]] for r in news["holdout"]],
    )  # fmt: skip
    final = {"newsmtsc_holdout": report("newsmtsc_holdout", holdout.labels,
                                        predict(model, holdout, args.device))}  # fmt: skip
    log(f"NewsMTSC hold-out: {final['newsmtsc_holdout']['macro_f1']:.3f}")

    focus, bias = (float(x) for x in setting.split("/"))
    save(model, args.out, max_pieces, focus, bias)
    combiner_path = args.out / COMBINER_FILE
    if use_combiner:
        combiner_path.write_text(json.dumps(combiner.to_json(), indent=1), encoding="utf-8")
    elif combiner_path.exists():
        combiner_path.unlink()
    meta = {
        "base": file_digest(args.base / "model.safetensors"),
        "version": file_digest(args.out / "model.safetensors"),
        "args": toolkit.args_record(args),
        "train_pairs": dict(sorted(counts.items())),
        "left_out": dict(skipped),
        "dev": {
            "passages": len(dev_pairs),
            "actors": len(dev_actors.gold),
            "actors_not_found": dev_actors.unmatched,
        },
        "best_epoch": best["epoch"],
        "history": history,
        "combine": {"focus": focus, "neutral_bias": bias},
        "dev_articles_rule": {"setting": setting, **rule},
        "dev_articles_combiner": combined,
        "combiner": use_combiner,
        "combiner_features": list(FEATURES),
        "final": final,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    toolkit.write_json(args.out / "training.json", meta)
    write_card(args.out)
    log(f"saved to {args.out} ({meta['minutes']} min)")
    return 0


def write_card(out: Path) -> None:
    """README.md of a stance bundle trained by this script, from its training.json."""
    meta = json.loads((out / "training.json").read_text(encoding="utf-8"))
    args = meta["args"]
    names = ["model.safetensors", "config.json"] + (
        [COMBINER_FILE] if (out / COMBINER_FILE).exists() else []
    )
    files = toolkit.file_rows(out, names)
    mix = "\n".join(f"| {k} | {n:,} |" for k, n in meta["train_pairs"].items())
    curve = "\n".join(
        f"| {h['epoch']} | {h['dev_passages']['macro_f1']:.3f} | "
        f"{h['dev_articles_rule']['macro_f1']:.3f} (`{h['dev_articles_rule']['setting']}`) | "
        f"{h['minutes']} |"
        for h in meta["history"]
    )
    combined, rule = meta["dev_articles_combiner"], meta["dev_articles_rule"]
    best = next(h for h in meta["history"] if h["epoch"] == meta["best_epoch"])
    rows = [report_row("dev passages", best["dev_passages"])]
    for name, result in (("dev articles, learned combiner", combined),
                         (f"dev articles, rule `{rule['setting']}`", rule)):  # fmt: skip
        rows.append(report_row(name, result))
        rows += [
            report_row(f"  {name.split(',')[0]} ({key.removeprefix('sample_')})", result[key])
            for key in sorted(result)
            if key.startswith("sample_")
        ]
    rows.append(
        report_row("NewsMTSC hold-out (targeted sentiment)", meta["final"]["newsmtsc_holdout"])
    )
    step = "the learned combiner (`combiner.json`)" if meta["combiner"] else "the rule"
    neutral_cap = f" --neutral-cap {args['neutral_cap']}" if args.get("neutral_cap") else ""
    blend_command = blend_section = ""
    if "blend" in meta:
        mixed = meta["blend"]
        blend_command = (
            "\nHF_HUB_OFFLINE=1 .venv/bin/python scripts/train/blend_stance.py \\\n"
            "    --prepared cache/stance_domain.jsonl.gz --trained cache/stance \\\n"
            f"    --out cache/stance_blend --alphas {_alphas(mixed['table'])}\n"
            "HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/fit_stance_combiner.py \\\n"
            "    --prepared cache/stance_domain.jsonl.gz --bundle cache/stance_blend"
        )
        table = "\n".join(
            f"| {r['alpha']} | {r['dev_passages']:.3f} | {r['dev_articles_rule']:.3f} | "
            f"{r['persent_dev_articles']:.3f} | {r['newsmtsc_holdout']:.3f} | {r['score']:.4f} |"
            for r in mixed["table"]
        )
        kept = (
            "the trained weights kept: no blend measured better on dev"
            if mixed["alpha"] == 1.0
            else f"a blend, base + {mixed['alpha']} (trained - base)"
        )
        blend_section = f"""
## Blends with the starting weights (WiSE-FT): {kept}

The weights trained above (`{meta["trained"]}`) were averaged with the weights they started from
(`{meta["base"]}`) by `scripts/train/blend_stance.py`: `base + a (trained - base)`, tensor by
tensor.
`a` was chosen on dev sets only ({mixed["chosen_on"]}); the NewsMTSC hold-out is reported and
chose nothing. PyTorch fp32, the rule on its grid for articles (the combiner is fitted after):

| a | dev passages | dev articles (rule) | PerSenT dev articles (rule) | NewsMTSC hold-out | score |
| --- | ---: | ---: | ---: | ---: | ---: |
{table}

The combiner (`combiner.json`, `combiner_report.json`: its C grid, label bias and the bias
trade-off with PerSenT dev) was then fitted on the written weights' int8 readings by
`scripts/train/fit_stance_combiner.py`. The "Results" above are the trained weights' in fp32 (the
blend at 1 is the same weights, re-saved).
"""
    text = f"""# Stance model (`minilm-l6-stance@{meta["version"]}`)

A cross-encoder for the author's stance toward an actor in a passage:
`[CLS] actor [SEP] passage [SEP]` through MiniLM-L6, then a small MLP over the [CLS] vector, the
passage's mean, the actor's mean (name segment and its mentions in the passage), their product
and difference -> (negative, neutral, positive). Run by `app.analysis.stance.StanceModel` (ONNX
Runtime, int8 weights, one pair at a time). An actor's passages become its label through {step}
(`app.analysis.actors.combiner`: the passages' probabilities with the actor's mentions, lead
presence, position, share of the article's mentions, quoted share, the genre head's p(opinion)
and its kind, in a multinomial logistic regression).

Trained in two stages. First on the public sets (VAST, VAST-style synthetic neutrals, NewsMTSC,
RuSentNE, PerSenT's extra articles, after an NLI warm-up) by `scripts/train/train_stance.py`: the
weights `{meta["base"]}`, whose card is in this directory's git history. Then, by
`scripts/train/train_stance_domain.py`, on this project's in-domain labels
(`stance_actor_labels.jsonl.gz`: AllSides news and opinion articles, the author's stance toward
each of the product's actors per passage and per article), labelled by a language model under
`STANCE_GUIDELINE.md` (two passes agree at kappa 0.95 on actors, 0.85 on passages); no label of
this project's own helpers was added. Actors flagged `junk` or `name_wrong` were left out of
training ({meta["left_out"].get("junk_or_name_wrong", 0)} actors). The dev split's outlets never
occur in train; every choice (epoch, combiner bias, combiner or rule) was made on dev.

Research use: VAST has no licence stated in its repository; PerSenT, NewsMTSC (MIT), RuSentNE
(MIT) and the NLI sets as listed in `../shared/README.md`; the AllSides texts are (c) their
publishers.

## Files

| file | bytes | sha256 |
| --- | --- | --- |
{files}
| `training.json` | | settings, data counts, dev curve and final scores, as written by the run |

The saved weights are fp16 and leave out the word-embedding matrix (frozen), restored from the
encoder package at load time. The version is the first 12 hex digits of `model.safetensors`'
sha256; the combiner's digest is added to the version the service records.

## Reproduce

```
HF_HUB_OFFLINE=1 .venv/bin/python scripts/data/stance_domain_data.py \\
    --out cache/stance_domain.jsonl.gz
HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_stance_domain.py \\
    --prepared cache/stance_domain.jsonl.gz --data ../shared/data/train --out cache/stance \\
    --epochs {args["epochs"]} --freeze-layers {args["freeze_layers"]} \\
    --newsmtsc {args["newsmtsc"]}{neutral_cap}{blend_command}
```

The first command records the product's reading of the labelled articles (its actors, mentions,
sentences, the sentence head's and the genre head's outputs) with the models of the commit it runs
on; the second starts from the bundled stance weights. Seed {args["seed"]}, {args["threads"]}
threads on `{args["device"]}`; {meta["minutes"]} minutes. The embeddings and the lowest
{args["freeze_layers"]} layers were frozen (their output computed once) to fit two CPU cores.

## Data

| source / label | pairs |
| --- | ---: |
{mix}

Dev: {meta["dev"]["passages"]:,} labelled passages, {meta["dev"]["actors"]:,} labelled actors the
product lists ({meta["dev"]["actors_not_found"]} labelled actors it no longer finds).

## Dev curve (epoch 0: the weights before this stage; kept: epoch {meta["best_epoch"]})

| epoch | dev passages macro F1 | dev articles, rule (focus/bias) | minutes |
| --- | --- | --- | --- |
{curve}

## Results (kept weights, PyTorch fp32 in the training script)

| set | n | accuracy | macro F1 | negative | neutral | positive |
| --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

The product's own path (int8 ONNX Runtime, the resolver's actors) is measured by
`lens eval actor-sentiment` in `docs/quality.md`.
{blend_section}"""
    (out / "README.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
