"""Where parse tasks run: worker processes on this machine, or a Dask cluster.

Both give an object with `submit(fn, *args) -> future` (`future.result()`)
and `close()`, which is all the ingest pipeline needs.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from .errors import UsageError

ENGINES = ("local", "dask")


class EngineError(UsageError):
    """The chosen engine cannot start (Dask not installed, no scheduler at that address)."""


class LocalEngine:
    def __init__(self, workers: int) -> None:
        # forkserver, not fork: this process may hold Arrow's thread pools,
        # which a forked child would inherit locked.
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["kbparse.ingest_worker"])
        _start_forkserver_deaf_to_ctrl_c()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Start the forkserver with SIGINT ignored, which it and the workers it
    forks inherit. Ctrl-C reaches the whole process group: this process
    stops the workers and removes what the run wrote, while workers that
    took the signal too would each print a KeyboardInterrupt traceback."""
    import signal
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # only the main thread may change a signal's handler
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, before)


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
