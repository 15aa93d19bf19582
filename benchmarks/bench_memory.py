"""Peak memory of `kbparse ingest` on a corpus and on one four times larger.

    python benchmarks/bench_memory.py [--copies 13] [--factor 4] [--work /tmp/kbbench]

Builds (once, cached) corpora of renumbered copies of ../shared/kb-sample: 13
copies (57,499 files, about the public archive's 57,000 articles) and 4 x 13
copies. Runs `kbparse ingest` on each into a new folder while sampling, every
50 ms, the summed resident memory (VmRSS from /proc, so Linux only) of the
command and all its descendants (worker processes, the forkserver). The
issue's bar: the larger corpus peaks at no more than 1 GiB and no more than
1.25 x the smaller one.
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

from bench_ingest import kbparse_cmd  # noqa: E402
from corpus import build  # noqa: E402


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss(root: int) -> int:
    """Summed VmRSS in bytes of `root` and its descendants."""
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


def peak_of(cmd: list[str]) -> tuple[int, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr.read()}")
    return peak, time.perf_counter() - start


def corpus(work: Path, copies: int) -> Path:
    path = work / f"corpus-{copies}"
    if not path.is_dir():
        print(f"building {path} ...", flush=True)
        build(path, copies)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=13)
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    args = ap.parse_args()
    results = []
    for copies in (args.copies, args.copies * args.factor):
        src = corpus(args.work, copies)
        files = sum(1 for _ in src.rglob("*") if _.is_file())
        out = args.work / f"mem-out-{copies}"
        shutil.rmtree(args.work / f".{out.name}.kbparse", ignore_errors=True)
        out.unlink(missing_ok=True)
        peak, seconds = peak_of(kbparse_cmd() + ["ingest", str(src), "--out", str(out), "-q"])
        results.append((files, peak, seconds))
        print(f"{files:>8,} files: peak summed RSS {peak / 2**20:7.1f} MiB, {seconds:6.1f} s", flush=True)
        shutil.rmtree(args.work / f".{out.name}.kbparse", ignore_errors=True)
        out.unlink(missing_ok=True)
    (small_n, small, _), (big_n, big, _) = results
    print(f"cores: {os.cpu_count()}")
    print(f"larger / smaller corpus: {big_n / small_n:.1f}x the files, {big / small:.2f}x the peak memory (bar: <= 1.25)")
    print(f"larger corpus peak: {big / 2**30:.2f} GiB (bar: <= 1 GiB)")


if __name__ == "__main__":
    main()
