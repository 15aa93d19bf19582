"""Find the article files under the PATHs given to `kbparse ingest`.

A PATH is a file, a folder walked recursively, or a .zip / .tar.gz of such a
tree; or an fsspec URL of a file, folder or archive (`https://`, `file://`,
`memory://`, and `s3://` and the like where the matching fsspec package is
installed). Symbolic links to folders are not followed (a link back to its own
folder must not hang the walk); anything that is not a regular file, such as
a FIFO named like an article, is reported and never opened.

An archive at a URL is read once, as it arrives: a .tar.gz is decompressed
from the stream (never held whole, in memory or on disk), and each member's
bytes travel with its Source to the parser, so a member that turns out
unchanged is dropped as soon as it is seen. A .zip keeps its index at the end,
so it is first copied to a file in the run's scratch folder, then read and
deleted. A download that fails part-way stops the run before anything is
committed (RemoteArchiveError): a half-read archive must not make the other
half look deleted.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tarfile
import zipfile
from datetime import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ..environment import is_exhausted
from ..errors import UsageError
from ..urls import is_url, local_path, url_filesystem

ARTICLE_SUFFIXES = (".txt", ".md")
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


class InputError(UsageError):
    """A PATH given to ingest does not exist or cannot be used at all."""


class RemoteArchiveError(InputError):
    """An archive at a URL could not be read to its end (a dropped connection,
    a truncated or corrupt stream): the run stops and commits nothing."""


class Source(NamedTuple):
    """One input file. `path` is its identity across runs: an absolute path,
    or `archive!member` for a file inside an archive. (A NamedTuple: tens of
    thousands are made per run.) `data` holds the bytes of a member already
    read from a streamed archive at a URL."""

    path: str
    size: int
    mtime_ns: int
    archive: str | None = None
    member: str | None = None
    data: bytes | None = None


@dataclass(frozen=True)
class Problem:
    """An input found but not usable: it becomes a row of `rejects`."""

    path: str
    kind: str
    message: str


@dataclass
class Discovery:
    """What a walk found besides the sources it yields: the unusable inputs."""

    problems: list[Problem] = field(default_factory=list)
    # where a .zip at a URL is copied to be read (the run's scratch folder); None: the system's temp folder
    scratch: str | os.PathLike[str] | None = None


def is_article_name(name: str) -> bool:
    return name.lower().endswith(ARTICLE_SUFFIXES)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _archive_members(path: str, found: Discovery) -> Iterator[Source]:
    members: list[Source] = []
    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if not info.is_dir() and is_article_name(info.filename):
                        mtime = int(datetime(*info.date_time).timestamp() * 1e9)
                        members.append(Source(f"{path}!{info.filename}", info.file_size, mtime, path, info.filename))
        else:
            with tarfile.open(path, "r:*") as tf:
                for member in tf:
                    if member.isfile() and is_article_name(member.name):
                        members.append(
                            Source(f"{path}!{member.name}", member.size, int(member.mtime * 1e9), path, member.name)
                        )
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        found.problems.append(Problem(path, "bad_archive", f"cannot read archive: {exc}"))
        return
    yield from members


def _file_sources(path: str, found: Discovery, explicit: bool, st: os.stat_result | None = None) -> Iterator[Source]:
    try:
        st = st or os.stat(path)
    except OSError as exc:
        found.problems.append(Problem(path, "unreadable", f"cannot stat: {exc.strerror or exc}"))
        return
    if stat.S_ISDIR(st.st_mode):
        return
    if not stat.S_ISREG(st.st_mode):
        found.problems.append(Problem(path, "not_a_file", "not a regular file (a FIFO, socket or device); not opened"))
        return
    if is_archive_name(path):
        yield from _archive_members(path, found)
    elif explicit or is_article_name(path):
        yield Source(path, st.st_size, st.st_mtime_ns)


def _walk(root: str, found: Discovery) -> Iterator[list[Source]]:
    """Article files under `root`, a folder's worth at a time.

    os.scandir by hand: half the cost of os.walk on a tree of one folder per
    article, and links to folders are never entered (no loops)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            if is_exhausted(exc):
                raise  # no fault of the folder's: the run cannot go on
            found.problems.append(Problem(folder, "unreadable", f"cannot list folder: {exc.strerror or exc}"))
            continue
        here: list[Source] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
            except OSError:
                pass
            name = entry.name.lower()
            if name.endswith(ARTICLE_SUFFIXES):
                try:
                    st = entry.stat()
                except OSError as exc:
                    found.problems.append(Problem(entry.path, "unreadable", f"cannot stat: {exc.strerror or exc}"))
                    continue
                if stat.S_ISREG(st.st_mode):
                    here.append(Source(entry.path, st.st_size, st.st_mtime_ns))
                else:
                    here.extend(_file_sources(entry.path, found, explicit=False, st=st))
            elif name.endswith(ARCHIVE_SUFFIXES):
                here.extend(_file_sources(entry.path, found, explicit=False))
        if here:
            yield here


