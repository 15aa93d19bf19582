"""Time the files and registry_settings recognizers over every section of the sample.

    python benchmarks/bench_facts_files.py [--repeat 3] [--against REF]

Parses ../shared/kb-sample once (not timed), then times
kbparse.facts.files.find_files and kbparse.facts.registry.find_registry_settings
on every section text and every preamble, and prints the average
microseconds per section and the worst section. Each text's time is the CPU
time (time.process_time, so that time spent waiting for a CPU on a busy
machine does not count) of the best of --repeat calls, less the cost of
reading that clock (timed on a function that does nothing); one untimed
pass first builds the grammars and compiles their regexes.

With --against REF (a git commit, e.g. the one before a speed-up), the
recognizers as they were at REF are loaded from `git show` into a temporary
folder and run alternately with the current ones on each text, which gives
both timings from the same run and the number of texts whose rows differ
(it should be 0).

The facts layer's bar: all six recognizers together at most ~20 % of ingest,
about 10 us per section per recognizer, and no section over ~5 ms.
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

import kbparse  # noqa: E402
from kbparse.facts import files, registry  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"
RECOGNIZERS = {"files": "find_files", "registry": "find_registry_settings"}


def section_texts() -> list[tuple[str, str]]:
    """(where, text) of every preamble and section text of the sample."""
    paths = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    out = []
    for path in paths:
        article = kbparse.parse_file(path)
        where = str(path.relative_to(SAMPLE))
        if article.preamble:
            out.append((f"{where} (preamble)", article.preamble))
        out += [(f"{where} {s.heading}", s.text) for s in article.sections]
    return out


def old_module(ref: str, name: str, folder: Path):
    """kbparse/facts/<name>.py as it was at `ref`, imported beside the current package."""
    command = ["git", "show", f"{ref}:kbparse/facts/{name}.py"]
    source = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    path = folder / f"{name}_at_ref.py"
    path.write_text(source, encoding="utf-8")
    # A name inside kbparse.facts, so that its relative imports (.vocab) resolve.
    spec = importlib.util.spec_from_file_location(f"kbparse.facts._{name}_at_ref", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def best_times(fns, texts, repeat: int) -> list[list[float]]:
    """For each function, each text's best time of `repeat` calls, the functions taking turns."""
    best = [[float("inf")] * len(texts) for _ in fns]
    for _ in range(repeat):
        for i, (_, text) in enumerate(texts):
            for k, fn in enumerate(fns):
                start = time.process_time()
                fn(text)
                best[k][i] = min(best[k][i], time.process_time() - start)
    return best


def report(label: str, times: list[float], texts, clock: float) -> None:
    worst = max(range(len(texts)), key=times.__getitem__)
    print(f"  {label:4} {sum(times) / len(texts) * 1e6 - clock:6.1f} us/section | worst {times[worst] * 1e3:6.2f} ms "
          f"({texts[worst][0]}, {len(texts[worst][1]):,} chars)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", "--old", dest="old", metavar="REF", help="also run the recognizers as they were at this commit")
    args = parser.parse_args()
    if not SAMPLE.is_dir():
        sys.exit(f"no sample at {SAMPLE}")
    texts = section_texts()
    clock = sum(best_times([lambda text: None], texts, args.repeat)[0]) / len(texts) * 1e6
    print(f"{len(texts)} texts (sections and preambles); reading the clock costs {clock:.1f} us per call")
    with tempfile.TemporaryDirectory() as folder:
        for name, function in RECOGNIZERS.items():
            new = getattr({"files": files, "registry": registry}[name], function)
            fns = [new]
            if args.old:
                fns.insert(0, getattr(old_module(args.old, name, Path(folder)), function))
            outputs = [[fn(text) for _, text in texts] for fn in fns]  # untimed: builds and compiles
            print(f"{function}: rows in {sum(1 for rows in outputs[-1] if rows)} texts")
            times = best_times(fns, texts, args.repeat)
            if args.old:
                differ = sum(1 for a, b in zip(*outputs) if a != b)
                report("old", times[0], texts, clock)
                print(f"  texts whose rows differ from {args.old}: {differ}")
            report("new" if args.old else "", times[-1], texts, clock)


if __name__ == "__main__":
    main()
