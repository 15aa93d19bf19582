"""Time the files and registry_settings recognizers over every section of the sample.

    python benchmarks/bench_facts_files.py [--repeat 3]

Parses ../shared/kb-sample once (not timed), then times only
kbparse.facts.files.find_files and kbparse.facts.registry.find_registry_settings
over every section text, and prints microseconds per section (best of
--repeat runs), overall and for the sections where the form is absent. The
facts layer's bar: under 15 us per section per recognizer where the form is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402
from kbparse.facts.files import find_files  # noqa: E402
from kbparse.facts.registry import find_registry_settings  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def section_texts() -> list[str]:
    files = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    return [s.text for path in files for s in kbparse.parse_file(path).sections]


def timed(fn, texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = section_texts()
    print(f"{len(texts)} sections")
    for name, fn in (("files", find_files), ("registry_settings", find_registry_settings)):
        fn("warm up the cached grammar")
        absent = [t for t in texts if not fn(t)]
        present = [t for t in texts if fn(t)]
        every = timed(fn, texts, args.repeat)
        none = timed(fn, absent, args.repeat)
        some = timed(fn, present, args.repeat)
        print(
            f"{name:18} all {every / len(texts) * 1e6:7.1f} us/section | "
            f"absent ({len(absent)}) {none / max(len(absent), 1) * 1e6:6.1f} us | "
            f"present ({len(present)}) {some / max(len(present), 1) * 1e6:8.1f} us"
        )


if __name__ == "__main__":
    main()
