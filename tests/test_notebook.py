"""notebooks/explore.ipynb runs top to bottom and draws its plots."""

from __future__ import annotations

import pytest

from conftest import DATA, ROOT

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def images(nb) -> int:
    return sum(
        1 for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
    )


def test_committed_notebook_carries_its_plots():
    assert images(nbformat.read(NOTEBOOK, as_version=4)) >= 5


def test_committed_notebook_names_no_path_of_the_machine_that_built_it():
    import re

    nb = nbformat.read(NOTEBOOK, as_version=4)
    texts = [str(out) for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    assert texts and "data/kb-sample.tar.gz" in "".join(texts)
    for text in texts:
        assert str(ROOT) not in text and not re.search(r"(?<![\w.])/(tmp|home|work|Users|root|var)/", text), text


def test_notebook_executes_and_renders_five_plots(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(ROOT / "notebooks"))
    from build_explore import execute

    import kbparse

    data = tmp_path / "kb-data"
    kbparse.ingest([DATA], data, workers=1)
    monkeypatch.setenv("KBPARSE_DATA", str(data))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    # The year axis runs through every year, those without articles included.
    nb.cells.append(nbformat.v4.new_code_cell(
        "assert list(per_year['year']) == list(range(per_year['year'].min(), per_year['year'].max() + 1))\n"
        "assert per_year['articles'].sum() == con.sql('select count(last_modified) from articles').fetchall()[0][0]"))
    executed = execute(nb, cwd=ROOT / "notebooks", timeout=180)
    assert images(executed) >= 5
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
