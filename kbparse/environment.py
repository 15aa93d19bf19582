"""Failures of the machine, not of kbparse or of an article: a full disk, a
permission, a read-only filesystem, a file gone from under a run, too many
open files. They are the operator's to fix, so they get exit code 2 and one
line that says what to do, never "internal error, please report it".

This module is the one place that turns an OSError into such a line, by its
errno. The errno comes from the exception itself, or from its message when a
library reports it only there: pyarrow sets `errno` but no file name, and
DuckDB raises its own exceptions whose text holds the system's message.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import KbParseError

NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
DENIED = {errno.EACCES, errno.EPERM}
READ_ONLY = {errno.EROFS}
VANISHED = {errno.ENOENT, errno.ESTALE}
NO_FILES = {errno.EMFILE, errno.ENFILE}
KNOWN = NO_SPACE | DENIED | READ_ONLY | VANISHED | NO_FILES | {errno.EIO}

_ERRNO_IN_TEXT = re.compile(r"\[?errno (\d+)\]?", re.I)
# What DuckDB says instead of an errno: its temp folder's disk is full; a file
# it was given is gone (say, a version removed by a later commit).
_DUCKDB_TEXTS = (("max_temp_directory_size", errno.ENOSPC), ("no files found that match the pattern", errno.ENOENT))
_QUOTED_PATH = re.compile(r"""["'](/[^"']+)["']""")


class EnvironmentProblem(KbParseError):
    """The machine refused what a run needed (disk, permission, files, limits)."""

    exit_code = 2


def errno_of(exc: BaseException) -> int | None:
    """The errno behind `exc`: its attribute, else `[Errno N]` or the system's
    message in its text (DuckDB says "No space left on device", nothing more)."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code:
        return code
    text = str(exc)
    m = _ERRNO_IN_TEXT.search(text)
    if m:
        return int(m.group(1))
    lowered = text.lower()
    for phrase, code in _DUCKDB_TEXTS:
        if phrase in lowered:
            return code
    for code in sorted(KNOWN):
        if os.strerror(code).lower() in lowered:
            return code
    return None


def _path_of(exc: BaseException, where: str | None) -> str | None:
    filename = getattr(exc, "filename", None)
    if filename:
        return os.fspath(filename)
    m = _QUOTED_PATH.search(str(exc))
    return m.group(1) if m else where


def is_system_error(exc: BaseException) -> bool:
    """An OSError, or an error DuckDB raises for what the system refused it."""
    if isinstance(exc, OSError):
        return True
    return "duckdb" in type(exc).__module__ and type(exc).__name__ in ("IOException", "OutOfMemoryException")


def translate(exc: BaseException, where: str | None = None, *, need: Callable[[], str] | None = None,
              after: str = "") -> EnvironmentProblem | None:
    """The EnvironmentProblem `exc` stands for, or None when it is no failure
    of the environment (then it is a bug, and stays what it is).

    `where`: the folder the work was writing (named when the error names no
    path). `need`: says, on a full disk, how much room the work needed.
    `after`: appended to the line, e.g. what became of the dataset.
    """
    if not is_system_error(exc):
        return None
    code = errno_of(exc)
    path = _path_of(exc, where)
    if code in NO_SPACE:
        quota = " (a disk quota)" if code == errno.EDQUOT else ""
        on = f" on the filesystem of {where or path}" if where or path else ""
        how_much = f" ({need()})" if need else ""
        line = f"no space left on device{quota}{on}{how_much}: free some space there (or use a larger disk) and run again"
    elif code in DENIED:
        line = (f"permission denied: {path or 'a file kbparse needed'}: give the user running kbparse "
                "access to it, or choose another place, and run again")
    elif code in READ_ONLY:
        line = (f"{path or 'the output'} is on a read-only filesystem: remount it read-write or choose "
                "another place, and run again")
    elif code in VANISHED:
        line = (f"{path or 'a file'} vanished while kbparse was using it (deleted or moved by something "
                "else): let nothing move or delete it during a run, and run again")
    elif code in NO_FILES:
        line = ("too many open files (the limit for this process is "
                f"{_open_files_limit()}): raise it, e.g. `ulimit -n 4096`, or use fewer --workers, and run again")
    elif code == errno.EIO:
        line = (f"input/output error on {path or 'the disk'}: the disk or network storage failed; check it "
                "(dmesg, the storage's health) and run again")
    else:
        return None
    return EnvironmentProblem(line + after)


def _open_files_limit() -> str:
    try:
        import resource

        return str(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    except (ImportError, OSError, ValueError):
        return "unknown"


@contextmanager
def environment_errors(where: str | None = None, *, need: Callable[[], str] | None = None,
                       after: Callable[[], str] | None = None) -> Iterator[None]:
    """Re-raise a failure of the environment inside the block as an
    EnvironmentProblem (see translate); anything else passes unchanged."""
    try:
        yield
    except Exception as exc:
        problem = translate(exc, where, need=need, after=after() if after else "")
        if problem is None:
            raise
        raise problem from exc


def is_exhausted(exc: OSError) -> bool:
    """Whether opening an input failed for want of file handles, which says
    nothing about that file: the run must fail, not reject the file."""
    return errno_of(exc) in NO_FILES
