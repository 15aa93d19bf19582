"""A dataset at an object-store URL (memory:// here, s3:// for users): the
manifest commit, incremental runs, failures at every step of the commit, a
second writer, and the readers (open_dataset, query, validate, stats)."""

from __future__ import annotations

import json
import os
import shutil
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kbparse
from conftest import DATA
from kbparse.cli import app
from kbparse.dataset import DatasetError, resolve
from kbparse.object_store import MANIFEST, ObjectStore
from kbparse.ingestion.pipeline import ingest
from kbparse.schema import tables
from kbparse.store import OutputError
from test_ingest import snapshot

fsspec = pytest.importorskip("fsspec")
memfs = fsspec.filesystem("memory")


@pytest.fixture
def url():
    root = f"/kbtest-out-{uuid.uuid4().hex[:8]}"
    yield f"memory://{root}"
    if memfs.exists(root):
        memfs.rm(root, recursive=True)


def root_of(url: str) -> str:
    return url[len("memory://"):]


def read_url(url: str, name: str) -> pa.Table:
    """A table of the dataset at `url`, as its manifest names it."""
    version = resolve(url)
    parts = []
    for f in version.table_files(name):
        with version.filesystem.open(f, "rb") as fh:
            parts.append(pq.read_table(fh))
    return pa.concat_tables(parts)


def url_snapshot(url: str) -> dict[str, pa.Table]:
    return {name: read_url(url, name) for name in tables() if name != "ingest_runs"}


def manifest(url: str) -> dict:
    return json.loads(memfs.cat_file(f"{root_of(url)}/{MANIFEST}"))


def listed(url: str) -> dict[str, list[str]]:
    """What a reader listing the table folders itself sees."""
    root = root_of(url)
    return {name: sorted(f[len(root) + 1:] for f in memfs.find(f"{root}/{name}")) for name in tables()}


def assert_one_version_visible(url: str) -> None:
    named = {name: sorted(files) for name, files in manifest(url)["tables"].items()}
    assert listed(url) == named
    assert all(len(files) == 1 for files in named.values())
    assert not memfs.exists(f"{root_of(url)}/_kbparse_staging") and not memfs.exists(f"{root_of(url)}/_kbparse_spill")


def summaries(articles: pa.Table) -> str:
    return " ".join(t or "" for t in articles["summary_text"].to_pylist())


def equal_tables(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name].cast(a[name].schema)), name


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "in"
    shutil.copytree(DATA, path)
    return path


def change_one_article(src):
    path = src / "examples" / "txt" / "Q100001.TXT"
    path.write_bytes(path.read_bytes().replace(b"ruler moves two", b"ruler moves three"))
    os.utime(path, ns=(1, 10**18))


def test_a_dataset_at_a_url_equals_the_local_one(tmp_path, src, url):
    local = tmp_path / "local"
    r1 = ingest([src], local, workers=1)
    r2 = ingest([src], url, workers=1)
    assert r2.out == f"memory://{root_of(url)}" and r2.version == 1
    assert (r1.articles, r1.duplicates, r1.rejected) == (r2.articles, r2.duplicates, r2.rejected) == (4, 2, 0)
    equal_tables(snapshot(local), url_snapshot(url))
    assert_one_version_visible(url)


def test_re_run_uploads_only_the_run_log_and_rejects(src, url):
    ingest([src], url, workers=1)
    first = manifest(url)["tables"]
    again = ingest([src], url, workers=1)
    assert (again.parsed, again.unchanged, again.version) == (0, 6, 2)
    now = manifest(url)["tables"]
    changed = {name for name in now if now[name] != first[name]}
    assert changed == {"ingest_runs", "rejects"}
    assert_one_version_visible(url)


def test_changed_file_and_full_refresh_match_the_local_store(tmp_path, src, url):
    local = tmp_path / "local"
    for out in (local, url):
        ingest([src], out, workers=1)
    change_one_article(src)
    for out in (local, url):
        result = ingest([src], out, workers=1)
        assert (result.parsed, result.unchanged) == (1, 5)
    equal_tables(snapshot(local), url_snapshot(url))
    assert "ruler moves three" in summaries(read_url(url, "articles"))
    assert_one_version_visible(url)
    shutil.rmtree(src / "seed")
    for out in (local, url):
        ingest([src], out, workers=1, full_refresh=True)
    equal_tables(snapshot(local), url_snapshot(url))
    assert "Q283472" not in read_url(url, "articles")["article_id"].to_pylist()
    assert_one_version_visible(url)


