"""The Dask engine: parse tasks on a real distributed.LocalCluster, same dataset."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from articles import txt_article, write_article
from conftest import DATA
from kbparse.cli import app
from kbparse.ingestion.pipeline import ingest
from test_ingest import snapshot

distributed = pytest.importorskip("distributed")


def test_dask_engine_writes_the_same_dataset_as_the_local_one(tmp_path):
    src = tmp_path / "in"
    for i in range(1200):
        write_article(src, f"Q{710000 + i}.TXT", txt_article(f"SUMMARY\n=======\n\narticle {i}\n", article_id=f"Q{710000 + i}"))
    write_article(src, "bad.TXT", "DOCUMENT:Q1  01-JAN-2000\nJUNK\n")
    local, on_dask = tmp_path / "local", tmp_path / "dask"
    r1 = ingest([src, DATA], local, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        r2 = ingest([src, DATA], on_dask, workers=2, engine="dask", scheduler=cluster.scheduler_address)
        assert "parse_batch" in cluster.scheduler.task_prefixes  # the parse ran as tasks on this cluster
    assert (r1.articles, r1.rejected, r1.duplicates) == (r2.articles, r2.rejected, r2.duplicates) == (1204, 1, 2)
    a, b = snapshot(local), snapshot(on_dask)
    for name in a:
        assert a[name].equals(b[name]), name


def test_cli_dask_engine_with_its_own_local_cluster(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(DATA), "--out", str(out), "--engine", "dask", "--workers", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert "4 articles" in result.stdout


def test_unknown_engine_and_unreachable_scheduler_exit_2(tmp_path):
    bad = CliRunner().invoke(app, ["ingest", str(DATA), "--out", str(tmp_path / "o"), "--engine", "spark"])
    assert bad.exit_code == 2 and "unknown engine 'spark'" in bad.stderr
