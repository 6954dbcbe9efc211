"""Agreement between two passes of the second actor audit (issue 27).

Compares a second labeller's verdicts (``pass2/audit.jsonl``) with the first pass
(``audit.jsonl``) on the articles the second pass covers: verdict agreement on the
listed actors (raw and Cohen's kappa), ok-vs-not-ok agreement, the share of ok by each
pass, and the overlap of the ``missing`` actors (names compared case-insensitively,
Jaccard per article, averaged). Stdlib only.

    python3 scripts/data/actor_audit_agreement.py            # text report
    python3 scripts/data/actor_audit_agreement.py --json out.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections import defaultdict
from pathlib import Path

DIR = Path("data/labels/actor_audit2")


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def listed(rows: list[dict], ids: set[str]) -> dict[tuple, dict]:
    """Listed-actor rows keyed by (source_id, actor, kind, n-th of that key)."""
    seen: Counter = Counter()
    out = {}
    for r in rows:
        if r["source_id"] not in ids or r["verdict"] == "missing":
            continue
        key = (r["source_id"], r["actor"], r.get("kind"))
        out[(*key, seen[key])] = r
        seen[key] += 1
    return out


def missing(rows: list[dict], ids: set[str], same: dict[str, str]) -> dict[str, set[str]]:
    """Missing actors per article, names casefolded (and mapped by ``same``)."""
    out: dict[str, set[str]] = {i: set() for i in ids}
    for r in rows:
        if r["source_id"] in ids and r["verdict"] == "missing":
            name = r["actor"].strip().casefold()
            out[r["source_id"]].add(same.get(name, name))
    return out


def kappa(a: list[str], b: list[str]) -> tuple[float, float]:
    """Raw agreement and Cohen's kappa of two parallel label lists."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pass1", type=Path, default=DIR / "audit.jsonl")
    ap.add_argument("--pass2", type=Path, default=DIR / "pass2" / "audit.jsonl")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument(
        "--same",
        action="append",
        default=[],
        metavar="A=B",
        help="treat missing-actor name A as B (a hand-judged same actor); repeatable",
    )
    args = ap.parse_args()

    p1, p2 = load(args.pass1), load(args.pass2)
    ids = {r["source_id"] for r in p2}
    l1, l2 = listed(p1, ids), listed(p2, ids)
    keys = [k for k in l2 if k in l1]
    v1 = [l1[k]["verdict"] for k in keys]
    v2 = [l2[k]["verdict"] for k in keys]
    raw, kap = kappa(v1, v2)
    ok1 = ["ok" if v == "ok" else "not_ok" for v in v1]
    ok2 = ["ok" if v == "ok" else "not_ok" for v in v2]
    raw_ok, kap_ok = kappa(ok1, ok2)

    same = dict(x.casefold().split("=", 1) for x in args.same)
    m1, m2 = missing(p1, ids, same), missing(p2, ids, same)
    jac = []
    for i in sorted(ids):
        union = m1[i] | m2[i]
        jac.append(len(m1[i] & m2[i]) / len(union) if union else 1.0)
    both = sum(len(m1[i] & m2[i]) for i in ids)

    confusion: dict[str, Counter] = defaultdict(Counter)
    for a, b in zip(v1, v2, strict=True):
        confusion[a][b] += 1
    figures = {
        "articles": len(ids),
        "listed_matched": len(keys),
        "listed_only_pass1": len([k for k in l1 if k not in l2]),
        "listed_only_pass2": len([k for k in l2 if k not in l1]),
        "verdict_agreement": round(raw, 4),
        "verdict_kappa": round(kap, 4),
        "ok_agreement": round(raw_ok, 4),
        "ok_kappa": round(kap_ok, 4),
        "ok_share_pass1": round(ok1.count("ok") / len(keys), 4),
        "ok_share_pass2": round(ok2.count("ok") / len(keys), 4),
        "verdicts_pass1": dict(Counter(v1)),
        "verdicts_pass2": dict(Counter(v2)),
        "confusion_pass1_by_pass2": {a: dict(c) for a, c in confusion.items()},
        "missing_pass1": sum(len(s) for s in m1.values()),
        "missing_pass2": sum(len(s) for s in m2.values()),
        "missing_both": both,
        "missing_jaccard_mean": round(sum(jac) / len(jac), 4),
        "missing_jaccard_mean_nonempty": round(
            sum(j for i, j in zip(sorted(ids), jac, strict=True) if m1[i] | m2[i])
            / max(1, sum(bool(m1[i] | m2[i]) for i in ids)),
            4,
        ),
        "articles_no_missing_either": sum(not (m1[i] | m2[i]) for i in ids),
        "same_name_pairs": same,
    }
    print(json.dumps(figures, indent=2))
    print("\n# listed-actor disagreements (actor | pass 1 | pass 2)")
    for k in keys:
        if l1[k]["verdict"] != l2[k]["verdict"]:
            a, b = l1[k], l2[k]
            print(
                f"{k[0]} | {k[1]} [{k[2]}] | {a['verdict']}: {a.get('note') or ''} "
                f"| {b['verdict']}: {b.get('note') or ''}"
            )
    print("\n# missing actors named by one pass only (article | pass 1 only | pass 2 only)")
    for i in sorted(ids):
        if m1[i] != m2[i]:
            only1, only2 = sorted(m1[i] - m2[i]), sorted(m2[i] - m1[i])
            print(f"{i} | {'; '.join(only1) or '-'} | {'; '.join(only2) or '-'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
