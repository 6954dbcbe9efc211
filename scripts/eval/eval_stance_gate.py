"""Which passages are worth the stance model: measured against reading every passage.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval/eval_stance_gate.py --articles 150 --out gate.npz

For a seeded sample of AllSides articles, every (actor, passage) pair is read by the stance model,
and beside it the signals the Analyzer already has for free from the shared encoder pass: how
evaluative the sentence head finds the passage's sentences (1 - p(neutral), the largest), and how
evaluative the targeted head finds the actor's mentions in it. The arrays are saved, and the
script prints, for thresholds on those signals, the share of word pieces the stance model would
be spared and the share of actor labels that would change against reading everything.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np


def collect(texts: list[str]) -> dict[str, np.ndarray]:
    from app.analysis.actors.stance import actor_passages
    from app.analysis.actors.stance import paragraph_of
    from app.analysis.analyzer import load_analyzer
    from app.core.config import Settings

    analyzer = load_analyzer(Settings())
    c = analyzer.components
    stance = c.stance
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "article",
            "actor",
            "sentence_ev",
            "mention_ev",
            "pieces",
            "neg",
            "neu",
            "pos",
            "once",
        )
    }
    actor_id = 0
    for n, text in enumerate(texts):
        [analysis] = analyzer.analyze([text])
        sentences = analysis.sentences
        encoded = c.encode([s.text for s in sentences])
        sentence_probs = c.sentence_probabilities([s.text for s in sentences], encoded)
        paragraphs = paragraph_of(text, sentences)
        for actor in analysis.actors:
            mentions = [(m.sentence_index, m.start, m.end) for m in actor.mentions]
            passages = actor_passages(text, sentences, paragraphs, mentions)
            pairs = [stance._pair(text, actor.name, p) for p in passages]
            probs = stance.model.probabilities(pairs)
            for p, pair, prob in zip(passages, pairs, probs, strict=True):
                inside = [(i, a, b) for i, a, b in mentions if p.start <= a < p.end]
                targets = [
                    (i, a - sentences[i].start, b - sentences[i].start) for i, a, b in inside
                ]
                mention_probs = c.targeted_probabilities(
                    [s.text for s in sentences], encoded, targets
                )
                rows["article"].append(n)
                rows["actor"].append(actor_id)
                rows["sentence_ev"].append(float((1 - sentence_probs[list(p.sentences), 1]).max()))
                rows["mention_ev"].append(
                    float((1 - mention_probs[:, 1]).max()) if len(mention_probs) else 0.0
                )
                rows["pieces"].append(len(pair.ids))
                rows["neg"].append(float(prob[0]))
                rows["neu"].append(float(prob[1]))
                rows["pos"].append(float(prob[2]))
                rows["once"].append(float(len(actor.mentions) == 1))
            actor_id += 1
        print(f"{n + 1}/{len(texts)} articles, {len(rows['actor'])} pairs", flush=True)
    return {k: np.asarray(v) for k, v in rows.items()}


def report(data: dict[str, np.ndarray], focus: float, bias: float) -> None:
    from app.analysis.actors.stance import combine
    from app.analysis.actors.stance import label_of

    probs = np.stack([data["neg"], data["neu"], data["pos"]], axis=1).astype(np.float32)
    actors = data["actor"].astype(int)
    order = np.argsort(actors, kind="stable")
    bounds = np.flatnonzero(np.diff(actors[order])) + 1
    groups = np.split(order, bounds)

    def labels(p: np.ndarray) -> np.ndarray:
        return np.array([label_of(combine(p[g], focus)[0], bias) for g in groups])

    full = labels(probs)
    pieces = data["pieces"].sum()
    print(
        f"{len(groups)} actors, {len(probs)} pairs, {int(pieces)} pieces; full labels "
        f"{np.bincount(full, minlength=3).tolist()} (neg, neu, pos)"
    )
    print("sentence_ev >= s or mention_ev >= m is read; the rest count as neutral")
    print("| s | m | pieces read | pairs read | actor labels changed | non-neutral actors lost |")
    for s in (0.0, 0.2, 0.3, 0.4, 0.5):
        for m in (0.2, 0.3, 0.4, 0.5, 1.01):
            read = (data["sentence_ev"] >= s) | (data["mention_ev"] >= m)
            gated = probs.copy()
            gated[~read] = (0.0, 1.0, 0.0)
            got = labels(gated)
            lost = ((full != 1) & (got == 1)).sum() / max(1, (full != 1).sum())
            print(
                f"| {s} | {m} | {data['pieces'][read].sum() / pieces:.2f} | {read.mean():.2f} | "
                f"{(got != full).mean():.3f} | {lost:.3f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/articles/allsides-10k.jsonl.gz")
    )
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    if not args.report_only:
        with gzip.open(args.data, "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle]
        picks = np.random.default_rng(args.seed).choice(len(texts), args.articles, replace=False)
        np.savez(args.out, **collect([texts[int(i)] for i in sorted(picks)]))
    from app.analysis.stance import StanceModel
    from app.core.config import Settings

    model = StanceModel(Settings().stance_model)
    with np.load(args.out) as archive:
        report({k: archive[k] for k in archive.files}, model.focus, model.neutral_bias)


if __name__ == "__main__":
    main()
