"""Find candidate snippets for the facts labelled sets (a helper for the person
labelling; it writes no labels).

    python tests/facts_cases/draw.py STATUS "corrected in"     # sections holding a phrase
    python tests/facts_cases/draw.py --show txt/158/Q158516.TXT STATUS

Prints each matching section's source and text, verbatim as kbparse gives it,
so that a case can be copied with its `source` and `section`; the rows are
for the labeller to write.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def section_texts(source: str, heading: str) -> list[str]:
    """Texts of the sections named `heading` in one sample article."""
    article = kbparse.parse_file(SAMPLE / source)
    return [s.text for s in article.sections if s.heading == heading]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("heading")
    ap.add_argument("pattern", nargs="?", help="regular expression a section must match")
    ap.add_argument("--show", metavar="SOURCE", help="print the sections of one article")
    ap.add_argument("--limit", type=int, default=50)
    args = ap.parse_args()
    if args.show:
        for text in section_texts(args.show, args.heading):
            print(text, end="\n-----\n")
        return
    rx = re.compile(args.pattern or "")
    shown = 0
    files = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    for path in files:
        for section in kbparse.parse_file(path).sections:
            if section.heading == args.heading and rx.search(section.text):
                print(f"== {path.relative_to(SAMPLE)} {args.heading}\n{section.text}\n")
                shown += 1
                if shown >= args.limit:
                    return


if __name__ == "__main__":
    main()
