"""Train the two topic heads (IPTC top-level topics and their subtopics) and write their card.

    nice -n 10 .venv/bin/python scripts/train_topics.py \
        --allsides ../shared/data/articles/allsides-10k.jsonl.gz \
        --bbc ../shared/data/train/topic_bbc_news_all.jsonl.gz \
        --out app/analysis/bundled/topics --cap 100

Data: the AllSides issue tags, mapped to one subtopic and to top-level topics by the reviewed
``app/analysis/data/allsides_to_topics.json``; BBC News (5 labels -> IPTC by ``bbc_to_iptc.json``)
for the top level; and every topic's label and description, which make the prototypes of the
zero-shot half. AllSides is split by outlet (`topic_data.outlet_splits`): whole outlets are train,
dev or test, so no choice sees an outlet it is scored on.

Choices, on dev only: for the top level, the variant (L2, mix) with the best mean of AllSides-dev
accuracy and BBC accuracy, both of a head trained on AllSides-train alone, so BBC is news the
head never saw: out-of-domain robustness weighs as much as in-domain fit. For subtopics, the best
mean of AllSides-dev accuracy and macro F1. Each level's threshold maximises the micro F1 of the
listed topics on dev. The bundled heads are then refitted on AllSides train + dev (+ BBC for the
top level) and scored once on the test outlets. Document vectors come from `topic_data`'s cache.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from topic_card import write_card  # noqa: E402
from topic_data import (  # noqa: E402
    allsides_sample,
    doc_vectors,
    outlet_splits,
    product_encoder,
    read_jsonl,
)
from topic_fit import accuracy, fit, macro_f1, mixed, predict, set_f1  # noqa: E402

from app.analysis.topics import (  # noqa: E402
    SUB_STEM,
    TOP_STEM,
    default_subtopic_path,
    load_taxonomy,
    topic_prototypes,
)

DATA = ROOT / "app/analysis/data"
THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]


class Level:
    """One level's training view: targets, gold sets and main labels per article."""

    def __init__(self, codes: list[str], code_lists: list[list[str]], x: np.ndarray) -> None:
        index = {c: i for i, c in enumerate(codes)}
        self.x = x
        self.targets = np.zeros((len(code_lists), len(codes)))
        for n, found in enumerate(code_lists):
            for c in found:
                self.targets[n, index[c]] = 1 / len(found)
        self.gold = [{index[c] for c in found} for found in code_lists]
        self.main = [index[found[0]] for found in code_lists]

    def take(self, rows: np.ndarray) -> Level:
        out = Level.__new__(Level)
        out.x, out.targets = self.x[rows], self.targets[rows]
        out.gold = [self.gold[i] for i in rows]
        out.main = [self.main[i] for i in rows]
        return out

    @staticmethod
    def join(a: Level, b: Level) -> Level:
        out = Level.__new__(Level)
        out.x, out.targets = np.concatenate([a.x, b.x]), np.concatenate([a.targets, b.targets])
        out.gold, out.main = a.gold + b.gold, a.main + b.main
        return out


def variants(train: Level, protos: np.ndarray, l2s: list[float]) -> dict[str, Any]:
    """Zero-shot, zero-shot + biases, and one head per L2, all fitted on ``train``."""
    fitted = {
        "zero-shot": fit(train.x, train.targets, protos, 0.0, "scale"),
        "biases": fit(train.x, train.targets, protos, 0.0, "bias"),
    }
    for l2 in l2s:
        print(f"  fitting l2={l2:g}", flush=True)
        fitted[f"l2={l2:g}"] = fit(train.x, train.targets, protos, l2)
    return fitted


def choose(results: dict[str, dict[str, Any]]) -> str:
    """The best score; on a tie, the lower mix (more weight on the prototypes)."""
    return max(results, key=lambda k: (results[k]["score"], -results[k]["mix"]))


