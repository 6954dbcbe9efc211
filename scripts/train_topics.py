"""Train the topic head (numpy weights at run time) and write its card.

    .venv/bin/python scripts/train_topics.py \
        --data ../shared/data/train/topic_bbc_news_all.jsonl.gz \
        --weak ../shared/data/articles/allsides-10k.jsonl.gz \
        --out app/analysis/bundled/topics

The model is the one `app.analysis.topics.TopicModel` runs (see `ABOUT`): a softmax over
``scale * cos(doc, prototype) + bias + W @ doc`` mixed with a zero-shot softmax. BBC News
(5 labels, mapped to IPTC codes by ``app/analysis/data/bbc_to_iptc.json``) gives strong labels;
with ``--weak``, AllSides articles whose issue tag clearly names one IPTC topic (`WEAK_TAGS`,
`WEAK_EXTRA`) give weak labels for topics BBC lacks. A fixed 20% of those (by article id) is held
out and only used for the final report. The L2 strength and the mix are chosen by stratified
cross-validation on BBC plus the AllSides training part. Sentence vectors are cached under
``--cache`` (keyed by text hash and encoder version), since encoding is the slow part.
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
from dataclasses import dataclass
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
# IPTC files diplomacy and international relations under politics. BBC "politics" is UK domestic
# politics and its "business" carries most international news, so without these the head reads
# foreign affairs as economy. They are drawn as a separate group with its own cap.
WEAK_EXTRA: dict[str, list[str]] = {"medtop:11000000": ["foreign_policy", "state_department"]}
WEAK_PER_TOPIC = 150  # cap per topic (and group), so election articles do not swamp the rest
HELD_OUT = 0.2


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        return [json.loads(line) for line in handle if line.strip()]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def weak_records(path: Path, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """AllSides articles with a weak IPTC label, split into (train, held out) by id hash."""
    rows = [row for row in read_jsonl(path) if len(row["text"]) > 300]
    rng = random.Random(seed)
    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for group in (WEAK_TAGS, WEAK_EXTRA):
        tag_to_code = {tag: code for code, tags in group.items() for tag in tags}
        by_code: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            code = tag_to_code.get(row.get("topic", ""))
            if code:
                by_code.setdefault(code, []).append({**row, "label": code})
        for code in sorted(by_code):
            members = by_code[code]
            rng.shuffle(members)
            for row in members[:WEAK_PER_TOPIC]:
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
) -> dict[str, Any]:
    """Fit by class-balanced cross-entropy with L2 (full-batch LBFGS).

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


@dataclass(frozen=True)
class Data:
    """Document vectors and targets: BBC (strong labels) and AllSides-train (weak labels)."""

    x_bbc: np.ndarray
    y_bbc: np.ndarray
    gold_bbc: list[set[int]]
    x_weak: np.ndarray
    y_weak: np.ndarray
    prototypes: np.ndarray
    trained: np.ndarray


def mixed(
    head: dict[str, Any], zero_shot: dict[str, Any], x: np.ndarray, prototypes: np.ndarray, a: float
) -> np.ndarray:
    """What `TopicModel.scores` computes: ``a * head softmax + (1 - a) * zero-shot softmax``."""
    return a * predict(head, x, prototypes) + (1 - a) * predict(zero_shot, x, prototypes)


def cross_validate(
    data: Data, l2s: list[float], mixes: list[float], k: int, seed: int
) -> dict[str, dict[str, Any]]:
    """Stratified k-fold accuracy of each variant on BBC and on the AllSides-train weak labels."""
    bbc_folds = folds(len(data.y_bbc), k, data.y_bbc, seed)
    weak_folds = folds(len(data.y_weak), k, data.y_weak, seed)
    variants = [("zero-shot", "scale", 0.0, 0.0), ("zero-shot + biases", "bias", 0.0, 1.0)]
    variants += [(f"head l2={v:g} mix={a:g}", "head", v, a) for v in l2s for a in mixes]
    scores: dict[str, tuple[list[float], list[float]]] = {v[0]: ([], []) for v in variants}
    for f in range(k):
        train_b = np.setdiff1d(np.arange(len(data.y_bbc)), bbc_folds[f])
        train_w = np.setdiff1d(np.arange(len(data.y_weak)), weak_folds[f])
        x = np.concatenate([data.x_bbc[train_b], data.x_weak[train_w]])
        y = np.concatenate([data.y_bbc[train_b], data.y_weak[train_w]])
        fitted = {
            (mode, l2): fit(x, y, data.prototypes, data.trained, l2, mode)
            for _, mode, l2, _ in variants
        }
        zero_shot = fitted[("scale", 0.0)]
        test_b, test_w = bbc_folds[f], weak_folds[f]
        for name, mode, l2, a in variants:
            model = fitted[(mode, l2)]
            probs = mixed(model, zero_shot, data.x_bbc[test_b], data.prototypes, a)
            scores[name][0].append(accuracy(probs, [data.gold_bbc[i] for i in test_b]))
            if len(test_w):
                probs = mixed(model, zero_shot, data.x_weak[test_w], data.prototypes, a)
                scores[name][1].append(accuracy(probs, [{int(data.y_weak[i])} for i in test_w]))
    results: dict[str, dict[str, Any]] = {}
    for name, mode, l2, a in variants:
        bbc_acc, weak_acc = scores[name]
        # per fold, BBC accuracy plus (when there is weak data) AllSides accuracy
        combined = np.array(bbc_acc) + (np.array(weak_acc) if weak_acc else 0.0)
        results[name] = {
            "mode": mode,
            "l2": l2,
            "mix": a,
            "bbc_accuracy": round(float(np.mean(bbc_acc)), 4),
            "bbc_accuracy_std": round(float(np.std(bbc_acc)), 4),
            "weak_accuracy": round(float(np.mean(weak_acc)), 4) if weak_acc else None,
            "score": round(float(np.mean(combined)), 4),
            "score_se": round(float(np.std(combined, ddof=1) / np.sqrt(k)), 4),
        }
        print(name, results[name], flush=True)
    return results


