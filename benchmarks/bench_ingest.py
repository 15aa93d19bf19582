"""End-to-end `kbparse ingest` against the floor, in one run.

    python benchmarks/bench_ingest.py [--copies 12] [--repeat 3] [--workers N] [--work /tmp/kbbench]
    python benchmarks/bench_ingest.py --profile [--repeat 1] ...

Builds (once, cached in --work) a corpus of copies of ../shared/kb-sample under
new article numbers (12 copies: 53,076 files), then repeats, alternating:
  floor  - one process reads each file, decodes it, finds its =-underlined
           headings with one regular expression (benchmarks/floor.py);
  ingest - `kbparse ingest CORPUS --out NEW_DIR` as a user runs it (the CLI,
           with its default --workers = the machine's cores unless --workers);
  rerun  - the same command again over the unchanged files.
  listing - one process finds every file and stats it (floor.listing), which
           a re-run over unchanged files cannot do without: its floor.
It prints the medians and the ratios ingest/floor and rerun/ingest. The
issue's bars (issue 12): ingest <= 2.5x the floor with 2 workers on 2 cores,
rerun <= 0.05x ingest.

--against CHECKOUT adds a third contender to each round: the same ingest run
from another checkout of kbparse (PYTHONPATH=CHECKOUT python -m kbparse), e.g.
this commit with the facts layer switched off, to measure what the facts cost
(run in that folder: `python -m` puts the current folder first on sys.path):
    python benchmarks/nofacts_tree.py --at /tmp/nofacts
    python benchmarks/bench_ingest.py --against /tmp/nofacts --repeat 5

--dialect txt ingests only the corpus's txt files (24,744 of the 53,076: no
article twice), where --dialect both (the default) has most articles in both
dialects, as the public archives are. The facts layer computes the facts of
the winning copy only, so what it costs depends on this.

--profile instead runs the ingest (then the re-run) through kbparse.ingest in
a child process and prints where the wall time went: start-up (interpreter
and imports), discovery, the parse phase (and, summed over the workers, their
read, parse, rows and spill seconds and how long they sat idle), the merge,
the small tables, the commit. Medians over --repeat rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import cached  # noqa: E402
from floor import article_files, floor, listing, median, timed  # noqa: E402


def kbparse_cmd() -> list[str]:
    exe = shutil.which("kbparse") or str(Path(sys.executable).parent / "kbparse")
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "kbparse"]


def timed_run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def remove_dataset(out: Path) -> None:
    shutil.rmtree(out.parent / f".{out.name}.kbparse", ignore_errors=True)
    out.unlink(missing_ok=True)


PROFILED = """
import json, sys, time
start = time.perf_counter()
from kbparse.ingestion.pipeline import ingest
if __name__ == "__main__":
    imported = time.perf_counter() - start
    result = ingest(json.loads(sys.argv[1]), sys.argv[2], workers=int(sys.argv[3]) or None)
    print(json.dumps({"imports": imported, "workers": result.workers, **result.timings}))
