"""Train the sentiment heads on the shared encoder and write them with their card.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_sentiment.py \
        --data ../shared/data/train --out app/analysis/bundled/sentiment

Three heads, all read by `app.analysis.sentiment.SentimentModel` with numpy:

- sentence: logistic regression on the sentence vector, trained on Financial PhraseBank,
  SemEval-2017 task 5 headlines (score thresholded at +-0.1), SST-2 sentences (binary) and
  NewsMTSC sentences whose targets all share one label; 20% of each set (by text) is held out.
- targeted: the mean of a logistic regression and `--mlps` one-hidden-layer MLPs on
  `target_features`, trained on NewsMTSC without the held-out stories of `newsmtsc_holdout`;
  the settings were chosen on a further 20% of stories inside the training part.
- actor: logistic regression on `actor_features`, fitted on PerSenT dev (the author's sentiment
  toward an article's main person) with C and class weights chosen by cross-validation; the
  reported score is a nested cross-validation, next to the simple-average baseline.

Held-out parts never enter training, so the card's numbers can be reproduced from the bundle.
Encoder passes are cached under ``--cache`` (keyed by the texts and the encoder version).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.analysis.actor_sentiment import actor_features  # noqa: E402
from app.analysis.encoder import Encoded, Encoder, FloatArray, file_digest  # noqa: E402
from app.analysis.sentiment import (  # noqa: E402
    HEADS_FILE,
    Head,
    SentimentModel,
    sentence_features,
    target_features,
)
from app.analysis.sentiment_eval import classification_report, newsmtsc_holdout  # noqa: E402
from app.analysis.text import split_sentences  # noqa: E402
from app.analysis.types import SENTIMENT_LABELS  # noqa: E402

LABEL = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
SEMEVAL_NEUTRAL = 0.1
TARGETED_C = 0.003
MLP_HIDDEN = 128
MLP_ALPHA = 3.0
SENTENCE_C = 1.0
ACTOR_GRID = {"C": [0.01, 0.03, 0.1, 0.3, 1.0], "class_weight": ["balanced", None]}
Record = dict[str, Any]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def read_jsonl(path: Path) -> list[Record]:
    with path.open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


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
        bounds = np.cumsum([0, *(len(e.tokens) for e in out)])
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            sentence=np.stack([e.sentence for e in out]),
            tokens=np.concatenate([e.tokens for e in out]),
            offsets=np.concatenate([e.offsets for e in out]),
            bounds=bounds,
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


def standardiser(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    mean = x.mean(axis=0).astype(np.float32)
    scale = x.std(axis=0).astype(np.float32)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def fit_logistic(x: FloatArray, y: np.ndarray, c: float, class_weight: Any, seed: int) -> Head:
    from sklearn.linear_model import LogisticRegression

    mean, scale = standardiser(x)
    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=5000, random_state=seed)
    model.fit((x - mean) / scale, y)
    weights = model.coef_.T.astype(np.float32)
    return Head(mean, scale, (weights,), (model.intercept_.astype(np.float32),))


def fit_mlp(x: FloatArray, y: np.ndarray, seed: int) -> Head:
    from sklearn.neural_network import MLPClassifier

    mean, scale = standardiser(x)
    model = MLPClassifier(
        (MLP_HIDDEN,),
        alpha=MLP_ALPHA,
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=15,
        random_state=seed,
    )
    model.fit((x - mean) / scale, y)
    weights = tuple(w.astype(np.float32) for w in model.coefs_)
    biases = tuple(b.astype(np.float32) for b in model.intercepts_)
    return Head(mean, scale, weights, biases)


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
    """``{text, label}`` records of each sentence-level training set."""
    sets = {
        "financial_phrasebank": [
            {"text": r["text"], "label": r["label"]}
            for r in read_jsonl(data / "sentiment_financial_phrasebank.jsonl")
        ],
        "semeval2017_headlines": [
            {"text": r["text"], "label": semeval_label(float(r["score"]))}
            for r in read_jsonl(data / "sentiment_semeval2017t5_headlines_train.jsonl")
        ],
        "sst2_sentences": [
            {"text": r["text"], "label": r["label"]}
            for r in read_jsonl(data / "sentiment_sst2_train_sentences.jsonl")
        ],
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
    # Financial PhraseBank repeats sentences with different annotator agreement: keep one label.
    for name, records in sets.items():
        first: dict[str, Record] = {}
        for r in records:
            first.setdefault(r["text"], r)
        sets[name] = list(first.values())
    return sets


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
) -> tuple[Head, dict[str, Any]]:
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
    head = fit_logistic(np.concatenate(xs), np.concatenate(ys), SENTENCE_C, "balanced", args.seed)
    metrics = {name: report(name, y, head.probabilities(x)) for name, (x, y) in held_parts.items()}
    return head, metrics


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


def targeted_matrix(
    encoder: Encoder, records: list[Record], args: argparse.Namespace, name: str
) -> tuple[FloatArray, np.ndarray]:
    by_text = encode_cached(encoder, [r["text"] for r in records], args.cache, name)
    x = np.stack(
        [target_features(by_text[r["text"]], r["target_start"], r["target_end"]) for r in records]
    )
    return x, np.array([LABEL[r["label"]] for r in records])


def train_targeted(
    encoder: Encoder, records: list[Record], held: list[bool], args: argparse.Namespace
) -> tuple[list[Head], dict[str, Any]]:
    log("targeted head")
    x, y = targeted_matrix(encoder, records, args, "newsmtsc")
    mask = np.asarray(held)
    extra_x, extra_y = targeted_matrix(encoder, semeval_targets(args.data), args, "semeval_targets")
    log(f"  NewsMTSC: {len(records)} targets, {int(mask.sum())} held out; SemEval: {len(extra_y)}")
    train_x, train_y = np.concatenate([x[~mask], extra_x]), np.concatenate([y[~mask], extra_y])
    heads = [fit_logistic(train_x, train_y, TARGETED_C, "balanced", args.seed)]
    for k in range(args.mlps):
        heads.append(fit_mlp(train_x, train_y, args.seed + k))
        log(f"  mlp {k + 1}/{args.mlps} done")
    metrics = {
        "holdout_logistic": report(
            "newsmtsc holdout (logistic only)", y[mask], heads[0].probabilities(x[mask])
        ),
        "holdout": report("newsmtsc holdout", y[mask], mean_probabilities(heads, x[mask])),
    }
    return heads, metrics


def persent_features(
    encoder: Encoder, model: SentimentModel, records: list[Record], args: argparse.Namespace
) -> tuple[FloatArray, np.ndarray, dict[str, FloatArray]]:
    """Aggregator features of each PerSenT article, and two baselines' probabilities."""
    docs = []
    for r in records:
        text = restore_commas(r["text"])
        sentences = split_sentences(text)
        pattern = mention_pattern(r["target"])
        mentions = [
            (s.index, m.start(), m.end()) for s in sentences for m in pattern.finditer(s.text)
        ]
        docs.append((sentences, mentions))
    flat = [s.text for sentences, _ in docs for s in sentences]
    by_text = encode_cached(encoder, flat, args.cache, "persent")
    encoded = [by_text[t] for t in flat]
    sentence_probs = model.sentence_probabilities(encoded)
    rows, simple, document, offset, no_mentions = [], [], [], 0, 0
    for sentences, mentions in docs:
        probs = sentence_probs[offset : offset + len(sentences)]
        mention_probs = model.targeted([(encoded[offset + i], a, b) for i, a, b in mentions])
        offset += len(sentences)
        rows.append(actor_features(mention_probs, [i for i, _, _ in mentions], probs))
        document.append(model.document(probs).probabilities)
        no_mentions += not mentions
        # the simple baseline: the average of the mentions' probabilities
        simple.append(actor_features(mention_probs, [i for i, _, _ in mentions], probs)[:3])
    log(f"  {len(records)} articles, {len(flat)} sentences, {no_mentions} without a mention")
    y = np.array([LABEL[r["label"]] for r in records])
    as_matrix = np.array([[d[label] for label in SENTIMENT_LABELS] for d in document])
    return np.stack(rows), y, {"simple_average": np.stack(simple), "document": as_matrix}


