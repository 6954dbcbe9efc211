"""A search engine beside the database for ranked full-text search: Tantivy (LENS_SEARCH_INDEX).

The databases' own full-text search finds matches fast but ranks them slowly: to return the best
20 matches of a broad query (one article in six says "health care") PostgreSQL scores every
match, 0.5-1.4 s at a million articles (docs/benchmarks.md), and its RUM extension, which ranks
inside the index, still sorts every match (0.4 s). Tantivy's BM25 top-k over compact posting
lists takes about 10 ms for the same query. So where ``LENS_SEARCH_INDEX`` names a folder, the
relevance order (``sort=relevance``, the default with ``q``) comes from a Tantivy index there;
every other filter is still applied by the database, and other orders use the database's
full-text match as before.

The index is derived data. Articles never change once stored, so it only grows: `sync` adds the
articles with ids above the highest one it holds, and re-checks the last `LOOKBACK_IDS` ids for
ones that committed late (PostgreSQL hands out ids before commit, so id 100 may commit after
101). The worker syncs between batches, at most every `SYNC_SECONDS`, busy or idle;
`lens search-index sync` builds it for an existing database. An article is searchable by
relevance once synced (seconds after it is stored). Tantivy allows one writer per folder: a
process that finds the lock taken leaves the sync to the one holding it.

Scores are BM25 and depend on corpus statistics (as with SQLite's bm25): new articles change
them slightly. Equal scores go highest id first; a page resumes after the previous page's last
article wherever it now ranks, so a traversal neither restarts nor stops when scores move (an
article whose rank crossed that boundary meanwhile may be skipped or seen twice).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import tantivy

log = logging.getLogger(__name__)

TITLE_BOOST = 2.0
LOOKBACK_IDS = 10_000
# The index ranks only while it holds articles and lags the database by at most this many ids
# (a few seconds of ingest between syncs); further behind (never synced, being built, no worker
# running) the database ranks, slower but complete.
MAX_LAG_IDS = 1_000
SYNC_SECONDS = 5.0
RELOAD_SECONDS = 1.0
_BATCH = 2_000
_COMMIT_EVERY = 50_000
_WRITER_HEAP = 200_000_000
_FIELDS = ["title", "text"]
Hit = tuple[float, int]  # (score, article id)
Document = tuple[int, str | None, str]  # (article id, title, text)


class StoredArticles(Protocol):
    """The database's side of a sync (app/repositories/search_documents.py)."""

    def ids_between(self, low: int, high: int) -> Sequence[int]: ...

    def count_above(self, highest: int) -> int: ...

    def after(self, start: int, limit: int) -> Sequence[Document]: ...

    def among(self, ids: Sequence[int]) -> Sequence[Document]: ...

    def end_snapshot(self) -> None:
        """Let go of the read snapshot between batches (no long snapshot over a big build)."""


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=False, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    return builder.build()


def web_query_parts(text: str) -> tuple[list[list[str]], list[str]]:
    """A web-search style query: alternatives (OR) of required terms, and excluded terms.

    Terms are words or "quoted phrases"; ``-term`` excludes; a term with no letter or digit is
    dropped. The FTS5 and Tantivy queries are both built from these parts.
    """
    groups: list[list[str]] = [[]]
    negated: list[str] = []
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', text):
        minus, phrase, word = match.groups()
        if word == "OR":
            groups.append([])
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            minus, word = "-", word[1:]
        term = phrase if phrase is not None else word
        if not re.search(r"\w", term or ""):
            continue
        (negated if minus else groups[-1]).append(term)
    return [group for group in groups if group], negated


