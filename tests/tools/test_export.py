"""`lens export`: NDJSON, CSV and Parquet with a manifest that allows reproducing the file."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.runs import cli
from app.core.config import Settings
from app.schemas.ingest import ArticleIn
from app.services import ingest
from tests.fakes import FakeAnalyzer
from tests.tools.analyzers import fake_v1

runner = CliRunner()


def export(out: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["export", str(out), *args])
    assert result.exit_code == 0, result.output
    manifest: dict[str, Any] = json.loads(out.with_name(out.name + ".manifest.json").read_text())
    return manifest


def test_ndjson_with_manifest(
    tmp_path: Path,
    lens_env: str,
    settings: Settings,
    analysed: Callable[[FakeAnalyzer], None],
) -> None:
    analysed(fake_v1(settings))
    out = tmp_path / "all.ndjson"

    manifest = export(out)

    rows = [json.loads(line) for line in out.read_text().splitlines()]
    # oldest first, undated last
    assert [r["outlet"] for r in rows] == ["China Daily", "Daily", "Global Times"]
    first = rows[0]
    assert first["published"] == "2021-03-22"
    assert first["published_time_known"] is False
    assert first["text"] == "Russia praised NATO as a partner."
    assert first["sentiment_label"] == "positive"
    assert set(first["sentiment_probabilities"]) == {"negative", "neutral", "positive"}
    assert [t["code"] for t in first["topics"]] == ["politics", "world"]
    assert {a["key"]: a["mentions"] for a in first["actors"]} == {"country:RUS": 1, "org:nato": 1}
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["counts"] == {"articles": 3, "by_status": {"done": 3}}
    [run] = manifest["analysis_runs"]
    assert (run["models"], run["articles"]) == ({"fake": "fake-analyzer@1"}, 3)
    assert run["id"] == first["analysis_run_id"]
    assert manifest["filters"]["status"] == ["done"]
    assert manifest["schema_revision"] is not None


def test_filters_and_csv(
    tmp_path: Path,
    lens_env: str,
    settings: Settings,
    analysed: Callable[[FakeAnalyzer], None],
) -> None:
    analysed(fake_v1(settings))

    nato = export(tmp_path / "nato.csv", "--actor", "NATO", "--no-text")
    dated = export(tmp_path / "march.csv", "--from", "2021-03-01", "--to", "2021-03-22")
    daily = export(tmp_path / "daily.csv", "--outlet", "daily")
    none = export(tmp_path / "none.csv", "--to", "2020-12-31")

    with (tmp_path / "nato.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["outlet"] for r in rows] == ["China Daily", "Global Times"]
    assert "text" not in rows[0]
    assert json.loads(rows[1]["actors"])[0]["key"] in {"country:IND", "org:nato"}
    assert nato["filters"]["actor"] == ["NATO"]
    assert dated["counts"]["articles"] == 2
    assert daily["counts"]["articles"] == 1
    assert none["counts"]["articles"] == 0
    assert (tmp_path / "none.csv").read_text().startswith("id,url,title")


def test_parquet(
    tmp_path: Path,
    lens_env: str,
    settings: Settings,
    analysed: Callable[[FakeAnalyzer], None],
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    analysed(fake_v1(settings))
    out = tmp_path / "all.parquet"

    manifest = export(out, "--status", "done", "--status", "pending")

    table = pq.read_table(out)
    assert table.num_rows == manifest["counts"]["articles"] == 3
    rows = table.to_pylist()
    assert rows[0]["published"].isoformat() == "2021-03-22T00:00:00+00:00"
    assert rows[2]["published"] is None
    assert dict(rows[0]["sentiment_probabilities"])["positive"] == pytest.approx(0.7)
    assert rows[0]["actors"][0]["key"] in {"country:RUS", "org:nato"}


def test_max_id_reproduces_an_export(
    tmp_path: Path,
    lens_env: str,
    settings: Settings,
    session_factory: sessionmaker[Session],
    analysed: Callable[[FakeAnalyzer], None],
) -> None:
    analysed(fake_v1(settings))
    first = export(tmp_path / "first.ndjson")
    with session_factory() as session, session.begin():
        ingest.ingest_one(session, settings, ArticleIn(text="NATO again.", outlet="Daily"))
    analysed(fake_v1(settings))

    again = export(tmp_path / "again.ndjson", "--max-id", str(first["max_article_id"]))

    assert again["sha256"] == first["sha256"]
    assert export(tmp_path / "now.ndjson")["counts"]["articles"] == 4


@pytest.mark.parametrize(
    "args", [["out.xml"], ["out.csv", "--actor", "Atlantis"], ["out.csv", "--status", "gone"]]
)
def test_usage_errors_exit_2(tmp_path: Path, lens_env: str, args: list[str]) -> None:
    result = runner.invoke(cli, ["export", str(tmp_path / args[0]), *args[1:]])

    assert result.exit_code == 2


def test_quotations_are_exported_with_speaker_and_targets(
    tmp_path: Path,
    lens_env: str,
    settings: Settings,
    session_factory: sessionmaker[Session],
    analysed: Callable[[FakeAnalyzer], None],
) -> None:
    text = 'Sergei Lavrov said: "NATO is a threat to Russia." Nobody answered.'
    with session_factory() as session, session.begin():
        ingest.ingest_many(session, settings, [ArticleIn(text=text, outlet="Quoting Times")])
    analysed(fake_v1(settings))
    out = tmp_path / "all.ndjson"
    export(out, "--outlet", "Quoting Times")

    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    [quotation] = row["quotations"]
    assert text[quotation["start"] : quotation["end"]] == "NATO is a threat to Russia."
    assert (quotation["speaker_key"], quotation["speaker"]) == (
        "person:sergei lavrov",
        "Sergei Lavrov",
    )
    assert quotation["cue"] == "said"
    assert {t["key"] for t in quotation["targets"]} == {"org:nato", "country:RUS"}
    assert all(t["label"] in {"negative", "neutral", "positive"} for t in quotation["targets"])

    csv_out = tmp_path / "all.csv"
    export(csv_out, "--outlet", "Quoting Times")
    with csv_out.open(newline="") as handle:
        [cells] = list(csv.DictReader(handle))
    assert json.loads(cells["quotations"]) == row["quotations"]
    pq = pytest.importorskip("pyarrow.parquet")
    parquet_out = tmp_path / "all.parquet"
    export(parquet_out, "--outlet", "Quoting Times")
    [stored] = pq.read_table(parquet_out).to_pylist()
    assert stored["quotations"][0]["speaker_key"] == "person:sergei lavrov"
    assert {t["key"] for t in stored["quotations"][0]["targets"]} == {"org:nato", "country:RUS"}
