"""Parse time of this checkout against another checkout of kbparse, alternating in one run.

    python benchmarks/compare_parse.py OTHER_CHECKOUT [--repeat 7] [PATH ...]

Each side parses every file (txt and md) of PATH (default ../shared/kb-sample)
in its own subprocess per round, the two sides alternating, so a noisy shared
machine slows both alike; prints each side's median and the ratio. For a
change's cost on the grammar (issue 9's bar: within 5 % of before), check out
the commit before it with `git worktree add /tmp/before HEAD~N`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import kbparse
from pathlib import Path
files = [Path(p) for p in sys.argv[2:]]
datas = [(f, f.read_bytes()) for f in files]
kbparse.parse_text(datas[0][1])  # grammar built outside the timing
start = time.perf_counter()
for f, data in datas:
    kbparse.parse_text(data, source=str(f))
print(time.perf_counter() - start)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("other", type=Path)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    roots = args.paths or [ROOT.parent / "shared" / "kb-sample"]
    files = sorted(str(q) for p in roots for q in p.rglob("*") if q.suffix.lower() == ".txt" or q.name == "README.md")
    times: dict[str, list[float]] = {"this": [], "other": []}
    for _ in range(args.repeat):
        for side, root in (("this", ROOT), ("other", args.other)):
            out = subprocess.run([sys.executable, "-c", CHILD, str(root), *files], capture_output=True, text=True, check=True)
            times[side].append(float(out.stdout))
    this, other = statistics.median(times["this"]), statistics.median(times["other"])
    print(f"{len(files)} files, median of {args.repeat}: this checkout {this:.3f} s ({len(files) / this:,.0f}/s), "
          f"other {other:.3f} s ({len(files) / other:,.0f}/s); ratio {this / other:.3f}")


if __name__ == "__main__":
    main()
