"""The topic heads' card (app/analysis/bundled/topics/README.md), from the trainer's report."""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
from pathlib import Path
from typing import Any

import torch

from app.analysis.topic_taxonomy import TaxonomyEntry

ABOUT = """Runs in `app.analysis.topics.TopicModel`, one `TopicLevel` per level. Each level scores
`mix * softmax(scale * cos(doc, prototype) + bias + W @ doc) + (1 - mix) * softmax(zero_shot_scale
* cos(doc, prototype))`, where `doc` is the mean of the article's sentence embeddings from the
shared encoder pass (no second pass) and each prototype is the mean embedding of a topic's label
and description sentences (`app/analysis/data/iptc_media_topics.json`,
`app/analysis/data/iptc_subtopics.json`). Topics without training data get the trained topics'
mean offset and no weights, and the zero-shot half scores every topic alike, so any topic can win
on its text. Every topic at or over its level's threshold is listed (never none), and a listed
subtopic's parent is listed too. A user taxonomy uses the zero-shot half alone."""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _grid(rows: dict[str, dict[str, Any]], columns: list[str]) -> list[str]:
    lines = ["| variant | " + " | ".join(columns) + " |", "|" + " --- |" * (len(columns) + 1)]
    lines += [f"| {k} | " + " | ".join(str(v[c]) for c in columns) + " |" for k, v in rows.items()]
    return lines


def write_card(
    args: argparse.Namespace,
    report: dict[str, Any],
    encoder_version: str,
    subtopics: tuple[TaxonomyEntry, ...],
) -> None:
    top, sub = report["top"], report["sub"]
    label = {e.code: e.label for e in subtopics}
    files = [args.allsides, args.bbc] + [
        args.out / f"{stem}.{ext}" for stem in ("head", "subtopics") for ext in ("npz", "json")
    ]
    lines = [
        "# Topic heads (IPTC top-level Media Topics and their subtopics)",
        "",
        ABOUT,
        "",
        "## Command",
        "",
        "    nice -n 10 python scripts/train_topics.py " + " ".join(sys.argv[1:]),
        "",
        f"Encoder: `{encoder_version}` (the service's default: ONNX Runtime, int8); python "
        f"{platform.python_version()}, torch {torch.__version__}.",
        "",
        "## Data",
        "",
        f"- AllSides, at most {args.cap} articles per issue tag (`topic_data.allsides_sample`), "
        "tags mapped by `app/analysis/data/allsides_to_topics.json`; whole outlets are train, "
        "dev or test (`topic_data.outlet_splits`). Articles: "
        + ", ".join(
            f"{s} {v['top']} ({v['sub']} with a subtopic)" for s, v in report["sizes"].items()
        )
        + ".",
        f"- BBC News, {report['bbc']} articles, 5 labels mapped by `bbc_to_iptc.json` (top level).",
        "- Every topic's label and description (the prototypes).",
        "",
        "| file | sha256 |",
        "| --- | --- |",
        *(f"| {f.name if f.parent == args.out else f} | {_sha(f)} |" for f in files),
        "",
        "## Top level",
        "",
        "Fitted on AllSides-train alone; right when the top topic is one of the tag's topics. BBC",
        "is out of domain here (never trained on); the score is the mean of the two.",
        "",
        *_grid(top["grid"], ["dev_accuracy", "bbc_accuracy", "score"]),
        "",
        f"Chosen: `{top['chosen']}`, threshold {top['threshold']} (dev micro F1 of the listed",
        f"topics: {top['thresholds_dev_f1']}). Refitted on AllSides train + dev + BBC: "
        f"AllSides test outlets accuracy **{top['test_accuracy']}** (zero-shot half alone: "
        f"{top['test_accuracy_zero_shot']}).",
        "",
        "## Subtopics",
        "",
        "Fitted on AllSides-train; right when the top subtopic is the tag's subtopic. Score: the",
        "mean of dev accuracy and dev macro F1 (over the subtopics dev has).",
        "",
        *_grid(sub["grid"], ["dev_accuracy", "dev_macro_f1", "score"]),
        "",
        f"Chosen: `{sub['chosen']}`, threshold {sub['threshold']} (dev micro F1 of the listed",
        f"subtopics: {sub['thresholds_dev_f1']}). Refitted on AllSides train + dev: test outlets "
        f"accuracy **{sub['test_accuracy']}**, macro F1 **{sub['test_macro_f1']}**.",
        "",
        "| subtopic | dev n | dev F1 | test n | test F1 |",
        "| --- | --- | --- | --- | --- |",
    ]
    dev, test = sub["dev_per_subtopic"], sub["test_per_subtopic"]
    for code in sorted(set(dev) | set(test), key=lambda c: label[c]):
        d, t = dev.get(code, {}), test.get(code, {})
        lines.append(
            f"| {label[code]} | {d.get('support', 0)} | {d.get('f1', '-')} "
            f"| {t.get('support', 0)} | {t.get('f1', '-')} |"
        )
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
