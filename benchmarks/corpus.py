"""Build a large benchmark corpus from ../shared/kb-sample: copies of every
sample file under new article numbers (txt and md copies of one article keep
sharing their number, as in the archive).

    python benchmarks/corpus.py OUT_DIR --copies 12       # 12 x 4,423 = 53,076 files
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "kb-sample"
_IDS = re.compile(rb"(DOCUMENT:Q|Article: Q|title: \"Q|## Q|/Q)(\d+)")


def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))


def cached(work: Path, copies: int) -> Path:
    """The corpus of `copies` copies under `work`, built on first use."""
    path = work / f"corpus-{copies}"
    if not path.is_dir():
        print(f"building {path} ...", flush=True)
        build(path, copies)
    return path


def build(out: Path, copies: int) -> int:
    files = sample_files()
    if not files:
        sys.exit(f"no sample at {SAMPLE}")
    n = 0
    for k in range(1, copies + 1):
        bump = k * 10_000_000
        for f in files:
            data = _IDS.sub(lambda m, bump=bump: m.group(1) + str(int(m.group(2)) + bump).encode(), f.read_bytes())
            rel = f.relative_to(SAMPLE)
            target = out / f"copy{k:02d}" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--copies", type=int, default=12)
    args = ap.parse_args()
    print(f"{build(args.out, args.copies)} files in {args.out}")


if __name__ == "__main__":
    main()
