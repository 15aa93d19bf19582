"""Cost of the STATUS and fix-target recognizers, per section text.

    python benchmarks/bench_facts_status.py [--repeat 5]

Parses every article of ../shared/kb-sample once, then times
classify_status and find_fixes over every section's text (the cost when the
form is mostly absent) and over the sections they are meant for (STATUS; STATUS
and RESOLUTION), `--repeat` times, and prints the median microseconds per
section. Also times kbparse.parse_file per article, for scale: the facts layer
should add at most 20 % to ingest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402
from kbparse.facts.fixes import find_fixes  # noqa: E402
from kbparse.facts.status import classify_status  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def per_item_us(fn, items, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        runs.append((time.perf_counter() - start) / max(1, len(items)) * 1e6)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    files = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    if not files:
        sys.exit(f"no sample at {SAMPLE}")
    start = time.perf_counter()
    articles = [kbparse.parse_file(f) for f in files]
    parse_us = (time.perf_counter() - start) / len(files) * 1e6
    sections = [(s.heading, s.text) for a in articles for s in a.sections]
    every = [t for _, t in sections]
    status_texts = [t for h, t in sections if h == "STATUS"]
    fix_texts = [t for h, t in sections if h in ("STATUS", "RESOLUTION")]
    classify_status(""), find_fixes("")  # build the grammars outside the timing
    print(f"{len(files)} articles, {len(every)} sections; parse_file {parse_us:.0f} us/article (one run)")
    for name, fn, own, label in [
        ("classify_status", classify_status, status_texts, "STATUS"),
        ("find_fixes", find_fixes, fix_texts, "STATUS+RESOLUTION"),
    ]:
        print(f"{name:16} every section: {per_item_us(fn, every, args.repeat):6.1f} us/section   "
              f"{label} sections ({len(own)}): {per_item_us(fn, own, args.repeat):6.1f} us/section")


if __name__ == "__main__":
    main()
