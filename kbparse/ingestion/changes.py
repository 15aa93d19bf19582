"""What changed since the last run, and which copy of each article wins:
the previous version's `sources` table, the scan that hands new and changed
files to the parser, the known files a change makes worth reading again, and
the choice of each article's winning copy."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..schema import table
from ..tables import column_values
from ..urls import is_url
from .discover import Source, is_archive_name
from .parser import Parser
from .worker import FORMATS, Outcomes


class Previous:
    """The previous version's `sources` table, as lazily converted columns and a path index."""

    def __init__(self, store, version: Path | None) -> None:
        self.table = store.read_table(version, table("sources"))
        self._cols: dict[str, list] = {}
        self.index = {p: i for i, p in enumerate(self.col("source_path"))}

    def col(self, name: str) -> list:
        if name not in self._cols:
            self._cols[name] = column_values(self.table[name])
        return self._cols[name]

    def article_of(self, path: str) -> str | None:
        i = self.index.get(path)
        return None if i is None else self.col("article_id")[i]



def scan(sources, prev: Previous, parser: Parser, timings: dict[str, float]) -> tuple[list[str], int, set[str]]:
    """Hand every new or changed file to the parser as it is found. Returns the
    paths seen, how many were unchanged, and the paths being parsed."""
    index, sizes, mtimes = prev.index, prev.col("size_bytes"), prev.col("mtime_ns")
    seen: list[str] = []  # paths only: this list has an entry per input file
    parsing: set[str] = set()
    unchanged = 0
    chunks, clock, walking = iter(sources), time.perf_counter, 0.0
    while True:
        t0 = clock()
        chunk = next(chunks, None)
        walking += clock() - t0
        if chunk is None:
            break
        seen.extend(src.path for src in chunk)
        for src in chunk:
            i = index.get(src.path)
            if i is not None and sizes[i] == src.size and mtimes[i] == src.mtime_ns:
                unchanged += 1
            else:
                parser.add(src)
                parsing.add(src.path)
    timings["discovery"] = walking
    return seen, unchanged, parsing


def _known_source(path: str, size: int, mtime_ns: int) -> Source:
    """The Source of a file this run found unchanged, from what `sources` recorded of it."""
    archive, bang, member = path.partition("!")
    if bang and is_archive_name(archive) and (is_url(archive) or not os.path.exists(path)):
        return Source(path, size, mtime_ns, archive, member)
    return Source(path, size, mtime_ns)


def reparse_affected(parser: Parser, prev: Previous, parsing: set[str], seen: list[str]) -> set[str]:
    """A changed file may have held the winning copy of an article whose other
    copies were only counted, not stored: parse those again too. A copy this
    run found unchanged is rebuilt from the sources table (it may be an archive
    member or a URL); one from an earlier run's inputs is looked up on disk.
    Returns the known files that are gone."""
    affected = {prev.article_of(p) for p in parsing} - {None}
    dropped: set[str] = set()
    if not affected:
        return dropped
    found_now = set(seen)
    ids, sizes, mtimes = prev.col("article_id"), prev.col("size_bytes"), prev.col("mtime_ns")
    for i, path in enumerate(prev.col("source_path")):
        if ids[i] not in affected or path in parsing:
            continue
        if path in found_now:
            src = _known_source(path, sizes[i], mtimes[i])
        else:
            try:
                st = os.stat(path)
            except OSError:
                dropped.add(path)  # gone, or inside an archive not given this time
                continue
            src = Source(path, st.st_size, st.st_mtime_ns)
        parser.add(src)
        parsing.add(path)
    return dropped


def winner_key(candidate: tuple) -> tuple:
    path, day, is_txt = candidate  # day: date.toordinal(), 0 when the article has no date
    return (day, is_txt)


def choose_winners(prev: Previous, carried: list[int], out: Outcomes, paths: list[str]) -> dict[str, str]:
    """article id -> path of the copy that makes its row."""
    candidates: dict[str, list[tuple]] = {}
    prev_paths, ids, dates, formats, outcome = (
        prev.col(n) for n in ("source_path", "article_id", "last_modified", "source_format", "outcome")
    )
    for i in carried:
        if outcome[i] != "rejected":
            day = dates[i].toordinal() if dates[i] else 0
            candidates.setdefault(ids[i], []).append((prev_paths[i], day, formats[i] == "txt"))
    txt = FORMATS.index("txt")
    for k, article_id in enumerate(out.article_id):
        if k not in out.rejects:
            candidates.setdefault(article_id, []).append((paths[k], out.day[k], out.fmt[k] == txt))
    # max() keeps the first of equals, so sorting by path makes ties go to the first path.
    return {aid: max(sorted(rows), key=winner_key)[0] for aid, rows in candidates.items()}
