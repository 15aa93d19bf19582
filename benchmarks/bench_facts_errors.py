"""Time the error_codes and error_messages recognizers over every section of the sample.

    python benchmarks/bench_facts_errors.py [--repeat 3] [--against REV]

Parses ../shared/kb-sample once and takes every text the facts layer reads:
each article's preamble and the text of each of its sections. Then, for each
recognizer, prints the CPU time per text averaged over all of them (the best
of --repeat passes, as other work on the machine only ever adds time) and the
slowest single text (its best time over the passes).

With --against REV (a commit, e.g. the one before a speed-up) the recognizers
as they were at REV are loaded from git and timed in the same run, passes
alternating old/new so that both see the same load, and the number of texts
whose rows differ between the two is printed: a speed-up must leave it at 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import sample_files  # noqa: E402

MODULES = {"error_codes": "find_error_codes", "error_messages": "find_error_messages"}


def main() -> None:
    import kbparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--against", metavar="REV", help="also time the recognizers as they were at this commit")
    args = ap.parse_args()
    files = sample_files()
    if not files:
        sys.exit("no sample at ../shared/kb-sample")
    texts = []
    for f in files:
        article = kbparse.parse_file(f)
        texts += [t for t in [article.preamble, *(s.text for s in article.sections)] if t]
    print(f"{len(files)} files, {len(texts)} texts (preambles and sections), "
          f"{sum(map(len, texts)) / len(texts):.0f} characters on average")
    with tempfile.TemporaryDirectory() as tmp:
        for module, function in MODULES.items():
            versions = {"new": getattr(importlib.import_module(f"kbparse.facts.{module}"), function)}
            if args.against:
                versions = {"old": getattr(_old_module(args.against, module, Path(tmp)), function), **versions}
            for find in versions.values():
                find("warm up: you receive this error:\n\n   Error 5\n")
            results = {name: (float("inf"), [float("inf")] * len(texts)) for name in versions}
            for _ in range(args.repeat):
                for name, find in versions.items():
                    total, each = _time(find, texts), _time_each(find, texts)
                    best_total, best_each = results[name]
                    results[name] = (min(total, best_total), list(map(min, each, best_each)))
            for name, (total, each) in results.items():
                worst = max(range(len(texts)), key=each.__getitem__)
                print(f"{module:15s} {name:4s} {total / len(texts) * 1e6:8.1f} us/text on average, "
                      f"slowest {each[worst] * 1e3:6.2f} ms ({len(texts[worst])} characters)")
            if args.against:
                old, new = versions["old"], versions["new"]
                differ = sum(old(t) != new(t) for t in texts)
                print(f"{module:15s} texts whose rows differ between {args.against} and now: {differ}")


def _old_module(rev: str, module: str, tmp: Path):
    """kbparse.facts.<module> as it was at commit `rev`, loaded beside the current one."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:kbparse/facts/{module}.py"],
                            check=True, capture_output=True, text=True).stdout
    path = tmp / f"{module}_{rev}.py"
    path.write_text(source, encoding="utf-8")
    # A name inside kbparse.facts, so that its relative imports (.vocab) resolve.
    spec = importlib.util.spec_from_file_location(f"kbparse.facts._{module}_at_{rev}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def _time(find, texts) -> float:
    """CPU seconds for all texts."""
    start = time.process_time()
    for text in texts:
        find(text)
    return time.process_time() - start


def _time_each(find, texts) -> list[float]:
    """CPU seconds for each text (a separate pass: the clock calls cost time too)."""
    clock, each = time.process_time, []
    for text in texts:
        start = clock()
        find(text)
        each.append(clock() - start)
    return each


if __name__ == "__main__":
    main()
