"""End-to-end `kbparse ingest` against a bare one-process loop, in one run.

    python benchmarks/bench_ingest.py [--copies 12] [--repeat 3] [--work /tmp/kbbench]

Builds (once, cached in --work) a corpus of copies of ../shared/kb-sample under
new article numbers (12 copies: 53,076 files), then repeats, alternating:
  bare   - one process reads each file, decodes it, finds its =-underlined
           headings with one regular expression (benchmarks/bench_parse.py);
  ingest - `kbparse ingest CORPUS --out NEW_DIR` as a user runs it (the CLI,
           with its default --workers = the machine's cores);
  rerun  - the same command again over the unchanged files.
It prints the medians and the ratios ingest/bare and rerun/ingest. The issue's
bars: ingest <= 3x bare on a 2-core machine, rerun <= 0.1x ingest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_parse import article_files, bare  # noqa: E402
from corpus import cached  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    args = ap.parse_args()
    corpus = cached(args.work, args.copies)
    files = article_files([corpus])
    bare(files)  # warm the page cache
    t_bare, t_ingest, t_rerun = [], [], []
    for i in range(args.repeat):
        out = args.work / f"out-{os.getpid()}-{i}"
        t_bare.append(_time(lambda: bare(files)))
        t_ingest.append(timed_run(kbparse_cmd() + ["ingest", str(corpus), "--out", str(out), "-q"]))
        t_rerun.append(timed_run(kbparse_cmd() + ["ingest", str(corpus), "--out", str(out), "-q"]))
        shutil.rmtree(out.parent / f".{out.name}.kbparse", ignore_errors=True)
        out.unlink(missing_ok=True)
        print(f"  round {i + 1}: bare {t_bare[-1]:.2f} s, ingest {t_ingest[-1]:.2f} s, rerun {t_rerun[-1]:.2f} s", flush=True)
    mb, mi, mr = (statistics.median(x) for x in (t_bare, t_ingest, t_rerun))
    n = len(files)
    print(f"files: {n}  cores: {os.cpu_count()}  repeats: {args.repeat}")
    print(f"bare loop:       median {mb:6.2f} s  {n / mb:8,.0f} files/s")
    print(f"kbparse ingest:  median {mi:6.2f} s  {n / mi:8,.0f} files/s")
    print(f"re-run unchanged median {mr:6.2f} s")
    print(f"ratio ingest / bare:  {mi / mb:.2f}x   (bar: <= 3x)")
    print(f"ratio rerun / ingest: {mr / mi:.3f}   (bar: <= 0.1)")


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
