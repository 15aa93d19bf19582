"""A checkout of this commit with the facts layer switched off, for timing
what the facts cost an ingest (issue 10's bar: at most 20 %):

    python benchmarks/nofacts_tree.py [--at /tmp/nofacts] [--rev HEAD]
    python benchmarks/bench_ingest.py --against /tmp/nofacts --repeat 5

It adds a detached git worktree of REV at --at (replacing one left there by an
earlier call) and makes kbparse.tables._facts return its empty columns before
running a recognizer: every ingest stage runs as it does with the facts (the
facts tables are still written, with no rows), so the difference between the
two is the recognizers and their rows.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The line of kbparse/tables.py::_facts before which the recognizers start.
ANCHOR = "    # tee, not a list: the recognizers read one batch of articles ahead of the ids.\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--at", type=Path, default=Path("/tmp/nofacts"))
    ap.add_argument("--rev", default="HEAD")
    args = ap.parse_args()
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "remove", "--force", str(args.at)], capture_output=True)
    subprocess.run([*git, "worktree", "add", "--detach", str(args.at), args.rev], check=True, capture_output=True)
    tables = args.at / "kbparse" / "tables.py"
    source = tables.read_text()
    if source.count(ANCHOR) != 1:
        raise SystemExit(f"{tables}: the line to switch the facts off at was not found once; update ANCHOR")
    tables.write_text(source.replace(ANCHOR, "    return out  # facts switched off (benchmarks/nofacts_tree.py)\n" + ANCHOR))
    print(f"{args.at}: {args.rev} with the facts switched off")


if __name__ == "__main__":
    main()
