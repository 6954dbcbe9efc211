"""Train the topic head: a zero-shot scale, per-topic biases and linear weights (numpy at run time).

    .venv/bin/python scripts/train_topics.py \
        --data ../shared/data/train/topic_bbc_news_all.jsonl.gz \
        --weak ../shared/data/articles/allsides-10k.jsonl.gz \
        --out app/analysis/bundled/topics

The model is the one `app.analysis.topics.TopicModel` runs: logits = scale * cos(doc, prototype)
+ bias + W @ doc, a softmax over the 17 IPTC topics. BBC News (5 labels, mapped to IPTC codes by
``app/analysis/data/bbc_to_iptc.json``) gives strong labels; with ``--weak``, AllSides articles
whose issue tag clearly names one IPTC topic (`WEAK_TAGS`) give weak labels for topics BBC lacks.
A fixed 20% of those (by article id) is held out and only used for the final report.
Topics with no data (weather, human interest, lifestyle) keep zero weights and a zero bias:
they are scored by the zero-shot term alone. Sentence vectors are cached under ``--cache``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.analysis.encoder import Encoder  # noqa: E402
from app.analysis.text import split_sentences  # noqa: E402
from app.analysis.topics import (  # noqa: E402
    document_vector,
    load_taxonomy,
    topic_prototypes,
)

# AllSides issue tags that name one IPTC topic clearly enough to serve as a weak label.
# Broad or mixed tags (immigration, world, politics, white_house, gun control, ...) are left out.
WEAK_TAGS: dict[str, list[str]] = {
    "medtop:01000000": ["arts_and_entertainment", "media_industry"],
    "medtop:02000000": [
        "violence_in_america",
        "criminal_justice",
        "death_penalty",
        "capital_punishment_and_death_penalty",
        "sexual_misconduct",
    ],
    "medtop:03000000": ["disaster"],
    "medtop:04000000": ["economy_and_jobs", "banking_and_finance", "business", "taxes", "trade"],
    "medtop:05000000": ["education"],
    "medtop:06000000": ["environment", "epa"],
    "medtop:07000000": [
        "healthcare",
        "coronavirus",
        "public_health",
        "ebola",
        "opioid_crisis",
        "obesity_and_malnutrition",
        "fda",
    ],
    "medtop:09000000": ["labor"],
    "medtop:11000000": [
        "elections",
        "us_senate",
        "us_house",
        "us_congress",
        "republican_party",
        "democratic_party",
        "impeachment",
        "campaign_finance",
    ],
    "medtop:12000000": ["religion_and_faith"],
    "medtop:13000000": ["technology", "cybersecurity", "science"],
    "medtop:14000000": [
        "race_and_racism",
        "lgbt_rights",
        "abortion",
        "civil_rights",
        "inequality",
        "women's_issues",
        "welfare",
        "housing_and_homelessness",
        "family_and_marriage",
    ],
    "medtop:15000000": ["sports"],
    "medtop:16000000": [
        "terrorism",
        "isis",
        "us_military",
        "defense",
        "national_defense",
        "nuclear_weapons",
    ],
}
WEAK_PER_TOPIC = 150  # cap per topic, so the many election articles do not swamp the rest
HELD_OUT = 0.2


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        return [json.loads(line) for line in handle if line.strip()]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weak_records(path: Path, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """AllSides articles with a weak IPTC label, split into (train, held out) by id hash."""
    tag_to_code = {tag: code for code, tags in WEAK_TAGS.items() for tag in tags}
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in read_jsonl(path):
        code = tag_to_code.get(row.get("topic", ""))
        if code and len(row["text"]) > 300:
            by_code.setdefault(code, []).append({**row, "label": code})
    rng = random.Random(seed)
    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for code in sorted(by_code):
        rows = by_code[code]
        rng.shuffle(rows)
        for row in rows[:WEAK_PER_TOPIC]:
            digest = hashlib.sha256(str(row["id"]).encode()).digest()[0]
            (held if digest < 256 * HELD_OUT else train).append(row)
    return train, held


def doc_vectors(encoder: Encoder, texts: list[str], cache: Path) -> np.ndarray:
    """Document vectors, encoding only the texts the cache file does not hold yet."""
    keys = [hashlib.sha256(t.encode()).hexdigest()[:16] for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as data:
            vectors, at = data["vectors"], 0  # read once: each NpzFile access re-reads the file
            for key, count in zip(data["keys"], data["counts"], strict=True):
                known[str(key)] = vectors[at : at + count]
                at += count
    todo = [i for i, key in enumerate(keys) if key not in known]
    started = time.time()
    for n, start in enumerate(range(0, len(todo), 100)):
        chunk = todo[start : start + 100]
        groups = [[s.text for s in split_sentences(texts[i])] or [texts[i]] for i in chunk]
        flat = encoder.embed([s for group in groups for s in group])
        at = 0
        for i, group in zip(chunk, groups, strict=True):
            known[keys[i]] = flat[at : at + len(group)].astype(np.float16)
            at += len(group)
        print(f"  encoded {start + len(chunk)}/{len(todo)} ({time.time() - started:.0f}s)")
        if n % 5 == 4 or start + 100 >= len(todo):
            save_cache(cache, known)
    return np.stack([document_vector(known[key].astype(np.float32)) for key in keys])


def save_cache(path: Path, known: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    items = sorted(known.items())
    np.savez(
        path,
        keys=np.array([k for k, _ in items]),
        counts=np.array([len(v) for _, v in items]),
        vectors=np.concatenate([v for _, v in items]),
    )


def fit(
    x: np.ndarray,
    y: np.ndarray,
    prototypes: np.ndarray,
    trained: np.ndarray,
    l2: float,
    mode: str = "head",
    second: np.ndarray | None = None,
    share: float = 0.0,
) -> dict[str, Any]:
    """Fit by class-balanced cross-entropy with L2 (full-batch LBFGS).

    ``second`` gives an example a second topic (-1 for none) that receives ``share`` of its
    target probability: an AllSides article is political commentary first of all, so its
    weak topic shares the target with politics instead of being taught to exclude it.

    ``mode`` is "scale" (the zero-shot scale alone, as a user taxonomy runs), "bias" (scale and
    per-topic biases) or "head" (scale, biases and weights). Class-balanced weights make the
    biases calibration offsets rather than the training mix's priors. Topics not in ``trained``
    have no parameters; afterwards they get the trained topics' mean offset (see
    `_neutral_offset`), so they compete on their zero-shot similarity alone.
    """
    torch.manual_seed(0)
    xt = torch.tensor(x, dtype=torch.float64)
    yt = torch.tensor(y)
    sims = xt @ torch.tensor(prototypes, dtype=torch.float64).T
    mask = torch.tensor(trained, dtype=torch.float64)
    counts = torch.bincount(yt, minlength=len(prototypes)).double()
    class_weight = torch.where(counts > 0, counts.sum() / (counts.clamp(min=1) * trained.sum()), 0)
    sample_weight = class_weight[yt]
    targets = torch.nn.functional.one_hot(yt, len(prototypes)).double()
    if second is not None and share > 0:
        has = torch.tensor(second >= 0)
        extra = torch.nn.functional.one_hot(torch.tensor(second).clamp(min=0), len(prototypes))
        targets[has] = (1 - share) * targets[has] + share * extra[has].double()
    log_scale = torch.tensor(np.log(20.0), dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(len(prototypes), dtype=torch.float64, requires_grad=True)
    weights = torch.zeros((len(prototypes), x.shape[1]), dtype=torch.float64, requires_grad=True)
    params = {"scale": [log_scale], "bias": [log_scale, bias], "head": [log_scale, bias, weights]}
    optimizer = torch.optim.LBFGS(params[mode], max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = log_scale.exp() * sims + bias * mask + xt @ (weights * mask[:, None]).T
        nll = -(targets * torch.log_softmax(logits, dim=1)).sum(dim=1)
        loss = (sample_weight * nll).sum() / sample_weight.sum()
        loss = loss + l2 * (weights * mask[:, None]).pow(2).sum() + 1e-3 * bias.pow(2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    model = {
        "scale": float(log_scale.detach().exp()),
        "biases": (bias * mask).detach().numpy().astype(np.float32),
        "weights": (weights * mask[:, None]).detach().numpy().astype(np.float32),
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


def accuracy(probs: np.ndarray, gold_sets: list[set[int]]) -> float:
    top = probs.argmax(axis=1)
    return float(np.mean([int(t) in g for t, g in zip(top, gold_sets, strict=True)]))


def folds(n: int, k: int, labels: Iterable[int], seed: int) -> list[np.ndarray]:
    """Stratified fold ids (each label spread evenly over the folds)."""
    ids = np.zeros(n, dtype=int)
    rng = random.Random(seed)
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    for members in by_label.values():
        rng.shuffle(members)
        for j, i in enumerate(members):
            ids[i] = j % k
    return [np.flatnonzero(ids == f) for f in range(k)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="BBC News jsonl(.gz)")
    parser.add_argument(
        "--label-map", type=Path, default=ROOT / "app/analysis/data/bbc_to_iptc.json"
    )
    parser.add_argument("--weak", type=Path, help="AllSides jsonl.gz for weak labels (optional)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lens-topics-cache"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, nargs="+", default=[1e-4, 1e-3, 1e-2])
    parser.add_argument("--threshold", type=float, default=0.2)
    parser.add_argument("--no-quantize", action="store_true", help="train on fp32 encoder vectors")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    taxonomy = load_taxonomy()
    codes = [entry.code for entry in taxonomy]
    label_map: dict[str, list[str]] = json.loads(args.label_map.read_text(encoding="utf-8"))
    encoder = Encoder(quantize=not args.no_quantize)
    tag = encoder.version.replace("@", "-").replace("+", "-")
    prototypes = topic_prototypes(encoder, taxonomy)

    bbc = read_jsonl(args.data)
    x_bbc = doc_vectors(encoder, [r["text"] for r in bbc], args.cache / f"bbc-{tag}.npz")
    # Training target: the first mapped code; a prediction is right on any mapped code.
    y_bbc = np.array([codes.index(label_map[r["label"]][0]) for r in bbc])
    gold_bbc = [{codes.index(c) for c in label_map[r["label"]]} for r in bbc]
    weak_train: list[dict[str, Any]] = []
    weak_held: list[dict[str, Any]] = []
    if args.weak:
        weak_train, weak_held = weak_records(args.weak, args.seed)
    weak_cache = args.cache / f"allsides-{tag}.npz"
    dim = x_bbc.shape[1]
    x_wt = (
        doc_vectors(encoder, [r["text"] for r in weak_train], weak_cache)
        if weak_train
        else np.zeros((0, dim), dtype=np.float32)
    )
    x_wh = (
        doc_vectors(encoder, [r["text"] for r in weak_held], weak_cache)
        if weak_held
        else np.zeros((0, dim), dtype=np.float32)
    )
    y_wt = np.array([codes.index(r["label"]) for r in weak_train], dtype=int)
    y_wh = np.array([codes.index(r["label"]) for r in weak_held], dtype=int)
    trained = np.zeros(len(codes))
    trained[np.unique(np.concatenate([y_bbc, y_wt]))] = 1

    bbc_folds = folds(len(bbc), args.folds, y_bbc, args.seed)
    weak_folds = folds(len(weak_train), args.folds, y_wt, args.seed) if weak_train else []
    variants = [("zero-shot", "scale", 0.0), ("zero-shot + biases", "bias", 0.0)]
    variants += [(f"head l2={v:g}", "head", v) for v in args.l2]
    cv: dict[str, dict[str, Any]] = {}
    for variant, mode, l2 in variants:
        bbc_acc, weak_acc = [], []
        for f in range(args.folds):
            train_b = np.setdiff1d(np.arange(len(bbc)), bbc_folds[f])
            train_w = np.setdiff1d(np.arange(len(weak_train)), weak_folds[f] if weak_train else [])
            x = np.concatenate([x_bbc[train_b], x_wt[train_w]])
            y = np.concatenate([y_bbc[train_b], y_wt[train_w]])
            model = fit(x, y, prototypes, trained, l2, mode)
            test = bbc_folds[f]
            bbc_acc.append(
                accuracy(predict(model, x_bbc[test], prototypes), [gold_bbc[i] for i in test])
            )
            if weak_train:
                wt = weak_folds[f]
                weak_acc.append(
                    accuracy(predict(model, x_wt[wt], prototypes), [{int(y_wt[i])} for i in wt])
                )
        cv[variant] = {
            "mode": mode,
            "l2": l2,
            "bbc_accuracy": round(float(np.mean(bbc_acc)), 4),
            "bbc_accuracy_std": round(float(np.std(bbc_acc)), 4),
            "weak_accuracy": round(float(np.mean(weak_acc)), 4) if weak_acc else None,
        }
        print(variant, cv[variant], flush=True)

    heads = {k: v for k, v in cv.items() if v["mode"] == "head"}
    best = max(heads, key=lambda k: heads[k]["bbc_accuracy"] + (heads[k]["weak_accuracy"] or 0))
    x_all, y_all = np.concatenate([x_bbc, x_wt]), np.concatenate([y_bbc, y_wt])
    final = fit(x_all, y_all, prototypes, trained, heads[best]["l2"])
    zero_shot = fit(x_all, y_all, prototypes, trained, 0.0, "scale")
    report: dict[str, Any] = {
        "cv": cv,
        "chosen": best,
        "scale": round(final["scale"], 3),
        "zero_shot_scale": round(zero_shot["scale"], 3),
    }
    if weak_held:
        report["weak_held_out"] = held_out_report(predict(final, x_wh, prototypes), y_wh, codes)
        report["weak_held_out_zero_shot"] = held_out_report(
            predict(zero_shot, x_wh, prototypes), y_wh, codes
        )
    probs_bbc = predict(final, x_bbc, prototypes)
    report["topics_per_article_bbc"] = round(
        float((probs_bbc >= args.threshold).sum(1).clip(1).mean()), 3
    )
    untrained = trained[probs_bbc.argmax(axis=1)] == 0
    report["bbc_top_topic_untrained_share"] = round(float(untrained.mean()), 4)
    print(json.dumps(report, indent=1))

    args.out.mkdir(parents=True, exist_ok=True)
    np.savez(args.out / "head.npz", weights=final["weights"], biases=final["biases"])
    meta = {
        "taxonomy_codes": codes,
        "scale": final["scale"],
        "zero_shot_scale": zero_shot["scale"],
        "threshold": args.threshold,
        "trained_codes": [c for c, t in zip(codes, trained, strict=True) if t],
        "encoder": encoder.version,
        "document_vector": "app.analysis.topics.document_vector over split_sentences(text)",
    }
    (args.out / "head.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    write_card(args, report, bbc, weak_train, weak_held, encoder.version)


def held_out_report(probs: np.ndarray, gold: np.ndarray, codes: list[str]) -> dict[str, Any]:
    top = probs.argmax(axis=1)
    per = {}
    for c in sorted(set(gold.tolist())):
        sel = gold == c
        per[codes[c]] = {"n": int(sel.sum()), "recall": round(float((top[sel] == c).mean()), 3)}
    return {"n": len(gold), "accuracy": round(float((top == gold).mean()), 4), "per_topic": per}


ABOUT = """Runs in `app.analysis.topics.TopicModel`: a softmax over
`scale * cos(doc, prototype) + bias + W @ doc`, where `doc` is the mean of the article's sentence
embeddings from the shared encoder and each prototype is the mean embedding of a topic's label
and description sentences (`app/analysis/data/iptc_media_topics.json`). Topics without training
data keep zero weights and bias and are scored by the zero-shot term alone. A user taxonomy
ignores this head."""


def write_card(
    args: argparse.Namespace,
    report: dict[str, Any],
    bbc: list[dict[str, Any]],
    weak_train: list[dict[str, Any]],
    weak_held: list[dict[str, Any]],
    encoder_version: str,
) -> None:
    command = "python scripts/train_topics.py " + " ".join(sys.argv[1:])
    files = {name: sha256(args.out / name) for name in ("head.npz", "head.json")}
    data = {str(args.data): sha256(args.data)}
    if args.weak:
        data[str(args.weak)] = sha256(args.weak)
    counts = Counter(r["label"] for r in weak_train)
    lines = [
        "# Topic head (IPTC Media Topics, 17 top-level topics)",
        "",
        ABOUT,
        "## Command",
        "",
        f"    {command}",
        "",
        f"Encoder: `{encoder_version}`; python {platform.python_version()}, "
        f"torch {torch.__version__}.",
        "",
        "## Data",
        "",
        f"- BBC News, {len(bbc)} articles, 5 labels mapped by `{args.label_map.name}`.",
        "- AllSides weak labels (issue tag -> IPTC topic, `WEAK_TAGS` in the script): "
        f"{len(weak_train)} for training, {len(weak_held)} held out by article-id hash "
        "(never used for any choice).",
        f"  Training counts: {dict(sorted(counts.items()))}",
        "",
        "| file | sha256 |",
        "| --- | --- |",
        *(f"| {name} | {digest} |" for name, digest in {**data, **files}.items()),
        "",
        "## Results",
        "",
        f"{args.folds}-fold cross-validation (BBC folds: right when the top topic is a mapped",
        "code; AllSides-train folds: right when it is the weak label):",
        "",
        "| variant | BBC accuracy | ± std | AllSides weak accuracy |",
        "| --- | --- | --- | --- |",
        *(
            f"| {k} | {v['bbc_accuracy']} | {v['bbc_accuracy_std']} | {v['weak_accuracy']} |"
            for k, v in report["cv"].items()
        ),
        "",
        f"Chosen: `{report['chosen']}`, learnt zero-shot scale {report['scale']}.",
        "",
    ]
    if "weak_held_out" in report:
        held, zs = report["weak_held_out"], report["weak_held_out_zero_shot"]
        lines += [
            f"AllSides held-out ({held['n']} articles, weak labels): accuracy {held['accuracy']} "
            f"(zero-shot term alone: {zs['accuracy']}).",
            "",
            "| topic | n | recall | zero-shot recall |",
            "| --- | --- | --- | --- |",
            *(
                f"| {c} | {v['n']} | {v['recall']} | {zs['per_topic'][c]['recall']} |"
                for c, v in held["per_topic"].items()
            ),
            "",
        ]
    lines.append(
        f"Topics per BBC article at threshold {args.threshold}: {report['topics_per_article_bbc']}."
    )
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
