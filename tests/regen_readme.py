"""Rewrite the figures and tables of the README's tour from a fresh ingest of
data/kb-sample.tar.gz, the archive its first command ingests.

    python tests/regen_readme.py            # rewrites README.md: review `git diff README.md`
    python tests/regen_readme.py --check    # exit 1, listing what differs, when it is out of date

Run it after a change to the sample archive, the grammar, what records hold,
the tables or `kbparse query`'s Markdown output; tests/test_docs.py fails
until the README says what the commands print. Only the Markdown table under
each `kbparse query ... -f markdown` block and the sentence of figures are
rewritten; the prose around them is yours to keep true.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ARCHIVE = ROOT / "data" / "kb-sample.tar.gz"

# A ```bash block of one `kbparse query` line, and the Markdown table right under it.
QUERY_BLOCK = re.compile(r"```bash\n(kbparse query [^\n]*)\n```\n((?:\|[^\n]*\n)+)")
# The tour's figures, in one sentence the test can check and this script rewrite.
FIGURES = re.compile(
    r"ingests (?P<files>[\d,]+) files: (?P<articles>[\d,]+) distinct articles and "
    r"(?P<duplicates>[\d,]+) duplicates \(the same article in the other dialect\)"
)


def query_blocks(text: str) -> list[tuple[str, str]]:
    """(command line, table as printed) of each query in the tour, in order."""
    return [(m.group(1), m.group(2)) for m in QUERY_BLOCK.finditer(text)]


def figures(data: str | os.PathLike[str]) -> dict[str, int]:
    """What the README says about the ingest, from the dataset it made."""
    import kbparse

    con = kbparse.open_dataset(data)
    files, duplicates = con.execute(
        "select count(*), count(*) filter (where outcome = 'duplicate') from sources").fetchone()
    articles = con.execute("select count(*) from articles").fetchone()[0]
    return {"files": files, "articles": articles, "duplicates": duplicates}


def stated_figures(text: str) -> dict[str, int] | None:
    m = FIGURES.search(text)
    return None if m is None else {k: int(v.replace(",", "")) for k, v in m.groupdict().items()}


def run(command: str, data: str | os.PathLike[str]) -> str:
    """What `command` (a README line starting with `kbparse`) prints, with
    KBPARSE_DATA naming the dataset as the tour's `--out kb-data` does."""
    from typer.testing import CliRunner

    from kbparse.cli import app

    args = shlex.split(command)
    assert args[0] == "kbparse", command
    result = CliRunner().invoke(app, args[1:], env={"KBPARSE_DATA": str(data), "COLUMNS": "100"})
    if result.exit_code != 0:
        raise RuntimeError(f"{command!r} exited {result.exit_code}: {result.output}")
    return result.stdout


def ingest_sample(out: Path) -> Path:
    import kbparse

    result = kbparse.ingest([ARCHIVE], out, workers=2)
    if result.rejected:
        raise RuntimeError(f"{ARCHIVE}: {result.rejected} files rejected")
    return out


def rewrite(text: str, data: str | os.PathLike[str]) -> str:
    text = QUERY_BLOCK.sub(lambda m: f"```bash\n{m.group(1)}\n```\n{run(m.group(1), data)}", text)
    f = figures(data)
    return FIGURES.sub(
        f"ingests {f['files']:,} files: {f['articles']:,} distinct articles and "
        f"{f['duplicates']:,} duplicates (the same article in the other dialect)", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    old = README.read_text(encoding="utf-8")
    if stated_figures(old) is None or not query_blocks(old):
        print("regen_readme: README.md has no tour to rewrite (its figures sentence or query blocks are gone)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        data = ingest_sample(Path(tmp) / "kb-data")
        new = rewrite(old, data)
    if new == old:
        print("README.md: the tour is up to date")
        return 0
    if check:
        import difflib

        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "README.md", "regenerated"))
        return 1
    README.write_text(new, encoding="utf-8")
    print("README.md: the tour's figures and tables rewritten; review git diff README.md")
    return 0


if __name__ == "__main__":
    if __package__ is None:
        sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
