"""SQL over a dataset (DuckDB), and the result written as a table, lines, Markdown, CSV, JSON or Parquet."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import pyarrow as pa

from .dataset import open_dataset
from .environment import translate
from .errors import KbParseError

FORMATS = ("table", "line", "markdown", "csv", "json", "parquet")


class QueryError(KbParseError):
    """DuckDB refused the SQL; the message is its first line (and the position, when given)."""


def run_query(sql: str, data: str | os.PathLike[str] | None = None) -> pa.Table:
    """The result of `sql`, with every table of the dataset available by its name."""
    import duckdb

    con = open_dataset(data)
    try:
        rel = con.sql(sql)
    except duckdb.Error as exc:
        problem = translate(exc)  # a dataset file gone or unreadable is not bad SQL
        if problem is not None:
            raise problem from None
        lines = [line for line in str(exc).splitlines() if line.strip()]
        raise QueryError(" ".join(lines[:3]) if lines else type(exc).__name__) from None
    if rel is None:  # a statement with no result set (create view, set, ...)
        return pa.table({})
    return rel.to_arrow_table()


def _plain(t: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings, for writers that want them so."""
    return pa.table(
        {n: (c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c) for n, c in zip(t.column_names, t.columns)}
    )


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def write_result(t: pa.Table, fmt: str, out: Path | None, stream: TextIO) -> None:
    """Write a result in `fmt` to the file `out`, or to `stream` (not for parquet)."""
    if fmt == "parquet":
        if out is None:
            raise QueryError("--format parquet needs --output FILE")
        import pyarrow.parquet as pq

        pq.write_table(t, out, compression="zstd")
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        if out is not None:
            pacsv.write_csv(_plain(t), out)
        else:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(_plain(t), sink)
            stream.write(sink.getvalue().to_pybytes().decode("utf-8"))
    elif fmt == "json":
        lines = "".join(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n" for row in t.to_pylist())
        if out is not None:
            out.write_text(lines, encoding="utf-8")
        else:
            stream.write(lines)
    elif fmt in ("table", "line", "markdown"):
        from .result_text import render_lines, render_markdown, render_table

        text = render_markdown(t) if fmt == "markdown" else render_lines(t) if fmt == "line" else render_table(t)
        if out is not None:
            out.write_text(text, encoding="utf-8")
        else:
            stream.write(text)
    else:
        raise QueryError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
