"""Coverage of the files and registry_settings recognizers over the sample.

    python benchmarks/facts_coverage_files.py

Parses every article of ../shared/kb-sample with kbparse.parse_file, runs
both recognizers on every section, and prints the share of articles (files,
and distinct article ids across the two dialects) with at least one file row
and with at least one registry setting, with the row counts. The issue's
figures for the whole archive: about 3 % of articles have a hotfix file
table, about 4 % a registry setting.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402
from kbparse.facts.files import find_files  # noqa: E402
from kbparse.facts.registry import find_registry_settings  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"


def main() -> None:
    paths = sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))
    ids: set[str] = set()
    with_files: set[str] = set()
    with_registry: set[str] = set()
    files_n = registry_n = file_hits = registry_hits = 0
    for path in paths:
        article = kbparse.parse_file(path)
        ids.add(article.article_id)
        f = sum(len(find_files(s.text)) for s in article.sections)
        r = sum(len(find_registry_settings(s.text)) for s in article.sections)
        files_n += f
        registry_n += r
        if f:
            file_hits += 1
            with_files.add(article.article_id)
        if r:
            registry_hits += 1
            with_registry.add(article.article_id)
    n = len(paths)
    print(f"{n} article files ({len(ids)} distinct articles)")
    print(f"files:             {file_hits}/{n} files ({file_hits / n:.1%}), "
          f"{len(with_files)}/{len(ids)} articles ({len(with_files) / len(ids):.1%}), {files_n} rows")
    print(f"registry_settings: {registry_hits}/{n} files ({registry_hits / n:.1%}), "
          f"{len(with_registry)}/{len(ids)} articles ({len(with_registry) / len(ids):.1%}), {registry_n} rows")


if __name__ == "__main__":
    main()
