"""How long the API takes to shape stored articles, out of the database and the network.

    .venv/bin/python scripts/bench/bench_views.py --database-url sqlite:////tmp/bench/real30.db

Loads every article of the database (at most --articles) with its annotations, as the article
view and the export do, then times, in this process, building the full article view
(`ArticleDetail.of`, the body of GET /v1/articles/{id}) and an export row for each, --rounds
times; prints the median and best time per article. Made to compare two versions of the code
on one database (run it from each checkout): the shaping is pure Python over loaded rows, so
it shows what a refactoring of the views costs, which the HTTP benchmarks blur.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from app.core.db import create_db_engine
from app.core.db import create_session_factory
from app.models import Article
from app.repositories import dataset
from app.schemas.article import ArticleDetail
from app.services import export_files
from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    factory = create_session_factory(create_db_engine(args.database_url))
    with factory() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id).limit(args.articles)))
        if not ids:
            raise SystemExit("no articles in that database")

        def timed(shape: Callable[[Article], Any]) -> list[float]:
            per_article = []
            for _ in range(args.rounds):
                session.expunge_all()
                articles = dataset.load(session, ids)
                started = time.perf_counter()
                for article in articles:
                    shape(article)
                per_article.append((time.perf_counter() - started) * 1000 / len(ids))
            return per_article

        summary = export_files.ExportSummary()
        for name, shape in (
            ("article view (ArticleDetail.of)", ArticleDetail.of),
            ("export row", lambda a: export_files._row(a, True, summary)),
        ):
            times = timed(shape)
            print(
                f"{name:34} {len(ids)} articles x {args.rounds}: "
                f"median {statistics.median(times):.3f} ms, best {min(times):.3f} ms per article"
            )


if __name__ == "__main__":
    main()
