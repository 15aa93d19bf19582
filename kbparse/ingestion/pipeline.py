"""`kbparse ingest`: a folder of articles in, a committed Parquet dataset out.

Stages: discover the inputs, decide what changed since the last run (size and
mtime against the `sources` table), parse the changed files in worker
processes (batches of files, not one at a time), keep one row per article
(newest date, then txt over md, then the first path), make the facts of the
winning copies the parse did not make (kbparse.ingestion.worker), merge, and
commit a new version of every table atomically (kbparse.store). Tables no change touched are
hard-linked from the previous version, so a re-run over unchanged inputs
reads no article and writes almost nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from .. import __version__
from ..environment import environment_errors
from ..errors import printable
from ..output import open_store
from ..schema import Table, article_tables, table
from ..tables import build, build_from_rows, column_values, sort_rows
from .changes import Previous, choose_winners, reparse_affected, scan
from .discover import Discovery, iter_sources, still_there
from .parser import Parser, Progress
from .worker import EAGER, FORMATS, STAGES, Outcomes

# What a run needs free on the output's disk is a new copy of the dataset
# plus this much per byte of input parsed (spill, and the new articles' share
# of the dataset): benchmarks/bench_disk.py measured 0.52 on 57,499 files and
# 0.58 on the sample's 4,423. Only quoted to an operator whose disk filled up.
DISK_PER_INPUT_BYTE = 0.6


@dataclass
class Reject:
    source_path: str
    error_kind: str
    line: int | None
    column: int | None
    message: str


@dataclass
class IngestResult:
    out: Path | str  # a str for a dataset at a URL
    version: int
    seen: int
    parsed: int
    unchanged: int
    rejected: int
    duplicates: int
    articles: int
    seconds: float
    workers: int
    rejects: list[Reject] = field(default_factory=list)
    # Where the wall time went, in seconds (see _timings): cheap timers, always on.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 all ingested, 1 some inputs rejected (the dataset is committed all the same)."""
        return 1 if self.rejected else 0

    @property
    def rate(self) -> float:
        return self.parsed / self.seconds if self.seconds else 0.0


# -- the run ----------------------------------------------------------------------


def _check_engine(engine: str) -> None:
    from .engines import ENGINES, EngineError

    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise EngineError("--engine dask needs Dask: pip install 'kbparse[dask]'") from None