def _select(x: FloatArray, y: np.ndarray, seed: int) -> tuple[float, Any]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    best: tuple[float, float, Any] = (-1.0, 0.0, None)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y))
    for c in ACTOR_GRID["C"]:
        for weight in ACTOR_GRID["class_weight"]:
            predicted = np.zeros_like(y)
            for train, test in folds:
                head = fit_logistic(x[train], y[train], c, weight, seed)
                predicted[test] = head.probabilities(x[test]).argmax(axis=1)
            score = float(f1_score(y, predicted, average="macro"))
            if score > best[0]:
                best = (score, c, weight)
    return best[1], best[2]


def train_actor(
    encoder: Encoder, model: SentimentModel, data: Path, args: argparse.Namespace
) -> tuple[Head, dict[str, Any]]:
    from sklearn.model_selection import StratifiedKFold

    log("actor aggregator (PerSenT dev)")
    x, y, baselines = persent_features(
        encoder, model, read_jsonl(data / "sentiment_persent_dev.jsonl"), args
    )
    metrics: dict[str, Any] = {
        name: report(f"persent {name}", y, probs) for name, probs in baselines.items()
    }
    # Nested cross-validation: the settings are chosen inside each outer training fold.
    predicted = np.zeros((len(y), 3), dtype=np.float32)
    chosen = []
    for repeat in range(args.cv_repeats):
        folds = StratifiedKFold(5, shuffle=True, random_state=args.seed + 100 + repeat)
        for train, test in folds.split(x, y):
            c, weight = _select(x[train], y[train], args.seed)
            chosen.append((c, weight))
            predicted[test] += fit_logistic(x[train], y[train], c, weight, args.seed).probabilities(
                x[test]
            )
    metrics["aggregator_nested_cv"] = report("persent aggregator, nested CV", y, predicted)
    metrics["aggregator_nested_cv"]["repeats"] = args.cv_repeats
    c, weight = _select(x, y, args.seed)
    metrics["aggregator_settings"] = {
        "C": c,
        "class_weight": weight,
        "chosen_in_folds": sorted({str(s) for s in chosen}),
    }
    log(f"  final aggregator: C={c} class_weight={weight}")
    return fit_logistic(x, y, c, weight, args.seed), metrics


