"""Print candidate snippets for labelling, drawn from ../shared/kb-sample.

    python tests/facts_cases/paragraphs.py error_codes PATTERN [--limit N] [--seed S] [--md]

A snippet is the paragraph (the lines between blank lines, at most 10) of a
section's text that holds a match of PATTERN (a case-insensitive regex chosen
by the labeller, independent of any recognizer), printed with its source and
section as a JSON line with empty "rows": the rows are then written by hand.
`error_messages` snippets take the paragraph of the match and the indented
block after it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared" / "kb-sample"
sys.path.insert(0, str(ROOT))


def paragraphs(text: str):
    start = 0
    for m in re.finditer(r"\n[ \t]*\n", text):
        yield start, text[start:m.start()]
        start = m.end()
    yield start, text[start:]


def message_snippet(text: str, at: int) -> str:
    """The paragraph holding `at` and, if it ends in a colon, the indented block after it."""
    para_start = max(text.rfind("\n\n", 0, at) + 2, 0) if text.rfind("\n\n", 0, at) >= 0 else 0
    m = re.compile(r"[^\n]*:[ \t]*\n(?:[ \t]*\n)*(?:(?:[ \t]+\S[^\n]*|[ \t]*)(?:\n|$))*").match(text, text.rfind("\n", 0, at) + 1)
    end = m.end() if m else text.find("\n\n", at)
    return text[para_start:end if end > 0 else len(text)].rstrip()


def main() -> None:
    import kbparse

    ap = argparse.ArgumentParser()
    ap.add_argument("table", choices=["error_codes", "error_messages"])
    ap.add_argument("pattern")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--md", action="store_true", help="draw from the Markdown pages instead of the text files")
    args = ap.parse_args()
    rx = re.compile(args.pattern, re.I | re.M)
    files = sorted(SAMPLE.glob("kb/*/*/README.md" if args.md else "txt/*/*.TXT"))
    random.Random(args.seed).shuffle(files)
    shown = 0
    for path in files:
        article = kbparse.parse_file(path)
        for section in article.sections:
            m = rx.search(section.text)
            if not m:
                continue
            if args.table == "error_codes":
                snippet = next(p for s, p in paragraphs(section.text) if s <= m.start() <= s + len(p) + 2)
                snippet = "\n".join(snippet.split("\n")[:10])
            else:
                snippet = message_snippet(section.text, m.start())
            case = {"source": str(path.relative_to(SAMPLE)), "section": section.heading, "text": snippet, "rows": []}
            print(json.dumps(case))
            shown += 1
            break
        if shown >= args.limit:
            break


if __name__ == "__main__":
    main()
