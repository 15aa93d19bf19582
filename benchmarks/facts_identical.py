"""Check that the facts tables are the same as at a base commit, article by article.

    python benchmarks/facts_identical.py [--against REV]   # REV defaults to main

Loads kbparse as it was at REV beside the current one (kbparse/ and grammars/
extracted from git into a temporary directory, the package renamed), parses
every article of ../shared/kb-sample (txt and md) with each, and compares per
article what each gives: the (preamble, sections) the facts are read from,
`facts_of`, and the rows of `kbparse.tables.fact_rows` over all the articles
at once (grouped back by their `_row`). Prints the number of articles whose
facts differ and exits 1 unless it is 0: a speed-up must not change a row.
"""

from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import sample_files  # noqa: E402


def package_at(rev: str, tmp: Path):
    """kbparse as it was at commit `rev`, imported as a package of another name.

    Its grammars come along, as grammar_dir() finds them beside the package."""
    name = "kbparse_at_" + "".join(c if c.isalnum() else "_" for c in rev)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "kbparse", "grammars"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
    (tmp / "kbparse").rename(tmp / name)
    sys.path.insert(0, str(tmp))
    package = importlib.import_module(name)
    importlib.import_module(f"{name}.tables")
    importlib.import_module(f"{name}.facts.extract")
    return package


def by_article(tables: dict, count: int) -> list[dict[str, list[dict]]]:
    """fact_rows(..., with_row=True) tables as each article's rows per table."""
    out = [{name: [] for name in tables} for _ in range(count)]
    for name, data in tables.items():
        for row in data.to_pylist():
            out[row.pop("_row")][name].append(row)
    return out


def main() -> None:
    import kbparse
    import kbparse.facts.extract
    import kbparse.tables

    ap = argparse.ArgumentParser()
    ap.add_argument("--against", metavar="REV", default="main")
    args = ap.parse_args()
    files = sample_files()
    if not files:
        sys.exit("no sample at ../shared/kb-sample")
    with tempfile.TemporaryDirectory() as tmp:
        old = package_at(args.against, Path(tmp))
        sources = {}
        for side, pkg in (("old", old), ("new", kbparse)):
            sources[side] = [pkg.tables.fact_source(pkg.parse_file(f)) for f in files]
        differ = set()
        differ_sources = {i for i, (a, b) in enumerate(zip(sources["old"], sources["new"])) if a != b}
        per_article = {}
        for side, pkg in (("old", old), ("new", kbparse)):
            per_article[side] = [pkg.facts.extract.facts_of(p, s) for _, p, s in sources[side]]
        pairs = zip(per_article["old"], per_article["new"])
        differ_facts_of = {i for i, (a, b) in enumerate(pairs) if a != b}
        rows = {}
        for side, pkg in (("old", old), ("new", kbparse)):
            tables = pkg.tables.fact_rows(sources[side], with_row=True)
            rows[side] = by_article(tables, len(files))
            rows[side + " schemas"] = {name: t.schema for name, t in tables.items()}
        differ_rows = {i for i, (a, b) in enumerate(zip(rows["old"], rows["new"])) if a != b}
        same_schemas = rows["old schemas"] == rows["new schemas"]
        differ = differ_sources | differ_facts_of | differ_rows
        n_rows = sum(len(r) for article in rows["new"] for r in article.values())
        print(f"{len(files)} articles, {n_rows} fact rows now; against {args.against}: "
              f"sources differ {len(differ_sources)}, facts_of differs {len(differ_facts_of)}, "
              f"fact_rows differ {len(differ_rows)}, table schemas {'same' if same_schemas else 'DIFFER'}")
        for i in sorted(differ)[:10]:
            print("  differs:", files[i])
        print(f"articles whose facts differ: {len(differ)}")
        sys.exit(0 if not differ and same_schemas else 1)


if __name__ == "__main__":
    main()
