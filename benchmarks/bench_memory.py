"""Peak memory of `kbparse ingest` on a corpus and on one four times larger.

    python benchmarks/bench_memory.py [--copies 13] [--factor 4] [--repeat 3] [--work /tmp/kbbench]

Builds (once, cached) corpora of renumbered copies of ../shared/kb-sample: 13
copies (57,499 files, about the public archive's 57,000 articles) and 4 x 13
copies. Runs `kbparse ingest` on each into a new folder while sampling, every
50 ms, the summed resident memory (VmRSS from /proc, so Linux only) of the
command and all its descendants (worker processes, the forkserver). The
issue's bar: the larger corpus peaks at no more than 1 GiB and no more than
1.25 x the smaller one. With --repeat N the two alternate N times and the
medians are compared. The main process's own peak is shown too: it holds the
per-file bookkeeping, the one part that grows with the corpus.
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

from bench_ingest import kbparse_cmd  # noqa: E402
from corpus import cached  # noqa: E402


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


def tree_rss(root: int) -> tuple[int, int]:
    """(summed VmRSS in bytes of `root` and its descendants, that of `root` alone)."""
    tree, total, own, stack = _children(), 0, 0, [root]
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        total += rss
                        own = rss if pid == root else own
                        break
        except OSError:
            pass
    return total, own


def peak_of(cmd: list[str]) -> tuple[int, int, float]:
    """Peak summed RSS, peak RSS of the command's own process, seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = peak_main = 0
    while proc.poll() is None:
        total, own = tree_rss(proc.pid)
        peak, peak_main = max(peak, total), max(peak_main, own)
        time.sleep(0.05)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr.read()}")
    return peak, peak_main, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=13)
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    sizes = [args.copies, args.copies * args.factor]
    sources = {copies: cached(args.work, copies) for copies in sizes}
    files = {copies: sum(1 for p in src.rglob("*") if p.is_file()) for copies, src in sources.items()}
    peaks: dict[int, list[tuple[int, int]]] = {copies: [] for copies in sizes}
    for round_no in range(1, args.repeat + 1):
        for copies in sizes:
            out = args.work / f"mem-out-{copies}"
            shutil.rmtree(args.work / f".{out.name}.kbparse", ignore_errors=True)
            out.unlink(missing_ok=True)
            peak, main_peak, seconds = peak_of(kbparse_cmd() + ["ingest", str(sources[copies]), "--out", str(out), "-q"])
            peaks[copies].append((peak, main_peak))
            print(f"  round {round_no}: {files[copies]:>8,} files: peak summed RSS {peak / 2**20:7.1f} MiB "
                  f"(main process {main_peak / 2**20:6.1f} MiB), {seconds:6.1f} s", flush=True)
            shutil.rmtree(args.work / f".{out.name}.kbparse", ignore_errors=True)
            out.unlink(missing_ok=True)
    small_n, big_n = files[sizes[0]], files[sizes[1]]
    small = statistics.median(p for p, _ in peaks[sizes[0]])
    big = statistics.median(p for p, _ in peaks[sizes[1]])
    small_main = statistics.median(m for _, m in peaks[sizes[0]])
    big_main = statistics.median(m for _, m in peaks[sizes[1]])
    print(f"cores: {os.cpu_count()}  repeats: {args.repeat}  (medians below)")
    print(f"{small_n:>8,} files: {small / 2**20:7.1f} MiB (main process {small_main / 2**20:.1f} MiB)")
    print(f"{big_n:>8,} files: {big / 2**20:7.1f} MiB (main process {big_main / 2**20:.1f} MiB)")
    print(f"larger / smaller corpus: {big_n / small_n:.1f}x the files, {big / small:.2f}x the peak memory (bar: <= 1.25)")
    print(f"larger corpus peak: {big / 2**30:.2f} GiB (bar: <= 1 GiB)")

if __name__ == "__main__":
    main()
