"""`lens import`: formats, mapping, rejects and exit codes, the AllSides dump, and --api."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.tools import cli
from app.main import create_app
from app.models import Article, ArticleAuthor, Outlet
from app.services import importer
from tests.conftest import count_articles, make_settings

runner = CliRunner()
ALLSIDES = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "articles" / "allsides-10k.jsonl.gz"
)


def test_csv_with_mapping_rejects_file_and_exit_code_3(
    tmp_path: Path, lens_env: str, session_factory: sessionmaker[Session]
) -> None:
    dump = tmp_path / "dump.csv"
    dump.write_text(
        "headline,body,source,date,writers\n"
        "First,Moscow met Beijing.,China Daily,2021-03-22,Ann Lee\n"
        "Second,,China Daily,2021-03-23,\n"
        "Third,India and NATO.,Daily,someday,Bo Chen and Cy Dee\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.jsonl"
    args = [
        "import",
        str(dump),
        "--map",
        "title=headline,text=body",
        "--map",
        "outlet=source,published=date,authors=writers",
        "--rejects",
        str(rejects),
        "--no-migrate",
    ]

    result = runner.invoke(cli, args)

    assert result.exit_code == 3, result.output
    assert "3 rows read" in result.output
    assert "2 stored, 0 already there, 1 rejected" in result.output
    assert "line 3: text: Field required" in result.output
    assert "line 4: published 'someday' is not a full date: kept as unknown" in result.output
    assert [json.loads(line) for line in rejects.read_text().splitlines()] == [
        {"where": "line 3", "line": 3, "id": None, "reasons": ["text: Field required"]}
    ]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ArticleAuthor)) == 3

    again = runner.invoke(cli, args)

    assert again.exit_code == 3
    assert "0 stored, 2 already there, 1 rejected" in again.output
    assert count_articles(session_factory) == 2


def test_txt_folder_with_constants_exits_0(
    tmp_path: Path, lens_env: str, session_factory: sessionmaker[Session]
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Title {i}\n\nBody {i} about Moscow.\n")

    result = runner.invoke(
        cli,
        [
            "import",
            str(folder),
            "--set",
            "outlet=China Daily",
            "--set",
            "genre=opinion",
            "--no-migrate",
        ],
    )

    assert result.exit_code == 0, result.output
    with session_factory() as session:
        articles = session.scalars(select(Article).order_by(Article.title)).all()
        assert [a.title for a in articles] == ["Title 0", "Title 1", "Title 2"]
        assert articles[0].text == "Body 0 about Moscow.\n"
        assert {a.genre.value for a in articles} == {"opinion"}
        assert session.scalar(select(Outlet.name)) == "China Daily"


def test_json_array_and_map_file(
    tmp_path: Path, lens_env: str, session_factory: sessionmaker[Session]
) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps([{"body": "One."}, {"body": "Two.", "source": "Daily"}]))
    mapping = tmp_path / "map.json"
    mapping.write_text('{"text": "body", "outlet": "source"}')

    result = runner.invoke(cli, ["import", str(dump), "--map-file", str(mapping), "--no-migrate"])

    assert result.exit_code == 0, result.output
    assert count_articles(session_factory) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--map", "source=outlet"],  # not an article field
        ["--format", "xml"],
        ["--set", "outlet"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, lens_env: str, args: list[str]) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"text": "One."}\n')

    result = runner.invoke(cli, ["import", str(dump), "--no-migrate", *args])

    assert result.exit_code == 2


def test_missing_file_is_a_usage_error(tmp_path: Path, lens_env: str) -> None:
    assert runner.invoke(cli, ["import", str(tmp_path / "absent.jsonl")]).exit_code == 2


@pytest.mark.shared_data
def test_allsides_dump_loads_as_it_is(
    tmp_path: Path, lens_env: str, session_factory: sessionmaker[Session]
) -> None:
    """A slice of the real dump with every kind of messy row: M/D/YY dates, no date, no author,
    several authors in one string."""
    if not ALLSIDES.is_file():
        pytest.skip("../shared/data is absent")
    picked, several = [], 0
    with gzip.open(ALLSIDES, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            row = json.loads(line)
            bylines = ", " in (row["authors"] or "") and several < 50
            if number < 100 or "/" in (row["published"] or "") or bylines:
                picked.append(row)
                several += bylines
    sample = tmp_path / "allsides-sample.jsonl.gz"
    with gzip.open(sample, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in picked)

    result = runner.invoke(cli, ["import", str(sample), "--no-migrate"])

    assert result.exit_code == 0, result.output
    assert f"{len(picked)} stored, 0 already there, 0 rejected" in result.output
    with session_factory() as session:
        by_url = {a.url: a for a in session.scalars(select(Article))}
        for row in picked:
            article = by_url[row["url"]]
            assert article.text == row["text"]
            if row["published"] is None:
                assert article.published is None
            else:
                assert article.published is not None
            if row["authors"] is None:
                # none given; a byline at the top of the text ("Karin Kirk") may name them
                sources = article.field_sources or {}
                assert article.author_names == [] or sources["authors"] == "extracted"
        slashed = next(r for r in picked if r["published"] == "4/4/17")
        assert by_url[slashed["url"]].published.date().isoformat() == "2017-04-04"  # type: ignore[union-attr]
        several = next(r for r in picked if r["authors"] == "Alan Fram, Lisa Mascaro")
        assert by_url[several["url"]].author_names == ["Alan Fram", "Lisa Mascaro"]


@pytest.fixture
def live_server(database_url: str, session_factory: sessionmaker[Session]) -> Iterator[str]:
    """The API served by uvicorn on a free 127.0.0.1 port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(make_settings(database_url)), host="127.0.0.1", port=port, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_import_through_a_live_server(
    tmp_path: Path, live_server: str, session_factory: sessionmaker[Session]
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        "".join(json.dumps({"text": f"Article {i}.", "outlet": "Daily"}) + "\n" for i in range(5))
    )

    result = runner.invoke(
        cli, ["import", str(dump), "--api", live_server, "--key", "k", "--batch-size", "2"]
    )

    assert result.exit_code == 0, result.output
    assert "5 stored" in result.output
    assert count_articles(session_factory) == 5