def measure_speed(encoder: Encoder, model: SentimentModel, texts: list[str]) -> dict[str, float]:
    """Sentences per second through the encoder and through the heads, on this machine."""
    started = time.perf_counter()
    encoded = encoder.encode(texts)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    model.sentence_probabilities(encoded)
    sentence_s = time.perf_counter() - started
    pairs = [(e, 0, max(1, int(e.offsets[-1, 1]) // 3)) for e in encoded if len(e.offsets)]
    started = time.perf_counter()
    model.targeted(pairs)
    targeted_s = time.perf_counter() - started
    return {
        "sentences": len(texts),
        "encoder_sentences_per_s": round(len(texts) / encode_s, 1),
        "sentence_head_sentences_per_s": round(len(texts) / sentence_s, 1),
        "targeted_head_targets_per_s": round(len(pairs) / targeted_s, 1),
    }


def write_heads(out: Path, sentence: Head, targeted: Sequence[Head], actor: Head) -> Path:
    arrays: dict[str, FloatArray] = {}
    arrays |= sentence.to_arrays("sentence/0")
    for k, head in enumerate(targeted):
        arrays |= head.to_arrays(f"targeted/{k}")
    arrays |= actor.to_arrays("actor/0")
    out.mkdir(parents=True, exist_ok=True)
    path = out / HEADS_FILE
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/train")
    parser.add_argument("--out", type=Path, required=True, help="app/analysis/bundled/sentiment")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lens-sentiment-cache"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mlps", type=int, default=3, help="MLPs in the targeted ensemble")
    parser.add_argument("--cv-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.perf_counter()

    encoder = Encoder()
    newsmtsc = read_jsonl(args.data / "sentiment_newsmtsc_train.jsonl")
    held = newsmtsc_holdout(newsmtsc)
    args.newsmtsc_texts = [r["text"] for r in newsmtsc]
    sentence, sentence_metrics = train_sentence(
        encoder, sentence_sets(args.data, newsmtsc, held), args
    )
    targeted, targeted_metrics = train_targeted(encoder, newsmtsc, held, args)
    # The aggregator reads the bundled heads' outputs, so write those first.
    write_heads(args.out, sentence, targeted, _uniform_actor_head())
    model = SentimentModel(args.out)
    actor, actor_metrics = train_actor(encoder, model, args.data, args)
    path = write_heads(args.out, sentence, targeted, actor)
    model = SentimentModel(args.out)
    speed_texts = [r["text"] for r in newsmtsc[:512]]
    metrics = {
        "version": model.version,
        "seed": args.seed,
        "sentence": sentence_metrics,
        "targeted": targeted_metrics,
        "actor": actor_metrics,
        "speed": measure_speed(encoder, model, speed_texts),
        "files": {HEADS_FILE: {"sha256": file_digest(path, 64), "bytes": path.stat().st_size}},
        "encoder": encoder.version,
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and metrics.json: {model.version}")


def _uniform_actor_head() -> Head:
    from app.analysis.actor_sentiment import ACTOR_FEATURES

    n = len(ACTOR_FEATURES)
    zeros = np.zeros((n, 3), dtype=np.float32)
    ones = np.ones(n, dtype=np.float32)
    return Head(np.zeros(n, dtype=np.float32), ones, (zeros,), (np.zeros(3, dtype=np.float32),))


if __name__ == "__main__":
    main()