def iter_sources(paths: list[str | os.PathLike[str]], found: Discovery) -> Iterator[list[Source]]:
    """Article files under `paths` as they are found, in lists (a folder's
    worth), in no set order, each file once; unusable inputs are appended to
    `found.problems` on the way.

    Raises InputError at once, before yielding anything, when a PATH does not exist.
    """
    roots = []
    for raw in paths:
        text = os.fspath(raw)
        if is_url(text):
            if text.startswith("file://"):
                text = local_path(text)
            else:
                roots.append(_check_remote(text))
                continue
        path = os.path.abspath(text)
        if not os.path.lexists(path):
            raise InputError(f"no such input: {text}")
        roots.append(path)
    return _unique(roots, found)


def still_there(paths: list[str | os.PathLike[str]]) -> None:
    """Raise FileNotFoundError for a local PATH given to ingest that has gone
    since the run began (an unmounted share, a folder moved away): its files
    would all be rejects, which is not what happened to them."""
    for raw in paths:
        text = os.fspath(raw)
        if text.startswith("file://"):
            text = local_path(text)
        elif is_url(text):
            continue
        if not os.path.lexists(text):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.path.abspath(text))


def _check_remote(url: str) -> str:
    fs, root = url_filesystem(url, InputError)
    try:
        exists = fs.exists(root)
    except (ImportError, ValueError) as exc:
        raise InputError(f"{url}: {exc}") from None
    if not exists:
        raise InputError(f"no such input: {url}")
    return url


