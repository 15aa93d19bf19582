"""A dataset at an fsspec URL on an object store (s3://, gs://, memory://...).

Object stores have no rename and no symbolic link, so the local store's atomic
switch (kbparse.store) cannot work there. Instead a small manifest names the
files of the committed version, and replacing that one object is the commit::

    URL/_kbparse.json                    the manifest: version and files per table
    URL/articles/part-000007.parquet     the tables, where any Parquet reader looks
    URL/_kbparse_staging/v000008-*/      a run's uploads before they are moved in
    URL/_kbparse_spill/v000008-*/        parsed batches, when a remote cluster parses

A run builds the new version in a local folder, uploads it under
`_kbparse_staging/`, moves the files into the table folders, writes the
manifest, then deletes the files the manifest no longer names. What each
reader sees:

- kbparse readers (open_dataset, query, validate, stats) follow the manifest,
  so they see one whole version whenever they start, even if a run dies.
- Readers that list a table folder themselves see exactly one version, except
  between the move and the delete: then, or after a run killed there, they see
  the old and the new files until the next run's cleanup.

There is no lock: one writer at a time is the scheduler's job. A run checks
at its commit that the manifest is still the one it started from and, if
another run committed meanwhile, publishes nothing and says so.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .urls import url_filesystem
from .schema import tables
from .store import OutputError, VersionBuilder

MANIFEST = "_kbparse.json"
STAGING = "_kbparse_staging"
SPILL = "_kbparse_spill"
FORMAT = "kbparse-dataset"


def filesystem(url: str):
    """(fsspec filesystem, path without protocol or trailing slash) of a URL."""
    fs, root = url_filesystem(url, OutputError)
    return fs, root.rstrip("/")


def read_manifest(fs, root: str) -> dict | None:
    """The manifest at `root`, or None when there is none."""
    path = posixpath.join(root, MANIFEST)
    try:
        raw = fs.cat_file(path)
    except FileNotFoundError:
        return None
    try:
        manifest = json.loads(raw)
        if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
                or not isinstance(manifest.get("version"), int) or not isinstance(manifest.get("tables"), dict)):
            raise ValueError("not a kbparse manifest")
    except ValueError as exc:
        raise OutputError(f"{fs.unstrip_protocol(path)} is damaged or not kbparse's ({exc})") from None
    return manifest


class ObjectStore(VersionBuilder):
    """The same interface as kbparse.store.DatasetStore, for an object store."""

    def __init__(self, url: str) -> None:
        self.fs, self.root = filesystem(url)
        self.out = self.fs.unstrip_protocol(self.root)
        self.base: dict | None = None  # the manifest this run started from
        self.local: Path | None = None  # local folder for the version being built (made by lock)
        self.reused: dict[str, list[str]] = {}
        self.remote_made: list[str] = []  # this run's folders on the store, for discard()

    def _path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    # -- what is there -------------------------------------------------
    def check_usable(self) -> None:
        """Raise OutputError unless URL is new, empty, or has our manifest. A
        folder without one is never ours, even if it holds an articles/ folder:
        cleanup deletes table files the manifest does not name."""
        fs = self.fs
        try:
            if fs.exists(self.root):
                if not fs.isdir(self.root):
                    raise OutputError(f"{self.out} is a file, not a dataset folder; choose another --out")
                if read_manifest(fs, self.root) is None:
                    entries = fs.ls(self.root, detail=False)
                    if entries:
                        raise OutputError(
                            f"{self.out} holds {posixpath.basename(entries[0].rstrip('/'))!r} and no "
                            f"{MANIFEST}, so it is not a kbparse dataset; give a new or empty folder as --out"
                        )
            probe = self._path(STAGING, f"probe-{os.getpid()}")
            fs.pipe_file(probe, b"")
            self._remove(probe)
        except OutputError:
            raise
        except (OSError, PermissionError) as exc:
            raise OutputError(f"cannot write to {self.out}: {exc}") from None

    @contextmanager
    def lock(self):
        """No lock exists on an object store: remember the manifest instead, so
        the commit can tell whether another run committed meanwhile. A new
        folder is claimed first with an empty version 0, so that a first run
        killed mid-commit leaves a folder the next run knows as its own."""
        self.base = read_manifest(self.fs, self.root)
        if self.base is None:
            self.base = self._manifest(0, {})
            self.fs.pipe_file(self._path(MANIFEST), json.dumps(self.base, indent=1).encode())
        self.local = Path(tempfile.mkdtemp(prefix="kbparse-"))
        try:
            yield self
        finally:
            shutil.rmtree(self.local, ignore_errors=True)

    @staticmethod
    def _manifest(version: int, files: dict[str, list[str]]) -> dict:
        return {
            "format": FORMAT, "format_version": 1, "version": version,
            "committed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "kbparse_version": __version__, "tables": {k: files[k] for k in sorted(files)},
        }

    def _remove(self, path: str) -> None:
        """Remove a run's folder, and the folder holding it when that is left
        empty (stores with real folders keep them; object stores have none)."""
        fs = self.fs
        if fs.exists(path):
            fs.rm(path, recursive=True)
        parent = posixpath.dirname(path)
        try:
            if fs.exists(parent) and not fs.ls(parent, detail=False):
                fs.rmdir(parent)
        except OSError:
            pass  # a concurrent run's folder appeared: leave it

    def _named(self, manifest: dict | None) -> set[str]:
        if manifest is None:
            return set()
        return {self._path(f) for files in manifest["tables"].values() for f in files}

    def cleanup(self) -> None:
        """Remove dead runs' uploads and table files the manifest does not name.

        A file that cannot be deleted (a store that allows writes but not
        deletes, a network error) stays for the next run: it is invisible to
        readers following the manifest, and failing here, after a commit,
        would report a committed run as failed."""
        fs = self.fs
        named = self._named(read_manifest(fs, self.root))
        leftovers = [f for name in tables() for f in fs.find(self._path(name)) if f not in named]
        leftovers += [self._path(scratch) for scratch in (STAGING, SPILL) if fs.exists(self._path(scratch))]
        for path in leftovers:
            try:
                fs.rm(path, recursive=True)
            except OSError:
                pass

    def current(self) -> Path | None:
        """A local folder standing for the committed version; its tables are
        downloaded when first read (table_files)."""
        if not self.base["version"]:
            return None
        path = self.local / f"v{self.base['version']:06d}"
        path.mkdir(exist_ok=True)
        return path

    def next_version(self) -> int:
        return self.base["version"] + 1

    def table_files(self, version: Path | None, name: str) -> list[Path]:
        if version is None:
            return []
        folder = version / name
        if not folder.is_dir():
            folder.mkdir()
            for f in self.base["tables"].get(name, []):
                self.fs.get_file(self._path(f), str(folder / posixpath.basename(f)))
        return sorted(folder.glob("*.parquet"))

    # -- writing a version ---------------------------------------------
    def shared_scratch(self, version: int) -> str:
        """Where workers on other machines write their spill files: the store itself."""
        self.remote_made.append(self._path(SPILL, f"v{version:06d}-{os.getpid()}"))
        return self.fs.unstrip_protocol(self.remote_made[-1])

    def discard(self) -> None:
        """Also this run's uploads and shared spill on the store (its local
        folder goes with the lock). Files already moved into the table
        folders stay for the next run's cleanup: the manifest does not name them."""
        super().discard()
        for path in self.remote_made:
            try:
                self._remove(path)
            except Exception:  # noqa: BLE001 - whatever the store's client raises: see VersionBuilder.discard
                pass
        self.remote_made = []

    def fetch(self, url: str, local: Path) -> Path:
        """Download a shared spill folder (shared_scratch) into `local`."""
        fs, path = filesystem(url)
        for f in fs.find(path):
            target = local / posixpath.relpath(f, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(f, str(target))
        self._remove(path)
        return local

    def link_table(self, staging: Path, name: str, previous: Path) -> None:
        """An unchanged table keeps its files: the new manifest names them again."""
        self.reused[name] = list(self.base["tables"].get(name, []))

    def commit(self, staging: Path, version: int) -> str:
        fs = self.fs
        upload = self._path(STAGING, f"v{version:06d}-{os.getpid()}")
        self.remote_made.append(upload)
        new: dict[str, list[str]] = {name: list(files) for name, files in self.reused.items()}
        moves = []
        for folder in sorted(p for p in staging.iterdir() if p.is_dir()):
            for f in sorted(folder.glob("*.parquet")):
                rel = f"{folder.name}/{f.name}"
                fs.put_file(str(f), posixpath.join(upload, rel))
                moves.append(rel)
                new.setdefault(folder.name, []).append(rel)
        now = read_manifest(fs, self.root)
        if (now or {}).get("version") != self.base["version"]:
            self._remove(upload)
            raise OutputError(
                f"another ingest committed version {now['version'] if now else '?'} to {self.out} while this "
                "one ran; nothing of this run was published: run it again"
            )
        for rel in moves:
            fs.mv(posixpath.join(upload, rel), self._path(rel))
        manifest = self._manifest(version, new)
        # One PUT: on object stores a single object is replaced whole, so this is the switch.
        fs.pipe_file(self._path(MANIFEST), json.dumps(manifest, indent=1).encode())
        self.base = manifest
        self._remove(upload)
        return self.out
