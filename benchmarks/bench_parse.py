"""Parsing throughput on one core: kbparse.parse_file against the floor, in one run.

    python benchmarks/bench_parse.py [--repeat 5] [--copies N] [--work DIR] [--rows] [PATH ...]

PATH defaults to ../shared/kb-sample (4,423 files), or with --copies N to a
corpus of N renumbered copies of it (12: 53,076 files, as bench_ingest.py
uses; built once, cached in --work), else data/. The floor
(benchmarks/floor.py) reads each file, decodes it and finds its headings: the
least any parser must do. Both run in this one process, in alternation,
`--repeat` times; the medians and their ratio are printed, so a noisy shared
machine affects both alike. --rows also times parsing plus
kbparse.tables.article_rows (the rows a worker makes of each batch).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import kbparse  # noqa: E402
from corpus import SAMPLE, cached  # noqa: E402
from floor import alternate, article_files, floor, median  # noqa: E402


def ours(files: list[Path]) -> int:
    return sum(len(kbparse.parse_file(f).sections) for f in files)


def ours_with_rows(files: list[Path], batch: int = 1000) -> int:
    from kbparse.tables import article_rows

    rows = 0
    for i in range(0, len(files), batch):
        records = [(kbparse.parse_file(f), "") for f in files[i : i + batch]]
        rows += sum(t.num_rows for t in article_rows(records, with_row=True).values())
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=0, help="0: the sample itself")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    ap.add_argument("--rows", action="store_true", help="also time parse + article_rows")
    args = ap.parse_args()
    if args.paths:
        roots = args.paths
    elif SAMPLE.is_dir():
        roots = [cached(args.work, args.copies) if args.copies else SAMPLE]
    else:
        roots = [ROOT / "data"]
    files = article_files(roots)
    ours(files[:50])  # build the grammars outside the timings
    floor(files)  # warm the page cache
    runs = {"floor": lambda: floor(files), "parse": lambda: ours(files)}
    if args.rows:
        runs["parse+rows"] = lambda: ours_with_rows(files)
    times = alternate(runs, args.repeat)
    n = len(files)
    mf = median(times["floor"])
    print(f"files: {n}  cores: {os.cpu_count()}  repeats: {args.repeat}  (medians; ratios against the floor of the same run)")
    print(f"floor (read+cp1252+HEAD regex): {mf:7.3f} s  {n / mf:8,.0f} articles/s")
    for name in runs:
        if name != "floor":
            m = median(times[name])
            print(f"{name:<31} {m:7.3f} s  {n / m:8,.0f} articles/s  {m / mf:5.2f}x the floor")


if __name__ == "__main__":
    main()
