"""Reading a committed dataset: where it is, and a DuckDB connection over it.

    con = kbparse.open_dataset("kb-data")      # or $KBPARSE_DATA, else ./kb-data
    con.sql("select count(*) from articles").fetchall()

The connection's views read one committed version: DIR's link is resolved
once, so a commit made while you query does not mix two versions.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError
from .schema import tables

DEFAULT_DATA = "kb-data"


class DatasetError(UsageError):
    """No dataset where one was expected."""


def default_data_dir() -> Path:
    """Where datasets live when no folder is given: $KBPARSE_DATA, else ./kb-data."""
    return Path(os.environ.get("KBPARSE_DATA") or DEFAULT_DATA)


def resolve(data: str | os.PathLike[str] | None = None) -> Path:
    """The committed version folder behind DIR (DIR itself if it is a plain folder)."""
    path = Path(data) if data is not None else default_data_dir()
    if not path.exists():
        hint = "" if data is not None else " (set KBPARSE_DATA or pass --data)"
        raise DatasetError(f"no dataset at {path}{hint}; create one with: kbparse ingest PATH --out {path}")
    real = Path(os.path.realpath(path))
    if not (real / "articles").is_dir():
        raise DatasetError(f"{path} is not a kbparse dataset (it has no articles/ folder)")
    return real


def table_files(root: Path, name: str) -> list[Path]:
    return sorted((root / name).glob("*.parquet"))


def open_dataset(data: str | os.PathLike[str] | None = None, *, connection=None):
    """A DuckDB connection with one view per table of the dataset at `data`."""
    import duckdb

    root = resolve(data)
    con = connection or duckdb.connect()
    for name in tables():
        files = table_files(root, name)
        if files:
            listing = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            con.execute(f"create or replace view {name} as select * from read_parquet([{listing}])")
    return con