"""


def profiled_run(inputs: list[Path], out: Path, workers: int | None) -> dict[str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROFILED, json.dumps([str(p) for p in inputs]), str(out), str(workers or 0)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"profiled ingest failed ({done.returncode}):\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["wall"] = wall
    # Interpreter start and exit, imports: what the ingest's own clock does not see.
    found["start-up and exit"] = wall - found["total"]
    return found


# (label, key, indented: a part of the line above rather than of the wall time)
PROFILE_ROWS = [
    ("start-up, imports, exit", "start-up and exit", False),
    ("setup (lock, previous sources)", "setup", False),
    ("parse phase (discovery..last batch)", "parse phase", False),
    ("discovery (walk + stat), main", "discovery", True),
    ("main waiting for workers", "waiting for workers", True),
    ("pool span (start..last result)", "pool span", True),
    ("worker read + sha256 (sum)", "worker read", True),
    ("worker parse (sum)", "worker parse", True),
    ("worker rows (sum)", "worker rows", True),
    ("worker spill write (sum)", "worker spill", True),
    ("worker facts, both passes (sum)", "worker facts", True),
    ("worker busy, both passes (sum)", "worker busy", True),
    ("worker idle in pool span (sum)", "worker idle", True),
    ("choosing each article's winning copy", "winners", False),
    ("second pass: winners' owed rows, facts", "facts phase", False),
    ("merge (DuckDB)", "merge", False),
    ("sources, rejects tables", "bookkeeping", False),
    ("commit (small tables, runs, rename)", "commit", False),
    ("wall", "wall", False),
]


def print_profile(title: str, runs: list[dict[str, float]]) -> None:
    wall = median([r["wall"] for r in runs])
    print(f"{title}: median of {len(runs)}, {runs[0]['workers']:.0f} workers")
    print(f"  {'stage':<40} {'seconds':>8} {'of wall':>8}")
    for label, key, part in PROFILE_ROWS:
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        m = median(values)
        print(f"  {('  ' if part else '') + label:<40} {m:8.2f} {m / wall:8.0%}")


def profile(inputs: list[Path], work: Path, workers: int | None, repeat: int) -> None:
    first, again = [], []
    files = article_files(inputs)
    for i in range(repeat):
        out = work / f"prof-{os.getpid()}-{i}"
        # As in the comparison, the files are in the page cache, which this
        # machine's memory reclaim empties of pages unread for a while.
        floor(files)
        first.append(profiled_run(inputs, out, workers))
        again.append(profiled_run(inputs, out, workers))
        remove_dataset(out)
    print_profile("ingest", first)
    print_profile("re-run over unchanged files", again)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None, help="passed to kbparse ingest (default: its own, the cores)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kbbench"))
    ap.add_argument("--profile", action="store_true", help="where the wall time goes, instead of the comparison")
    ap.add_argument("--against", type=Path, default=None, help="another checkout of kbparse to time in each round")
    ap.add_argument("--dialect", choices=("both", "txt"), default="both", help="ingest every file, or the txt files only")
    args = ap.parse_args()
    corpus = cached(args.work, args.copies)
    inputs = [corpus] if args.dialect == "both" else sorted(corpus.glob("copy*/txt"))
    if args.profile:
        profile(inputs, args.work, args.workers, args.repeat)
        return
    files = article_files(inputs)
    floor(files)  # warm the page cache
    extra = ["--workers", str(args.workers)] if args.workers else []
    t_floor, t_ingest, t_rerun, t_other, t_list = [], [], [], [], []
    for i in range(args.repeat):
        out = args.work / f"out-{os.getpid()}-{i}"
        cmd = kbparse_cmd() + ["ingest", *map(str, inputs), "--out", str(out), "-q", *extra]
        t_floor.append(timed(lambda: floor(files)))
        t_ingest.append(timed_run(cmd))
        t_list.append(timed(lambda: listing(inputs)))
        t_rerun.append(timed_run(cmd))
        remove_dataset(out)
        other = ""
        if args.against:
            t_other.append(timed_run([sys.executable, "-m", "kbparse", "ingest", *map(str, inputs), "--out", str(out), "-q", *extra],
                                     env={**os.environ, "PYTHONPATH": str(args.against)}, cwd=args.against))
            remove_dataset(out)
            other = f", {args.against.name} {t_other[-1]:.2f} s"
        print(f"  round {i + 1}: floor {t_floor[-1]:.2f} s, ingest {t_ingest[-1]:.2f} s "
              f"({t_ingest[-1] / t_floor[-1]:.2f}x), listing {t_list[-1]:.2f} s, rerun {t_rerun[-1]:.2f} s{other}",
              flush=True)
    mf, mi, mr, ml = (median(x) for x in (t_floor, t_ingest, t_rerun, t_list))
    n = len(files)
    print(f"files: {n}  cores: {os.cpu_count()}  workers: {args.workers or 'default (cores)'}  repeats: {args.repeat}  (medians)")
    print(f"floor:            {mf:6.2f} s  {n / mf:8,.0f} files/s")
    print(f"kbparse ingest:   {mi:6.2f} s  {n / mi:8,.0f} files/s")
    print(f"listing (stat):   {ml:6.2f} s  (a re-run's floor: every file found and stat'ed, one process)")
    print(f"re-run unchanged: {mr:6.2f} s")
    print(f"ratio ingest / floor:  {mi / mf:.2f}x   (bar: <= 2.5x)")
    print(f"ratio rerun / ingest:  {mr / mi:.3f}   (bar: <= 0.05; the listing alone: {ml / mi:.3f})")
    if t_other:
        mo = median(t_other)
        per_round = [a / b for a, b in zip(t_ingest, t_other)]
        print(f"{args.against}: {mo:6.2f} s; this checkout / that: {mi / mo:.3f} (of the medians); "
              f"per round {' '.join(f'{r:.3f}' for r in per_round)}, median {median(per_round):.3f}")


if __name__ == "__main__":
    main()
