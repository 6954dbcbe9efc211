"""Train the sentiment heads on the shared encoder and write them with their metrics.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/train_sentiment.py \
        --data ../shared/data/train --out app/analysis/bundled/sentiment

Three heads, all run by `app.analysis.sentiment.SentimentModel` with numpy:

- sentence: the mean of `--mlps` one-hidden-layer MLPs on the sentence vector, trained on
  Financial PhraseBank, SemEval-2017 task 5 headlines (score within +-0.1 is neutral), SST-2
  sentences (binary) and the NewsMTSC sentences whose targets all share one label; 20% of each
  set (by distinct text) is held out.
- targeted: the mean of a logistic regression and `--mlps` MLPs on `target_features`, trained on
  NewsMTSC without the held-out stories of `newsmtsc_holdout`, plus the SemEval headlines whose
  target occurs in the text. Settings were chosen on a further 20% of the training stories.
- actor: logistic regression on `actor_features`, fitted on PerSenT dev (the author's sentiment
  toward an article's main person), C and class weights chosen by 5-fold cross-validation. The
  reported score is a nested cross-validation, next to the simple-average baseline.

``--targeted DIR`` makes the actor aggregator learn from the mention probabilities of a fine-tuned
targeted model (`scripts/train/train_targeted.py`) instead of the frozen targeted head; with
``--actor-only`` the sentence and targeted heads already in ``--out`` are kept and only the
aggregator is refitted (metrics.json keeps their numbers).

Held-out parts never enter training, so every number in metrics.json can be reproduced from the
bundle. Encoder passes are cached under ``--cache`` (keyed by the texts and encoder version).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.sentiment import ACTOR_FEATURES  # noqa: E402
from app.analysis.actors.sentiment import actor_features  # noqa: E402
from app.analysis.encoder import Encoded  # noqa: E402
from app.analysis.encoder import Encoder  # noqa: E402
from app.analysis.encoder import FloatArray  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.sentiment import HEADS_FILE  # noqa: E402
from app.analysis.sentiment import Head  # noqa: E402
from app.analysis.sentiment import SentimentModel  # noqa: E402
from app.analysis.sentiment import sentence_features  # noqa: E402
from app.analysis.sentiment import target_features  # noqa: E402
from app.analysis.sentiment_eval import classification_report  # noqa: E402
from app.analysis.sentiment_eval import newsmtsc_holdout  # noqa: E402
from app.analysis.targeted import TargetedModel  # noqa: E402
from app.analysis.text import split_sentences  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402
from scripts.train.toolkit import read_jsonl  # noqa: E402
from scripts.train.toolkit import write_json  # noqa: E402

LABEL = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
SEMEVAL_NEUTRAL = 0.1
TARGETED_C = 0.003
MLP_HIDDEN = 128
MLP_ALPHA = 3.0
ACTOR_C = (0.01, 0.03, 0.1, 0.3, 1.0)
# "sqrt": class weights sqrt(n / (k * count)), halfway between none and sklearn's "balanced"
ACTOR_WEIGHTS = ("balanced", "sqrt", None)
Record = dict[str, Any]


def encode_cached(encoder: Encoder, texts: list[str], cache: Path, name: str) -> dict[str, Encoded]:
    """Encoder pass of each distinct text, from ``cache`` when these texts were encoded before."""
    unique = sorted(set(texts))
    key = hashlib.sha256("\x00".join([encoder.version, *unique]).encode()).hexdigest()[:16]
    path = cache / f"{name}-{key}.npz"
    if not path.exists():
        log(f"encoding {len(unique)} {name} texts ...")
        started = time.perf_counter()
        out = encoder.encode(unique)
        log(f"  {len(unique) / (time.perf_counter() - started):.0f} texts/s")
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            sentence=np.stack([e.sentence for e in out]),
            tokens=np.concatenate([e.tokens for e in out]),
            offsets=np.concatenate([e.offsets for e in out]),
            bounds=np.cumsum([0, *(len(e.tokens) for e in out)]),
        )
    with np.load(path) as z:
        sentence, tokens, offsets, bounds = z["sentence"], z["tokens"], z["offsets"], z["bounds"]
    return {
        text: Encoded(sentence=sentence[i], tokens=tokens[a:b], offsets=offsets[a:b])
        for i, (text, (a, b)) in enumerate(zip(unique, itertools.pairwise(bounds), strict=True))
    }


def split_by_text(texts: Sequence[str], fraction: float, seed: int) -> np.ndarray:
    """Held-out mask over ``texts``: equal texts always fall on the same side."""
    unique = sorted(set(texts))
    np.random.default_rng(seed).shuffle(unique)
    held = set(unique[: round(len(unique) * fraction)])
    return np.array([t in held for t in texts])


# --- heads ------------------------------------------------------------------------------------


def _standardiser(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    scale = x.std(axis=0).astype(np.float32)
    scale[scale < 1e-6] = 1.0
    return x.mean(axis=0).astype(np.float32), scale


def fit_logistic(
    x: FloatArray,
    y: np.ndarray,
    c: float,
    weight: str | None,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> Head:
    """Logistic regression on standardised ``x``.

    ``weight`` is None, "balanced" (each class weighted n / (3 * its count), as sklearn's) or
    "sqrt" (the square root of that); with ``sample_weight`` the counts are weighted sums.
    """
    from sklearn.linear_model import LogisticRegression

    sample = np.ones(len(y)) if sample_weight is None else sample_weight.astype(np.float64)
    if weight is not None:
        counts = np.bincount(y, weights=sample, minlength=3)
        factor = sample.sum() / (3 * np.maximum(counts, 1e-12))
        sample = sample * (np.sqrt(factor) if weight == "sqrt" else factor)[y]
    mean, scale = _standardiser(x)
    model = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    model.fit((x - mean) / scale, y, sample_weight=sample)
    return Head(
        mean, scale, (model.coef_.T.astype(np.float32),), (model.intercept_.astype(np.float32),)
    )


def fit_mlps(x: FloatArray, y: np.ndarray, n: int, seed: int) -> list[Head]:
    from sklearn.neural_network import MLPClassifier

    mean, scale = _standardiser(x)
    heads = []
    for k in range(n):
        model = MLPClassifier(
            (MLP_HIDDEN,),
            alpha=MLP_ALPHA,
            max_iter=300,
            early_stopping=True,
            n_iter_no_change=15,
            random_state=seed + k,
        )
        model.fit((x - mean) / scale, y)
        weights = tuple(w.astype(np.float32) for w in model.coefs_)
        heads.append(
            Head(mean, scale, weights, tuple(b.astype(np.float32) for b in model.intercepts_))
        )
        log(f"  mlp {k + 1}/{n}: {model.n_iter_} epochs")
    return heads


def mean_probabilities(heads: Sequence[Head], x: FloatArray) -> FloatArray:
    out: FloatArray = np.mean([h.probabilities(x) for h in heads], axis=0)
    return out


def report(task: str, gold: np.ndarray, probs: FloatArray) -> dict[str, Any]:
    labels = sorted(set(gold.tolist()))
    if LABEL["neutral"] not in labels:
        # binary sets: the stronger of negative and positive, as `lens eval` scores them
        probs = probs.copy()
        probs[:, LABEL["neutral"]] = -1.0
        labels = [LABEL["negative"], LABEL["positive"]]
    result = classification_report(task, gold.tolist(), probs.argmax(axis=1).tolist(), labels)
    log(f"  {task}: n={result['n']} accuracy={result['accuracy']} macro_f1={result['macro_f1']}")
    return result


# --- data -------------------------------------------------------------------------------------


def semeval_label(score: float) -> str:
    if abs(score) < SEMEVAL_NEUTRAL:
        return "neutral"
    return "positive" if score > 0 else "negative"


def sentence_sets(data: Path, newsmtsc: list[Record], held: list[bool]) -> dict[str, list[Record]]:
    """``{text, label}`` records of each sentence-level training set, one per distinct text."""
    semeval = read_jsonl(data / "sentiment_semeval2017t5_headlines_train.jsonl")
    sets = {
        "financial_phrasebank": read_jsonl(data / "sentiment_financial_phrasebank.jsonl"),
        "semeval2017_headlines": [
            {**r, "label": semeval_label(float(r["score"]))} for r in semeval
        ],
        "sst2_sentences": read_jsonl(data / "sentiment_sst2_train_sentences.jsonl"),
    }
    # A NewsMTSC sentence whose targets all carry one label is read as that sentence's label;
    # sentences of the targeted hold-out stay out of every training set.
    labels: dict[str, set[str]] = defaultdict(set)
    excluded = {r["text"] for r, h in zip(newsmtsc, held, strict=True) if h}
    for r in newsmtsc:
        labels[r["text"]].add(r["label"])
    sets["newsmtsc_sentences"] = [
        {"text": t, "label": next(iter(v))}
        for t, v in sorted(labels.items())
        if len(v) == 1 and t not in excluded
    ]
    # SemEval has a row per target of a headline: a repeated text keeps its first label.
    return {
        name: list({r["text"]: r for r in reversed(rows)}.values()) for name, rows in sets.items()
    }


def semeval_targets(data: Path) -> list[Record]:
    """SemEval-2017 headlines as targeted records, where the target occurs as a whole word."""
    records = []
    for r in read_jsonl(data / "sentiment_semeval2017t5_headlines_train.jsonl"):
        found = re.search(rf"\b{re.escape(r['target'])}\b", r["text"])
        if found:
            label = semeval_label(float(r["score"]))
            records.append(
                {
                    "text": r["text"],
                    "target_start": found.start(),
                    "target_end": found.end(),
                    "label": label,
                }
            )
    return records


_GAP = re.compile(r"(?<=\S) {2}(?=\S)")
_QUOTE_END = re.compile(r"(?<=\w) \" (?=[A-Z])")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")


def restore_commas(text: str) -> str:
    """PerSenT texts lost their commas (``"In 2006  Benjamin"``); put them back.

    The product reads ordinary punctuated text, so the aggregator is tuned on text that looks
    like it: a double space between words, a space before a closing quote and a space inside a
    number were commas.
    """
    text = _GAP.sub(", ", text)
    text = _QUOTE_END.sub('," ', text)
    return _THOUSANDS.sub(",", text)


def mention_pattern(target: str) -> re.Pattern[str]:
    """The full name and the surname, as the product's resolver finds a person."""
    names = {target.strip(), target.split()[-1]}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


# --- stages -----------------------------------------------------------------------------------


def train_sentence(
    encoder: Encoder, sets: dict[str, list[Record]], args: argparse.Namespace
) -> tuple[list[Head], dict[str, Any]]:
    log("sentence head")
    xs, ys, held_parts = [], [], {}
    for name, records in sets.items():
        texts = [r["text"] for r in records]
        # NewsMTSC sentences reuse the targeted head's encoder pass over all NewsMTSC texts.
        pool, cached = (
            (args.newsmtsc_texts, "newsmtsc") if name == "newsmtsc_sentences" else (texts, name)
        )
        by_text = encode_cached(encoder, pool, args.cache, cached)
        x = sentence_features([by_text[t] for t in texts])
        y = np.array([LABEL[r["label"]] for r in records])
        held = split_by_text(texts, 0.2, args.seed)
        xs.append(x[~held])
        ys.append(y[~held])
        held_parts[name] = (x[held], y[held])
        log(f"  {name}: {len(records)} sentences, {int(held.sum())} held out")
    heads = fit_mlps(np.concatenate(xs), np.concatenate(ys), args.mlps, args.seed)
    return heads, {
        name: report(name, y, mean_probabilities(heads, x)) for name, (x, y) in held_parts.items()
    }


def targeted_matrix(
    by_text: dict[str, Encoded], records: list[Record]
) -> tuple[FloatArray, np.ndarray]:
    x = np.stack(
        [target_features(by_text[r["text"]], r["target_start"], r["target_end"]) for r in records]
    )
    return x, np.array([LABEL[r["label"]] for r in records])


def train_targeted(
    encoder: Encoder, records: list[Record], held: list[bool], args: argparse.Namespace
) -> tuple[list[Head], dict[str, Any]]:
    log("targeted head")
    x, y = targeted_matrix(
        encode_cached(encoder, args.newsmtsc_texts, args.cache, "newsmtsc"), records
    )
    mask = np.asarray(held)
    semeval = semeval_targets(args.data)
    # the sentence head's encoder pass over all the headlines serves here too
    headlines = [
        r["text"] for r in read_jsonl(args.data / "sentiment_semeval2017t5_headlines_train.jsonl")
    ]
    extra_x, extra_y = targeted_matrix(
        encode_cached(encoder, headlines, args.cache, "semeval2017_headlines"), semeval
    )
    log(f"  NewsMTSC: {len(records)} targets, {int(mask.sum())} held out; SemEval: {len(extra_y)}")
    train_x, train_y = np.concatenate([x[~mask], extra_x]), np.concatenate([y[~mask], extra_y])
    heads = [fit_logistic(train_x, train_y, TARGETED_C, "balanced", args.seed)]
    heads += fit_mlps(train_x, train_y, args.mlps, args.seed)
    metrics = {
        "holdout_logistic_only": report(
            "newsmtsc holdout, logistic only", y[mask], heads[0].probabilities(x[mask])
        ),
        "holdout": report("newsmtsc holdout", y[mask], mean_probabilities(heads, x[mask])),
    }
    return heads, metrics


def persent_features(
    encoder: Encoder,
    model: SentimentModel,
    records: list[Record],
    args: argparse.Namespace,
    targeted: TargetedModel | None = None,
) -> tuple[FloatArray, np.ndarray, dict[str, FloatArray]]:
    """Aggregator features of each PerSenT article, and two baselines' probabilities.

    Mention probabilities come from ``targeted`` (the fine-tuned model the bundled profile runs)
    when given, else from the frozen head in ``model``.
    """
    docs = []
    for r in records:
        sentences = split_sentences(restore_commas(r["text"]))
        pattern = mention_pattern(r["target"])
        docs.append(
            (
                sentences,
                [
                    (s.index, m.start(), m.end())
                    for s in sentences
                    for m in pattern.finditer(s.text)
                ],
            )
        )
    flat = [s.text for sentences, _ in docs for s in sentences]
    by_text = encode_cached(encoder, flat, args.cache, "persent")
    encoded = [by_text[t] for t in flat]
    sentence_probs = model.sentence_probabilities(encoded)
    fine_tuned: list[FloatArray] = []
    if targeted is not None:
        log(f"  targeted model over {sum(len(m) for _, m in docs)} mentions ...")
        spans: list[list[tuple[int, int]]] = [
            [(a, b) for i, a, b in mentions if i == s.index]
            for sentences, mentions in docs
            for s in sentences
        ]
        flat_probs = targeted.probabilities(flat, spans)
        bounds = np.cumsum([0, *(len(m) for _, m in docs)])
        # `spans` lists a document's mentions sentence by sentence, as `mentions` does
        fine_tuned = [flat_probs[a:b] for a, b in itertools.pairwise(bounds)]
    rows, document, offset = [], [], 0
    for d, (sentences, mentions) in enumerate(docs):
        probs = sentence_probs[offset : offset + len(sentences)]
        mention_probs = (
            fine_tuned[d]
            if targeted is not None
            else model.targeted([(encoded[offset + i], a, b) for i, a, b in mentions])
        )
        offset += len(sentences)
        rows.append(actor_features(mention_probs, [i for i, _, _ in mentions], probs))
        document.append([model.document(probs).probabilities[label] for label in SENTIMENT_LABELS])
    missing = sum(not mentions for _, mentions in docs)
    log(f"  {len(records)} articles, {len(flat)} sentences, {missing} without a mention")
    x = np.stack(rows)
    # the simple baseline is the mean of the mentions' probabilities: the first three features
    baselines = {"simple_average": x[:, :3], "document": np.asarray(document, dtype=np.float32)}
    return x, np.array([LABEL[r["label"]] for r in records]), baselines


def _select(x: FloatArray, y: np.ndarray, seed: int) -> tuple[float, str | None]:
    """C and class weights with the best 5-fold macro F1 on ``x``."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y))
    scores = {}
    for c, weight in itertools.product(ACTOR_C, ACTOR_WEIGHTS):
        predicted = np.zeros_like(y)
        for train, test in folds:
            predicted[test] = (
                fit_logistic(x[train], y[train], c, weight, seed)
                .probabilities(x[test])
                .argmax(axis=1)
            )
        scores[(c, weight)] = float(f1_score(y, predicted, average="macro"))
    return max(scores, key=lambda k: scores[k])


def train_actor(
    encoder: Encoder,
    model: SentimentModel,
    args: argparse.Namespace,
    targeted: TargetedModel | None = None,
) -> tuple[Head, dict[str, Any]]:
    from sklearn.model_selection import StratifiedKFold

    log("actor aggregator (PerSenT dev)")
    records = read_jsonl(args.data / "sentiment_persent_dev.jsonl")
    x, y, baselines = persent_features(encoder, model, records, args, targeted)
    metrics: dict[str, Any] = {
        name: report(f"persent {name}", y, p) for name, p in baselines.items()
    }
    # Nested cross-validation: the settings are chosen inside each outer training fold.
    predicted = np.zeros((len(y), 3), dtype=np.float32)
    chosen = set()
    for repeat in range(args.cv_repeats):
        for train, test in StratifiedKFold(
            5, shuffle=True, random_state=args.seed + 100 + repeat
        ).split(x, y):
            c, weight = _select(x[train], y[train], args.seed)
            chosen.add(f"C={c} class_weight={weight}")
            predicted[test] += fit_logistic(x[train], y[train], c, weight, args.seed).probabilities(
                x[test]
            )
    metrics["aggregator_nested_cv"] = {
        **report("persent aggregator, nested CV", y, predicted),
        "repeats": args.cv_repeats,
        "settings_chosen_in_folds": sorted(chosen),
    }
    c, weight = _select(x, y, args.seed)
    metrics["aggregator_settings"] = {"C": c, "class_weight": weight}
    log(f"  final aggregator: C={c} class_weight={weight}")
    return fit_logistic(x, y, c, weight, args.seed), metrics


def write_heads(out: Path, sentence: Sequence[Head], targeted: Sequence[Head], actor: Head) -> Path:
    arrays: dict[str, FloatArray] = {}
    for name, heads in (("sentence", sentence), ("targeted", targeted), ("actor", [actor])):
        for k, head in enumerate(heads):
            arrays |= head.to_arrays(f"{name}/{k}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / HEADS_FILE
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
    return path


def refit_actor(
    encoder: Encoder,
    targeted_model: TargetedModel | None,
    args: argparse.Namespace,
    started: float,
) -> None:
    """Refit the actor aggregator on the heads in ``--out``; the other heads stay as they are."""
    model = SentimentModel(args.out)
    before = model.version
    actor, actor_metrics = train_actor(encoder, model, args, targeted_model)
    path = write_heads(args.out, model.ensembles["sentence"], model.ensembles["targeted"], actor)
    metrics_path = args.out / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    metrics |= {
        "version": SentimentModel(args.out).version,
        "encoder": encoder.version,
        "targeted_model": targeted_model.version if targeted_model else "targeted head",
        "files": {HEADS_FILE: {"sha256": file_digest(path, 64), "bytes": path.stat().st_size}},
        "actor": actor_metrics,
        "actor_refit": {
            "from_version": before,
            "minutes": round((time.perf_counter() - started) / 60, 1),
        },
    }
    write_json(metrics_path, metrics, indent=2)
    log(f"refitted the actor aggregator: {before} -> {metrics['version']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/train")
    parser.add_argument("--out", type=Path, required=True, help="app/analysis/bundled/sentiment")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lens-sentiment-cache"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mlps", type=int, default=3, help="MLPs in each ensemble")
    parser.add_argument("--cv-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--targeted",
        type=Path,
        help="fine-tuned targeted model (app/analysis/bundled/targeted) whose mention "
        "probabilities the actor aggregator learns from; default: the frozen targeted head",
    )
    parser.add_argument(
        "--actor-only",
        action="store_true",
        help="keep the sentence and targeted heads in --out, refit only the actor aggregator",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()

    encoder = Encoder()
    targeted_model = TargetedModel(args.targeted) if args.targeted else None
    if args.actor_only:
        refit_actor(encoder, targeted_model, args, started)
        return
    newsmtsc = read_jsonl(args.data / "sentiment_newsmtsc_train.jsonl")
    held = newsmtsc_holdout(newsmtsc)
    args.newsmtsc_texts = [r["text"] for r in newsmtsc]
    sentence, sentence_metrics = train_sentence(
        encoder, sentence_sets(args.data, newsmtsc, held), args
    )
    targeted, targeted_metrics = train_targeted(encoder, newsmtsc, held, args)
    # The aggregator learns from the bundled heads' outputs: write them first, with a blank actor.
    n = len(ACTOR_FEATURES)
    blank = Head(
        np.zeros(n, np.float32),
        np.ones(n, np.float32),
        (np.zeros((n, 3), np.float32),),
        (np.zeros(3, np.float32),),
    )
    write_heads(args.out, sentence, targeted, blank)
    actor, actor_metrics = train_actor(encoder, SentimentModel(args.out), args, targeted_model)
    path = write_heads(args.out, sentence, targeted, actor)
    metrics = {
        "version": SentimentModel(args.out).version,
        "encoder": encoder.version,
        "targeted_model": targeted_model.version if targeted_model else "targeted head",
        "seed": args.seed,
        "files": {HEADS_FILE: {"sha256": file_digest(path, 64), "bytes": path.stat().st_size}},
        "sentence_holdout": sentence_metrics,
        "targeted": targeted_metrics,
        "actor": actor_metrics,
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    write_json(args.out / "metrics.json", metrics, indent=2)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and metrics.json: {metrics['version']}")


if __name__ == "__main__":
    main()
