"""Coverage of the error_codes and error_messages recognizers over the sample.

    python benchmarks/facts_coverage_errors.py

Parses every file of ../shared/kb-sample with kbparse.parse_file, runs both
recognizers on every section, and prints the share of articles (files, and
distinct article ids) with an error code and with a quoted message, and the
rows per kind.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import sample_files  # noqa: E402


def main() -> None:
    import kbparse
    from kbparse.facts.error_codes import find_error_codes
    from kbparse.facts.error_messages import find_error_messages

    files = sample_files()
    if not files:
        sys.exit("no sample at ../shared/kb-sample")
    with_sections = with_code = with_message = 0
    ids_all, ids_code, ids_message = set(), set(), set()
    kinds: Counter = Counter()
    messages = 0
    for path in files:
        article = kbparse.parse_file(path)
        if not article.sections:
            continue
        with_sections += 1
        ids_all.add(article.article_id)
        rows = [r for s in article.sections for r in find_error_codes(s.text)]
        msgs = [r for s in article.sections for r in find_error_messages(s.text)]
        kinds.update(r["kind"] for r in rows)
        messages += len(msgs)
        if rows:
            with_code += 1
            ids_code.add(article.article_id)
        if msgs:
            with_message += 1
            ids_message.add(article.article_id)
    print(f"{len(files)} files, {with_sections} with sections ({len(ids_all)} distinct articles)")
    print(f"with an error code:   {with_code} files ({with_code / with_sections:.1%}), "
          f"{len(ids_code)} articles ({len(ids_code) / len(ids_all):.1%})")
    print(f"with a quoted message: {with_message} files ({with_message / with_sections:.1%}), "
          f"{len(ids_message)} articles ({len(ids_message) / len(ids_all):.1%})")
    print("error code rows per kind:", dict(kinds.most_common()))
    print("quoted message rows:", messages)


if __name__ == "__main__":
    main()
