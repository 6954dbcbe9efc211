"""Inter-annotator agreement between two passes of quotation labels.

Reads data/labels/quotes/labels_pass1.jsonl and labels_pass2.jsonl, joins them on
(article, q) and prints: n; agreement on not_speech; agreement on speaker
(case-insensitive exact match of the name, null counted as a value) overall and by
pass-1 `how`; Cohen's kappa on not_speech; and, for targets present in both passes
with the same actor name (case-insensitive), agreement and Cohen's kappa of the stance.

Usage: python scripts/data/quotes_agreement.py [--dir data/labels/quotes]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections import defaultdict
from pathlib import Path


def load(path: Path) -> dict[tuple[int, str], dict]:
    rows: dict[tuple[int, str], dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        key = (int(r["article"]), str(r["q"]))
        if key in rows:
            raise SystemExit(f"duplicate label {key} in {path}")
        rows[key] = r
    return rows


def norm(name: str | None) -> str | None:
    return None if name is None else " ".join(name.split()).casefold()


def cohen_kappa(a: list, b: list) -> float | None:
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if pe == 1:
        return None
    return (po - pe) / (1 - pe)


def fmt_rate(k: int, n: int) -> str:
    return f"{k}/{n} = {k / n:.3f}" if n else "0/0 = n/a"


def fmt_kappa(k: float | None) -> str:
    return "n/a (no variation)" if k is None else f"{k:.3f}"


def misaligned_spans(marked: Path) -> set[tuple[int, str]]:
    """Marked spans whose quotation marks enclose narrative text, not a quotation
    (the opening [Qn] sits after a closing quotation mark), e.g. `"lock[Q1]" on the`."""
    bad: set[tuple[int, str]] = set()
    if not marked.exists():
        return bad
    text = marked.read_text(encoding="utf-8")
    for block in re.split(r"^## ARTICLE ", text, flags=re.M)[1:]:
        art = int(block.split()[0])
        for m in re.finditer(r"\S\[(Q\d+)\][\"“”] ", block):
            bad.add((art, m.group(1)))
    return bad


def report(keys: list, p1: dict, p2: dict) -> list[str]:
    out: list[str] = []
    n = len(keys)
    out.append(f"n (joined quotations): {n}")
    ns1 = [bool(p1[k]["not_speech"]) for k in keys]
    ns2 = [bool(p2[k]["not_speech"]) for k in keys]
    agree_ns = sum(x == y for x, y in zip(ns1, ns2, strict=True))
    out.append(f"not_speech agreement: {fmt_rate(agree_ns, n)}")
    out.append(
        f"not_speech true: pass1 {sum(ns1)}, pass2 {sum(ns2)}; "
        f"Cohen's kappa: {fmt_kappa(cohen_kappa(ns1, ns2))}"
    )

    sp_ok = {k: norm(p1[k]["speaker"]) == norm(p2[k]["speaker"]) for k in keys}
    out.append(f"speaker agreement (overall): {fmt_rate(sum(sp_ok.values()), n)}")
    by_how: dict[str, list[bool]] = defaultdict(list)
    for k in keys:
        by_how[str(p1[k].get("how"))].append(sp_ok[k])
    out.append("speaker agreement by pass-1 how:")
    for how in sorted(by_how, key=lambda h: (-len(by_how[h]), h)):
        v = by_how[how]
        out.append(f"  {how:<9} {fmt_rate(sum(v), len(v))}")

    s1: list[str] = []
    s2: list[str] = []
    t1_total = t2_total = 0
    for k in keys:
        t1 = {norm(t["actor"]): t["stance"] for t in p1[k].get("targets") or []}
        t2 = {norm(t["actor"]): t["stance"] for t in p2[k].get("targets") or []}
        t1_total += len(t1)
        t2_total += len(t2)
        for actor in sorted(set(t1) & set(t2)):
            s1.append(t1[actor])
            s2.append(t2[actor])
    m = len(s1)
    out.append(f"targets: pass1 {t1_total}, pass2 {t2_total}, same actor name in both passes {m}")
    same = sum(x == y for x, y in zip(s1, s2, strict=True))
    out.append(f"stance agreement on shared targets: {fmt_rate(same, m)}")
    out.append(f"stance Cohen's kappa on shared targets: {fmt_kappa(cohen_kappa(s1, s2))}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="data/labels/quotes", type=Path)
    args = ap.parse_args()
    p1 = load(args.dir / "labels_pass1.jsonl")
    p2 = load(args.dir / "labels_pass2.jsonl")
    keys = sorted(set(p1) & set(p2))
    only2 = sorted(set(p2) - set(p1))
    print(f"pass1 labels: {len(p1)}; pass2 labels: {len(p2)}; joined: {len(keys)}")
    if only2:
        print(f"pass2 labels without a pass1 label: {only2}")
    print()
    print("\n".join(report(keys, p1, p2)))

    bad = misaligned_spans(args.dir / "marked.txt") & set(keys)
    if bad:
        print()
        print(
            f"Excluding {len(bad)} misaligned marked spans "
            f"({', '.join(f'{a}:{q}' for a, q in sorted(bad))}):"
        )
        print("\n".join(report([k for k in keys if k not in bad], p1, p2)))


if __name__ == "__main__":
    main()