def choose(cv: dict[str, dict[str, Any]]) -> str:
    """The one-standard-error rule: of the head variants whose CV score (BBC + AllSides
    accuracy) is within one standard error of the best, the most regularised one: the lowest
    mix (most weight on the zero-shot half, which alone can name topics the head has no data
    for), then the strongest L2."""
    heads = {k: v for k, v in cv.items() if v["mode"] == "head"}
    top = max(heads.values(), key=lambda v: v["score"])
    close = [k for k, v in heads.items() if v["score"] >= top["score"] - top["score_se"]]
    return min(close, key=lambda k: (heads[k]["mix"], -heads[k]["l2"]))


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
    parser.add_argument("--l2", type=float, nargs="+", default=[1e-5, 3e-5, 1e-4])
    parser.add_argument(
        "--mix",
        type=float,
        nargs="+",
        default=[1.0, 0.8, 0.7, 0.6, 0.5],
        help="weights of the head's softmax against the zero-shot softmax to try",
    )
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

    data = Data(x_bbc, y_bbc, gold_bbc, x_wt, y_wt, prototypes, trained)
    cv = cross_validate(data, args.l2, args.mix, args.folds, args.seed)
    best = choose(cv)
    x_all, y_all = np.concatenate([x_bbc, x_wt]), np.concatenate([y_bbc, y_wt])
    final = fit(x_all, y_all, prototypes, trained, cv[best]["l2"])
    zero_shot = fit(x_all, y_all, prototypes, trained, 0.0, "scale")
    final["mix"] = cv[best]["mix"]
    final["zero_shot_scale"] = zero_shot["scale"]
    report: dict[str, Any] = {
        "cv": cv,
        "chosen": best,
        "scale": round(final["scale"], 3),
        "zero_shot_scale": round(zero_shot["scale"], 3),
    }
    if weak_held:
        report["weak_held_out"] = held_out_report(
            mixed(final, zero_shot, x_wh, prototypes, final["mix"]), y_wh, codes
        )
        report["weak_held_out_zero_shot"] = held_out_report(
            predict(zero_shot, x_wh, prototypes), y_wh, codes
        )
    probs_bbc = mixed(final, zero_shot, x_bbc, prototypes, final["mix"])
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
        "mix": final["mix"],
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


ABOUT = """Runs in `app.analysis.topics.TopicModel`. Scores are
`mix * softmax(scale * cos(doc, prototype) + bias + W @ doc) + (1 - mix) * softmax(zero_shot_scale
* cos(doc, prototype))`, where `doc` is the mean of the article's sentence embeddings from the
shared encoder and each prototype is the mean embedding of a topic's label and description
sentences (`app/analysis/data/iptc_media_topics.json`). Topics without training data (weather,
human interest, lifestyle) get the trained topics' mean offset and no weights, and the zero-shot
half scores every topic alike, so any topic can win on its text. A user taxonomy uses the
zero-shot half alone, with `zero_shot_scale`."""


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
        "",
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
        "| variant | BBC accuracy | ± std | AllSides weak accuracy | score | ± SE |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {k} | {v['bbc_accuracy']} | {v['bbc_accuracy_std']} | {v['weak_accuracy']} "
            f"| {v['score']} | {v['score_se']} |"
            for k, v in report["cv"].items()
        ),
        "",
        f"Chosen by the one-standard-error rule (`choose` in the script): `{report['chosen']}`; "
        f"head scale "
        f"{report['scale']}, zero-shot scale {report['zero_shot_scale']}.",
        "",
    ]
    if "weak_held_out" in report:
        held, zs = report["weak_held_out"], report["weak_held_out_zero_shot"]
        lines += [
            f"AllSides held-out ({held['n']} articles, weak labels): accuracy {held['accuracy']} "
            f"(zero-shot half alone: {zs['accuracy']}).",
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
