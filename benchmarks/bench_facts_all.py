"""Time kbparse.tables.fact_rows (all six recognizers) per article over the sample.

    python benchmarks/bench_facts_all.py [--rounds 7] [--against REV] [--recognizers]

Parses ../shared/kb-sample once and times fact_rows over every article, in
CPU time (time.process_time: other work on the machine adds wall time, not
this process's CPU time). With --against REV the facts layer as it was at REV
(kbparse and grammars extracted from git, see facts_identical.py) is timed in
the same process, old and new alternating in each round so that both see the
same load; the ratio new/old of each round is printed, then their median,
and the number of articles whose fact rows differ (must be 0).
--recognizers also times each recognizer over the texts it reads, the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import sample_files  # noqa: E402
from benchmarks.facts_identical import by_article, package_at  # noqa: E402


def _cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def _alternate(label: str, versions: dict, rounds: int, per: int) -> None:
    """Time each of versions {name: callable} `rounds` times, alternating, and print us per item."""
    times = {name: [] for name in versions}
    for _ in range(rounds):
        for name, fn in versions.items():
            times[name].append(_cpu(fn) / per * 1e6)
    for name, ts in times.items():
        print(f"{label:18s} {name:4s} median {statistics.median(ts):7.1f} us  best {min(ts):7.1f} us")
    if len(versions) == 2:
        ratios = [n / o for o, n in zip(times["old"], times["new"])]
        print(f"{label:18s} new/old per round: {' '.join(f'{r:.3f}' for r in ratios)}; "
              f"median {statistics.median(ratios):.3f}")


def main() -> None:
    import kbparse
    import kbparse.facts.extract
    import kbparse.tables

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--against", metavar="REV", help="also time the facts layer as it was at this commit")
    ap.add_argument("--recognizers", action="store_true", help="also time each recognizer alone")
    args = ap.parse_args()
    files = sample_files()
    if not files:
        sys.exit("no sample at ../shared/kb-sample")
    sources = [kbparse.tables.fact_source(kbparse.parse_file(f)) for f in files]
    print(f"{len(files)} articles; CPU time per article, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        packages = {"new": kbparse}
        if args.against:
            packages = {"old": package_at(args.against, Path(tmp)), **packages}
        for pkg in packages.values():
            pkg.tables.fact_rows(sources[:50])  # warm up: vocabularies loaded, grammars built
        versions = {name: (lambda pkg=pkg: pkg.tables.fact_rows(sources)) for name, pkg in packages.items()}
        _alternate("fact_rows/article", versions, args.rounds, len(sources))
        if args.recognizers:
            texts = [(h, t) for _, p, secs in sources
                     for h, t in ([(None, p)] if p else []) + list(secs) if t]
            for name in packages["new"].facts.extract._SCANNERS:
                versions = {}
                for side, pkg in packages.items():
                    scan, wanted = pkg.facts.extract._SCANNERS[name]
                    mine = [t for h, t in texts if wanted is None or h in wanted]
                    versions[side] = lambda scan=scan, mine=mine: [scan(t) for t in mine]
                _alternate(f"{name}/article", versions, args.rounds, len(sources))
        if args.against:
            rows = {side: by_article(pkg.tables.fact_rows(sources, with_row=True), len(sources))
                    for side, pkg in packages.items()}
            differ = sum(a != b for a, b in zip(rows["old"], rows["new"]))
            print(f"articles whose fact rows differ between {args.against} and now: {differ}")


if __name__ == "__main__":
    main()
