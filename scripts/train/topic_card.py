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


_SHOWN = 15  # grid rows on the card


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
    sizes, dev, zero = report["sizes"]["top"], top["dev"], top["dev_zero_shot"]
    label = {e.code: e.label for e in subtopics}
    files = [*args.labels, args.allsides, args.bbc] + [
        args.out / f"{stem}.{ext}" for stem in ("head", "subtopics") for ext in ("npz", "json")
    ]
    lines = [
        "# Topic heads (IPTC top-level Media Topics and their subtopics)",
        "",
        ABOUT,
        "",
        "## Command",
        "",
        "    nice -n 10 python scripts/train/train_topics.py "
        + " ".join(a for a in sys.argv[1:] if a != "--card-only"),
        "",
        f"Encoder: `{encoder_version}` (the service's default: ONNX Runtime, int8); python "
        f"{platform.python_version()}, torch {torch.__version__}.",
        "",
        "## Data",
        "",
        "- An editor's filing: the IPTC top-level topic an editor would file each AllSides "
        "article under (`primary`) and every topic a substantial part of it is about (`all`, "
        "primary first), labelled by a language model under the project's "
        "`TOPICS_GUIDELINE.md`, split by outlet: "
        + ", ".join(f"`{path.name}`" for path in args.labels)
        + " (more labels: `scripts/data/topic_labels/README.md`). Train "
        f"{sizes['editor_train']} articles; dev {sizes['editor_dev']} articles of "
        f"{sizes['dev_outlets']} outlets, never trained on (no source takes an article of a dev "
        "outlet).",
        f"- AllSides, at most {args.cap} articles per issue tag (`topic_data.allsides_sample`), "
        "tags mapped by `app/analysis/data/allsides_to_topics.json`. Top level: "
        + (
            f"only the {sizes['tags_kept']} tags the labels agree with (of the labelled train "
            f"articles with the tag, at least {args.tag_min_share:g} filed under its first "
            f"topic, over at least {args.tag_min_n}), {sizes['tag_articles']} articles. "
            if args.tags
            else "none (`--no-tags`: the agreeing tags' articles lowered both dev figures and "
            "BBC when tried; docs/quality.md). "
        )
        + "Subtopics: every mapped tag, whole "
        "outlets train, dev or test (`topic_data.outlet_splits`): "
        + ", ".join(f"{s} {n}" for s, n in report["sizes"]["sub"].items())
        + " articles with a subtopic.",
        f"- BBC News, {report['bbc']} articles, 5 labels mapped by `bbc_to_iptc.json` (top level).",
        "- Every topic's label and description (the prototypes).",
        "",
        "| file | sha256 |",
        "| --- | --- |",
        *(f"| {f.name if f.parent == args.out else f} | {_sha(f)} |" for f in files),
        "",
        "## Top level",
        "",
        "Each variant is fitted on the editor's train articles"
        + (", the agreeing tags' articles" if args.tags else "")
        + " and BBC (the dev columns: what would be bundled, no refit) and again without BBC "
        "(the BBC column: news it never saw). Chosen: the best mean of dev first = primary and "
        f"first among all, among variants with BBC at least {top['bbc_floor']}"
        + (
            ""
            if any(v["bbc_ood_accuracy"] >= top["bbc_floor"] for v in top["grid"].values())
            else " (none reached it: chosen among all of them)"
        )
        + ". The "
        f"{min(len(top['grid']), _SHOWN)} best of {len(top['grid'])} (all in `report.json`):",
        "",
        *_grid(
            dict(sorted(top["grid"].items(), key=lambda kv: -kv[1]["score"])[:_SHOWN]),
            ["dev_accuracy", "dev_first_in_all", "dev_macro_f1", "bbc_ood_accuracy"],
        ),
        "",
        f"Chosen: `{top['chosen']}`, threshold {top['threshold']} (dev micro F1 of the listed "
        f"topics against `all`: {top['thresholds_dev_f1']}).",
        "",
        f"Bundled head on dev: first topic = primary **{dev['accuracy']}**, first topic among "
        f"those that apply **{dev['first_in_all']}**, macro F1 over primaries "
        f"**{dev['macro_f1']}** (its zero-shot half alone: {zero['accuracy']}, "
        f"{zero['first_in_all']}, {zero['macro_f1']}). BBC, trained on: "
        f"{top['bbc_in_sample_accuracy']}. The dev figures are those of the chosen variant, "
        "so they carry the choice's optimism (104 articles: one article is about 0.01).",
        "",
        "| primary (dev) | n | precision | recall | F1 |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {label} | {v['support']} | {v['precision']} | {v['recall']} | {v['f1']} |"
            for label, v in dev["per_label"].items()
        ),
        "",
        "Tags and the labels (labelled train articles: n, filed under the tag's first topic):",
        ("kept " if args.tags else "agreeing (not used: `--no-tags`) ")
        + ", ".join(f"`{t}`" for t in top["tags"]["kept"])
        + "; left out "
        + ", ".join(
            f"`{t}` {a['agree']}/{a['n']}"
            for t, a in top["tags"]["per_tag"].items()
            if t not in top["tags"]["kept"] and a["n"] >= args.tag_min_n
        )
        + " (and every tag with fewer labelled articles).",
        "",
        "## Subtopics",
        "",
        "Fitted on AllSides-train; right when the top subtopic is the tag's subtopic. Score: the",
        "mean of dev accuracy and dev macro F1 (over the subtopics dev has)."
        + (
            ""
            if "sub" in args.levels
            else " This run trained the top level alone (`--levels top`): the subtopic head and "
            "these figures are those of the last run that trained it (`subtopics.*` unchanged)."
        ),
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