class Boom(Exception):
    pass


# Each step of a commit that touches the store; a run killed between two of
# them leaves the same objects as one that raised there.
# (method, on paths containing, fails at its n-th such call, whether the new
# version is published by then)
FAILURES = [
    ("put_file", "", 3, False),              # part of the new version uploaded to staging
    ("mv", "", 2, False),                    # some new files moved into the table folders
    ("pipe_file", MANIFEST, 1, False),       # writing the manifest
    ("rm_file", "part-000001", 1, True),     # after the manifest: deleting the old files
]


@pytest.mark.parametrize("method,match,after,switched", FAILURES, ids=[m for m, *_ in FAILURES])
def test_a_commit_failing_at_any_step_leaves_a_readable_dataset(monkeypatch, src, url, method, match, after, switched):
    ingest([src], url, workers=1)
    before = url_snapshot(url)
    change_one_article(src)
    calls = {"n": 0}
    real = getattr(type(memfs), method)

    def failing(self, *args, **kwargs):
        if match in args[0] and "probe-" not in args[0]:
            calls["n"] += 1
            if calls["n"] > after - 1:
                raise Boom(method)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(memfs), method, failing)
    with pytest.raises(Boom):
        ingest([src], url, workers=1)
    monkeypatch.undo()
    assert not memfs.exists(f"{root_of(url)}/_kbparse_staging")  # the failed run removed its uploads
    published = manifest(url)["version"] == 2
    assert published == switched
    read = url_snapshot(url)
    if published:  # failed after the switch: the new version is whole
        assert "ruler moves three" in summaries(read["articles"])
    else:
        equal_tables(before, read)
    assert kbparse.validate(url) == []
    result = ingest([src], url, workers=1)
    assert result.exit_code == 0 and result.version == (3 if published else 2)
    assert "ruler moves three" in summaries(read_url(url, "articles"))
    assert_one_version_visible(url)


def test_old_files_that_cannot_be_deleted_do_not_fail_a_committed_run(monkeypatch, src, url):
    """Deleting the old version's files comes after the switch: when that
    fails (a network error, say), the run has still committed and says so;
    the next run deletes them."""
    ingest([src], url, workers=1)
    change_one_article(src)
    real = type(memfs).rm

    def refuse(self, path, *args, **kwargs):
        if "part-000001" in str(path):
            raise ConnectionResetError("connection reset")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(type(memfs), "rm", refuse)
    result = ingest([src], url, workers=1)
    assert result.version == 2 and manifest(url)["version"] == 2
    assert "ruler moves three" in summaries(read_url(url, "articles"))
    assert listed(url) != {k: sorted(v) for k, v in manifest(url)["tables"].items()}  # old files still there
    monkeypatch.setattr(type(memfs), "rm", real)
    ingest([src], url, workers=1)
    assert_one_version_visible(url)


def test_a_first_run_that_dies_mid_commit_leaves_a_folder_the_next_run_takes(monkeypatch, src, url):
    real = type(memfs).mv
    moved = []

    def failing(self, *args, **kwargs):
        if len(moved) == 3:
            raise Boom("mv")
        moved.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(memfs), "mv", failing)
    with pytest.raises(Boom):
        ingest([src], url, workers=1)
    monkeypatch.setattr(type(memfs), "mv", real)
    assert manifest(url)["version"] == 0  # claimed, nothing committed
    assert sum(len(files) for files in listed(url).values()) == 3  # what a folder reader sees until the next run
    with pytest.raises(DatasetError, match="no version committed yet"):
        kbparse.open_dataset(url)
    result = ingest([src], url, workers=1)
    assert (result.version, result.articles) == (1, 4)
    assert_one_version_visible(url)


def test_a_second_writer_committing_meanwhile_is_detected(monkeypatch, src, url, tmp_path):
    ingest([src], url, workers=1)
    change_one_article(src)
    real_commit = ObjectStore.commit
    state = {"raced": False}

    def commit_after_another(self, staging, version):
        if not state["raced"]:
            state["raced"] = True
            ingest([DATA], url, workers=1)  # the other writer, finishing first
        return real_commit(self, staging, version)

    monkeypatch.setattr(ObjectStore, "commit", commit_after_another)
    with pytest.raises(OutputError, match="another ingest committed version 2 .* nothing of this run was published"):
        ingest([src], url, workers=1)
    monkeypatch.undo()
    assert manifest(url)["version"] == 2
    assert "ruler moves three" not in summaries(read_url(url, "articles"))
    assert_one_version_visible(url)