def _mtime_ns(info: dict) -> int:
    """Modification time as the filesystem reports it, -1 when it reports none
    (such a file is read again on every run)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, (int, float)):
            return int(value * 1e9)
        if hasattr(value, "timestamp"):
            return int(value.timestamp() * 1e9)
    return -1


# Members per chunk of a streamed archive: what discovery holds at a time.
STREAM_CHUNK = 500


def _open_stream(url: str):
    """A URL opened for one sequential read. Over HTTP, fsspec's stream file
    (block_size=0): no range requests, which not every server answers, and
    nothing cached."""
    fs, path = url_filesystem(url, InputError)
    return fs.open(path, "rb", **({"block_size": 0} if url.lower().startswith(("http://", "https://")) else {}))


def _stream_failure(url: str, exc: BaseException) -> RemoteArchiveError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return RemoteArchiveError(f"{url}: the download failed part-way ({reason}); nothing was committed, run again to retry")


def stream_members(url: str, scratch: str | os.PathLike[str] | None = None,
                   wanted: set[str] | None = None) -> Iterator[tuple[str, int, int, bytes]]:
    """(member, size, mtime_ns, bytes) of each article in the archive at `url`
    (only the `wanted` members when given), read in one pass. Raises
    RemoteArchiveError when the archive cannot be read to its end."""
    import tempfile

    try:
        if not url.lower().endswith(".zip"):
            with _open_stream(url) as fh, tarfile.open(fileobj=fh, mode="r|*") as tf:
                for member in tf:
                    if member.isfile() and is_article_name(member.name) and (wanted is None or member.name in wanted):
                        data = tf.extractfile(member).read()
                        yield member.name, member.size, int(member.mtime * 1e9), data
            return
        fd, local = tempfile.mkstemp(suffix=".zip", prefix="download-", dir=scratch)
        try:
            with os.fdopen(fd, "wb") as out, _open_stream(url) as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
            with zipfile.ZipFile(local) as zf:
                for info in zf.infolist():
                    if not info.is_dir() and is_article_name(info.filename) and (wanted is None or info.filename in wanted):
                        mtime = int(datetime(*info.date_time).timestamp() * 1e9)
                        yield info.filename, info.file_size, mtime, zf.read(info)
        finally:
            os.unlink(local)
    except GeneratorExit:
        raise
    except Exception as exc:  # noqa: BLE001 - aiohttp, gzip, tar, zip and OS errors alike: the URL was not read through
        raise _stream_failure(url, exc) from None


def _remote_archive(url: str, found: Discovery) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    for name, size, mtime_ns, data in stream_members(url, found.scratch):
        chunk.append(Source(f"{url}!{name}", size, mtime_ns, url, name, data))
        if len(chunk) >= STREAM_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _remote(url: str, found: Discovery) -> Iterator[list[Source]]:
    import fsspec

    if is_archive_name(url):
        yield from _remote_archive(url, found)
        return
    fs, root = fsspec.core.url_to_fs(url)
    protocol = url.split("://", 1)[0]
    try:
        listing = fs.find(root, detail=True) if fs.isdir(root) else {root: fs.info(root)}
    except OSError as exc:
        found.problems.append(Problem(url, "unreadable", f"cannot list: {exc}"))
        return
    chunk = [
        Source(path if is_url(path) else f"{protocol}://{path.lstrip('/')}" if protocol != "memory" else f"memory://{path}",
               int(info.get("size") or 0), _mtime_ns(info))
        for path, info in sorted(listing.items())
        if info.get("type", "file") == "file" and (is_article_name(path) or not fs.isdir(root))
    ]
    if chunk:
        yield chunk


def _unique(roots: list[str], found: Discovery) -> Iterator[list[Source]]:
    # The same file named twice (a folder and a file inside it) counts once.
    seen: set[str] = set()
    for root in roots:
        if is_url(root):
            chunks = _remote(root, found)
        elif os.path.isdir(root):
            chunks = _walk(root, found)
        else:
            chunks = [list(_file_sources(root, found, explicit=True))]
        for chunk in chunks:
            if len(roots) > 1:
                chunk = [s for s in chunk if s.path not in seen]
                seen.update(s.path for s in chunk)
            yield chunk


def read_sources(sources: list[Source]) -> Iterator[tuple[Source, bytes | OSError]]:
    """Each source's bytes (or the OSError reading it), archives opened once and
    read in member order so a .tar.gz is decompressed only once."""
    open_zip: tuple[str, zipfile.ZipFile] | None = None
    open_tar: tuple[str, dict[str, bytes]] | None = None
    try:
        for src in sources:
            try:
                if src.data is not None:
                    yield src, src.data
                elif src.archive is not None and is_url(src.archive):
                    if open_tar is None or open_tar[0] != src.archive:
                        # The rare second read of an archive at a URL (an unchanged
                        # member whose article changed elsewhere): its members asked for.
                        wanted = {s.member for s in sources if s.archive == src.archive}
                        open_tar = (src.archive, {m: d for m, _, _, d in stream_members(src.archive, wanted=wanted)})
                    yield src, open_tar[1][src.member]
                elif src.archive is None:
                    yield src, read_file(src.path)
                elif src.archive.lower().endswith(".zip"):
                    if open_zip is None or open_zip[0] != src.archive:
                        if open_zip:
                            open_zip[1].close()
                        open_zip = (src.archive, zipfile.ZipFile(src.archive))
                    yield src, open_zip[1].read(src.member)
                else:
                    if open_tar is None or open_tar[0] != src.archive:
                        open_tar = (src.archive, _tar_contents(src.archive))
                    yield src, open_tar[1][src.member]
            except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
                yield src, exc if isinstance(exc, OSError) else OSError(str(exc))
    finally:
        if open_zip:
            open_zip[1].close()


def _tar_contents(path: str) -> dict[str, bytes]:
    # One sequential pass: random access into a .tar.gz would decompress it
    # again for every member.
    out: dict[str, bytes] = {}
    with tarfile.open(path, "r:*") as tf:
        for member in tf:
            if member.isfile() and is_article_name(member.name):
                fh = tf.extractfile(member)
                if fh is not None:
                    out[member.name] = fh.read()
    return out


def read_file(path: str) -> bytes:
    """The bytes of a plain file or of an fsspec URL."""
    if is_url(path):
        import fsspec

        with fsspec.open(path, "rb") as fh:
            return fh.read()
    with open(path, "rb") as fh:
        return fh.read()


def read_here(src: Source) -> bool:
    """Whether the process that found `src` must read it: an archive member
    (the archive is opened once) or a file in this process's own memory."""
    return src.archive is not None or src.data is not None or src.path.startswith("memory://")
