"""The README is tested like code: its tour's commands are run on a fresh ingest
of data/kb-sample.tar.gz, as its first command makes, and must print what it shows.

When one fails because the data or the code changed on purpose, run
`python tests/regen_readme.py` and review the diff of README.md.
"""

from __future__ import annotations

import os
import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from kbparse.cli import app
from regen_readme import README, figures, query_blocks, run, stated_figures

TEXT = README.read_text(encoding="utf-8")
BLOCKS = query_blocks(TEXT)
FIX = "the README is out of date: run  python tests/regen_readme.py  and review the diff"


def test_the_first_command_installs_and_ingests_the_shipped_sample():
    first = re.search(r"```bash\n([^\n]+)\n", TEXT).group(1)
    assert first == ('python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]" '
                     "&& kbparse ingest data/kb-sample.tar.gz --out kb-data")
    assert (ROOT / "data" / "kb-sample.tar.gz").stat().st_size <= 10 * 2**20


def test_the_tour_has_its_queries():
    assert len(BLOCKS) >= 4
    assert all(" -f markdown" in command for command, _ in BLOCKS)


@pytest.mark.parametrize("command,table", BLOCKS, ids=[f"query{i + 1}" for i in range(len(BLOCKS))])
def test_each_query_prints_the_table_the_readme_shows(sample_archive_dataset, command, table):
    assert run(command, sample_archive_dataset) == table, FIX


def test_the_figures_the_tour_quotes(sample_archive_dataset):
    stated = stated_figures(TEXT)
    assert stated is not None, "the README lost its sentence of figures (see FIGURES in tests/regen_readme.py)"
    assert stated == figures(sample_archive_dataset), FIX
    assert stated["articles"] >= 1000


def test_the_tours_other_commands_run(sample_archive_dataset):
    runner = CliRunner()
    env = {"KBPARSE_DATA": str(sample_archive_dataset)}
    assert runner.invoke(app, ["validate", str(sample_archive_dataset)]).exit_code == 0
    stats = runner.invoke(app, ["stats"], env=env)
    assert stats.exit_code == 0 and f"{figures(sample_archive_dataset)['articles']}" in stats.stdout
    line = re.search(r"```bash\n(kbparse query [^\n]* -f line)\n```", TEXT).group(1)
    printed = run(line, sample_archive_dataset)
    assert re.search(r"^ +article_id = Q\d+$", printed, re.M) and printed.endswith("(1 row)\n")


def test_the_python_of_the_tour_runs(sample_archive_dataset, tmp_path, monkeypatch):
    """Section 4's block, in a folder where kb-data is the tour's dataset."""
    block = re.search(r"\*\*4\. From Python\.\*\*.*?```python\n(.*?)```", TEXT, re.S).group(1)
    assert "kbparse.read_table(" in block
    if "polars" in block:
        pytest.importorskip("polars")
    os.symlink(sample_archive_dataset, tmp_path / "kb-data")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md (section 4)", "exec"), scope)
    assert scope["articles"]["last_modified"].dt.year.min() >= 1980
