"""Parquet output of `lens export` (needs pyarrow: the `parquet` extra).

Typed columns: timestamps in UTC, lists of structs for topics, actors and quotations, so the
file loads into pandas, polars or DuckDB without parsing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_UTC = pa.timestamp("us", tz="UTC")
_FIELDS = [
    ("id", pa.int64()),
    ("url", pa.string()),
    ("title", pa.string()),
    ("outlet", pa.string()),
    ("authors", pa.list_(pa.string())),
    ("published", _UTC),
    ("published_time_known", pa.bool_()),
    ("language", pa.string()),
    ("genre", pa.string()),
    ("status", pa.string()),
    ("analysis_run_id", pa.int64()),
    ("analyzed_at", _UTC),
    ("sentiment_label", pa.string()),
    ("sentiment_score", pa.float64()),
    ("sentiment_probabilities", pa.map_(pa.string(), pa.float64())),
    (
        "topics",
        pa.list_(
            pa.struct([("code", pa.string()), ("label", pa.string()), ("score", pa.float64())])
        ),
    ),
    (
        "subtopics",
        pa.list_(
            pa.struct(
                [
                    ("code", pa.string()),
                    ("label", pa.string()),
                    ("score", pa.float64()),
                    ("parent", pa.string()),
                ]
            )
        ),
    ),
    (
        "actors",
        pa.list_(
            pa.struct(
                [
                    ("key", pa.string()),
                    ("name", pa.string()),
                    ("kind", pa.string()),
                    ("mentions", pa.int64()),
                    ("salience", pa.float64()),
                    ("sentiment_label", pa.string()),
                    ("sentiment_score", pa.float64()),
                ]
            )
        ),
    ),
    (
        "quotations",
        pa.list_(
            pa.struct(
                [
                    ("start", pa.int64()),
                    ("end", pa.int64()),
                    ("kind", pa.string()),
                    ("cue", pa.string()),
                    ("how", pa.string()),
                    ("speaker_key", pa.string()),
                    ("speaker", pa.string()),
                    (
                        "targets",
                        pa.list_(
                            pa.struct(
                                [
                                    ("key", pa.string()),
                                    ("name", pa.string()),
                                    ("label", pa.string()),
                                    ("score", pa.float64()),
                                ]
                            )
                        ),
                    ),
                ]
            )
        ),
    ),
    ("text", pa.string()),
]


class ParquetWriter:
    """One row group per chunk written."""

    def __init__(self, out: Path, include_text: bool) -> None:
        self.schema = pa.schema([f for f in _FIELDS if include_text or f[0] != "text"])
        self.writer = pq.ParquetWriter(str(out), self.schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = {name: [_value(name, row[name]) for row in rows] for name in self.schema.names}
        self.writer.write_table(pa.table(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def _value(name: str, value: Any) -> Any:
    if name == "sentiment_probabilities" and value is not None:
        return list(value.items())
    return value
