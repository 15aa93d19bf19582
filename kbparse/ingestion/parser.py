"""The parse phase of an ingest: files handed over in batches, parsed in
worker processes (kbparse.ingestion.engines) while discovery is still
finding more, or in this process when there are too few to pay for the
workers; then what the parse owes the winning copies (finish_winners)."""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future

from .discover import Source, read_here, read_sources
from .worker import Outcomes

# progress(files parsed, files to parse or None while discovery is still going)
Progress = Callable[[int, int | None], None]

# Below this many files to parse, starting worker processes costs more than it saves.
MIN_FILES_FOR_POOL = 400
# Files per task shipped to a worker: large enough that the per-task cost
# (pickling, a round trip) is noise, small enough to spread the work evenly.
BATCH_FILES = 1000


def _with_bytes(batch: list[Source]) -> list[tuple[Source, bytes | None]]:
    """Plain files are read by the worker; archive members and memory:// files are read here."""
    here = [s for s in batch if read_here(s)]
    if not here:
        return [(s, None) for s in batch]
    read = {src.path: data for src, data in read_sources(here) if isinstance(data, bytes)}
    # The bytes travel once, beside the Source, not inside it too.
    return [(s._replace(data=None) if s.data is not None else s, read.get(s.path)) for s in batch]


class Parser:
    """Parses files in batches while discovery is still finding more: in worker
    processes once there is enough work to pay for starting them, else here.
    Results come back in submission order."""

    def __init__(self, workers: int, progress: Progress | None, spill: str,
                 engine: str = "local", scheduler: str | None = None) -> None:
        self.workers = workers
        self.engine = engine
        self.scheduler = scheduler
        self.progress = progress
        self.spill = spill  # a local folder, or a URL that workers elsewhere can reach
        self.batches = 0
        self.buffer: list[Source] = []
        self.pending: deque[tuple[int, Future]] = deque()
        self.outcomes = Outcomes()  # entry k is the file at submitted[k]
        self.pool = None  # an engine (kbparse.engines), started when there is enough work
        self.added = 0
        self.bytes = 0  # size of the files added
        self.done = 0
        self.done_submitting = 0
        self.submitted: list[str] = []  # path of each global input number
        self.spans: list[tuple[int, int, int]] = []  # (batch number, first input number, inputs) of each batch
        self.total: int | None = None
        self.waited = 0.0  # seconds this process sat waiting for a worker's result
        self.pool_started: float | None = None
        self.last_result: float | None = None

    def add(self, src: Source) -> None:
        self.buffer.append(src)
        self.added += 1
        self.bytes += src.size
        if len(self.buffer) < BATCH_FILES:
            return
        if self._parallel() and (self.pool or self.added >= MIN_FILES_FOR_POOL):
            self._submit(self.buffer)
            self.buffer = []
        elif not self._parallel():
            # One process: parse as we go, so that the bytes of a streamed
            # archive's members are not all held until discovery ends.
            from .worker import parse_batch

            batch, self.buffer = self.buffer, []
            self._done(parse_batch(*self._task(batch)), len(batch))

    def _submit(self, batch: list[Source]) -> None:
        if self.pool is None:
            from .engines import start

            self.pool = start(self.engine, self.workers, self.scheduler)
            self.pool_started = time.perf_counter()
        while len(self.pending) >= self.workers * 3:
            self._collect()
        from .worker import parse_batch

        self.pending.append((len(batch), self.pool.submit(parse_batch, *self._task(batch))))

    def _parallel(self) -> bool:
        # Dask was asked for by name: use it even for a small job.
        return self.engine == "dask" or self.workers > 1

    def _task(self, batch: list[Source]) -> tuple:
        """parse_batch's arguments: the batch, the spill folder, its number, its first input's number."""
        base = self.done_submitting
        self.done_submitting += len(batch)
        self.submitted.extend(src.path for src in batch)
        self.batches += 1
        self.spans.append((self.batches, base, len(batch)))
        return _with_bytes(batch), self.spill, self.batches, base

    def _collect(self) -> None:
        n, future = self.pending.popleft()
        t0 = time.perf_counter()
        result = future.result()
        self.last_result = time.perf_counter()
        self.waited += self.last_result - t0
        self._done(result, n)

    def _done(self, result: Outcomes, n: int) -> None:
        self.outcomes.extend(result)
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self) -> Outcomes:
        """Parse what is left and wait for every batch. The workers stay up
        for `facts`; the caller closes them."""
        self.total = self.added
        rest = [self.buffer[i : i + BATCH_FILES] for i in range(0, len(self.buffer), BATCH_FILES)]
        self.buffer = []
        for batch in rest:
            if self.pool or (self.engine == "dask"):
                self._submit(batch)
            else:
                from .worker import parse_batch

                self._done(parse_batch(*self._task(batch)), len(batch))
        while self.pending:
            self._collect()
        return self.outcomes

    def finish_winners(self, owed: list[int]) -> dict[int, tuple]:
        """Make what the parse owes the winning copies numbered `owed` (sorted),
        each batch's on the workers: the rows of those it only keyed, the facts
        of all (kbparse.ingestion.worker.finish_batch). Returns the rejects, by
        input number, of keyed copies that changed or went away meanwhile."""
        from .worker import finish_batch

        out = self.outcomes
        keyed = [k for k in owed if out.keyed[k]]
        spilled = [k for k in owed if not out.keyed[k]]
        tasks = []
        # The facts of a copy made in full are read back from its own batch's spill.
        for batch_no, base, n in self.spans:
            lo, hi = bisect.bisect_left(spilled, base), bisect.bisect_left(spilled, base + n)
            if hi > lo:
                tasks.append((self.spill, batch_no, spilled[lo:hi], {}))
        # A keyed copy is read from its path: any task will do, and few large
        # ones write fewer small spill files (each costs a fixed ~0.4 ms a table).
        size = min(BATCH_FILES, -(-len(keyed) // (2 * self.workers)))
        for i in range(0, len(keyed), size or 1):
            chunk = keyed[i : i + size]
            self.batches += 1
            paths = {k: (self.submitted[k], bytes(out.sha256[32 * k : 32 * k + 32])) for k in chunk}
            tasks.append((self.spill, self.batches, [], paths))
        if self.pool is None:
            done = [finish_batch(*task) for task in tasks]
        else:
            futures = [self.pool.submit(finish_batch, *task) for task in tasks]
            t0 = time.perf_counter()
            done = [f.result() for f in futures]
            self.last_result = time.perf_counter()
            self.waited += self.last_result - t0
        rejects: dict[int, tuple] = {}
        for seconds, failed in done:
            rejects.update(failed)
            for i, sec in enumerate(seconds):
                out.seconds[i] += sec
        return rejects

    def forget_files(self) -> None:
        """Let go of what is kept per input file (outcomes, paths) once the run
        has written it: the merge after it should not hold it."""
        self.outcomes = Outcomes()
        self.submitted = []

    def close(self) -> None:
        """Stop the workers (cancelling what is queued); safe to call twice."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None
