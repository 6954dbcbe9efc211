"""The actor audit re-measured: each article's six most salient actors against its verdicts.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval/eval_actor_audit.py \
        --audit ../shared/data/train/actor_audit.jsonl \
        --data ../shared/data/articles/allsides-10k.jsonl.gz --out after.json

The actors come from the analyzer's own actor path (`LensAnalyzer._analyze`): the layout and body
sentences (`layout.read_layout`, `layout.body_sentences`), the configured entity model over those
sentences, and `ActorResolver.resolve`; the sentiment, topic and stance models, which change no
actor, are not run. The six listed are the most salient, ties by key, as the API lists them.
The tagger's entities are cached per article and sentence spans (``--cache``), so a re-run after
a change to the resolver costs seconds.

For the audit's verdicts, in the order of the audit file:

- ``junk``: fixed when no listed actor has that name any more;
- ``wrong_identity``: fixed when the listed actor of that name, if any, holds none of the
  mentions the note says were wrong ("White House" for the United States, "Helsinki" for
  Finland, a bare "Trump" for Ivanka Trump, ...; `_WRONG` spells them out);
- ``partial_name``: fixed when no listed actor has the partial name and, where the note names
  the full one ("should be Indiana", "full name Andrew Yang"), an actor of the article has it;
- ``missing``: found when a listed actor (``--anywhere``: any actor of the article) has the
  name or an alias, case-insensitive ("Centers for Disease Control and Prevention (CDC)" is
  found as either name);
- ``ok``: still listed, under its name or an alias (``ok_still_listed``): the six are a fixed
  number, so an actor found anew may push a right one out.

Names are compared without case, a leading "The" or a final dot.

Only `app.analysis` is imported, so the same file runs against an older checkout
(``PYTHONPATH=that/checkout``) for the "before" figures.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import pickle
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LISTED = 6

# wrong_identity: the mentions, as the note describes them, that the actor must not hold
# (``text`` is the article, ``start``/``end`` the mention's offsets).
Mention = tuple[str, int, int]
Check = Callable[[str, int, int], bool]
_WRONG: dict[str, Check] = {
    "Finland": lambda text, s, e: text[s:e] == "Helsinki",
    "United States": lambda text, s, e: bool(
        re.match(r"White House|U\.?S\.? Agency for", text[s : e + 25])
    ),
    "D.C.": lambda text, s, e: text[max(0, s - 2) : s] == "C.",
    "Melania Trump": lambda text, s, e: "Melania" not in text[s:e],
    "Ivanka Trump": lambda text, s, e: "Ivanka" not in text[s:e],
    "Donald Trump": lambda text, s, e: bool(re.match(r",? Jr\b", text[e : e + 5])),
    "Pennsylvania": lambda text, s, e: bool(re.match(r" Ave", text[e : e + 5])),
}
_FULL_NAME = re.compile(
    r"(?:canonical for|should be|full name) ?(?P<name>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)"
)


@dataclass(frozen=True, slots=True)
class Actor:
    key: str
    name: str
    aliases: tuple[str, ...]
    salience: float
    mentions: tuple[Mention, ...]
    kind: str = ""

    def names(self) -> set[str]:
        return {_folded(n) for n in (self.name, *self.aliases)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--audit", type=Path, default=Path("../shared/data/train/actor_audit.jsonl")
    )
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/articles/allsides-10k.jsonl.gz")
    )
    parser.add_argument("--cache", type=Path, default=Path("../cache/actors"))
    parser.add_argument("--out", type=Path, help="the report, and every article's actors")
    parser.add_argument("--anywhere", action="store_true", help="missing: any actor, not six")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.audit.open(encoding="utf-8")]
    wanted = {r["source_id"] for r in rows}
    texts: dict[str, str] = {}
    titles: dict[str, str | None] = {}
    with gzip.open(args.data, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item["id"] in wanted:
                texts[item["id"]] = item["text"]
                titles[item["id"]] = item.get("title")
    actors = _actors(texts, args.cache, titles)
    report = _score(rows, texts, actors, anywhere=args.anywhere)
    print(json.dumps(report["summary"], indent=2))
    if args.out:
        listed = {
            sid: [{"name": a.name, "key": a.key, "salience": a.salience} for a in found[:_LISTED]]
            for sid, found in actors.items()
        }
        report["listed"] = listed
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


def _actors(
    texts: dict[str, str], cache: Path, titles: dict[str, str | None] | None = None
) -> dict[str, list[Actor]]:
    """Each article's actors, most salient first (ties by key); ``titles`` are read as the
    worker reads a stored article's title."""
    from app.analysis import layout as layouts
    from app.analysis.actors import ActorResolver
    from app.analysis.analyzer import load_entity_model
    from app.core.config import Settings

    cache.mkdir(parents=True, exist_ok=True)
    # the tagger's output depends on its code (span cleaning) too
    code = Path(layouts.__file__).with_name("entities.py").read_bytes()
    resolver = ActorResolver()
    model: Any = None
    found: dict[str, list[Actor]] = {}
    for sid, text in texts.items():
        sentences = layouts.body_sentences(text, layouts.read_layout(text))
        spans = [(s.start, s.end) for s in sentences]
        digest = hashlib.sha256(repr((text, spans)).encode() + code).hexdigest()[:20]
        path = cache / f"{digest}.pickle"
        if path.exists():
            entities = pickle.loads(path.read_bytes())
        else:
            if model is None:
                model = load_entity_model(Settings())
            entities = model.find([text], [spans])[0]
            path.write_bytes(pickle.dumps(entities))
        resolved = resolver.resolve(text, sentences, entities, (titles or {}).get(sid))
        ordered = sorted(resolved, key=lambda a: (-a.salience, a.key))
        found[sid] = [
            Actor(
                a.key,
                a.name,
                tuple(a.aliases),
                a.salience,
                tuple((m.text, m.start, m.end) for m in a.mentions),
                str(a.kind),
            )
            for a in ordered
        ]
    return found


