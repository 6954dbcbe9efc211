"""Fit the learned passages-to-actor step of a stance bundle on the in-domain article labels.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train/fit_stance_combiner.py \
        --prepared cache/stance_domain.jsonl.gz --bundle app/analysis/bundled/stance

The bundle's stance model reads every labelled actor's passages as the service does (ONNX
Runtime, int8, one pair at a time; the passages `ActorStance` chooses), on the train and dev
splits of what `scripts/data/stance_domain_data.py` recorded. A multinomial logistic regression over
`app.analysis.actors.combiner.features` is fitted on the train actors (class-balanced; its
regularisation chosen on dev from a short grid), then its label bias on dev; the result is written
as the bundle's ``combiner.json`` only if it beats the bundle's rule on dev, and the figures go to
``combiner_report.json`` beside it. ``--probabilities`` keeps the passages' probabilities in a
file so that later fits skip the model.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.actors.combiner import COMBINER_FILE  # noqa: E402
from app.analysis.actors.combiner import FEATURES  # noqa: E402
from app.analysis.actors.combiner import Combiner  # noqa: E402
from app.analysis.actors.stance import ActorStance  # noqa: E402
from app.analysis.stance import StanceModel  # noqa: E402
from scripts.train.train_stance_domain import BIAS_GRID  # noqa: E402
from scripts.train.train_stance_domain import Actors  # noqa: E402
from scripts.train.train_stance_domain import fit  # noqa: E402
from scripts.train.train_stance_domain import rule_grid  # noqa: E402
from scripts.train.train_stance_domain import tune_bias  # noqa: E402

C_GRID = (0.05, 0.1, 0.3, 1.0, 3.0)


def bias_trade_off(
    combiner: Combiner, dev: Actors, x_dev: np.ndarray, also: Actors, x_also: np.ndarray
) -> list[dict[str, Any]]:
    """Every label bias of the grid with its dev and second-set macro F1, best dev first."""
    rows = []
    dev_logits, also_logits = combiner.logits(x_dev), combiner.logits(x_also)
    for b_neg, b_pos in itertools.product(BIAS_GRID, BIAS_GRID):
        bias = np.array([b_neg, 0.0, b_pos])
        scores = [
            actors.scores("", [int(k) for k in np.argmax(logits + bias, axis=1)])["macro_f1"]
            for actors, logits in ((dev, dev_logits), (also, also_logits))
        ]
        rows.append({"bias": [float(b_neg), float(b_pos)], "dev": scores[0], "also": scores[1]})
    return sorted(rows, key=lambda r: -r["dev"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepared", type=Path, required=True)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--probabilities", type=Path, help="an .npz to keep or reuse")
    parser.add_argument("--cache", type=Path, help="the ONNX export cache (LENS_MODEL_CACHE)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--also",
        type=Path,
        help="a second dev set as `scripts/data/stance_domain_data.py` records it (PerSenT dev): "
        "scored for every label bias beside the in-domain dev split, to show the trade-off",
    )
    parser.add_argument(
        "--bias",
        help="the label bias to ship, 'neg,pos' (default: the best on the in-domain dev split)",
    )
    args = parser.parse_args(argv)

    with gzip.open(args.prepared, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    model = StanceModel(
        args.bundle, runtime="onnx", quantize=True, cache_dir=args.cache, threads=args.threads
    )
    reader = ActorStance(model, max_passages=3)
    train = Actors([x for x in lines if x["split"] == "train"], reader)
    dev = Actors([x for x in lines if x["split"] == "dev"], reader)
    if args.probabilities and args.probabilities.exists():
        stored = np.load(args.probabilities)
        train_probs, dev_probs = stored["train"], stored["dev"]
    else:
        train_probs = model.probabilities(train.pairs)
        dev_probs = model.probabilities(dev.pairs)
        if args.probabilities:
            np.savez(args.probabilities, train=train_probs, dev=dev_probs)
    x_train, x_dev = train.features(train_probs), dev.features(dev_probs)

    grid = {}
    best: tuple[float, Combiner, dict[str, Any]] | None = None
    for c in C_GRID:
        combiner = fit(train, x_train, c)
        result = tune_bias(combiner, dev, x_dev)
        grid[str(c)] = result["macro_f1"]
        print(f"C={c}: dev articles macro F1 {result['macro_f1']:.4f} (bias {result['bias']})")
        if best is None or result["macro_f1"] > best[2]["macro_f1"]:
            best = (c, combiner, result)
    assert best is not None
    c, combiner, result = best
    trade_off = []
    if args.also:
        with gzip.open(args.also, "rt", encoding="utf-8") as handle:
            also = Actors([json.loads(line) for line in handle], reader)
        x_also = also.features(model.probabilities(also.pairs))
        trade_off = bias_trade_off(combiner, dev, x_dev, also, x_also)
        for row in trade_off[:15]:
            print(f"bias {row['bias']}: dev {row['dev']:.4f}, also {row['also']:.4f}")
        mean = max(trade_off, key=lambda r: r["dev"] + r["also"])
        print(f"best mean of the two: bias {mean['bias']}: dev {mean['dev']:.4f}, "
              f"also {mean['also']:.4f}")  # fmt: skip
    if args.bias:
        neg, pos = (float(x) for x in args.bias.split(","))
        chosen = np.array([neg, 0.0, pos])
        predicted = [int(k) for k in np.argmax(combiner.logits(x_dev) + chosen, axis=1)]
        result = {**dev.scores("dev articles (combiner)", predicted), "bias": chosen.tolist()}
        print(f"shipping bias {chosen.tolist()}: dev articles {result['macro_f1']:.4f}")
    combiner.bias = np.array(result["bias"])
    setting, rule = rule_grid(dev, dev_probs)
    bundle_rule = dev.scores(
        "dev articles (the bundle's rule)",
        dev.rule(dev_probs, model.focus, model.neutral_bias),
    )
    print(f"rule, the bundle's settings: {bundle_rule['macro_f1']:.4f}; "
          f"best on the grid ({setting}): {rule['macro_f1']:.4f}")  # fmt: skip
    report = {
        "features": list(FEATURES),
        "train_actors": len(train.gold),
        "dev_actors": len(dev.gold),
        "c": c,
        "c_grid": grid,
        "combiner": result,
        "rule_bundle": bundle_rule,
        "rule_grid_best": {"setting": setting, **rule},
        "model": model.version,
        "bias_trade_off": trade_off[:40],
    }
    path = args.bundle / COMBINER_FILE
    if result["macro_f1"] > bundle_rule["macro_f1"]:
        path.write_text(json.dumps(combiner.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}: dev articles {result['macro_f1']:.4f}")
    else:
        print("the combiner does not beat the rule on dev: nothing written")
    (args.bundle / "combiner_report.json").write_text(
        json.dumps(report, indent=1) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
