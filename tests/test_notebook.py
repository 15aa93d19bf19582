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
    assert images(nbformat.read(NOTEBOOK, as_version=4)) >= 4


def test_notebook_executes_and_renders_four_plots(tmp_path, monkeypatch):
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
    executed = execute(nb, cwd=ROOT / "notebooks", timeout=180)
    assert images(executed) >= 4
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
