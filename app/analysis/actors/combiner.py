"""From an actor's passages to the author's stance toward it: a small learned model.

The stance model reads each passage about an actor on its own; what the author thinks of the actor
over the whole article depends on more than those readings: how often and how early the actor is
named, whether the piece is opinion or news (a news report relaying an accusation is neutral, an
opinion piece's target is not), how much of the passages is other people's quoted words, how
central the actor is beside the article's other actors. `features` puts these beside the
passages' probabilities; `Combiner` is a multinomial logistic regression over them, fitted on the
in-domain article labels (`scripts/train/train_stance_domain.py`) and stored as plain numbers in the
stance bundle's ``combiner.json``, so nothing but numpy runs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from app.analysis.encoder import FloatArray

# The features' names, in the order of `features`' vector; combiner.json names them too, and a
# file whose list differs is refused rather than read with its columns misplaced.
FEATURES: tuple[str, ...] = (
    "mean_negative",
    "mean_positive",
    "max_negative",
    "max_positive",
    "focused_negative",
    "focused_positive",
    "log_mentions",
    "log_passages",
    "in_lead",
    "first_position",
    "mention_share",
    "opinion",
    "opinion_x_mean_negative",
    "opinion_x_mean_positive",
    "opinion_x_max_negative",
    "opinion_x_max_positive",
    "quoted_share",
    "mentions_quoted_share",
    "evaluative",
    "is_place",
    "is_person",
)
COMBINER_FILE = "combiner.json"
# An unknown genre (no genre head) counts as halfway between news and opinion.
UNKNOWN_OPINION = 0.5


@dataclass(frozen=True, slots=True)
class ActorContext:
    """What the combiner knows of an actor beside its passages' probabilities."""

    mentions: int
    passages: int  # all passages naming the actor, before any are left unread
    in_lead: bool  # named in the article's first paragraph (the headline, when pasted with it)
    first_position: float  # where its first mention falls, 0 (start) to 1 (end)
    mention_share: float  # its mentions over those of the article's most named actor
    opinion: float | None  # the genre head's p(opinion), None without one
    quoted_share: float  # share of the read passages' characters inside direct quotations
    mentions_quoted_share: float  # share of its mentions inside direct quotations
    evaluative: float  # mean 1 - p(neutral) of the read passages' sentences (sentence head)
    kind: str


def features(probabilities: FloatArray, context: ActorContext) -> FloatArray:
    """The combiner's input for one actor (`FEATURES` order)."""
    if len(probabilities):
        mean = probabilities.mean(axis=0)
        top = probabilities.max(axis=0)
        evaluative = np.clip(1.0 - probabilities[:, 1], 1e-6, 1.0) ** 2
        focused = (evaluative[:, None] * probabilities).sum(axis=0) / evaluative.sum()
    else:
        mean = top = focused = np.array([0.0, 1.0, 0.0])
    opinion = UNKNOWN_OPINION if context.opinion is None else context.opinion
    values = [
        mean[0],
        mean[2],
        top[0],
        top[2],
        focused[0],
        focused[2],
        np.log1p(context.mentions),
        np.log1p(context.passages),
        float(context.in_lead),
        context.first_position,
        context.mention_share,
        opinion,
        opinion * mean[0],
        opinion * mean[2],
        opinion * top[0],
        opinion * top[2],
        context.quoted_share,
        context.mentions_quoted_share,
        context.evaluative,
        float(context.kind in ("place", "country")),
        float(context.kind == "person"),
    ]
    return np.asarray(values, dtype=np.float32)


class Combiner:
    """Standardised features -> logits (3) + `bias` -> softmax. The regression is fitted with
    balanced classes; `bias` (chosen on the dev split) moves it back toward how often each label
    occurs, so the label is always the most probable column of the reported probabilities."""

    def __init__(
        self,
        mean: Sequence[float],
        scale: Sequence[float],
        coef: Sequence[Sequence[float]],
        intercept: Sequence[float],
        bias: Sequence[float] = (0.0, 0.0, 0.0),
    ) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        width = len(FEATURES)
        if self.mean.shape != (width,) or self.coef.shape != (3, width):
            raise ValueError(f"combiner: expected {width} features, got {self.coef.shape}")

    @classmethod
    def load(cls, path: Path) -> Combiner:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: its features are not this code's ({FEATURES})")
        return cls(data["mean"], data["scale"], data["coef"], data["intercept"], data["bias"])

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": self.mean.round(8).tolist(),
            "scale": self.scale.round(8).tolist(),
            "coef": self.coef.round(8).tolist(),
            "intercept": self.intercept.round(8).tolist(),
            "bias": self.bias.round(6).tolist(),
        }

    def logits(self, rows: FloatArray) -> NDArray[np.float64]:
        standard = (np.atleast_2d(rows).astype(np.float64) - self.mean) / self.scale
        out: NDArray[np.float64] = standard @ self.coef.T + self.intercept
        return out

    def probabilities(self, row: FloatArray) -> FloatArray:
        """(negative, neutral, positive) for one actor's features."""
        logits = self.logits(row)[0] + self.bias
        exp = np.exp(logits - logits.max())
        out: FloatArray = (exp / exp.sum()).astype(np.float32)
        return out

    def label(self, row: FloatArray) -> int:
        """The label column: the largest biased logit."""
        return int(np.argmax(self.logits(row)[0] + self.bias))