def test_unreachable_server_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "_API_RETRIES", 0)  # retrying is tested with the sink
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"text": "One."}\n')

    result = runner.invoke(cli, ["import", str(dump), "--api", f"http://127.0.0.1:{port}"])

    assert result.exit_code == 1


PAGE = (
    "<html><head><title>Storm hits the coast | The Daily Example</title>"
    '<meta property="og:site_name" content="The Daily Example">'
    '<meta name="author" content="Jane Doe"></head><body><article><p>A storm hit the coast on '
    "Monday, cutting power to thousands of homes and closing the main road north.</p>"
    "</article></body></html>"
)


def test_saved_pages_are_extracted_from_a_folder_and_from_json_lines(
    tmp_path: Path, lens_env: str, session_factory: sessionmaker[Session]
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "storm.html").write_text(PAGE, encoding="utf-8")
    (pages / "menu.htm").write_text("<html><body><nav>Home</nav></body></html>", "utf-8")
    (pages / "note.txt").write_text("A note\n\nMoscow met Beijing.\n", encoding="utf-8")
    dump = tmp_path / "dump.jsonl"
    other = PAGE.replace("Storm hits", "Floods follow").replace("A storm hit", "Floods hit")
    dump.write_text(json.dumps({"html": other, "url": "https://example.com/f"}) + "\n", "utf-8")

    from_folder = runner.invoke(cli, ["import", str(pages), "--no-migrate"])
    from_lines = runner.invoke(cli, ["import", str(dump), "--no-migrate"])
    again = runner.invoke(cli, ["import", str(pages), "--no-migrate"])

    assert from_folder.exit_code == 3, from_folder.output
    assert "2 stored, 0 already there, 1 rejected" in from_folder.output
    assert "menu.htm: html: no article text was found in the page" in from_folder.output
    assert from_lines.exit_code == 0, from_lines.output
    assert "0 stored, 2 already there, 1 rejected" in again.output
    with session_factory() as session:
        titles = dict(session.execute(select(Article.title, Article.text)).all())
    assert sorted(titles) == ["A note", "Floods follow the coast", "Storm hits the coast"]
    assert titles["Storm hits the coast"].startswith("A storm hit the coast on Monday")
