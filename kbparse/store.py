"""The on-disk dataset: versioned folders and an atomic switch between them.

`--out DIR` is a symbolic link to the current version, so `DIR/<table>/` is an
ordinary folder of Parquet files that any reader opens as it is::

    DIR -> .DIR.kbparse/v000007          (the link; replaced in one rename)
    .DIR.kbparse/lock                    (flock: one writer at a time)
    .DIR.kbparse/v000006/                (the previous version, kept for readers mid-read)
    .DIR.kbparse/v000007/articles/part-000007.parquet ...
    .DIR.kbparse/staging-*/              (a run in progress)
    .DIR.kbparse/spill-*/                (its parsed batches and DuckDB's temp files)

A run writes a whole new version in a staging folder, fsyncs it, renames it to
its version name and then renames a new link over DIR. A run that fails or
is interrupted removes its staging and spill itself (discarding); a process
killed at any moment leaves DIR pointing at a complete version, and the next
run removes what the dead one left.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .environment import translate
from .errors import UsageError
from .schema import Table

_VERSION = re.compile(r"^v(\d{6,})$")


class OutputError(UsageError):
    """The output folder cannot be used (not ours, not writable, locked)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class VersionBuilder:
    """What both stores share: a new version is built in local folders under
    `self.local` (staging: the tables; scratch: spill files and DuckDB's temp)."""

    local: Path
    made: tuple[Path, ...] = ()  # this run's staging and scratch folders, for discard()

    def _folder_path(self, kind: str, version: int) -> Path:
        return self.local / f"{kind}-{version:06d}-{os.getpid()}"

    def _made(self, path: Path) -> Path:
        path.mkdir()
        self.made = (*self.made, path)
        return path

    def staging(self, version: int) -> Path:
        return self._made(self._folder_path("staging", version))

    def scratch(self, version: int) -> Path:
        """A folder for a run's spill files, removed after the commit (or by the next run)."""
        return self._made(self._folder_path("spill", version))

    def discard(self) -> None:
        """Remove what this run made and did not commit. Never raises: it runs
        on the way out of a failed run, whose own error is the one to report;
        what it cannot remove, the next run's cleanup does."""
        for path in self.made:
            shutil.rmtree(path, ignore_errors=True)
        self.made = ()

    @contextmanager
    def discarding(self):
        """However the block ends (an error, Ctrl-C, SIGTERM made an exception;
        not SIGKILL), this run's staging and spill are gone after it, so a run
        that keeps failing does not keep the disk full."""
        try:
            yield
        finally:
            self.discard()

    @staticmethod
    def sync_file(path: Path) -> None:
        """Make a written file durable before the commit (a no-op where the commit uploads it)."""

    @staticmethod
    def file_name(version: int) -> str:
        return f"part-{version:06d}.parquet"

    def write_table(self, staging: Path, t: Table, data: pa.Table, version: int) -> None:
        folder = staging / t.name
        folder.mkdir(exist_ok=True)
        path = folder / self.file_name(version)
        write_parquet(path, t, data)
        self.sync_file(path)

    def table_files(self, version: Path | None, name: str) -> list[Path]:
        raise NotImplementedError

    def read_table(self, version: Path | None, t: Table) -> pa.Table:
        """A table of a committed version, or an empty one when it has none."""
        return concat_files(self.table_files(version, t.name), t)

    def stale_tables(self, version: Path | None, tables: list[Table]) -> list[str]:
        """Tables of a committed version that an earlier kbparse wrote with
        other columns, or not at all. Not checked on an object store, where it
        would mean downloading every table on every run."""
        return []


