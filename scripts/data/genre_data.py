"""The AllSides genre labels and the sentence-vector cache behind scripts/train/train_genre.py.

Labels come from where an outlet files an article, never from its text: a URL path with an
opinion section (``/opinion/``, ``/commentary/``, ``/op-ed/``, ``/editorial/``, ``/columnists/``,
Bloomberg's ``/view/``, The Atlantic's ``/ideas/``) or an AllSides outlet name that says so
("New York Times - Opinion", "Guest Writer - Left") is opinion. An article is news when its
site files opinion under such a path elsewhere in the corpus (so the site separates the two)
and this one is under none of them, nor titled "OPINION: ..." (AllSides' own mark). Blogs,
"analysis", "voices" and sites that never separate opinion are left unlabelled, not guessed.
Groups for the dev split are the site's registered domain, so one outlet's desks (cnn.com news
and opinion) stay on one side.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

OPINION_PATH = re.compile(
    r"/(?:opinions?|commentary|op-?eds?|editorials?|columns?|columnists?|view|ideas)(?:/|-|_|$)",
    re.IGNORECASE,
)
UNSURE_PATH = re.compile(
    r"/(?:blogs?|analysis|voices|views|perspectives?|contributors?|letters)(?:/|-|_|$)|"
    r"^https?://[^/]*\bblogs?\.",
    re.IGNORECASE,
)
OPINION_OUTLET = re.compile(r"opinion|editorial|guest writer", re.IGNORECASE)
# AllSides marks the opinion pieces it lists from news sites with "OPINION:" before the title.
OPINION_TITLE = re.compile(r"^\s*opinion\s*:", re.IGNORECASE)
# Sentences per article the head reads (the analyzer reads the same number, app/analysis/genre.py)
SENTENCES = 16


def domain(url: str) -> str:
    """The registered domain, roughly: the last two labels of the host (three for co.uk etc.)."""
    host = urlparse(url).netloc.lower().split(":")[0]
    parts = host.split(".")
    keep = 3 if len(parts) >= 3 and parts[-2] in {"co", "com", "org", "net", "ac"} else 2
    return ".".join(parts[-keep:])


def load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def label(rows: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], str, str]]:
    """(row, "opinion" | "news", group) for the rows the rules above can label."""
    rows = list(rows)
    marked: list[str | None] = []
    separating: set[str] = set()
    for row in rows:
        url = row.get("url") or ""
        path = url + "/"
        opinion_path = OPINION_PATH.search(urlparse(path).path)
        if (
            opinion_path
            or OPINION_OUTLET.search(row["outlet"])
            or OPINION_TITLE.match(row.get("title") or "")
        ):
            marked.append("opinion")
            if opinion_path:
                separating.add(domain(url))
        elif UNSURE_PATH.search(url):
            marked.append(None)
        else:
            marked.append("news?")
    out = []
    for row, mark in zip(rows, marked, strict=True):
        group = domain(row.get("url") or "") or row["outlet"]
        if mark == "opinion":
            out.append((row, "opinion", group))
        elif mark == "news?" and group in separating:
            out.append((row, "news", group))
    return out


def sentence_key(sentence: str) -> str:
    return hashlib.sha256(sentence.encode()).hexdigest()[:20]


class SentenceCache:
    """Sentence vectors (float16) by text hash in one .npz file, so encoding happens once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                vectors = data["vectors"]
                for i, key in enumerate(data["keys"]):
                    self.known[str(key)] = vectors[i]

    def fill(self, sentences: list[str], embed: Callable[[list[str]], np.ndarray]) -> None:
        todo = sorted({s for s in sentences if sentence_key(s) not in self.known})
        started = time.time()
        for n, at in enumerate(range(0, len(todo), 512)):
            chunk = todo[at : at + 512]
            for sentence, vector in zip(chunk, embed(chunk), strict=True):
                self.known[sentence_key(sentence)] = vector.astype(np.float16)
            done = at + len(chunk)
            print(f"  encoded {done}/{len(todo)} sentences ({time.time() - started:.0f} s)")
            if n % 10 == 9 or done == len(todo):
                self.save()

    def vectors(self, sentences: list[str]) -> np.ndarray:
        return np.stack([self.known[sentence_key(s)].astype(np.float32) for s in sentences])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.known)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.known[k] for k in keys]))
        tmp.replace(self.path)
