"""Extraction from saved pages against expected metadata: the match rate of each field.

    .venv/bin/python scripts/eval/eval_html_pages.py --pages ../shared/data/html

Each ``NAME.html`` is compared with ``metadata/NAME.json`` (title, authors, publish_date, text):
title and author list exactly, the date by its day, the text by the share of the expected
text's words found in order (difflib); the time per page is the extraction's alone.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.services.html_extract import extract  # noqa: E402
from app.services.html_extract import extractor_version  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True)
    args = parser.parse_args()
    extract("<html><body><p>warm up the imports</p></body></html>")
    totals = {"title": 0, "authors": 0, "date": 0}
    pages = sorted(args.pages.glob("*.html"))
    print(f"extractor: {extractor_version()}")
    print("| page | KiB | ms | title | authors | date | text recall |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in pages:
        expected = json.loads((args.pages / "metadata" / f"{path.stem}.json").read_text())
        html = path.read_bytes().decode("utf-8", errors="replace")
        started = time.perf_counter()
        found = extract(html)
        ms = (time.perf_counter() - started) * 1000
        same = {
            "title": found.title == expected["title"],
            "authors": list(found.authors) == expected["authors"],
            "date": str(found.published)[:10] == expected["publish_date"][:10],
        }
        for key, ok in same.items():
            totals[key] += ok
        words, got = expected["text"].split(), found.text.split()
        matcher = difflib.SequenceMatcher(None, words, got, autojunk=False)
        recall = sum(b.size for b in matcher.get_matching_blocks()) / max(len(words), 1)
        marks = " | ".join("yes" if same[k] else "no" for k in ("title", "authors", "date"))
        print(f"| {path.stem} | {len(html) // 1024} | {ms:.0f} | {marks} | {recall:.3f} |")
        for key, ok in same.items():
            if not ok:
                print(f"    {key}: got {getattr(found, key, found.published)!r}", file=sys.stderr)
    n = len(pages)
    print(
        "match rate: "
        + ", ".join(f"{key} {count}/{n} ({count / n:.0%})" for key, count in totals.items())
    )


if __name__ == "__main__":
    main()