def _folded(name: str) -> str:
    """Case, surrounding spaces and a leading "The" aside."""
    folded = name.strip().rstrip(".").casefold()
    return folded[4:] if folded.startswith("the ") else folded


def _any_mention(text: str, start: int, end: int) -> bool:
    return True


def _score(
    rows: list[dict[str, Any]],
    texts: dict[str, str],
    actors: dict[str, list[Actor]],
    *,
    anywhere: bool,
) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    fixed: Counter[str] = Counter()
    details: list[dict[str, Any]] = []
    for row in rows:
        verdict, name, sid = row["verdict"], row["actor"], row["source_id"]
        if verdict == "ok" or sid not in actors:
            continue
        everyone = actors[sid]
        listed = everyone[:_LISTED]
        text = texts[sid]
        if verdict == "junk":
            ok = all(a.name.casefold() != name.casefold() for a in listed)
        elif verdict == "wrong_identity":
            wrong = _WRONG.get(name, _any_mention)
            ok = not any(
                a.name == name and any(wrong(text, s, e) for _, s, e in a.mentions) for a in listed
            )
        elif verdict == "partial_name":
            ok = all(a.name.casefold() != name.casefold() for a in listed)
            full = _FULL_NAME.search(row.get("note") or "")
            if ok and full and full.group("name") != name:
                ok = any(_folded(full.group("name")) in a.names() for a in everyone)
        else:
            names = {_folded(n) for n in re.split(r"[()]", name) if n.strip()}
            pool = everyone if anywhere else listed
            ok = any(names & a.names() for a in pool)
        totals[verdict] += 1
        fixed[verdict] += ok
        details.append({"source_id": sid, "verdict": verdict, "actor": name, "fixed": ok})
    errors = ("junk", "wrong_identity", "partial_name")
    summary: dict[str, Any] = {
        verdict: {"fixed": fixed[verdict], "of": totals[verdict]}
        for verdict in (*errors, "missing")
    }
    error_total = sum(totals[v] for v in errors)
    summary["errors_fixed_share"] = round(sum(fixed[v] for v in errors) / error_total, 4)
    summary["missing_found_share"] = round(fixed["missing"] / max(1, totals["missing"]), 4)
    ok_rows = [r for r in rows if r["verdict"] == "ok" and r["source_id"] in actors]
    # an actor the audit found right, still among the six under its name or an alias ("FDA" is
    # now listed as "Food and Drug Administration", its alias)
    kept = sum(
        any(_folded(r["actor"]) in a.names() for a in actors[r["source_id"]][:_LISTED])
        for r in ok_rows
    )
    summary["ok_still_listed"] = {"kept": kept, "of": len(ok_rows)}
    return {"summary": summary, "details": details}


if __name__ == "__main__":
    main()
