"""End-to-end `kbparse ingest` against the floor, in one run.

    python benchmarks/bench_ingest.py [--copies 12] [--repeat 3] [--workers N] [--work /tmp/kbbench]

Builds (once, cached in --work) a corpus of copies of ../shared/kb-sample under
new article numbers (12 copies: 53,076 files), then repeats, alternating:
  floor  - one process reads each file, decodes it, finds its =-underlined
           headings with one regular expression (benchmarks/floor.py);
  ingest - `kbparse ingest CORPUS --out NEW_DIR` as a user runs it (the CLI,
           with its default --workers = the machine's cores unless --workers);
  rerun  - the same command again over the unchanged files.
It prints the medians and the ratios ingest/floor and rerun/ingest. The
issue's bars (issue 12): ingest <= 2.5x the floor with 2 workers on 2 cores,
rerun <= 0.05x ingest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import cached  # noqa: E402
from floor import article_files, floor, median, timed  # noqa: E402


def kbparse_cmd() -> list[str]:
    exe = shutil.which("kbparse") or str(Path(sys.executable).parent / "kbparse")
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "kbparse"]


def timed_run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def remove_dataset(out: Path) -> None:
    shutil.rmtree(out.parent / f".{out.name}.kbparse", ignore_errors=True)
    out.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="passed to kbparse ingest (default: its own, the cores)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    args = ap.parse_args()
    corpus = cached(args.work, args.copies)
    files = article_files([corpus])
    floor(files)  # warm the page cache
    extra = ["--workers", str(args.workers)] if args.workers else []
    t_floor, t_ingest, t_rerun = [], [], []
    for i in range(args.repeat):
        out = args.work / f"out-{os.getpid()}-{i}"
        cmd = kbparse_cmd() + ["ingest", str(corpus), "--out", str(out), "-q", *extra]
        t_floor.append(timed(lambda: floor(files)))
        t_ingest.append(timed_run(cmd))
        t_rerun.append(timed_run(cmd))
        remove_dataset(out)
        print(f"  round {i + 1}: floor {t_floor[-1]:.2f} s, ingest {t_ingest[-1]:.2f} s "
              f"({t_ingest[-1] / t_floor[-1]:.2f}x), rerun {t_rerun[-1]:.2f} s", flush=True)
    mf, mi, mr = (median(x) for x in (t_floor, t_ingest, t_rerun))
    n = len(files)
    print(f"files: {n}  cores: {os.cpu_count()}  workers: {args.workers or 'default (cores)'}  repeats: {args.repeat}  (medians)")
    print(f"floor:            {mf:6.2f} s  {n / mf:8,.0f} files/s")
    print(f"kbparse ingest:   {mi:6.2f} s  {n / mi:8,.0f} files/s")
    print(f"re-run unchanged: {mr:6.2f} s")
    print(f"ratio ingest / floor:  {mi / mf:.2f}x   (bar: <= 2.5x)")
    print(f"ratio rerun / ingest:  {mr / mi:.3f}   (bar: <= 0.05)")


if __name__ == "__main__":
    main()
