"""The object-store output against a real S3 API: a moto server on loopback,
reached through s3fs as a user's s3:// URL would be. Here an ingest can be a
separate process, so it is killed with SIGKILL in the middle of its commit."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time

import pytest

import kbparse
from articles import txt_article, write_article
from conftest import DATA
from kbparse.ingestion.pipeline import ingest
from kbparse.schema import tables
from test_crash import killed_runs, run
from test_ingest import snapshot
from test_object_store import equal_tables, read_url

moto_server = pytest.importorskip("moto.server")
pytest.importorskip("s3fs")

BUCKET = "kbtest"


@pytest.fixture(scope="module")
def s3():
    """An S3 endpoint with one bucket; the environment points s3fs (here and
    in child processes) at it."""
    import fsspec

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
        "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    fsspec.config.set_conf_env(fsspec.config.conf)  # fsspec read FSSPEC_* when it was imported
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    fs.mkdir(BUCKET)
    try:
        yield fs
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        fsspec.config.conf.pop("s3", None)
        server.stop()


def tables_of(url):
    return {name: read_url(url, name) for name in tables() if name != "ingest_runs"}


def visible(fs, prefix: str) -> dict[str, list[str]]:
    """Table files a reader listing the bucket itself sees, by table."""
    fs.invalidate_cache()
    found: dict[str, list[str]] = {}
    for f in fs.find(f"{BUCKET}/{prefix}"):
        rel = f[len(BUCKET) + len(prefix) + 2:]
        if not rel.startswith("_kbparse"):
            found.setdefault(rel.split("/")[0], []).append(rel)
    return {k: sorted(v) for k, v in found.items()}


def named(url: str) -> dict[str, list[str]]:
    import json

    import fsspec

    with fsspec.open(f"{url}/_kbparse.json", "rb") as fh:
        return {k: sorted(v) for k, v in json.load(fh)["tables"].items()}


def test_s3_dataset_equals_the_local_one_and_reads_back(s3, tmp_path):
    url = f"s3://{BUCKET}/same"
    local = tmp_path / "local"
    ingest([DATA], local, workers=1)
    first = ingest([DATA], url, workers=1)
    assert (first.out, first.articles, first.duplicates) == (url, 4, 2)
    equal_tables(snapshot(local), tables_of(url))
    assert kbparse.validate(url) == []
    assert kbparse.open_dataset(url).execute("select count(*) from keywords").fetchone()[0] > 0
    again = ingest([DATA], url, workers=1)
    assert (again.parsed, again.unchanged, again.version) == (0, 6, 2)
    assert visible(s3, "same") == named(url)
    # The commands, as a user types them: the URL reaches them whole.
    cmd = [sys.executable, "-m", "kbparse"]
    query = subprocess.run([*cmd, "query", "select count(*) as n from articles", "--data", url, "--format", "csv"],
                           capture_output=True, text=True, timeout=120)
    assert query.returncode == 0, query.stderr
    assert query.stdout.split()[-1] == "4"
    check = subprocess.run([*cmd, "validate", url], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "ok" in check.stdout, check.stderr


def test_sigkill_during_an_s3_ingest_leaves_the_last_version(s3, tmp_path):
    src = tmp_path / "corpus"
    for i in range(1500):
        write_article(src, f"Q{830000 + i}.TXT", txt_article(f"SUMMARY\n=======\n\narticle {i}\n", article_id=f"Q{830000 + i}"))
    url, reference = f"s3://{BUCKET}/crash", f"s3://{BUCKET}/reference"
    assert run([DATA, "--out", url]).wait(timeout=120) == 0
    before = tables_of(url)
    start = time.perf_counter()
    assert run([src, "--out", reference, "--full-refresh"]).wait(timeout=300) == 0
    duration = time.perf_counter() - start
    after = tables_of(reference)

    interrupted = 0
    for killed in killed_runs([src, "--out", url, "--full-refresh"], duration, (0.2, 0.4, 0.6, 0.75, 0.85, 0.95)):
        interrupted += killed
        now = tables_of(url)  # through the manifest: must read, whenever the kill came
        if now["articles"].num_rows == after["articles"].num_rows:
            equal_tables(after, now)
            break
        equal_tables(before, now)
    assert interrupted >= 3
    assert run([src, "--out", url, "--full-refresh"]).wait(timeout=300) == 0
    equal_tables(after, tables_of(url))
    assert visible(s3, "crash") == named(url)  # the next run removed what the killed ones left
    assert all(len(files) == 1 for files in named(url).values())
    s3.invalidate_cache()
    assert not s3.exists(f"{BUCKET}/crash/_kbparse_staging")