class SearchIndex:
    """One Tantivy index folder: `sync` from the database, `ranked` hits for a query."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._reloaded = 0.0
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------

    def searcher(self) -> Any:
        """A searcher over the latest commit (reloaded at most every RELOAD_SECONDS)."""
        with self._lock:
            now = time.monotonic()
            if now - self._reloaded >= RELOAD_SECONDS:
                self.index.reload()
                self._reloaded = now
        return self.index.searcher()

    def covers(self, max_id: int) -> bool:
        """Whether the index is close enough to the database's ``max_id`` to rank its matches:
        it holds an article at most MAX_LAG_IDS below it (the articles of the last seconds may
        be missing; a build under way, or an index never synced, does not qualify)."""
        bound = tantivy.Query.range_query(
            self.schema, "id", tantivy.FieldType.Unsigned, max(max_id - MAX_LAG_IDS, 1), None
        )
        return bool(self.searcher().search(bound, 1, count=False).hits)

    def query(self, text: str, max_id: int | None = None, searcher: Any = None) -> Any:
        """The Tantivy query for a web-search style ``text`` (see `web_query_parts`).

        ``max_id`` keeps the articles stored after a traversal began out of it; pass the
        ``searcher`` the query will run on, so the bound is judged on the same commit.
        """
        alternatives, negated = web_query_parts(text)
        if not alternatives:
            raise ValueError("the query has no words to search for")
        should = [
            (tantivy.Occur.Should, self._all_of([self._term(t) for t in group]))
            for group in alternatives
        ]
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(should))]
        clauses += [(tantivy.Occur.MustNot, self._term(t)) for t in negated]
        if max_id is not None and self._holds_above(max_id, searcher or self.searcher()):
            bound = tantivy.Query.range_query(
                self.schema, "id", tantivy.FieldType.Unsigned, 0, max_id
            )
            # scores nothing: the rank stays the text's alone
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(bound, 0.0)))
        return tantivy.Query.boolean_query(clauses)

    def _holds_above(self, max_id: int, searcher: Any) -> bool:
        # The bound costs a broad query 3-5 ms at a million articles: only when it excludes any.
        above = tantivy.Query.range_query(
            self.schema, "id", tantivy.FieldType.Unsigned, max_id + 1, None
        )
        return bool(searcher.search(above, 1, count=False).hits)

    def _term(self, term: str) -> Any:
        # A quoted phrase of the term's tokens, in the title (boosted) or the text.
        quoted = '"' + re.sub(r'["\\]', " ", term) + '"'
        return self.index.parse_query(quoted, _FIELDS, field_boosts={"title": TITLE_BOOST})

    @staticmethod
    def _all_of(queries: Sequence[Any]) -> Any:
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])

    def ranked(
        self, text: str, max_id: int | None, after: Hit | None = None, first: int = 256
    ) -> Iterator[Hit]:
        """Every match after ``after``, best first: score descending, then id descending.

        A page resumes after its last article wherever that article now ranks: new articles
        change every score a little (BM25 statistics), so the last page's score would no longer
        mark the place. Only if that article no longer matches does its score decide.
        """
        if after is None:
            yield from self._in_order(text, max_id, first)
            return
        hits = self._in_order(text, max_id, first)
        for hit in hits:
            if hit[1] == after[1]:
                yield from hits
                return
        yield from (h for h in self._in_order(text, max_id, first) if _comes_after(h, after))

    def _in_order(self, text: str, max_id: int | None, first: int) -> Iterator[Hit]:
        """Every match, best first. Tantivy returns the top n by score with ties in no useful
        order, so hits are taken in growing top-n windows, and only those scoring above a
        window's lowest score (all of them once the window holds every match) are final: a
        tie group is never cut."""
        searcher = self.searcher()
        query = self.query(text, max_id, searcher)
        position: Hit | None = None
        # A window wider than a page: ties at its edge (duplicates) would otherwise cost more
        # windows, each a new search (3x slower at 21 than at 256 on the benchmark corpus).
        n = max(first, 256)
        while True:
            result = searcher.search(query, limit=n, count=False)
            addresses = [address for _, address in result.hits]
            ids = searcher.fast_field_values("id", addresses)
            hits = sorted(
                ((float(score), int(i)) for (score, _), i in zip(result.hits, ids, strict=True)),
                key=lambda hit: (-hit[0], -hit[1]),
            )
            exhausted = len(hits) < n
            floor = None if exhausted or not hits else hits[-1][0]
            for hit in hits:
                if floor is not None and hit[0] <= floor:
                    break
                if position is None or _comes_after(hit, position):
                    yield hit
                    position = hit
            if exhausted:
                return
            n *= 4

    def __len__(self) -> int:
        return int(self.searcher().num_docs)

    def highest_id(self) -> int:
        """The highest article id in the index (0 when empty)."""
        searcher = self.searcher()
        result = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="id")
        return int(result.hits[0][0]) if result.hits else 0

    def ids_between(self, low: int, high: int) -> set[int]:
        """The article ids in the index within ``[low, high]`` (``low`` >= 0)."""
        if high < low:
            return set()
        searcher = self.searcher()
        query = tantivy.Query.range_query(self.schema, "id", tantivy.FieldType.Unsigned, low, high)
        result = searcher.search(query, high - low + 1, count=False, order_by_field="id")
        return {int(key) for key, _ in result.hits}

    # -- writing ---------------------------------------------------------------------------

    def sync(
        self,
        stored: StoredArticles,
        progress: Callable[[int, int], None] | None = None,
    ) -> int | None:
        """Add the stored articles the index lacks; the number added, None if another process
        holds the writer. ``progress(done, total)`` is called after each batch."""
        try:
            writer = self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        except ValueError as error:  # LockBusy: another process writes this index
            log.debug("search index %s is locked (%s): not syncing", self.path, error)
            return None
        try:
            added = self._add_missing(writer, stored, progress)
            if added:
                writer.commit()
                writer.wait_merging_threads()
            return added
        except BaseException:
            writer.rollback()
            raise
        finally:
            del writer
            with self._lock:
                self._reloaded = 0.0  # the next search sees the new commit

    def _add_missing(
        self,
        writer: Any,
        stored: StoredArticles,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        highest = self.highest_id()
        low = max(highest - LOOKBACK_IDS + 1, 1)
        recent = stored.ids_between(low, highest)
        late = sorted(set(recent) - self.ids_between(low, highest))
        total = len(late) + stored.count_above(highest)
        added = self._add(writer, stored, late, progress, total, 0)
        start = highest
        uncommitted = added
        while True:
            rows = stored.after(start, _BATCH)
            if not rows:
                return added
            for article_id, title, body in rows:
                writer.add_document(_document(article_id, title, body))
            added += len(rows)
            uncommitted += len(rows)
            start = rows[-1][0]
            if uncommitted >= _COMMIT_EVERY:
                writer.commit()  # bounded memory, and a crash keeps what was built
                uncommitted = 0
            if progress is not None:
                progress(added, total)
            stored.end_snapshot()

    def _add(
        self,
        writer: Any,
        stored: StoredArticles,
        ids: Sequence[int],
        progress: Callable[[int, int], None] | None,
        total: int,
        done: int,
    ) -> int:
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            for article_id, title, body in stored.among(chunk):
                writer.add_document(_document(article_id, title, body))
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        if ids:
            log.info("search index: added %d articles that were committed late", len(ids))
        return len(ids)


def _document(article_id: int, title: str | None, body: str) -> Any:
    document = tantivy.Document()
    document.add_unsigned("id", article_id)
    document.add_text("title", title or "")
    document.add_text("text", body)
    return document


def _comes_after(hit: Hit, position: Hit) -> bool:
    return hit[0] < position[0] or (hit[0] == position[0] and hit[1] < position[1])


@lru_cache(maxsize=4)
def open_index(path: Path) -> SearchIndex:
    """The process's one `SearchIndex` for ``path`` (readers reload; the writer is per sync)."""
    return SearchIndex(path)