def best_threshold(probs: np.ndarray, gold: list[set[int]]) -> tuple[float, dict[str, float]]:
    scores = {str(t): round(set_f1(probs, gold, t), 4) for t in THRESHOLDS}
    best = max(THRESHOLDS, key=lambda t: (scores[str(t)], t))
    return best, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allsides", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cap", type=int, default=100, help="AllSides articles per tag")
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/topics"))
    parser.add_argument("--l2", type=float, nargs="+", default=[1e-4, 1e-3, 1e-2])
    parser.add_argument("--mix", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    taxonomy = load_taxonomy()
    codes = [e.code for e in taxonomy]
    subtopics = load_taxonomy(default_subtopic_path(), parents=codes)
    sub_codes = [e.code for e in subtopics]
    tag_map = json.loads((DATA / "allsides_to_topics.json").read_text(encoding="utf-8"))["tags"]
    bbc_map = json.loads((DATA / "bbc_to_iptc.json").read_text(encoding="utf-8"))

    encoder = product_encoder()
    protos = topic_prototypes(encoder, taxonomy)
    sub_protos = topic_prototypes(encoder, subtopics)
    rows = read_jsonl(args.allsides)
    outlets = outlet_splits(rows)
    sample = [
        r
        for r in allsides_sample(rows, args.cap)
        if tag_map.get(r["topic"]) and tag_map[r["topic"]]["topics"]
    ]
    split = np.array([outlets[str(r.get("outlet") or "")] for r in sample])
    x_all = doc_vectors(encoder, [r["text"] for r in sample], args.cache)
    bbc = read_jsonl(args.bbc)
    x_bbc = doc_vectors(encoder, [r["text"] for r in bbc], args.cache)

    top = Level(codes, [tag_map[r["topic"]]["topics"] for r in sample], x_all)
    bbc_level = Level(codes, [bbc_map[r["label"]] for r in bbc], x_bbc)
    has_sub = np.array([bool(tag_map[r["topic"]]["subtopic"]) for r in sample])
    sub_rows = np.flatnonzero(has_sub)
    sub = Level(
        sub_codes, [[tag_map[sample[i]["topic"]]["subtopic"]] for i in sub_rows], x_all[sub_rows]
    )
    sub_split = split[sub_rows]
    part = {s: np.flatnonzero(split == s) for s in ("train", "dev", "test")}
    sub_part = {s: np.flatnonzero(sub_split == s) for s in ("train", "dev", "test")}
    report: dict[str, Any] = {
        "sizes": {s: {"top": len(part[s]), "sub": len(sub_part[s])} for s in part},
        "bbc": len(bbc),
    }
    print(json.dumps(report), flush=True)

    # Top level: fit on AllSides-train, score on AllSides-dev and on BBC (never trained on).
    train, dev = top.take(part["train"]), top.take(part["dev"])
    fitted = variants(train, protos, args.l2)
    top_grid: dict[str, dict[str, Any]] = {}
    for name, model in fitted.items():
        for a in args.mix if name.startswith("l2=") else [1.0]:
            zero = fitted["zero-shot"]
            dev_acc = accuracy(mixed(model, zero, dev.x, protos, a), dev.gold)
            bbc_acc = accuracy(mixed(model, zero, bbc_level.x, protos, a), bbc_level.gold)
            key = f"{name} mix={a:g}" if name.startswith("l2=") else name
            top_grid[key] = {
                "fit": name,
                "mix": a if name.startswith("l2=") else 0.0,
                "dev_accuracy": round(dev_acc, 4),
                "bbc_accuracy": round(bbc_acc, 4),
                "score": round((dev_acc + bbc_acc) / 2, 4),
            }
            print(key, top_grid[key], flush=True)
    top_choice = choose({k: v for k, v in top_grid.items() if k.startswith("l2=")})
    chosen = top_grid[top_choice]
    dev_probs = mixed(fitted[chosen["fit"]], fitted["zero-shot"], dev.x, protos, chosen["mix"])
    top_threshold, top_thresholds = best_threshold(dev_probs, dev.gold)

    # Subtopics: fit on AllSides-train, score on AllSides-dev.
    s_train, s_dev = sub.take(sub_part["train"]), sub.take(sub_part["dev"])
    s_fitted = variants(s_train, sub_protos, args.l2)
    dev_labels = sorted(set(s_dev.main))
    sub_grid: dict[str, dict[str, Any]] = {}
    for name, model in s_fitted.items():
        for a in args.mix if name.startswith("l2=") else [1.0]:
            probs = mixed(model, s_fitted["zero-shot"], s_dev.x, sub_protos, a)
            acc = accuracy(probs, s_dev.gold)
            f1, _ = macro_f1(probs, s_dev.main, dev_labels)
            key = f"{name} mix={a:g}" if name.startswith("l2=") else name
            sub_grid[key] = {
                "fit": name,
                "mix": a if name.startswith("l2=") else 0.0,
                "dev_accuracy": round(acc, 4),
                "dev_macro_f1": round(f1, 4),
                "score": round((acc + f1) / 2, 4),
            }
            print(key, sub_grid[key], flush=True)
    sub_choice = choose({k: v for k, v in sub_grid.items() if k.startswith("l2=")})
    s_chosen = sub_grid[sub_choice]
    s_probs = mixed(
        s_fitted[s_chosen["fit"]], s_fitted["zero-shot"], s_dev.x, sub_protos, s_chosen["mix"]
    )
    sub_threshold, sub_thresholds = best_threshold(s_probs, s_dev.gold)
    _, per_dev = macro_f1(s_probs, s_dev.main, dev_labels)

    # The bundled heads: refitted on train + dev (+ BBC at the top level), scored on test.
    l2_of = {f"l2={v:g}": v for v in args.l2}
    final_train = Level.join(Level.join(train, dev), bbc_level)
    final = fit(final_train.x, final_train.targets, protos, l2_of[chosen["fit"]])
    final_zero = fit(final_train.x, final_train.targets, protos, 0.0, "scale")
    test = top.take(part["test"])
    test_probs = mixed(final, final_zero, test.x, protos, chosen["mix"])
    s_final_train = Level.join(s_train, s_dev)
    s_final = fit(s_final_train.x, s_final_train.targets, sub_protos, l2_of[s_chosen["fit"]])
    s_final_zero = fit(s_final_train.x, s_final_train.targets, sub_protos, 0.0, "scale")
    s_test = sub.take(sub_part["test"])
    s_test_probs = mixed(s_final, s_final_zero, s_test.x, sub_protos, s_chosen["mix"])
    test_labels = sorted(set(s_test.main))
    s_test_f1, per_test = macro_f1(s_test_probs, s_test.main, test_labels)
    report.update(
        {
            "top": {
                "grid": top_grid,
                "chosen": top_choice,
                "threshold": top_threshold,
                "thresholds_dev_f1": top_thresholds,
                "test_accuracy": round(accuracy(test_probs, test.gold), 4),
                "test_accuracy_zero_shot": round(
                    accuracy(predict(final_zero, test.x, protos), test.gold), 4
                ),
            },
            "sub": {
                "grid": sub_grid,
                "chosen": sub_choice,
                "threshold": sub_threshold,
                "thresholds_dev_f1": sub_thresholds,
                "test_accuracy": round(accuracy(s_test_probs, s_test.gold), 4),
                "test_macro_f1": round(s_test_f1, 4),
                "dev_per_subtopic": {sub_codes[c]: v for c, v in per_dev.items()},
                "test_per_subtopic": {sub_codes[c]: v for c, v in per_test.items()},
            },
        }
    )
    args.out.mkdir(parents=True, exist_ok=True)
    _write_head(
        args.out, TOP_STEM, codes, final, final_zero, chosen["mix"], top_threshold, encoder.version
    )
    _write_head(
        args.out,
        SUB_STEM,
        sub_codes,
        s_final,
        s_final_zero,
        s_chosen["mix"],
        sub_threshold,
        encoder.version,
    )
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    write_card(args, report, encoder.version, subtopics)
    print(json.dumps({k: v for k, v in report.items() if k in ("top", "sub")}, indent=1))


def _write_head(
    out: Path,
    stem: str,
    codes: list[str],
    model: dict[str, Any],
    zero: dict[str, Any],
    mix: float,
    threshold: float,
    encoder: str,
) -> None:
    np.savez(out / f"{stem}.npz", weights=model["weights"], biases=model["biases"])
    meta = {
        "taxonomy_codes": codes,
        "scale": model["scale"],
        "zero_shot_scale": zero["scale"],
        "mix": mix,
        "threshold": threshold,
        "trained_codes": [c for c, t in zip(codes, model["trained"], strict=True) if t],
        "encoder": encoder,
        "document_vector": "app.analysis.topics.document_vector over split_sentences(text)",
    }
    (out / f"{stem}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
