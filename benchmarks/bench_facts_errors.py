"""Time the error_codes and error_messages recognizers over every section of the sample.

    python benchmarks/bench_facts_errors.py [--repeat 3]

Parses ../shared/kb-sample once, then times each recognizer alone over all
section texts (best of --repeat runs) and prints microseconds per section,
over all sections and over the sections where the recognizer finds nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import sample_files  # noqa: E402


def main() -> None:
    import kbparse
    from kbparse.facts.error_codes import find_error_codes
    from kbparse.facts.error_messages import find_error_messages

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sample_files()
    if not files:
        sys.exit("no sample at ../shared/kb-sample")
    texts = [s.text for f in files for s in kbparse.parse_file(f).sections]
    print(f"{len(files)} files, {len(texts)} sections")
    for name, find in (("error_codes", find_error_codes), ("error_messages", find_error_messages)):
        find("warm up: error 5")
        absent = [t for t in texts if not find(t)]
        for label, subset in (("all sections", texts), ("sections without a row", absent)):
            best = min(_time(find, subset) for _ in range(args.repeat))
            print(f"{name:15s} {label:24s} {len(subset):6d}  {best / len(subset) * 1e6:7.1f} us/section")


def _time(find, texts) -> float:
    start = time.perf_counter()
    for text in texts:
        find(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
