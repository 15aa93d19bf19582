"""Reading a committed dataset: where it is, and a DuckDB connection over it.

    con = kbparse.open_dataset("kb-data")      # or $KBPARSE_DATA, else ./kb-data
    con.sql("select count(*) from articles").fetchall()

The connection's views read one committed version: DIR's link (or, for a
dataset at a URL, its manifest) is resolved once, so a commit made while you
query does not mix two versions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .urls import is_url, local_path
from .errors import UsageError
from .schema import tables

DEFAULT_DATA = "kb-data"


class DatasetError(UsageError):
    """No dataset where one was expected."""


def default_data_dir() -> Path:
    """Where datasets live when no folder is given: $KBPARSE_DATA, else ./kb-data."""
    return Path(os.environ.get("KBPARSE_DATA") or DEFAULT_DATA)


@dataclass(frozen=True)
class Committed:
    """One committed version of a dataset: the Parquet files of each table."""

    where: str
    files: dict[str, list[str]]
    filesystem: Any = None  # the fsspec filesystem of a dataset at a URL

    def table_files(self, name: str) -> list[str]:
        return self.files.get(name, [])

    def read_schema(self, path: str):
        import pyarrow.parquet as pq

        if self.filesystem is None:
            return pq.read_schema(path)
        with self.filesystem.open(path, "rb") as fh:
            return pq.read_schema(fh)


def resolve(data: str | os.PathLike[str] | None = None) -> Committed:
    """The committed version at DIR: behind its link, or named by the manifest
    of a dataset at a URL (kbparse.object_store)."""
    text = os.fspath(data) if data is not None else os.fspath(default_data_dir())
    if text.startswith("file://"):
        text = local_path(text)
    elif is_url(text):
        return _resolve_url(text)
    path = Path(text)
    if not path.exists():
        hint = "" if data is not None else " (set KBPARSE_DATA or pass --data)"
        raise DatasetError(f"no dataset at {path}{hint}; create one with: kbparse ingest PATH --out {path}")
    real = Path(os.path.realpath(path))
    if not (real / "articles").is_dir():
        raise DatasetError(f"{path} is not a kbparse dataset (it has no articles/ folder)")
    return Committed(str(real), {name: [str(f) for f in sorted((real / name).glob("*.parquet"))] for name in tables()})


def _resolve_url(url: str) -> Committed:
    from .object_store import filesystem, read_manifest
    from .store import OutputError

    try:
        fs, root = filesystem(url)
        manifest = read_manifest(fs, root)
    except OutputError as exc:
        raise DatasetError(str(exc)) from None
    if manifest is None or not manifest["version"]:
        what = "no manifest" if manifest is None else "no version committed yet"
        raise DatasetError(f"no dataset at {url} ({what}); create one with: kbparse ingest PATH --out {url}")
    files = {name: [fs.unstrip_protocol(f"{root}/{f}") for f in found] for name, found in manifest["tables"].items()}
    return Committed(url, files, fs)


def open_dataset(data: str | os.PathLike[str] | Committed | None = None, *, connection=None):
    """A DuckDB connection with one view per table of the dataset at `data`."""
    import duckdb

    version = data if isinstance(data, Committed) else resolve(data)
    con = connection or duckdb.connect()
    if version.filesystem is not None:
        con.register_filesystem(version.filesystem)
    for name in tables():
        files = version.table_files(name)
        if files:
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            con.execute(f"create or replace view {name} as select * from read_parquet([{listing}])")
    return con
