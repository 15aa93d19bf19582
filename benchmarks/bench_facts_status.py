"""Cost of the STATUS and fix-target recognizers on the sections they run on.

    python benchmarks/bench_facts_status.py [--repeat 5] [--against COMMIT]

Parses every article of ../shared/kb-sample once, then times classify_status
over the STATUS sections and find_fixes over the STATUS and RESOLUTION
sections (in ingest they run on nothing else), `--repeat` times, and prints
the median microseconds per section and the cost per article of the sample.
The facts layer (six recognizers) may add at most 20 % to ingest, about 90 us
of CPU per article in all.

With --against, kbparse/facts/ as of COMMIT is loaded beside the working copy
and the two are timed alternately in the same run (the machine's load moves
both alike), and the sections whose rows differ between them are counted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402
from kbparse.facts import fixes, status  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def facts_at(commit: str, into: Path):
    """(status, fixes) modules of kbparse/facts/ as of `commit`, imported as a
    sibling package of kbparse.facts so that their relative imports resolve."""
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{commit}:kbparse/facts"],
                             check=True, capture_output=True, text=True).stdout.split()
    for name in listing:
        if name.endswith(".py"):
            source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:kbparse/facts/{name}"],
                                    check=True, capture_output=True, text=True).stdout
            (into / name).write_text(source, encoding="utf-8")
    package = "kbparse._facts_" + "".join(c for c in commit if c.isalnum())
    spec = importlib.util.spec_from_file_location(package, into / "__init__.py",
                                                  submodule_search_locations=[str(into)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    return importlib.import_module(f"{package}.status"), importlib.import_module(f"{package}.fixes")


def per_item_us(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) / max(1, len(items)) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--against", metavar="COMMIT",
                    help="also time kbparse/facts/ as of this commit, alternately")
    args = ap.parse_args()
    files = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    if not files:
        sys.exit(f"no sample at {SAMPLE}")
    start = time.perf_counter()
    articles = [kbparse.parse_file(f) for f in files]
    parse_us = (time.perf_counter() - start) / len(files) * 1e6
    sections = [(s.heading, s.text) for a in articles for s in a.sections]
    status_texts = [t for h, t in sections if h == "STATUS"]
    fix_texts = [t for h, t in sections if h in ("STATUS", "RESOLUTION")]
    # the parsed articles would make every garbage collection during the
    # timing walk them, for both implementations alike
    del articles, sections
    gc.collect()
    print(f"{len(files)} articles; {len(status_texts)} STATUS sections, {len(fix_texts)} STATUS+RESOLUTION "
          f"sections; parse_file {parse_us:.0f} us/article (one run)")

    impls = {"working copy": (status.classify_status, fixes.find_fixes)}
    with tempfile.TemporaryDirectory() as tmp:
        if args.against:
            old_status, old_fixes = facts_at(args.against, Path(tmp))
            impls[args.against] = (old_status.classify_status, old_fixes.find_fixes)
        for classify, find in impls.values():
            classify(""), find("")  # build the grammars outside the timing
        times = {name: {"classify_status": [], "find_fixes": []} for name in impls}
        for run in range(args.repeat):
            order = list(impls) if run % 2 == 0 else list(reversed(impls))
            for name in order:
                classify, find = impls[name]
                times[name]["classify_status"].append(per_item_us(classify, status_texts))
                times[name]["find_fixes"].append(per_item_us(find, fix_texts))

        print(f"median of {args.repeat} runs, us per section of its kind:")
        for name, t in times.items():
            cs, ff = statistics.median(t["classify_status"]), statistics.median(t["find_fixes"])
            per_article = (cs * len(status_texts) + ff * len(fix_texts)) / len(files)
            print(f"  {name:14} classify_status {cs:7.1f} (STATUS)   find_fixes {ff:7.1f} (STATUS+RESOLUTION)"
                  f"   = {per_article:5.1f} us per article")
        if args.against:
            new, old = times["working copy"], times[args.against]
            for fn in ("classify_status", "find_fixes"):
                runs = ", ".join(f"{a:.0f}/{b:.1f}" for a, b in zip(old[fn], new[fn]))
                print(f"  {fn}: {statistics.median(old[fn]) / statistics.median(new[fn]):.1f}x faster than "
                      f"{args.against} (runs, old/new us: {runs})")
            (old_classify, old_find), (classify, find) = impls[args.against], impls["working copy"]
            status_diff = sum(old_classify(t) != classify(t) for t in status_texts)
            fixes_diff = sum(old_find(t) != find(t) for t in fix_texts)
            print(f"  rows differ from {args.against}: classify_status in {status_diff} of "
                  f"{len(status_texts)} sections, find_fixes in {fixes_diff} of {len(fix_texts)}")


if __name__ == "__main__":
    main()