def test_foreign_or_damaged_folders_are_refused(src, url):
    root = root_of(url)
    memfs.pipe_file(f"{root}/notes.txt", b"mine")
    with pytest.raises(OutputError, match="holds 'notes.txt' and no _kbparse.json, so it is not a kbparse dataset"):
        ingest([src], url, workers=1)
    memfs.rm(root, recursive=True)
    # Someone else's Parquet under a name of ours: refused, and not a byte deleted.
    memfs.pipe_file(f"{root}/articles/theirs.parquet", b"PAR1")
    with pytest.raises(OutputError, match="holds 'articles' and no _kbparse.json"):
        ingest([src], url, workers=1)
    assert memfs.cat_file(f"{root}/articles/theirs.parquet") == b"PAR1"
    memfs.rm(root, recursive=True)
    memfs.pipe_file(f"{root}/{MANIFEST}", b"{not json")
    with pytest.raises(OutputError, match="_kbparse.json is damaged"):
        ingest([src], url, workers=1)
    with pytest.raises(DatasetError, match="_kbparse.json is damaged"):
        kbparse.open_dataset(url)
    memfs.pipe_file(f"{root}/{MANIFEST}", b"[1, 2]")
    with pytest.raises(OutputError, match="_kbparse.json is damaged or not kbparse's"):
        ingest([src], url, workers=1)
    with pytest.raises(DatasetError, match="no dataset at memory://nowhere-kb"):
        kbparse.open_dataset("memory://nowhere-kb")


def test_readers_follow_the_manifest(src, url):
    ingest([src], url, workers=1)
    con = kbparse.open_dataset(url)
    assert con.execute("select count(*) from articles").fetchone()[0] == 4
    assert kbparse.run_query("select count(*) as n from sections", url)["n"][0].as_py() > 0
    assert kbparse.validate(url) == []
    assert any(s.title for s in kbparse.stats(url))
    # A file the manifest does not name (a dead run's) is not read.
    root = root_of(url)
    memfs.cp_file(f"{root}/articles/part-000001.parquet", f"{root}/articles/part-000099.parquet")
    assert kbparse.open_dataset(url).execute("select count(*) from articles").fetchone()[0] == 4


def test_validate_reports_a_broken_table_at_a_url(src, url):
    ingest([src], url, workers=1)
    root = root_of(url)
    (name,) = manifest(url)["tables"]["keywords"]
    with memfs.open(f"{root}/{name}", "rb") as fh:
        t = pq.read_table(fh)
    with memfs.open(f"{root}/{name}", "wb") as fh:
        pq.write_table(t.set_column(0, "article_id", pa.array([None] * t.num_rows, pa.string())), fh)
    findings = kbparse.validate(url)
    assert any(f.table == "keywords" and f.check == "not null" for f in findings)


def test_cli_takes_urls_for_inputs_output_and_data(tmp_path):
    """typer's Path would turn file:///x into file:/x; the commands take strings."""
    out = tmp_path / "kb"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", f"file://{DATA}", "--out", f"file://{out}", "-q"])
    assert result.exit_code == 0, result.output
    assert "4 articles" in result.stdout
    queried = runner.invoke(app, ["query", "select count(*) as n from articles", "--data", f"file://{out}", "--format", "csv"])
    assert queried.exit_code == 0, queried.output
    assert queried.stdout.split()[-1] == "4"
    checked = runner.invoke(app, ["validate", f"file://{out}"])
    assert checked.exit_code == 0, checked.output


def test_remote_scheduler_workers_spill_to_the_store(monkeypatch, tmp_path, src, url):
    """With a scheduler address, the workers may be on other machines: they
    write their batches under the store's _kbparse_spill/, not on this disk.
    A LocalCluster of threads shares this process's memory:// store."""
    distributed = pytest.importorskip("distributed")
    fetched = []
    real_fetch = ObjectStore.fetch

    def spy(self, shared, local):
        fetched.append((shared, sorted(memfs.find(shared[len("memory://"):]))))
        return real_fetch(self, shared, local)

    monkeypatch.setattr(ObjectStore, "fetch", spy)
    local = tmp_path / "local"
    ingest([src], local, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        result = ingest([src], url, workers=2, engine="dask", scheduler=cluster.scheduler_address)
    assert result.articles == 4
    (shared, files), = fetched
    assert "/_kbparse_spill/" in shared and any(f.endswith(".parquet") for f in files)
    equal_tables(snapshot(local), url_snapshot(url))
    assert_one_version_visible(url)
