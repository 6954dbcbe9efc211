"""Train the genre head (opinion or news; numpy weights at run time) and write its card.

    nice -n 10 .venv/bin/python scripts/train/train_genre.py \
        --data ../shared/data/articles/allsides-10k.jsonl.gz \
        --cache /work/cache/i15/genre-sentences.npz --out app/analysis/bundled/genre

Labels: scripts/data/genre_data.py (URL sections; sites that separate opinion). The input is what
the Analyzer gives the head (app/analysis/genre.py): the document vector of the first body
sentences (the layout kept out, as in analysis) and the text signals. The dev split holds out
whole sites (registered domains, chosen by a hash of the name until a fifth of the articles),
so the head cannot score by recognising an outlet; the L2 strength is chosen by grouped 5-fold
cross-validation on the training sites alone. The shipped head is the one trained on the
training sites, i.e. the one the dev scores describe.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis import genre  # noqa: E402
from app.analysis.encoder import file_digest  # noqa: E402
from app.analysis.layout import body_sentences  # noqa: E402
from app.analysis.layout import read_layout  # noqa: E402
from app.analysis.model_profiles import bundled_encoder  # noqa: E402
from app.core.config import Settings  # noqa: E402
from scripts.data import genre_data  # noqa: E402
from scripts.train.toolkit import write_json  # noqa: E402

DEV_SHARE = 0.2
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)


def dev_groups(groups: list[str]) -> set[str]:
    """Whole sites, in the order of a hash of their name, until DEV_SHARE of the articles."""
    counts: dict[str, int] = {}
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    order = sorted(counts, key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    chosen: set[str] = set()
    total = 0
    for g in order:
        if total >= DEV_SHARE * len(groups):
            break
        chosen.add(g)
        total += counts[g]
    return chosen


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    pred = (p >= 0.5).astype(int)
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "f1_opinion": round(float(f1_score(y, pred, pos_label=1)), 4),
        "f1_news": round(float(f1_score(y, pred, pos_label=0)), 4),
    }


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[LogisticRegression, float]:
    best_c, best = C_GRID[0], -1.0
    for c in C_GRID:
        found = []
        for train, test in GroupKFold(n_splits=5).split(x, y, groups):
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
            model.fit(x[train], y[train])
            found.append(f1_score(y[test], model.predict(x[test]), average="macro"))
        mean = float(np.mean(found))
        print(f"  C={c}: grouped CV macro F1 {mean:.4f}")
        if mean > best:
            best_c, best = c, mean
    model = LogisticRegression(C=best_c, class_weight="balanced", max_iter=3000)
    model.fit(x, y)
    return model, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lens-genre-sentences.npz"))
    parser.add_argument("--out", type=Path, default=ROOT / "app/analysis/bundled/genre")
    parser.add_argument("--sample", type=Path, help="a text to score at the end (not tuned on)")
    args = parser.parse_args()
    started = time.time()

    labelled = genre_data.label(genre_data.load(args.data))
    docs = []
    for row, label, group in labelled:
        layout = read_layout(row["text"])
        sentences = body_sentences(row["text"], layout)
        if not sentences:
            continue
        docs.append((label, group, sentences[: genre.SENTENCES], genre.signals(layout, sentences)))
    print(f"{len(docs)} labelled articles with a body")
    encoder = bundled_encoder(Settings(torch_threads=1))
    cache = genre_data.SentenceCache(args.cache)
    cache.fill([s.text for _, _, sentences, _ in docs for s in sentences], encoder.embed)
    x = np.stack(
        [
            genre.head_input(cache.vectors([s.text for s in sentences]), sig)
            for _, _, sentences, sig in docs
        ]
    )
    y = np.array([1 if label == "opinion" else 0 for label, *_ in docs])
    groups = np.array([group for _, group, *_ in docs])
    held = dev_groups(list(groups))
    dev = np.array([g in held for g in groups])
    mean = x[~dev].mean(axis=0)
    scale = x[~dev].std(axis=0) + 1e-6
    z = (x - mean) / scale
    n_vec = x.shape[1] - len(genre.SIGNALS)

    report: dict[str, Any] = {
        "train": {"articles": int((~dev).sum()), "opinion": int(y[~dev].sum()),
                  "sites": len(set(groups[~dev]))},
        "dev": {"articles": int(dev.sum()), "opinion": int(y[dev].sum()),
                "sites": sorted(held)},
    }  # fmt: skip
    for name, columns in (
        ("signals only", slice(n_vec, None)),
        ("vector only", slice(0, n_vec)),
        ("vector + signals", slice(0, None)),
    ):
        print(f"{name}:")
        model, cv = fit(z[~dev][:, columns], y[~dev], groups[~dev])
        p = model.predict_proba(z[dev][:, columns])[:, 1]
        report[name] = {"C": float(model.C), "cv_macro_f1": round(cv, 4), "dev": scores(y[dev], p)}
        print(f"  dev: {report[name]['dev']}")
    chosen = model  # the last one: vector + signals
    args.out.mkdir(parents=True, exist_ok=True)
    head_path = args.out / "head.npz"
    np.savez(
        head_path,
        weights=chosen.coef_[0].astype(np.float32),
        bias=np.float32(chosen.intercept_[0]),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        threshold=np.float32(0.5),
    )
    if args.sample:
        from app.analysis.analyzer import load_analyzer

        text = args.sample.read_text(encoding="utf-8")
        guess = load_analyzer(Settings()).analyze([text])[0].genre
        report["sample"] = {"file": args.sample.name, "genre": guess and guess.label,
                            "p_opinion": guess and guess.score}  # fmt: skip
        print(f"sample {args.sample.name}: {guess}")
    report["signals"] = list(genre.SIGNALS)
    report["weights_of_signals"] = {
        name: round(float(w), 3)
        for name, w in zip(genre.SIGNALS, chosen.coef_[0][n_vec:], strict=True)
    }
    report["files"] = {"head.npz": file_digest(head_path, 64)}
    report["environment"] = {"python": platform.python_version(), "encoder": encoder.version}
    report["seconds"] = round(time.time() - started)
    write_json(args.out / "metrics.json", report, indent=2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