def ingest(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    full_refresh: bool = False,
    progress: Progress | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> IngestResult:
    """Ingest the article files under `paths` into the dataset at `out`.

    Raises InputError (no such input) or OutputError (unusable output) before
    touching anything; bad articles never raise, they become rows of `rejects`.
    With workers > 1 the parsing runs in worker processes, so a script calling
    this needs the usual `if __name__ == "__main__":` guard. engine="dask" runs
    the parse tasks on the Dask cluster at `scheduler` (a LocalCluster of
    `workers` processes when None); the dataset is the same as the local engine's.
    """
    started_at = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    _check_engine(engine)
    store = open_store(out)
    store.check_usable()
    found = Discovery()
    sources = iter_sources(list(paths), found)  # raises InputError now, for a missing PATH

    with store.lock(), store.discarding(), _explained(store) as budget:
        store.cleanup()
        committed = store.current()
        previous = None if full_refresh else committed
        version = store.next_version()
        stale = store.stale_tables(previous, article_tables())
        if stale:
            # Its rows cannot be merged with this version's: a rebuild is the only way.
            from ..store import OutputError

            raise OutputError(
                f"{store.out} was written by an earlier kbparse whose tables differ from this one's "
                f"({', '.join(stale)}): run the same command with --full-refresh once to rebuild it"
            )
        prev = Previous(store, previous)

        spill = store.scratch(version)
        found.scratch = spill  # a .zip at a URL is downloaded there, and gone with it
        # Workers on other machines cannot write to this one's disk.
        shared = store.shared_scratch(version) if engine == "dask" and scheduler else str(spill)
        parser = budget.parser = Parser(workers, progress, shared, engine, scheduler)
        timings: dict[str, float] = {"setup": time.perf_counter() - t0}
        t_parse = time.perf_counter()
        try:
            seen, unchanged, parsing = scan(sources, prev, parser, timings)
            dropped = reparse_affected(parser, prev, parsing, seen)
            outcomes = parser.finish()
            # An input folder gone mid-run left only rejects: that is no dataset to commit.
            still_there(paths)
            t_winners = time.perf_counter()
            timings["parse phase"] = t_winners - t_parse
            index = prev.index
            files = parser.submitted  # path of each entry of `outcomes`; as a set, that is `parsing`
            nothing_new = previous is not None and not parser.added and not dropped
            if nothing_new:
                # Every input is as the last run left it: so is every outcome.
                outcome_now = prev.col("outcome")
                articles = outcome_now.count("ingested")
                duplicates = sum(1 for p in seen if outcome_now[index[p]] == "duplicate")
            else:
                carried = [i for i, p in enumerate(prev.col("source_path")) if p not in parsing and p not in dropped]
                t_facts = time.perf_counter()
                eager, made = FORMATS.index(EAGER), set()
                while True:
                    winners = choose_winners(prev, carried, outcomes, files)
                    winning = set(winners.values())
                    keep_src = [k for k, p in enumerate(files) if p in winning]
                    # What the parse owes a winner it did not read in full (worker.EAGER).
                    owed = [k for k in keep_src if outcomes.fmt[k] != eager and k not in made]
                    made.update(owed)
                    failed = parser.finish_winners(owed) if owed else {}
                    if not failed:
                        break
                    # A copy changed mid-run: it is rejected, and its article's next copy wins.
                    outcomes.rejects.update(failed)
                articles = len(winners)
                timings["facts phase"] = time.perf_counter() - t_facts
            timings["winners"] = time.perf_counter() - t_winners - timings.get("facts phase", 0.0)
        finally:
            parser.close()  # worker processes must not outlive a failed or interrupted scan
        t_book = time.perf_counter()
        staging = store.staging(version)
        jobs: list[tuple[Table, pa.Table | None]] = []
        if nothing_new:
            jobs += [(t, None) for t in article_tables() + [table("sources")]]
        else:
            jobs.append((table("sources"), _sources_table(prev, carried, outcomes, files, winning)))
            kept = sorted(a for a, p in winners.items() if p not in parsing)
            ids = sorted(winners)
        rejects = _rejects(store.read_table(previous, table("rejects")), found, outcomes, files, parsing)
        jobs.append((table("rejects"), _rows_table("rejects", [vars(r) for r in rejects])))

        problem_paths = {p.path for p in found.problems}
        rejected_paths = {r.source_path for r in rejects}
        seen_paths = set(seen)
        run_rejects = [r for r in rejects if r.source_path in problem_paths or r.source_path in seen_paths]
        if not nothing_new:
            duplicates = sum(1 for p in seen_paths if p not in winning and p not in rejected_paths)
        result = IngestResult(
            out=store.out, version=version, seen=len(seen) + len(found.problems),
            parsed=parser.added, unchanged=unchanged, rejected=len(run_rejects),
            duplicates=duplicates, articles=articles, seconds=0.0, workers=workers, rejects=run_rejects,
        )
        _write_all(store, staging, version, previous, jobs)
        # The merge is the run's peak of memory. What the run knows of each
        # input file, which grows with the corpus (about 90 MiB at 230,000 files),
        # is written or counted by now: it is let go of before the merge, not
        # held through it.
        worker_seconds = outcomes.seconds
        jobs = rejects = seen = seen_paths = parsing = files = outcomes = prev = None
        winners = winning = carried = rejected_paths = problem_paths = None
        parser.forget_files()
        # (and Arrow's allocator keeps what the tables just written took, unless asked)
        pa.default_memory_pool().release_unused()
        timings["bookkeeping"] = time.perf_counter() - t_book

        t_merge = time.perf_counter()
        if shared != str(spill):
            store.fetch(shared, spill)
        if not nothing_new:
            _merge_article_tables(store, staging, version, previous, spill, kept, keep_src, ids, workers)
            timings["merge"] = time.perf_counter() - t_merge
        t_commit = time.perf_counter()
        result.seconds = time.perf_counter() - t0
        this_run = {
            "run_id": version, "started_at": started_at, "finished_at": datetime.now(timezone.utc),
            "kbparse_version": __version__, "inputs": "\n".join(os.fspath(p) for p in paths),
            "full_refresh": full_refresh, "workers": workers, "seen": result.seen,
            "parsed": result.parsed, "unchanged": result.unchanged, "rejected": result.rejected,
            "duplicates": result.duplicates, "articles": result.articles, "seconds": result.seconds,
        }
        # Appended as Arrow, not through Python rows: the earlier runs stay as read
        # (their run_ids are lower), and converting timestamps to Python imports pandas.
        runs = pa.concat_tables([store.read_table(committed, table("ingest_runs")), _rows_table("ingest_runs", [this_run])])
        store.write_table(staging, table("ingest_runs"), runs, version)
        store.commit(staging, version)
        budget.committed = True
        store.cleanup()
    timings["commit"] = time.perf_counter() - t_commit
    timings["total"] = time.perf_counter() - t0
    result.timings = _timings(timings, parser, worker_seconds)
    return result


class _Budget:
    """What a run had of the disk and what it needed, for the one line an
    operator reads when the disk fills up."""

    def __init__(self, store) -> None:
        self.parser: Parser | None = None
        self.committed = False
        self.folder = str(store.local)
        try:
            st = os.statvfs(self.folder)
            self.free = st.f_bavail * st.f_frsize
        except OSError:
            self.free = None
        try:
            current = store.current()
            self.dataset = sum(f.stat().st_size for f in current.rglob("*.parquet")) if current else 0
        except OSError:
            self.dataset = 0  # only an estimate; the run will say what is wrong with the folder

    def need(self) -> str:
        parsed = self.parser.bytes if self.parser else 0
        estimate = self.dataset + DISK_PER_INPUT_BYTE * parsed
        free = f"{self.free / 1e6:,.1f} MB free when it started" if self.free is not None else "too little free"
        if self.free is not None and estimate <= self.free:
            return f"it had {free}, and needs more"
        # Until discovery ends, not every file to parse is counted yet.
        about = "about" if self.parser and self.parser.total is not None else "at least"
        return f"it had {free}, and needs {about} {estimate / 1e6:,.1f} MB"

    def after(self) -> str:
        return "" if self.committed else "; the dataset is as it was"


@contextmanager
def _explained(store):
    """A failure of the machine (disk full, permissions...) inside the run
    becomes one line that says what to do (kbparse.environment)."""
    budget = _Budget(store)
    with environment_errors(budget.folder, need=budget.need, after=budget.after):
        yield budget


def _timings(main: dict[str, float], parser: Parser, worker_seconds) -> dict[str, float]:
    """The main process's stages, the workers' summed stages ("worker <stage>",
    from Outcomes.seconds) and their idle time: worker-seconds of the pool's
    life not spent in a batch."""
    out = dict(main)
    out["waiting for workers"] = parser.waited
    for stage, seconds in zip(STAGES, worker_seconds):
        out[f"worker {stage}"] = seconds
    if parser.pool_started is not None and parser.last_result is not None:
        span = parser.last_result - parser.pool_started
        out["pool span"] = span
        out["worker idle"] = max(0.0, parser.workers * span - worker_seconds[STAGES.index("busy")])
    return out


def _merge_article_tables(store, staging: Path, version: int, previous: Path | None,
                          spill: Path, kept: list[str], keep_src: list[int], ids: list[str], workers: int) -> None:
    """Each article table: the previous rows of articles no file of this run
    touched, plus this run's winners' rows from the spill files (kbparse.merge).

    The tables are merged `workers` at a time, in threads (DuckDB and the
    Parquet writer release the GIL): one table's writing, which runs on one
    core, would otherwise leave the others idle at the end of the run."""
    from concurrent.futures import ThreadPoolExecutor

    from .merge import connect, write_merged

    con = connect(spill, workers)
    kept_ids = pa.table({"article_id": pa.array(kept, pa.string())})
    keep_ids = pa.table({"id": pa.array(keep_src, pa.int64())})

    def merge(t: Table) -> None:
        cursor = con.cursor()  # a connection of its own per thread; registered views are per connection
        try:
            cursor.register("kept_ids", kept_ids)
            cursor.register("keep_src", keep_ids)
            folder = staging / t.name
            folder.mkdir(exist_ok=True)
            previous_files = store.table_files(previous, t.name)
            spill_files = sorted((spill / t.name).glob("*.parquet"))
            out = folder / store.file_name(version)
            write_merged(cursor, t, out, previous_files, spill_files, bool(kept), bool(keep_src), ids)
            store.sync_file(out)
        finally:
            cursor.close()

    try:
        # Largest first (article_tables() lists articles, then sections), so no large one is left for last.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done in [pool.submit(merge, t) for t in article_tables()]:
                done.result()
    finally:
        con.close()


def _sources_table(prev: Previous, carried: list[int], out: Outcomes, paths: list[str], winning: set[str]) -> pa.Table:
    def outcome(path: str, rejected: bool) -> str:
        return "rejected" if rejected else "ingested" if path in winning else "duplicate"

    old = prev.table.take(pa.array(carried, pa.int64()))
    old_paths = old["source_path"].to_pylist()
    was = column_values(old["outcome"])
    old = old.set_column(
        old.schema.get_field_index("outcome"), "outcome",
        pa.array([outcome(p, w == "rejected") for p, w in zip(old_paths, was)], table("sources").column("outcome").arrow_type),
    )
    known = [k for k in range(len(out)) if out.hashed[k]]  # a file that could not be read has no identity to remember
    t = table("sources")
    # Column by column, not row dicts: this table has a row per input file.
    new = build(t, {
        "source_path": [paths[k] for k in known], "size_bytes": [out.size[k] for k in known],
        "mtime_ns": [out.mtime_ns[k] for k in known], "content_sha256": [out.sha_hex(k) for k in known],
        "article_id": [out.article_id[k] for k in known], "last_modified": [out.last_modified(k) for k in known],
        "source_format": [out.source_format(k) for k in known],
        "outcome": [outcome(paths[k], k in out.rejects) for k in known],
    })
    return sort_rows(pa.concat_tables([old.cast(t.arrow_schema), new]).unify_dictionaries(), t.sort)


def _rejects(earlier: pa.Table, found: Discovery, out: Outcomes, paths: list[str], parsed: set[str]) -> list[Reject]:
    """Earlier rejects of files not read again, then this run's."""
    problem_paths = {p.path for p in found.problems}
    rows = [
        Reject(**r) for r in earlier.to_pylist()
        if r["source_path"] not in parsed and r["source_path"] not in problem_paths
    ]
    rows += [Reject(p.path, p.kind, None, None, printable(p.message)) for p in found.problems]
    rows += [Reject(paths[k], kind, line, col, printable(message)) for k, (kind, line, col, message) in out.rejects.items()]
    return sorted(rows, key=lambda r: r.source_path)


def _rows_table(name: str, rows: list[dict]) -> pa.Table:
    """A small table from row dicts, sorted here in Python (no Arrow compute needed)."""
    t = table(name)
    rows = sorted(rows, key=lambda r: tuple((r[k] is None, r[k]) for k in t.sort))
    return build_from_rows(t, rows)


def _write_all(store, staging: Path, version: int, previous: Path | None,
               jobs: list[tuple[Table, pa.Table | None]]) -> None:
    """Write each small table, or hard-link it from the previous version (None)."""
    for t, data in jobs:
        if data is None:
            store.link_table(staging, t.name, previous)
        else:
            store.write_table(staging, t, data, version)
