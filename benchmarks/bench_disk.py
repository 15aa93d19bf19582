"""Peak disk use of `kbparse ingest`, output plus spill, as a multiple of the dataset it makes.

    python benchmarks/bench_disk.py [--copies 0] [--repeat 1] [--touch 0.01] [--reruns 2] [--work /tmp/kbbench]

Copies the articles (--copies 0: ../shared/kb-sample itself, 4,423 files;
N: N renumbered copies of it, benchmarks/corpus.py, 13 is about the whole public
archive) into a folder of their own, then runs as an operator would:
  first  - `kbparse ingest SRC --out W/kb-data` into a new folder;
  rerun  - the same command after --touch of the files got a new mtime, --reruns
           times (the nightly case: a few changed files; every article table is
           rewritten beside the two versions a dataset keeps, the current one and
           the previous one for readers still reading it; the last rerun, with
           both there, is the one reported).
While each runs, a thread adds up, every --interval seconds, the blocks
allocated (st_blocks, hard links counted once) under W, the folder holding
the output link and its `.kb-data.kbparse/` (versions, staging, spill and
DuckDB's temp files); its own disk, not the filesystem's free space, so other
processes on the machine do not count. A peak between two samples is missed:
the figures are lower bounds, and a shorter interval raises them only if the
peak was missed. The dataset's size is the committed version's folder
(`du -s W/kb-data/`).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ingest import kbparse_cmd  # noqa: E402
from corpus import SAMPLE, cached  # noqa: E402

MB = 1e6


def allocated(root: Path) -> int:
    """Bytes allocated under `root`, each inode once; files vanishing mid-walk are skipped."""
    total, seen = 0, set()
    for folder, dirs, files in os.walk(root):
        for name in files + dirs:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def peak_of(cmd: list[str], watched: Path, interval: float) -> tuple[int, float]:
    """(peak bytes allocated under `watched` while `cmd` ran, seconds)."""
    peak = [allocated(watched)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], allocated(watched))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return max(peak[0], allocated(watched)), seconds


def source(work: Path, copies: int) -> Path:
    """A writable copy of the articles (the rerun changes mtimes)."""
    if copies:
        return cached(work, copies)
    path = work / "sample-copy"
    if not path.is_dir():
        shutil.copytree(SAMPLE, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=0, help="0: the sample itself; N: N renumbered copies")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--touch", type=float, default=0.01, help="share of files changed before each rerun")
    ap.add_argument("--reruns", type=int, default=2)
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("--workers", type=int, default=0, help="--workers of the ingest [default: the machine's cores]")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    args = ap.parse_args()
    src = source(args.work, args.copies)
    files = sorted(p for p in src.rglob("*") if p.is_file())
    inputs = sum(p.stat().st_size for p in files)
    first, rerun, sizes = [], [], []
    for i in range(args.repeat):
        watched = args.work / f"disk-{os.getpid()}-{i}"
        shutil.rmtree(watched, ignore_errors=True)
        watched.mkdir(parents=True)
        out = watched / "kb-data"
        cmd = kbparse_cmd() + ["ingest", str(src), "--out", str(out), "-q"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        peak1, s1 = peak_of(cmd, watched, args.interval)
        dataset = allocated(Path(os.path.realpath(out)))
        rng = random.Random(i)
        for _ in range(args.reruns):
            for p in rng.sample(files, max(1, int(len(files) * args.touch))):
                os.utime(p, ns=(time.time_ns(), time.time_ns()))
            before = allocated(watched)
            peak2, s2 = peak_of(cmd, watched, args.interval)
            after = allocated(watched)
        shutil.rmtree(watched, ignore_errors=True)
        first.append(peak1 / dataset)
        rerun.append(peak2 / dataset)
        sizes.append(dataset)
        print(f"  round {i + 1}: dataset {dataset / MB:.1f} MB; first run peak {peak1 / MB:.1f} MB "
              f"({peak1 / dataset:.2f}x, {s1:.1f} s); rerun peak {peak2 / MB:.1f} MB ({peak2 / dataset:.2f}x, "
              f"{s2:.1f} s; {before / MB:.1f} MB on disk before it, {after / MB:.1f} MB after)", flush=True)
    dataset = statistics.median(sizes)
    print(f"files: {len(files)} ({inputs / MB:.1f} MB)  repeats: {args.repeat}  (medians below)")
    print(f"dataset:               {dataset / MB:.1f} MB ({dataset / inputs:.2f}x the input files)")
    print(f"first run, peak disk:  {statistics.median(first):.2f}x the dataset")
    print(f"rerun ({args.touch:.0%} changed), peak disk: {statistics.median(rerun):.2f}x the dataset")


if __name__ == "__main__":
    main()
