"""Where parse tasks run: worker processes on this machine, or a Dask cluster.

Both give an object with `submit(fn, *args) -> future` (`future.result()`)
and `close()`, which is all the ingest pipeline needs.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from ..errors import UsageError

ENGINES = ("local", "dask")


class EngineError(UsageError):
    """The chosen engine cannot start (Dask not installed, no scheduler at that address)."""


class LocalEngine:
    def __init__(self, workers: int) -> None:
        # forkserver, not fork: this process may hold Arrow's thread pools,
        # which a forked child would inherit locked.
        ctx = get_context("forkserver")
        # Modules every worker needs, imported once in the fork server rather
        # than by each worker at its first task. Not pyarrow: it starts threads
        # on import, and a process with threads is not safe to fork from.
        ctx.set_forkserver_preload(["kbparse.ingestion.worker", "kbparse.parse", "kbparse.facts.extract"])
        _start_forkserver_quietly()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_setup)

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _worker_setup() -> None:
    """What a local worker process sets once, before its first task.

    Its garbage collector runs far less often: a batch makes hundreds of
    thousands of short-lived objects (parse results, records, rows) and
    almost no cycles, and the default thresholds had the collector walk the
    batch's live records again and again (3 to 5 % of a worker's time). The
    modules loaded so far are moved out of its sight (gc.freeze).

    And it never imports pandas: nothing a worker runs uses it, but pyarrow
    looks for it at its first conversion of Python values (pa.array), which
    imported it, 0.2 s of every worker's start.
    """
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    refuse_pandas()


def refuse_pandas() -> None:
    """Make `import pandas` fail from now on in this process, unless pandas
    is loaded already: for processes that never use it (a local worker; the
    `kbparse ingest` command on local files), where pyarrow's probe for it
    at its first pa.array would import it, 0.2 s."""
    import sys

    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


class _NoPandas:
    """An import finder that refuses pandas, so that pyarrow finds it absent
    (an ImportError; a None in sys.modules is not enough for pyarrow's probe)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not loaded in this kbparse process (kbparse.ingestion.engines.refuse_pandas)")
        return None


def _start_forkserver_quietly() -> None:
    """Start the fork server deaf to Ctrl-C and with its stderr on /dev/null;
    the workers it forks inherit both. The main process alone handles a
    Ctrl-C: it stops the workers and prints one line. Without this, a Ctrl-C
    prints tracebacks on the user's terminal: the server's when it lands during
    its imports, a starting worker's when the pool it was meant for has just
    been shut down. A worker's real failures still reach the main process, as
    the exception its task raised or as a broken pool. A Ctrl-C during the
    server's start (its imports) is ignored; the next one is not."""
    import signal
    import sys
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    sys.stderr.flush()
    saved = os.dup(2)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        signal.signal(signal.SIGINT, previous)


class DaskEngine:
    """Tasks on a `distributed` cluster: the one at `scheduler`, else a
    LocalCluster of `workers` single-threaded worker processes.

    With a scheduler address, workers write their spill files where every
    worker and this process can reach them: the object store of an output at
    a URL, else beside the output folder, which must then be shared storage.
    """

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("--engine dask needs Dask: pip install 'kbparse[dask]'") from None
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                self.cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=40,
                )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None

    def submit(self, fn, *args):
        # pure=False: two batches with equal arguments are still two tasks.
        return self.client.submit(fn, *args, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def start(engine: str, workers: int, scheduler: str | None = None):
    if engine == "local":
        return LocalEngine(workers)
    if engine == "dask":
        return DaskEngine(workers, scheduler)
    raise EngineError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
