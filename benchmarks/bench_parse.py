"""Parsing throughput on one core: kbparse.parse_file against a bare loop.

    python benchmarks/bench_parse.py [--repeat 5] [PATH ...]

PATH defaults to ../shared/kb-sample (else data/). The bare loop reads each
file, decodes it and finds its `=`-underlined headings with one regular
expression: the least any parser must do. Both run in this one process, in
alternation, `--repeat` times; the medians and their ratio are printed, so a
noisy shared machine affects both alike.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402

HEADINGS = re.compile(r"^([^\r\n]+)\r?\n\t?=+[ \t]*\r?$", re.M)


def article_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
        else:
            out += sorted(q for q in p.rglob("*") if q.is_file() and (q.suffix.lower() == ".txt" or q.name == "README.md"))
    return out


def bare(files: list[Path]) -> int:
    found = 0
    for f in files:
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        found += len(HEADINGS.findall(text))
    return found


def ours(files: list[Path]) -> int:
    return sum(len(kbparse.parse_file(f).sections) for f in files)


def timed(fn, files) -> float:
    start = time.perf_counter()
    fn(files)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    default = ROOT.parent / "shared" / "kb-sample"
    files = article_files(args.paths or [default if default.is_dir() else ROOT / "data"])
    ours(files[:50])  # build the grammars and warm the page cache outside the timings
    bare(files)
    t_bare, t_ours = [], []
    for _ in range(args.repeat):
        t_bare.append(timed(bare, files))
        t_ours.append(timed(ours, files))
    mb, mo = statistics.median(t_bare), statistics.median(t_ours)
    print(f"files: {len(files)}  cores: {os.cpu_count()}  repeats: {args.repeat}")
    print(f"bare loop (read+decode+heading regex): median {mb:.3f} s  {len(files) / mb:,.0f} articles/s")
    print(f"kbparse.parse_file:                    median {mo:.3f} s  {len(files) / mo:,.0f} articles/s")
    print(f"ratio kbparse / bare: {mo / mb:.1f}x")


if __name__ == "__main__":
    main()
