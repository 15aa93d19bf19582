"""Progress for long runs: a bar with rate and ETA on a terminal, plain log
lines (at most one every few seconds) in a pipe or CI."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

LOG_EVERY_SECONDS = 5.0


@contextmanager
def progress_reporter(enabled: bool = True, stream=None):
    """Yields a callback(done, total) or None when disabled; total is None
    while the files are still being found."""
    stream = stream or sys.stderr
    if not enabled:
        yield None
        return
    if stream.isatty():
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn,
                                   TextColumn, TimeRemainingColumn)

        columns = (
            TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]:>8} articles/s"), TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(file=stream), transient=True) as bar:
            task = bar.add_task("parse", total=None, rate="")
            start = time.perf_counter()

            def update(done: int, total: int | None) -> None:
                rate = done / max(time.perf_counter() - start, 1e-9)
                bar.update(task, completed=done, total=total, rate=f"{rate:,.0f}")

            yield update
        return

    start = last = time.perf_counter()

    def log(done: int, total: int | None) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= LOG_EVERY_SECONDS or done == total:
            last = now
            rate = done / max(now - start, 1e-9)
            if total is None:
                print(f"kbparse: parsed {done} files, {rate:,.0f}/s, still finding files", file=stream, flush=True)
            else:
                eta = (total - done) / rate if rate else 0
                print(f"kbparse: parsed {done}/{total} files, {rate:,.0f}/s, about {eta:.0f} s left", file=stream, flush=True)

    yield log
