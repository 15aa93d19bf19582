"""Inputs as fsspec URLs (memory://, file://) and a file:// output."""

from __future__ import annotations

import pytest

from conftest import DATA
from kbparse.ingestion.discover import InputError
from kbparse.ingestion.pipeline import ingest
from kbparse.store import OutputError
from test_ingest import snapshot

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def memory_copy_of_data():
    fs = fsspec.filesystem("memory")
    root = "/kbtest-data"
    for path in sorted(DATA.rglob("*")):
        if path.is_file():
            fs.pipe(f"{root}/{path.relative_to(DATA).as_posix()}", path.read_bytes())
    yield f"memory://{root}"
    fs.rm(root, recursive=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_memory_urls_give_the_same_articles(tmp_path, memory_copy_of_data, workers):
    local = tmp_path / "local"
    ingest([DATA], local, workers=1)
    out = tmp_path / "mem"
    result = ingest([memory_copy_of_data], out, workers=workers)
    assert (result.articles, result.duplicates, result.rejected) == (4, 2, 0)
    a, b = snapshot(local), snapshot(out)
    for name in ("sections", "keywords", "cross_references", "applies_to"):
        assert a[name].equals(b[name]), name
    assert b["articles"].drop_columns(["source_path"]).equals(a["articles"].drop_columns(["source_path"]))
    assert all(p.startswith("memory://") for p in b["articles"]["source_path"].to_pylist())
    again = ingest([memory_copy_of_data], out, workers=workers)
    assert again.parsed == 0 and again.unchanged == 6


def test_file_urls_for_input_and_output(tmp_path):
    out = tmp_path / "out"
    result = ingest([f"file://{DATA}"], f"file://{out}", workers=1)
    assert result.articles == 4 and (out / "articles").is_dir()


def test_bad_urls_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such input: memory://nowhere"):
        ingest(["memory://nowhere"], tmp_path / "o")
    with pytest.raises(OutputError, match="unknown protocol|not available|nosuchproto"):
        ingest([DATA], "nosuchproto://out")


def test_memory_urls_with_worker_processes(tmp_path):
    """memory:// lives in this process: its files are read here and shipped to the workers."""
    from articles import txt_article

    fs = fsspec.filesystem("memory")
    root = "/kbtest-many"
    for i in range(1100):  # enough to start worker processes
        fs.pipe(f"{root}/Q{720000 + i}.TXT", txt_article(f"SUMMARY\n=======\n\nn {i}\n", article_id=f"Q{720000 + i}").encode())
    try:
        result = ingest([f"memory://{root}"], tmp_path / "out", workers=2)
        assert (result.articles, result.rejected) == (1100, 0)
    finally:
        fs.rm(root, recursive=True)
