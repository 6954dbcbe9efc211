"""The top-level topic head, trained on an editor's filing: `topics_iptc_labels.jsonl` (each
article's `primary` IPTC topic and `all` the topics it is substantially about), beside BBC News,
the AllSides tag map where it agrees with the labels, and the descriptions (the prototypes).

Sources (each a `Source`: document vectors, soft targets, gold primary and topic sets):

- **editor**: the labelled articles of the `train` split. Targets: ``primary_weight`` on the
  primary and the rest shared by its other topics, so secondary topics keep some probability
  and can still be listed (the level is multi-label by its threshold).
- **tags**: the AllSides sample (`topic_data.allsides_sample`) mapped by
  `allsides_to_topics.json`, only for tags the labels agree with (`agreeing_tags`): of the
  labelled `train` articles with that tag, at least ``min_share`` are filed under the tag's first
  topic, over at least ``min_n`` articles. Articles of a `dev` outlet and labelled articles are
  left out.
- **bbc**: BBC News mapped by `bbc_to_iptc.json`.

Every variant is fitted twice: with BBC (what would be bundled: scored on the labelled `dev`
split) and without it (scored on BBC, news it never saw: the out-of-domain figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
from app.analysis.topics_eval import editor_report
from scripts.train.topic_fit import accuracy
from scripts.train.topic_fit import fit
from scripts.train.topic_fit import mixed
from scripts.train.topic_fit import set_f1


@dataclass(frozen=True)
class Source:
    """Training or scoring rows of one kind: vectors, soft targets, gold primary and sets."""

    name: str
    x: np.ndarray
    # (n, topics) per row: the codes' weights, summing to 1
    targets: np.ndarray
    primary: list[int]
    every: list[list[int]]

    def __len__(self) -> int:
        return len(self.primary)


def make_source(
    name: str,
    x: np.ndarray,
    code_lists: Sequence[Sequence[str]],
    codes: Sequence[str],
    primary_weight: float,
) -> Source:
    """Rows whose first code is the primary; ``primary_weight`` of the target is the primary's,
    the rest shared by the other codes (all of it the primary's when there are none)."""
    index = {c: i for i, c in enumerate(codes)}
    targets = np.zeros((len(code_lists), len(codes)))
    for n, found in enumerate(code_lists):
        rest = [c for c in dict.fromkeys(found[1:]) if c != found[0]]
        targets[n, index[found[0]]] = primary_weight if rest else 1.0
        for code in rest:
            targets[n, index[code]] += (1 - primary_weight) / len(rest)
    return Source(
        name,
        x,
        targets,
        [index[found[0]] for found in code_lists],
        [[index[c] for c in found] for found in code_lists],
    )


def join(name: str, sources: Sequence[Source]) -> tuple[Source, list[str]]:
    """One source of several, and each row's source name (for per-source weights)."""
    joined = Source(
        name,
        np.concatenate([s.x for s in sources]),
        np.concatenate([s.targets for s in sources]),
        [p for s in sources for p in s.primary],
        [e for s in sources for e in s.every],
    )
    return joined, [s.name for s in sources for _ in range(len(s))]


def tag_agreement(
    labelled: Sequence[tuple[str, str]], tag_map: Mapping[str, Any]
) -> dict[str, dict[str, int]]:
    """Per AllSides tag, of the labelled articles ``(tag, primary)``: how many, and how many
    are filed under the tag's first mapped topic."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "agree": 0})
    for tag, primary in labelled:
        topics = (tag_map.get(tag) or {}).get("topics") or []
        out[tag]["n"] += 1
        out[tag]["agree"] += int(bool(topics) and topics[0] == primary)
    return dict(sorted(out.items()))


def agreeing_tags(
    agreement: Mapping[str, Mapping[str, int]], min_share: float, min_n: int
) -> list[str]:
    return sorted(
        tag for tag, a in agreement.items() if a["n"] >= min_n and a["agree"] >= min_share * a["n"]
    )


def editor_figures(
    probs: np.ndarray, gold: Source, codes: Sequence[str], labels: Mapping[str, str]
) -> dict[str, Any]:
    """`app.analysis.topics_eval.editor_report` of the first topics, as `lens eval` gives it."""
    first = [codes[int(i)] for i in probs.argmax(axis=1)]
    return editor_report(
        first,
        [codes[p] for p in gold.primary],
        [[codes[c] for c in e] for e in gold.every],
        labels,
    )


@dataclass(frozen=True)
class Variant:
    """One setting of the grid."""

    primary_weight: float
    editor_weight: float
    balance: float
    l2: float

    @property
    def key(self) -> str:
        return (
            f"p={self.primary_weight:g} editor_w={self.editor_weight:g} "
            f"balance={self.balance:g} l2={self.l2:g}"
        )


def fit_variant(
    variant: Variant,
    train: Source,
    names: Sequence[str],
    protos: np.ndarray,
    zeros: dict[tuple[Any, ...], dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The head and its zero-shot half, fitted on ``train`` (editor rows weighted). The
    zero-shot half (a scale alone) depends on the rows, targets and balance only: ``zeros``
    keeps it across the variants that share them."""
    weight = np.array([variant.editor_weight if n == "editor" else 1.0 for n in names])
    head = fit(train.x, train.targets, protos, variant.l2, balance=variant.balance, weight=weight)
    key = (len(train), variant.primary_weight, variant.balance)
    if key not in zeros:
        zeros[key] = fit(train.x, train.targets, protos, 0.0, "scale", balance=variant.balance)
    return head, zeros[key]


def score_variant(
    head: dict[str, Any],
    zero: dict[str, Any],
    ood_head: dict[str, Any],
    ood_zero: dict[str, Any],
    mix: float,
    dev: Source,
    bbc: Source,
    protos: np.ndarray,
    codes: Sequence[str],
    labels: Mapping[str, str],
) -> dict[str, Any]:
    figures = editor_figures(mixed(head, zero, dev.x, protos, mix), dev, codes, labels)
    bbc_probs = mixed(ood_head, ood_zero, bbc.x, protos, mix)
    bbc_acc = accuracy(bbc_probs, [set(e) for e in bbc.every])
    return {
        "dev_accuracy": figures["accuracy"],
        "dev_first_in_all": figures["first_in_all"],
        "dev_macro_f1": figures["macro_f1"],
        "bbc_ood_accuracy": round(bbc_acc, 4),
        "score": round((figures["accuracy"] + figures["first_in_all"]) / 2, 4),
    }


def choose(grid: Mapping[str, Mapping[str, Any]], bbc_floor: float) -> str:
    """The best dev score among the variants at or over the BBC floor (all, if none is); on a
    tie, the better BBC figure, then the lower mix (more weight on the prototypes)."""
    eligible = [k for k, v in grid.items() if v["bbc_ood_accuracy"] >= bbc_floor] or list(grid)
    return max(
        eligible,
        key=lambda k: (grid[k]["score"], grid[k]["bbc_ood_accuracy"], -grid[k]["mix"]),
    )


@dataclass(frozen=True)
class Data:
    """What the top level is trained and chosen on, as code lists per row (primary first)."""

    codes: list[str]
    labels: dict[str, str]
    protos: np.ndarray
    editor: tuple[np.ndarray, list[list[str]]]
    dev: tuple[np.ndarray, list[list[str]]]
    tags: tuple[np.ndarray, list[list[str]]]
    bbc: tuple[np.ndarray, list[list[str]]]


def train_top(
    data: Data,
    grid_of: Mapping[str, Sequence[float]],
    mixes: Sequence[float],
    thresholds: Sequence[float],
    bbc_floor: float,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], float, float]:
    """Fit every variant, choose one on dev, and return the report, the chosen head with BBC
    (the bundled one: no refit, so its dev figures are the grid's), its zero-shot half, its mix
    and its threshold (the best micro F1 of the listed topics against dev's topic sets)."""
    codes, protos = data.codes, data.protos
    dev = make_source("dev", *data.dev, codes, 1.0)
    bbc = make_source("bbc", *data.bbc, codes, 1.0)
    grid: dict[str, dict[str, Any]] = {}
    fitted: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    zeros: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p, ew, bal, l2 in product(
        grid_of["primary_weight"], grid_of["editor_weight"], grid_of["balance"], grid_of["l2"]
    ):
        variant = Variant(p, ew, bal, l2)
        sources = [
            make_source("editor", *data.editor, codes, p),
            make_source("tags", *data.tags, codes, p),
        ]
        train, names = join("train", sources)
        ood_head, ood_zero = fit_variant(variant, train, names, protos, zeros)
        train, names = join("train", [*sources, make_source("bbc", *data.bbc, codes, p)])
        head, zero = fit_variant(variant, train, names, protos, zeros)
        fitted[variant.key] = (head, zero)
        for mix in mixes:
            row = score_variant(
                head, zero, ood_head, ood_zero, mix, dev, bbc, protos, codes, data.labels
            )
            grid[f"{variant.key} mix={mix:g}"] = {"fit": variant.key, "mix": mix, **row}
            print(f"{variant.key} mix={mix:g}", row, flush=True)
    chosen_key = choose(grid, bbc_floor)
    chosen = grid[chosen_key]
    head, zero = fitted[chosen["fit"]]
    dev_probs = mixed(head, zero, dev.x, protos, chosen["mix"])
    scores = {
        str(t): round(set_f1(dev_probs, [set(e) for e in dev.every], t), 4) for t in thresholds
    }
    threshold = max(thresholds, key=lambda t: (scores[str(t)], t))
    bbc_probs = mixed(head, zero, bbc.x, protos, chosen["mix"])
    report = {
        "grid": grid,
        "chosen": chosen_key,
        "bbc_floor": bbc_floor,
        "threshold": threshold,
        "thresholds_dev_f1": scores,
        "dev": editor_figures(dev_probs, dev, codes, data.labels),
        "dev_zero_shot": editor_figures(
            mixed(zero, zero, dev.x, protos, 1.0), dev, codes, data.labels
        ),
        "bbc_in_sample_accuracy": round(accuracy(bbc_probs, [set(e) for e in bbc.every]), 4),
    }
    return report, head, zero, float(chosen["mix"]), float(threshold)