class DatasetStore(VersionBuilder):
    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(os.path.abspath(os.fspath(out)))
        self.home = self.out.parent / f".{self.out.name}.kbparse"
        self.renamed: Path | None = None  # this run's version folder, once commit has named it

    # -- what is there -------------------------------------------------
    def check_usable(self) -> None:
        """Raise OutputError unless DIR is new, an empty folder, or a dataset of ours."""
        out = self.out
        if out.is_symlink():
            target = Path(os.path.realpath(out))
            if target.parent != Path(os.path.realpath(self.home)):
                raise OutputError(f"{out} is a link to {target}, not a kbparse dataset; choose another --out")
        elif out.exists():
            if not out.is_dir() or any(out.iterdir()):
                raise OutputError(
                    f"{out} exists and is not a kbparse dataset; give a new or empty folder as --out"
                )
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            probe = self.home / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            # Named as the folder, not the probe file the error names.
            problem = translate(OSError(exc.errno, exc.strerror), str(self.home if self.home.is_dir() else self.home.parent))
            raise problem or OutputError(f"cannot write to {self.home.parent}: {exc.strerror or exc}") from None

    def current(self) -> Path | None:
        """Folder of the committed version DIR points to, if any."""
        if not self.out.is_symlink():
            return None
        target = Path(os.path.realpath(self.out))
        return target if target.is_dir() else None

    def _versions(self) -> list[tuple[int, Path]]:
        found = []
        for p in self.home.iterdir() if self.home.is_dir() else []:
            m = _VERSION.match(p.name)
            if m:
                found.append((int(m.group(1)), p))
        return sorted(found)

    # -- one writer at a time -----------------------------------------
    @contextmanager
    def lock(self):
        self.home.mkdir(parents=True, exist_ok=True)
        fh = open(self.home / "lock", "a+")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise OutputError(f"another kbparse ingest is writing to {self.out}; try again when it ends") from None
                raise
            yield self
        finally:
            fh.close()  # closing releases the flock; a killed process releases it too

    def cleanup(self) -> None:
        """Remove what dead runs left and versions older than the previous one (lock held)."""
        current = self.current()
        for p in self.home.iterdir():
            if p.name.startswith(("staging-", "link-", "spill-")):
                if p.is_symlink() or p.is_file():
                    p.unlink()
                else:
                    shutil.rmtree(p, ignore_errors=True)
        versions = self._versions()
        keep: set[Path] = set()
        if current is not None:
            keep.add(current)
            older = [p for n, p in versions if p != current and n < int(_VERSION.match(current.name).group(1))]
            if older:
                keep.add(older[-1])
        for _, p in versions:
            if p not in keep:
                shutil.rmtree(p, ignore_errors=True)

    def next_version(self) -> int:
        versions = self._versions()
        return (versions[-1][0] + 1) if versions else 1

    def stale_tables(self, version: Path | None, tables: list[Table]) -> list[str]:
        if version is None:
            return []
        stale = []
        for t in tables:
            files = self.table_files(version, t.name)
            if not files or pq.read_schema(files[0]).names != [c.name for c in t.columns]:
                stale.append(t.name)
        return stale

    def table_files(self, version: Path | None, name: str) -> list[Path]:
        """The Parquet files of a table of a committed version."""
        if version is None or not (version / name).is_dir():
            return []
        return sorted((version / name).glob("*.parquet"))

    # -- writing a version ---------------------------------------------
    @property
    def local(self) -> Path:
        return self.home

    @staticmethod
    def sync_file(path: Path) -> None:
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())

    def shared_scratch(self, version: int) -> str:
        """Spill folder for workers on other machines: scratch's, beside the
        output, which must then be on storage they all see."""
        return str(self._folder_path("spill", version))

    @staticmethod
    def fetch(url: str, local: Path) -> Path:
        return local  # shared_scratch is the local scratch folder

    def link_table(self, staging: Path, name: str, previous: Path) -> None:
        """Reuse the previous version's files of a table that did not change (hard links)."""
        folder = staging / name
        folder.mkdir(exist_ok=True)
        for f in sorted((previous / name).glob("*.parquet")):
            os.link(f, folder / f.name)

    def discard(self) -> None:
        """Also the version folder and link of a commit that failed half-way
        (the folder renamed, DIR not yet switched to it)."""
        super().discard()
        link = self.home / f"link-{os.getpid()}"
        try:
            if link.is_symlink():
                link.unlink()
            if self.renamed is not None and self.renamed.is_dir() and self.current() != self.renamed:
                shutil.rmtree(self.renamed, ignore_errors=True)
        except OSError:
            pass

    def commit(self, staging: Path, version: int) -> Path:
        for folder in staging.iterdir():
            _fsync_dir(folder)
        final = self.home / f"v{version:06d}"
        os.rename(staging, final)
        self.renamed = final
        _fsync_dir(self.home)
        link = self.home / f"link-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        os.symlink(os.path.relpath(final, self.out.parent), link)
        if self.out.is_dir() and not self.out.is_symlink():
            self.out.rmdir()  # an empty folder given as --out (checked in check_usable)
        os.rename(link, self.out)
        _fsync_dir(self.out.parent)
        return final


def write_parquet(path: Path, t: Table, data: pa.Table) -> None:
    pq.write_table(
        conform(data, t),
        path,
        compression="zstd",
        row_group_size=t.batch_rows,
        use_dictionary=True,
        write_statistics=True,
    )


def concat_files(files: list[Path], t: Table) -> pa.Table:
    if not files:
        return t.empty()
    # ParquetFile, not pq.read_table: the latter imports pyarrow.dataset (and
    # with it pandas), a quarter of a second on every run.
    return pa.concat_tables([conform(pq.ParquetFile(f).read(), t) for f in files])


def conform(data: pa.Table, t: Table) -> pa.Table:
    """`data` with `t`'s exact schema; cast only when it differs (a cast imports
    pyarrow.compute, a tenth of a second on every run)."""
    schema = t.arrow_schema
    if data.schema.equals(schema):
        return data
    if data.schema.names == schema.names and all(a.type.equals(b.type) for a, b in zip(data.schema, schema)):
        return pa.Table.from_arrays(data.columns, schema=schema)  # only nullability differs
    return data.cast(schema)
