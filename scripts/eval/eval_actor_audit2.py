"""The second actor audit re-measured: the share of listed actors that are right (issue 27).

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval/eval_actor_audit2.py \\
        --out audit2.json

Re-runs the product's actor path on the 80 articles of data/labels/actor_audit2 (their texts
are in ``listed.jsonl``; the same path and tagger cache as ``eval_actor_audit._actors``,
imported) and looks up a verdict for each of the six actors listed now, from ``audit.jsonl``,
then ``audit_round2.jsonl`` to ``audit_round5.jsonl`` where they exist (``--audit`` takes several
files; a later file's verdict for the same source_id, actor and kind replaces an earlier one): by
source_id and name (case, a leading "The" and a final dot aside), and by kind where an article
has two listed actors of one name.

Reported:

- ``ok_share``: listed actors with verdict ``ok`` over the listed actors that have a verdict
  (the figure issue 27 asks to be at least 95 %), and the counts per verdict;
- ``missing_found``: the audit's ``missing`` actors now listed (name or alias, as
  ``eval_actor_audit`` finds them), of all missing ones;
- ``unlabelled``: (source_id, actor) pairs listed now that have no verdict: a new name, or a
  missing actor now found (``was_missing``: likely right, its mentions unchecked). These need
  labelling under PROMPT.md before the share means all six;
- ``changed``: labelled pairs whose mentions are not those the labeller saw (``listed.jsonl``):
  the verdict was carried, but may no longer hold (a wrong identity fixed, a right actor that
  took someone else's mentions); the spans added and dropped are given to check.

``--out`` writes the report with every article's six actors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.eval.eval_actor_audit import _LISTED
from scripts.eval.eval_actor_audit import Actor
from scripts.eval.eval_actor_audit import _actors
from scripts.eval.eval_actor_audit import _folded

HERE = Path(__file__).resolve().parents[2] / "data" / "labels" / "actor_audit2"
VERDICTS = ("ok", "junk", "wrong_identity", "partial_name")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    rounds = [HERE / f"audit_round{n}.jsonl" for n in (2, 3, 4, 5)]
    parser.add_argument(
        "--audit",
        type=Path,
        nargs="+",
        default=[HERE / "audit.jsonl", *(path for path in rounds if path.exists())],
        help="verdict files, in order: a later file's verdict for a pair replaces an earlier one",
    )
    parser.add_argument("--listed", type=Path, default=HERE / "listed.jsonl")
    parser.add_argument("--cache", type=Path, default=Path("../cache/actors"))
    parser.add_argument("--out", type=Path, help="the report, and every article's six actors")
    args = parser.parse_args()

    # one verdict per (source_id, actor, kind): a later file's replaces an earlier one's
    by_key: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for path in args.audit:
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            by_key[(row["source_id"], row["actor"], row.get("kind"))] = row
    rows = list(by_key.values())
    # the articles' texts, and the actors as the labeller saw them
    seen: dict[str, list[dict[str, Any]]] = {}
    texts: dict[str, str] = {}
    titles: dict[str, str | None] = {}
    for line in args.listed.open(encoding="utf-8"):
        item = json.loads(line)
        seen[item["source_id"]] = item["actors"]
        texts[item["source_id"]] = item["text"]
        titles[item["source_id"]] = item.get("title")
    actors = _actors(texts, args.cache, titles)
    report = score(rows, seen, actors)
    print(json.dumps(report["summary"], indent=2))
    for pair in report["unlabelled"]:
        mark = " (was missing)" if pair["was_missing"] else ""
        print(f"unlabelled: {pair['source_id']}  {pair['actor']} [{pair['kind']}]{mark}")
    if args.out:
        report["listed"] = {
            sid: [{"name": a.name, "kind": a.kind, "salience": a.salience} for a in found[:_LISTED]]
            for sid, found in actors.items()
        }
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


def score(
    rows: list[dict[str, Any]],
    seen: dict[str, list[dict[str, Any]]],
    actors: dict[str, list[Actor]],
) -> dict[str, Any]:
    """Verdicts for the actors listed now, the missing ones found, the pairs left to label."""
    verdicts: dict[str, list[dict[str, Any]]] = {}
    missing: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        pool = missing if row["verdict"] == "missing" else verdicts
        pool.setdefault(row["source_id"], []).append(row)
    counts: Counter[str] = Counter()
    unlabelled: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for sid, found in actors.items():
        listed = found[:_LISTED]
        for actor in listed:
            row = _verdict(actor, verdicts.get(sid, []))
            if row is None:
                was_missing = any(_names(m["actor"]) & actor.names() for m in missing.get(sid, []))
                unlabelled.append(
                    {
                        "source_id": sid,
                        "actor": actor.name,
                        "kind": actor.kind,
                        "aliases": list(actor.aliases),
                        "surface": dict(Counter(t for t, _, _ in actor.mentions).most_common()),
                        "was_missing": was_missing,
                    }
                )
                continue
            counts[row["verdict"]] += 1
            before = _spans_seen(row, seen.get(sid, []))
            now = {(s, e) for _, s, e in actor.mentions}
            if before is not None and before != now:
                changed.append(
                    {
                        "source_id": sid,
                        "actor": actor.name,
                        "verdict": row["verdict"],
                        "added": sorted(now - before),
                        "dropped": sorted(before - now),
                    }
                )
    found_missing = sum(
        any(_names(m["actor"]) & a.names() for a in actors.get(sid, [])[:_LISTED])
        for sid, rows_missing in missing.items()
        for m in rows_missing
    )
    labelled = sum(counts.values())
    summary: dict[str, Any] = {
        "articles": len(actors),
        "listed": sum(min(_LISTED, len(found)) for found in actors.values()),
        "labelled": labelled,
        "ok_share": round(counts["ok"] / max(1, labelled), 4),
        "verdicts": {v: counts[v] for v in VERDICTS},
        "missing_found": {
            "found": found_missing,
            "of": sum(len(m) for m in missing.values()),
        },
        "unlabelled": len(unlabelled),
        "unlabelled_was_missing": sum(p["was_missing"] for p in unlabelled),
        "changed_mentions": len(changed),
    }
    return {"summary": summary, "unlabelled": unlabelled, "changed": changed}


def _names(name: str) -> set[str]:
    """A missing actor's names: "US Immigration and Customs Enforcement (ICE)" is either."""
    return {_folded(n) for n in re.split(r"[()]", name) if n.strip()}


def _verdict(actor: Actor, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    same = [r for r in rows if _folded(r["actor"]) == _folded(actor.name)]
    if len(same) > 1:
        same = [r for r in same if r.get("kind") == actor.kind] or same
    return same[0] if same else None


def _spans_seen(row: dict[str, Any], listed: list[dict[str, Any]]) -> set[tuple[int, int]] | None:
    """The mentions the labeller saw for this row's actor, if the snapshot has them."""
    for actor in listed:
        if actor["name"] == row["actor"] and actor.get("kind") == row.get("kind"):
            return {(s, e) for s, e in actor.get("spans", [])}
    return None


if __name__ == "__main__":
    main()
