"""Measure whether PerSenT's paragraph labels make better author-toward-actor sentiment.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval/eval_persent_paragraphs.py \
        --data ../shared/data/train

PerSenT dev labels the author's sentiment toward an article's main person for the whole article
and for each paragraph (4,169 paragraph labels: 48 % neutral, 43 % positive, 9 % negative). The
bundled models use only the article labels (the actor aggregator). This script measures two ways
of using the paragraph labels too, with everything scored on documents never trained on:

1. **aggregator**: each paragraph that names the main person becomes an extra training unit for
   the aggregator (its mentions, the whole article's sentences), weighted by ``w``. Scored by
   5-fold cross-validation grouped by article, repeated, with C and class weights chosen inside
   each outer training fold on its articles (nested), on the article labels and on the
   paragraph labels of the held-out articles.
2. **targeted head**: every mention of the main person becomes an extra training example for the
   frozen-feature targeted head (logistic regression, as the bundled head's first member), with
   its paragraph's label, weighted by ``w``. Mention probabilities are cross-fitted (5 folds by
   article); scored by the NewsMTSC hold-out (the head's own floor), the mean mention per labelled
   paragraph and per article, and the aggregator's nested cross-validation on those mentions.

Results and the reading of them: docs/quality.md ("PerSenT's paragraph labels").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.sentiment import actor_features  # noqa: E402
from app.analysis.encoder import Encoder  # noqa: E402
from app.analysis.encoder import FloatArray  # noqa: E402
from app.analysis.sentiment import SentimentModel  # noqa: E402
from app.analysis.sentiment import target_features  # noqa: E402
from app.analysis.sentiment_eval import newsmtsc_holdout  # noqa: E402
from app.analysis.text import Sentence  # noqa: E402
from app.analysis.text import split_sentences  # noqa: E402
from scripts.train.toolkit import log  # noqa: E402
from scripts.train.toolkit import read_jsonl  # noqa: E402
from scripts.train.train_sentiment import ACTOR_C  # noqa: E402
from scripts.train.train_sentiment import ACTOR_WEIGHTS  # noqa: E402
from scripts.train.train_sentiment import LABEL  # noqa: E402
from scripts.train.train_sentiment import TARGETED_C  # noqa: E402
from scripts.train.train_sentiment import encode_cached  # noqa: E402
from scripts.train.train_sentiment import fit_logistic  # noqa: E402
from scripts.train.train_sentiment import mention_pattern  # noqa: E402
from scripts.train.train_sentiment import restore_commas  # noqa: E402
from scripts.train.train_sentiment import semeval_targets  # noqa: E402
from scripts.train.train_sentiment import targeted_matrix  # noqa: E402

Predict = Callable[[FloatArray], FloatArray]


@dataclass
class Doc:
    label: int
    sentences: list[Sentence]
    sentence_probs: FloatArray
    # (sentence index, start, end) of each mention of the main person, in text order
    mentions: list[tuple[int, int, int]]
    mention_x: FloatArray
    # the bundled targeted head's (negative, neutral, positive) for each mention
    bundled_probs: FloatArray
    # paragraph index of each mention, and each paragraph's label (empty when they don't line up)
    mention_paragraph: list[int] = field(default_factory=list)
    paragraph_labels: list[int] = field(default_factory=list)

    def labelled_paragraphs(self) -> list[tuple[int, list[int]]]:
        """(label, indexes into ``mentions``) of each labelled paragraph that names the person."""
        out = []
        for p, label in enumerate(self.paragraph_labels):
            idx = [k for k, q in enumerate(self.mention_paragraph) if q == p]
            if idx:
                out.append((label, idx))
        return out


def load_docs(data: Path, encoder: Encoder, model: SentimentModel, cache: Path) -> list[Doc]:
    records = read_jsonl(data / "sentiment_persent_dev.jsonl")
    parsed = []
    for r in records:
        paragraphs = [restore_commas(p) for p in r["text"].split("\n")]
        sentences = split_sentences("\n".join(paragraphs))
        starts = np.cumsum([0, *(len(p) + 1 for p in paragraphs)])
        paragraph_of = [int(np.searchsorted(starts, s.start, side="right") - 1) for s in sentences]
        pattern = mention_pattern(r["target"])
        mentions = [
            (s.index, m.start(), m.end()) for s in sentences for m in pattern.finditer(s.text)
        ]
        labels = r["paragraph_labels"]
        aligned = len(labels) == len(paragraphs)
        parsed.append((r, sentences, paragraph_of, mentions, labels if aligned else []))
    flat = [s.text for _, sentences, _, _, _ in parsed for s in sentences]
    by_text = encode_cached(encoder, flat, cache, "persent-paragraphs")
    docs = []
    for r, sentences, paragraph_of, mentions, labels in parsed:
        encoded = [by_text[s.text] for s in sentences]
        pairs = [(encoded[i], a, b) for i, a, b in mentions]
        docs.append(
            Doc(
                label=LABEL[r["label"]],
                sentences=sentences,
                sentence_probs=model.sentence_probabilities(encoded),
                mentions=mentions,
                mention_x=np.stack([target_features(*p) for p in pairs])
                if pairs
                else np.zeros((0, 0), np.float32),
                bundled_probs=model.targeted(pairs),
                mention_paragraph=[paragraph_of[i] for i, _, _ in mentions] if labels else [],
                paragraph_labels=[LABEL[x] for x in labels],
            )
        )
    return docs


def macro_f1(gold: np.ndarray, probs: FloatArray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, probs.argmax(axis=1), average="macro"))


def units(
    docs: list[Doc], mention_probs: list[FloatArray], which: np.ndarray
) -> tuple[FloatArray, np.ndarray, FloatArray, np.ndarray]:
    """Aggregator units of the articles ``which``: one per article, one per named paragraph."""
    doc_x, doc_y, para_x, para_y = [], [], [], []
    for d in which:
        doc, probs = docs[d], mention_probs[d]
        where = [i for i, _, _ in doc.mentions]
        doc_x.append(actor_features(probs, where, doc.sentence_probs))
        doc_y.append(doc.label)
        for label, idx in doc.labelled_paragraphs():
            para_x.append(actor_features(probs[idx], [where[k] for k in idx], doc.sentence_probs))
            para_y.append(label)
    return np.stack(doc_x), np.array(doc_y), np.stack(para_x), np.array(para_y)


def fit_aggregator(
    docs: list[Doc], probs: list[FloatArray], train: np.ndarray, w: float, seed: int
) -> Predict:
    """The aggregator fitted on ``train``'s articles, plus their paragraphs at weight ``w``.

    C and class weights are chosen by 5-fold cross-validation over those articles, scored on the
    article labels (the measure the bundled aggregator is chosen by).
    """
    from sklearn.model_selection import StratifiedKFold

    gold = np.array([docs[d].label for d in train])
    best, best_score = (ACTOR_C[0], ACTOR_WEIGHTS[0]), -1.0
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(train, gold))
    for c in ACTOR_C:
        for weight in ACTOR_WEIGHTS:
            predicted = np.zeros((len(train), 3), np.float32)
            for inner_train, inner_test in folds:
                predicted[inner_test] = _fit_units(docs, probs, train[inner_train], w, c, weight)(
                    units(docs, probs, train[inner_test])[0]
                )
            score = macro_f1(gold, predicted)
            if score > best_score:
                best, best_score = (c, weight), score
    return _fit_units(docs, probs, train, w, *best)


def _fit_units(
    docs: list[Doc],
    probs: list[FloatArray],
    train: np.ndarray,
    w: float,
    c: float,
    weight: str | None,
) -> Predict:
    doc_x, doc_y, para_x, para_y = units(docs, probs, train)
    if w > 0:
        x, y = np.concatenate([doc_x, para_x]), np.concatenate([doc_y, para_y])
        sample = np.concatenate([np.ones(len(doc_y)), np.full(len(para_y), w)])
    else:
        x, y, sample = doc_x, doc_y, np.ones(len(doc_y))
    return fit_logistic(x, y, c, weight, 0, sample_weight=sample).probabilities


def score_aggregator(
    docs: list[Doc], probs: list[FloatArray], w: float, repeats: int, seed: int
) -> tuple[float, float]:
    """Nested CV (articles grouped): macro F1 on article labels and on paragraph labels."""
    from sklearn.model_selection import StratifiedKFold

    gold = np.array([d.label for d in docs])
    doc_pred = np.zeros((len(docs), 3), np.float32)
    para_gold: list[np.ndarray] = []
    para_pred: list[FloatArray] = []
    for repeat in range(repeats):
        split = StratifiedKFold(5, shuffle=True, random_state=seed + 100 + repeat)
        for train, test in split.split(np.zeros(len(docs)), gold):
            predict = fit_aggregator(docs, probs, train, w, seed)
            doc_x, _, para_x, para_y = units(docs, probs, test)
            doc_pred[test] += predict(doc_x)
            para_gold.append(para_y)
            para_pred.append(predict(para_x))
    return macro_f1(gold, doc_pred), macro_f1(np.concatenate(para_gold), np.concatenate(para_pred))


def simple_means(docs: list[Doc], probs: list[FloatArray]) -> tuple[float, float]:
    """Macro F1 of the mean mention, per article and per labelled paragraph."""
    doc_gold, doc_pred, para_gold, para_pred = [], [], [], []
    for doc, p in zip(docs, probs, strict=True):
        doc_gold.append(doc.label)
        doc_pred.append(p.mean(axis=0) if len(p) else np.full(3, 1 / 3, np.float32))
        for label, idx in doc.labelled_paragraphs():
            para_gold.append(label)
            para_pred.append(p[idx].mean(axis=0))
    return (
        macro_f1(np.array(doc_gold), np.stack(doc_pred)),
        macro_f1(np.array(para_gold), np.stack(para_pred)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="../shared/data/train")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lens-sentiment-cache"))
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    encoder, model = Encoder(), SentimentModel()
    docs = load_docs(args.data, encoder, model, args.cache)
    n_para = sum(len(d.paragraph_labels) for d in docs)
    log(f"PerSenT dev: {len(docs)} articles, {n_para} paragraph labels")
    bundled = [d.bundled_probs for d in docs]

    print("\n## 1. aggregator with paragraph units (bundled mention probabilities)\n")
    print("| paragraph weight | article macro F1 | paragraph macro F1 |")
    print("| ---: | ---: | ---: |")
    for w in [0.0, *args.weights]:
        article, paragraph = score_aggregator(docs, bundled, w, args.repeats, args.seed)
        print(f"| {w} | {article:.3f} | {paragraph:.3f} |", flush=True)

    print("\n## 2. targeted head (logistic member) with paragraph-labelled mentions\n")
    news = read_jsonl(args.data / "sentiment_newsmtsc_train.jsonl")
    held = np.array(newsmtsc_holdout(news))
    news_x, news_y = targeted_matrix(
        encode_cached(encoder, [r["text"] for r in news], args.cache, "newsmtsc"), news
    )
    headlines = read_jsonl(args.data / "sentiment_semeval2017t5_headlines_train.jsonl")
    semeval_x, semeval_y = targeted_matrix(
        encode_cached(encoder, [r["text"] for r in headlines], args.cache, "semeval2017_headlines"),
        semeval_targets(args.data),
    )
    base_x = np.concatenate([news_x[~held], semeval_x])
    base_y = np.concatenate([news_y[~held], semeval_y])
    labelled = {d for d in range(len(docs)) if docs[d].paragraph_labels and docs[d].mentions}

    def head(train_docs: np.ndarray, w: float) -> Predict:
        extra = [d for d in train_docs if d in labelled] if w > 0 else []
        x = np.concatenate([base_x, *(docs[d].mention_x for d in extra)])
        y = np.concatenate(
            [
                base_y,
                *(
                    np.array([docs[d].paragraph_labels[q] for q in docs[d].mention_paragraph])
                    for d in extra
                ),
            ]
        )
        sample = np.concatenate([np.ones(len(base_y)), np.full(len(y) - len(base_y), w)])
        return fit_logistic(x, y, TARGETED_C, "balanced", 0, sample_weight=sample).probabilities

    from sklearn.model_selection import StratifiedKFold

    gold = np.array([d.label for d in docs])
    print(
        "| paragraph weight | NewsMTSC hold-out macro F1 | mean mention, paragraphs"
        " | mean mention, articles | aggregator (nested CV) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")
    for w in [0.0, *args.weights]:
        probs: list[FloatArray] = [np.zeros((0, 3), np.float32)] * len(docs)
        for train, test in StratifiedKFold(5, shuffle=True, random_state=args.seed + 42).split(
            np.zeros(len(docs)), gold
        ):
            predict = head(train, w)
            for d in test:
                if docs[d].mentions:
                    probs[d] = predict(docs[d].mention_x)
        news_f1 = macro_f1(news_y[held], head(np.arange(len(docs)), w)(news_x[held]))
        article_mean, paragraph_mean = simple_means(docs, probs)
        article, _ = score_aggregator(docs, probs, 0.0, args.repeats, args.seed)
        print(
            f"| {w} | {news_f1:.3f} | {paragraph_mean:.3f} | {article_mean:.3f} | {article:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
