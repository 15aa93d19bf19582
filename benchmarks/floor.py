"""The honest floor every kbparse benchmark is compared with (issue 12).

One process reads each file's bytes, decodes them as Windows-1252 and finds
the `=`-underlined upper-case headings with one regular expression: the least
any parser of these articles must do. It is kept this bare on purpose: a
slower baseline (a heading regex that tries every line, a UTF-8 attempt
first) makes kbparse look closer to it than it is.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HEAD = re.compile(r"^([A-Z][A-Z &/-]+)\r?\n=+\r?$", re.M)


def floor(files: Sequence[Path | str]) -> int:
    """Headings found in `files`; the time this takes is the floor."""
    found = 0
    for path in files:
        with open(path, "rb") as fh:
            text = fh.read().decode("cp1252", errors="replace")
        found += len(HEAD.findall(text))
    return found


def listing(roots: Sequence[Path | str]) -> int:
    """Files under `roots`, each stat'ed: what a re-run over unchanged files
    cannot do without (it tells a changed file by its size and mtime). One
    process, os.scandir by hand (as kbparse's discovery); the time this takes
    is the re-run's floor, as `floor` is the ingest's."""
    count, stack = 0, [str(r) for r in roots]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(runs: dict[str, Callable[[], object]], repeat: int, show: bool = True) -> dict[str, list[float]]:
    """Run each of `runs` in turn, `repeat` rounds, so that a noisy shared
    machine slows every one alike; returns each one's seconds per round."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_no in range(1, repeat + 1):
        for name, fn in runs.items():
            times[name].append(timed(fn))
        if show:
            print(f"  round {round_no}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()), flush=True)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def article_files(paths: list[Path]) -> list[Path]:
    """Article files under `paths` (txt files and md pages), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
        else:
            out += sorted(q for q in p.rglob("*") if q.is_file() and (q.suffix.lower() == ".txt" or q.name == "README.md"))
    return out
