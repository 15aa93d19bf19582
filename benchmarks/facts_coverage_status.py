"""Coverage of the STATUS and fix-target recognizers over the sample.

    python benchmarks/facts_coverage_status.py

Parses every article of ../shared/kb-sample and prints: the share of STATUS
sections classified other than `other` (the issue's whole-archive figure is
98 %), the class mix, the share of STATUS sections with a specific fix target
(a row with a service pack number, a latest service pack, or a version), and
the share of articles with a STATUS section and with a fix target in STATUS
or RESOLUTION. txt and md pages of one article count separately, as files.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402
from kbparse.facts.fixes import find_fixes  # noqa: E402
from kbparse.facts.status import classify_status  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def specific(row: dict) -> bool:
    return row["service_pack"] is not None or row["latest"] or row["version"] is not None


def pct(a: int, b: int) -> str:
    return f"{a:,} / {b:,} = {a / b:.1%}" if b else "0 / 0"


def main() -> None:
    files = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    if not files:
        sys.exit(f"no sample at {SAMPLE}")
    classes: Counter[str] = Counter()
    status_sections = with_target = confirmed = 0
    articles_status = articles_fix = articles_any_fix_row = 0
    for path in files:
        article = kbparse.parse_file(path)
        has_status = has_fix = has_row = False
        for section in article.sections:
            if section.heading == "STATUS":
                has_status = True
                status_sections += 1
                row = classify_status(section.text)
                classes[row["status"]] += 1
                confirmed += row["confirmed"]
                found = find_fixes(section.text)
                has_row |= bool(found)
                if any(specific(r) for r in found):
                    with_target += 1
                    has_fix = True
            elif section.heading == "RESOLUTION":
                found = find_fixes(section.text)
                has_row |= bool(found)
                has_fix |= any(specific(r) for r in found)
        articles_status += has_status
        articles_fix += has_fix
        articles_any_fix_row += has_row
    print(f"{len(files):,} sample files, {status_sections:,} STATUS sections")
    print(f"STATUS classified other than `other`: {pct(status_sections - classes['other'], status_sections)}")
    for name, n in classes.most_common():
        print(f"  {name:16} {n:5,}  {n / status_sections:.1%}")
    print(f"STATUS with `confirmed`: {pct(confirmed, status_sections)}")
    print(f"STATUS sections with a specific fix target: {pct(with_target, status_sections)}")
    print(f"files with a STATUS section: {pct(articles_status, len(files))}")
    print(f"files with a specific fix target (STATUS or RESOLUTION): {pct(articles_fix, len(files))}")
    print(f"files with any fixes row: {pct(articles_any_fix_row, len(files))}")


if __name__ == "__main__":
    main()
