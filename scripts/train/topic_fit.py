"""The topic heads' fitting and scoring, as `app.analysis.topics.TopicLevel` runs them.

A level's scores are ``mix * softmax(scale * cos(doc, prototype) + bias + W @ doc) + (1 - mix) *
softmax(zero_shot_scale * cos(doc, prototype))``. `fit` learns the scale, the biases and W by
class-balanced cross-entropy with L2 (full-batch LBFGS); targets may be soft (an article whose
label maps to two topics counts half for each).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def fit(
    x: np.ndarray,
    targets: np.ndarray,
    prototypes: np.ndarray,
    l2: float,
    mode: str = "head",
    *,
    balance: float = 1.0,
    weight: np.ndarray | None = None,
) -> dict[str, Any]:
    """Fit one level. ``targets`` is (n, topics), each row summing to 1.

    ``mode`` is "scale" (the zero-shot scale alone, as a user taxonomy runs), "bias" (scale and
    per-topic biases) or "head" (scale, biases and weights). Class-balanced weights (by each
    article's main topic) make the biases calibration offsets rather than the training mix's
    priors; ``balance`` is the power of that weighting (1: fully balanced, 0: the data's own
    mix), and ``weight`` an optional weight per article (a source's weight), multiplied in.
    Topics without training data have no parameters; afterwards they get the trained topics'
    mean offset (see `_neutral_offset`), so they compete on their similarity alone.
    """
    torch.manual_seed(0)
    k = len(prototypes)
    main = targets.argmax(axis=1)
    trained = (targets.sum(axis=0) > 0).astype(np.float64)
    xt = torch.tensor(x, dtype=torch.float64)
    tt = torch.tensor(targets, dtype=torch.float64)
    sims = xt @ torch.tensor(prototypes, dtype=torch.float64).T
    mask = torch.tensor(trained, dtype=torch.float64)
    counts = torch.bincount(torch.tensor(main), minlength=k).double()
    class_weight = torch.where(
        counts > 0, counts.sum() / (counts.clamp(min=1) * (counts > 0).sum()), 0
    )
    sample_weight = class_weight.pow(balance)[torch.tensor(main)]
    if weight is not None:
        sample_weight = sample_weight * torch.tensor(weight, dtype=torch.float64)
    log_scale = torch.tensor(np.log(20.0), dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    weights = torch.zeros((k, x.shape[1]), dtype=torch.float64, requires_grad=True)
    params = {"scale": [log_scale], "bias": [log_scale, bias], "head": [log_scale, bias, weights]}
    optimizer = torch.optim.LBFGS(params[mode], max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = log_scale.exp() * sims + bias * mask + xt @ (weights * mask[:, None]).T
        nll = -(tt * torch.log_softmax(logits, dim=1)).sum(dim=1)
        loss = (sample_weight * nll).sum() / sample_weight.sum()
        loss = loss + l2 * (weights * mask[:, None]).pow(2).sum() + 1e-3 * bias.pow(2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    model = {
        "scale": float(log_scale.detach().exp()),
        "biases": (bias * mask).detach().numpy().astype(np.float32),
        "weights": (weights * mask[:, None]).detach().numpy().astype(np.float32),
        "trained": trained,
    }
    if mode != "scale":
        model["biases"][trained == 0] = _neutral_offset(model, x, trained)
    return model


def _neutral_offset(model: dict[str, Any], x: np.ndarray, trained: np.ndarray) -> float:
    """The mean over trained topics of ``bias + W @ mean(x)``: what the head adds on average.

    Every training article pushes the topics it is not about down, and a topic without data has
    no parameter to push back with, so the trained topics end up with a positive offset over it.
    Giving the untrained topics the average offset removes that handicap without favouring them.
    """
    centre = x.mean(axis=0)
    offsets = model["biases"] + model["weights"] @ centre
    return float(offsets[trained == 1].mean())


def predict(model: dict[str, Any], x: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    logits = model["scale"] * (x @ prototypes.T) + x @ model["weights"].T + model["biases"]
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def mixed(
    head: dict[str, Any], zero_shot: dict[str, Any], x: np.ndarray, prototypes: np.ndarray, a: float
) -> np.ndarray:
    """What `TopicLevel.scores` computes: ``a * head softmax + (1 - a) * zero-shot softmax``."""
    return a * predict(head, x, prototypes) + (1 - a) * predict(zero_shot, x, prototypes)


def accuracy(probs: np.ndarray, gold: list[set[int]]) -> float:
    """Share of articles whose top topic is one of their gold topics."""
    top = probs.argmax(axis=1)
    return float(np.mean([int(t) in g for t, g in zip(top, gold, strict=True)]))


def macro_f1(probs: np.ndarray, gold: list[int], labels: list[int]) -> tuple[float, dict[int, Any]]:
    """Macro F1 of the top topic over ``labels`` (single gold topic per article)."""
    top = probs.argmax(axis=1)
    gold_a = np.array(gold)
    per: dict[int, Any] = {}
    for c in labels:
        tp = int(((top == c) & (gold_a == c)).sum())
        said, real = int((top == c).sum()), int((gold_a == c).sum())
        precision = tp / said if said else 0.0
        recall = tp / real if real else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        per[c] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": real,
        }
    return float(np.mean([v["f1"] for v in per.values()])) if per else 0.0, per


def set_f1(probs: np.ndarray, gold: list[set[int]], threshold: float) -> float:
    """Micro F1 of the listed topics (at or over the threshold, never none) against gold sets."""
    tp = listed = 0
    for row, g in zip(probs, gold, strict=True):
        chosen = set(np.flatnonzero(row >= threshold).tolist()) or {int(row.argmax())}
        tp += len(chosen & g)
        listed += len(chosen)
    n_gold = sum(len(g) for g in gold)
    precision, recall = tp / listed, tp / n_gold
    return 2 * precision * recall / (precision + recall) if tp else 0.0
