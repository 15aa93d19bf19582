"""When the machine fails an ingest: a full disk, a read-only or forbidden
output, an unreadable or vanished input, too few file handles, an interrupt.

Each case checks what the operator reads (one line naming the place, no
traceback), the exit code (2: the operator's to fix; a bad input file is a
reject, 1), that the committed dataset reads and validates as before, and
that the failed run left no spill or staging behind. Real filesystems where
this machine can make them (a small tmpfs, remounted read-only; root only,
skipped elsewhere), faults injected at the failing call otherwise.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kbparse.ingestion.worker
import kbparse.ingestion.merge
import kbparse.ingestion.parser
import kbparse.ingestion.pipeline
import kbparse.store
from articles import txt_article, write_article
from conftest import DATA
from kbparse.cli import app
from kbparse.environment import EnvironmentProblem, translate
from kbparse.ingestion.pipeline import ingest
from kbparse.validation import validate
from test_ingest import read, snapshot

runner = CliRunner()


# -- helpers ------------------------------------------------------------------


@contextmanager
def tmpfs(path: Path, size: str):
    """A tmpfs of `size` mounted at `path` for the block; skips the test where
    mounting is not allowed (not root, a container without CAP_SYS_ADMIN)."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True, capture_output=True)


def home(out: Path) -> Path:
    return out.parent / f".{out.name}.kbparse"


def litter(out: Path) -> list[str]:
    """What is in the dataset's folder besides the lock and committed versions."""
    return sorted(p.name for p in home(out).iterdir()
                  if p.name != "lock" and not (p.name.startswith("v") and p.name[1:].isdigit()))


def versions(out: Path) -> list[str]:
    return sorted(p.name for p in home(out).iterdir() if p.name.startswith("v") and p.name[1:].isdigit())


def committed(out: Path) -> dict:
    """What must not change when a run fails: every table, and the version DIR points to."""
    assert validate(out) == []
    return {"tables": snapshot(out), "runs": read(out, "ingest_runs").num_rows, "target": os.readlink(out)}


def kbparse_cmd(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kbparse", *map(str, args)],
                          capture_output=True, text=True, timeout=300, **kw)


def one_line(stderr: str) -> str:
    """The error line, after checking it is the only line and no traceback."""
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kbparse: ")
    return lines[0]


def bulky_corpus(folder: Path, n: int, body_kb: int, first_id: int = 810000) -> Path:
    """`n` valid articles of about `body_kb` KB of text that compresses poorly."""
    rng = random.Random(n)
    for i in range(n):
        lines = "\n".join(rng.randbytes(32).hex() for _ in range(body_kb * 1024 // 65))
        write_article(folder, f"{i % 7}/Q{first_id + i}.TXT",
                      txt_article(f"SUMMARY\n=======\n\n{lines}\n", article_id=f"Q{first_id + i}"))
    return folder


def small_corpus(folder: Path, n: int = 20, first_id: int = 820000) -> Path:
    for i in range(n):
        write_article(folder, f"Q{first_id + i}.TXT",
                      txt_article(f"SUMMARY\n=======\n\narticle {i}\n", article_id=f"Q{first_id + i}"))
    return folder


@pytest.fixture
def dataset(tmp_path) -> Path:
    """A committed dataset of the examples in data/, as a failed run must leave it."""
    out = tmp_path / "out" / "kb"
    assert ingest([DATA], out, workers=1).exit_code == 0
    return out


# -- a full disk ------------------------------------------------------------------


def test_a_full_disk_is_named_and_the_failed_run_frees_what_it_filled(tmp_path):
    """A real full filesystem; 1,200 files so that worker processes parse
    them and the disk fills up under a worker, whose OSError arrives through
    its future."""
    src = bulky_corpus(tmp_path / "big", 1200, 8)
    with tmpfs(tmp_path / "small", "4m") as fs:
        out = fs / "kb"
        assert kbparse_cmd("ingest", DATA, "--out", out, "-q").returncode == 0
        before = committed(out)
        free_before = shutil.disk_usage(fs).free

        done = kbparse_cmd("ingest", src, "--out", out, "-q", "--workers", "2")
        assert done.returncode == 2, done.stderr
        line = one_line(done.stderr)
        assert line.startswith(f"kbparse: no space left on device on the filesystem of {home(out)} (it had ")
        assert "MB free when it started, and needs about " in line and "free some space there" in line
        assert line.endswith("; the dataset is as it was")
        assert committed(out) == before
        assert litter(out) == []
        assert shutil.disk_usage(fs).free >= free_before - 64 * 1024  # what it filled is free again

        remount(fs, "size=64m")  # the operator frees space: the next run goes through
        again = kbparse_cmd("ingest", src, "--out", out, "-q", "--workers", "2")
        assert again.returncode == 0, again.stderr
        assert read(out, "articles").num_rows == 4 + 1200
        assert validate(out) == [] and litter(out) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_while_merging_is_named_too(dataset, monkeypatch, code):
    """The fault injected at the merge's write call, in this process."""
    before = committed(dataset)
    real = kbparse.ingestion.merge.pq.ParquetWriter

    class Full(real):
        def write_table(self, *args, **kw):
            raise OSError(code, "Error writing bytes to file. Detail: [errno %d] %s" % (code, os.strerror(code)))

    monkeypatch.setattr(kbparse.ingestion.merge.pq, "ParquetWriter", Full)
    result = runner.invoke(app, ["ingest", str(small_corpus(dataset.parent.parent / "in")), "--out", str(dataset), "--workers", "1", "-q"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert f"no space left on device{' (a disk quota)' if code == errno.EDQUOT else ''} on the filesystem of {home(dataset)}" in line
    monkeypatch.undo()
    assert committed(dataset) == before and litter(dataset) == []


# -- a read-only or forbidden output ----------------------------------------------------


def test_a_read_only_output_filesystem(tmp_path):
    with tmpfs(tmp_path / "ro", "8m") as fs:
        out = fs / "kb"
        assert kbparse_cmd("ingest", DATA, "--out", out, "-q").returncode == 0
        before = committed(out)
        remount(fs, "ro")
        done = kbparse_cmd("ingest", small_corpus(tmp_path / "in"), "--out", out, "-q")
        assert done.returncode == 2, done.stderr
        assert one_line(done.stderr) == (f"kbparse: {home(out)} is on a read-only filesystem: remount it "
                                         "read-write or choose another place, and run again")
        assert committed(out) == before and litter(out) == []
        # reading needs no write: the other commands work as before
        assert kbparse_cmd("validate", out).returncode == 0
        assert kbparse_cmd("stats", out).returncode == 0
        saved = kbparse_cmd("query", "select count(*) as n from articles", "--data", out,
                            "--format", "csv", "--output", fs / "n.csv")
        assert saved.returncode == 2
        assert one_line(saved.stderr).startswith(f"kbparse: {fs / 'n.csv'} is on a read-only filesystem")
        remount(fs, "rw")
        assert kbparse_cmd("ingest", tmp_path / "in", "--out", out, "-q").returncode == 0
        assert litter(out) == [] and read(out, "articles").num_rows == 4 + 20


@pytest.mark.parametrize("code, says", [
    (errno.EROFS, "is on a read-only filesystem: remount it read-write"),
    (errno.EACCES, "permission denied: "),
    (errno.EPERM, "permission denied: "),
])
def test_the_output_refused_while_writing_the_new_version(dataset, monkeypatch, code, says):
    """The folder became read-only or forbidden after the run began (the
    up-front probe passed): injected at the write of a table into staging."""
    before = committed(dataset)
    real = kbparse.store.write_parquet

    def refused(path, t, data):
        if t.name == "rejects":
            raise OSError(code, os.strerror(code), str(path))
        real(path, t, data)

    monkeypatch.setattr(kbparse.store, "write_parquet", refused)
    result = runner.invoke(app, ["ingest", str(small_corpus(dataset.parent.parent / "in")), "--out", str(dataset), "--workers", "1", "-q"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert says in line and f"{home(dataset)}/staging-" in line and "/rejects/part-000002.parquet" in line
    monkeypatch.undo()
    assert committed(dataset) == before and litter(dataset) == []


def test_permission_denied_switching_the_link_leaves_no_half_committed_version(dataset, monkeypatch):
    """DIR's parent not writable while .DIR.kbparse is: everything is written,
    and the last rename fails. The renamed version folder must go too."""
    before = committed(dataset)
    real = os.rename

    def rename(src, dst, *a, **kw):
        if Path(dst) == dataset:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src), None, str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(kbparse.store.os, "rename", rename)
    result = runner.invoke(app, ["ingest", str(small_corpus(dataset.parent.parent / "in")), "--out", str(dataset), "--workers", "1", "-q"])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr).startswith(f"kbparse: permission denied: {home(dataset)}/link-")
    assert committed(dataset) == before and litter(dataset) == [] and versions(dataset) == ["v000001"]
    assert ingest([dataset.parent.parent / "in"], dataset, workers=1).version == 2  # the next run commits


# -- inputs ------------------------------------------------------------------------


def test_unreadable_inputs_among_good_ones_are_rejects_not_a_failure(dataset, monkeypatch):
    src = small_corpus(dataset.parent.parent / "in", 5)
    locked = src / "Q820002.TXT"
    os.mkfifo(src / "Q829998.TXT")  # real: opening it would block; found and never opened
    os.symlink("Q829999.TXT", src / "Q829999.TXT")  # real: stat fails (a loop)
    real = kbparse.ingestion.worker.read_file

    def read_file(path):
        if path == str(locked):  # chmod 000 stops no root: refused at the read call
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path)

    monkeypatch.setattr(kbparse.ingestion.worker, "read_file", read_file)
    result = runner.invoke(app, ["ingest", str(src), "--out", str(dataset), "--workers", "1", "-q"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"rejected (unreadable) {locked}: cannot read: Permission denied" in result.stderr
    assert f"rejected (not_a_file) {src / 'Q829998.TXT'}" in result.stderr
    assert f"rejected (unreadable) {src / 'Q829999.TXT'}" in result.stderr
    assert validate(dataset) == [] and litter(dataset) == []
    ids = read(dataset, "articles")["article_id"].to_pylist()
    assert "Q820002" not in ids and {"Q820000", "Q820001", "Q820003", "Q820004"} <= set(ids)
    # once it can be read, it is: an unread file is not remembered as seen
    monkeypatch.undo()
    again = ingest([src], dataset, workers=1)
    assert again.parsed == 1 and "Q820002" in read(dataset, "articles")["article_id"].to_pylist()


def test_an_input_folder_vanishing_mid_run_fails_the_run(dataset, monkeypatch):
    """Every file of a folder unmounted or moved away mid-run would be a
    reject, and a --full-refresh would commit a dataset without them."""
    src = small_corpus(dataset.parent.parent / "in", 5)
    before = committed(dataset)
    real = kbparse.ingestion.worker.read_file

    def read_file(path):
        if src.exists():
            src.rename(src.with_name("moved"))
        return real(path)

    monkeypatch.setattr(kbparse.ingestion.worker, "read_file", read_file)
    result = runner.invoke(app, ["ingest", str(src), "--out", str(dataset), "--workers", "1", "--full-refresh", "-q"])
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == (f"kbparse: {src} vanished while kbparse was using it (deleted or moved by "
                                       "something else): let nothing move or delete it during a run, and run "
                                       "again; the dataset is as it was")
    monkeypatch.undo()
    assert committed(dataset) == before and litter(dataset) == []


@pytest.mark.parametrize("code", [errno.EMFILE, errno.ENFILE])
def test_too_many_open_files_fails_the_run_instead_of_rejecting_files(dataset, monkeypatch, code):
    before = committed(dataset)

    def read_file(path):
        raise OSError(code, os.strerror(code), path)

    monkeypatch.setattr(kbparse.ingestion.worker, "read_file", read_file)
    result = runner.invoke(app, ["ingest", str(small_corpus(dataset.parent.parent / "in")), "--out", str(dataset), "--workers", "1", "-q"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith("kbparse: too many open files (the limit for this process is ")
    assert "ulimit -n" in line
    monkeypatch.undo()
    assert committed(dataset) == before and litter(dataset) == []


# -- any other end of a run ------------------------------------------------------------


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_or_crashed_run_removes_its_spill_and_staging(dataset, monkeypatch, failure):
    """Ctrl-C, or a bug (which stays an error for the CLI's exit 3), while the
    spill and the new version are on disk."""
    before = committed(dataset)
    seen = []

    def merge_then_fail(*args, **kw):
        seen.append(litter(dataset))
        raise failure("in the merge")

    monkeypatch.setattr(kbparse.ingestion.pipeline, "_merge_article_tables", merge_then_fail)
    with pytest.raises(failure):
        ingest([small_corpus(dataset.parent.parent / "in")], dataset, workers=1)
    monkeypatch.undo()
    assert [name.split("-")[0] for name in seen[0]] == ["spill", "staging"]  # there was something to remove
    assert committed(dataset) == before and litter(dataset) == []


def test_sigterm_cleans_up_like_ctrl_c(tmp_path):
    src = bulky_corpus(tmp_path / "in", 3000, 1)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kbparse", "ingest", str(src), "--out", str(out), "-q"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (home(out).is_dir() and any(p.name.startswith("spill-") for p in home(out).iterdir())):
        assert time.monotonic() < deadline and proc.poll() is None, "the run never started spilling"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)  # as a scheduler's timeout does: to the command alone
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 143, err
    assert one_line(err).startswith("kbparse: terminated; no dataset was changed")
    assert litter(out) == [] and not out.exists()


# -- query, validate, stats -------------------------------------------------------------


def test_reading_commands_name_the_machine_s_failures(dataset, monkeypatch):
    import kbparse.dataset

    path = next((Path(os.path.realpath(dataset)) / "keywords").glob("*.parquet"))
    real = kbparse.dataset.Committed.read_schema

    def read_schema(self, p):
        if p == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), p)
        return real(self, p)

    monkeypatch.setattr(kbparse.dataset.Committed, "read_schema", read_schema)
    checked = runner.invoke(app, ["validate", str(dataset)])
    assert checked.exit_code == 2
    assert one_line(checked.stderr) == (f"kbparse: permission denied: {path}: give the user running kbparse "
                                        "access to it, or choose another place, and run again")
    monkeypatch.undo()
    # A version removed under a running query (a later commit's cleanup): DuckDB
    # says "No files found", and that is no bad SQL.
    from kbparse.dataset import open_dataset

    con = open_dataset(dataset)
    path.unlink()
    with pytest.raises(Exception) as caught:
        con.sql("select count(*) from keywords").fetchall()
    problem = translate(caught.value)
    assert isinstance(problem, EnvironmentProblem) and problem.exit_code == 2
    assert str(problem).startswith(f"{path} vanished while kbparse was using it")


def test_a_bug_is_still_no_environment_problem():
    assert translate(ValueError("[Errno 28] looks like a full disk")) is None  # not an OSError
    assert translate(OSError(errno.EINVAL, "Invalid argument")) is None


# -- disk use ------------------------------------------------------------------------


def test_spill_is_compressed_and_each_file_goes_once_its_last_range_is_merged(tmp_path, monkeypatch):
    """Three batches of ten articles with ids far apart, merged one article
    per range: a batch's spill file must be gone once the ranges past its
    last id are being merged, and the dataset must be the one a single range gives."""
    src = tmp_path / "in"
    for batch in range(3):
        for i in range(10):
            n = 830000 + 1000 * batch + i
            write_article(src / f"b{batch}", f"Q{n}.TXT", txt_article(f"SUMMARY\n=======\n\nnumber {i}\n", article_id=f"Q{n}"))
    single = tmp_path / "single"
    ingest([src], single, workers=1)

    monkeypatch.setattr(kbparse.ingestion.parser, "BATCH_FILES", 10)  # one batch per folder, as discovery yields them
    monkeypatch.setattr(kbparse.ingestion.merge, "RANGE_BYTES", 1)  # as many ranges as articles
    codecs, alive = set(), []
    real_merge, real_sql = kbparse.ingestion.pipeline._merge_article_tables, kbparse.ingestion.merge.pq

    def merge(store, staging, version, previous, spill, *rest):
        files = sorted((spill / "articles").glob("*.parquet"))
        assert len(files) == 3
        codecs.update(pq.ParquetFile(f).metadata.row_group(0).column(0).compression for f in files)
        spans = {f: kbparse.ingestion.merge.id_span(f) for f in files}

        def spy(con):
            def sql(query):
                if "/articles/" in query:  # tables are merged in threads: keep the articles table's queries
                    lo = query.split("article_id >= '")[1].split("'")[0] if "article_id >= '" in query else ""
                    alive.append((lo, sorted(spans[f][1] for f in files if f.exists())))
                return con.sql_real(query)
            return sql

        class Con:
            def __init__(self, con):
                self.con, self.sql_real = con, con.sql
                self.sql = spy(self)

            def cursor(self):  # each merging thread takes a cursor of its own
                return Con(self.con.cursor())

            def __getattr__(self, name):
                return getattr(self.con, name)

        connect = kbparse.ingestion.merge.connect
        monkeypatch.setattr(kbparse.ingestion.merge, "connect", lambda *a: Con(connect(*a)))
        return real_merge(store, staging, version, previous, spill, *rest)

    monkeypatch.setattr(kbparse.ingestion.pipeline, "_merge_article_tables", merge)
    ranged = tmp_path / "ranged"
    ingest([src], ranged, workers=1)
    assert codecs == {kbparse.ingestion.worker.SPILL_CODEC["compression"].upper()} != {"UNCOMPRESSED"}
    assert snapshot(ranged) == snapshot(single)
    articles = [(lo, maxes) for lo, maxes in alive[:30]]  # the articles table: 30 ranges
    assert len(alive) >= 30 and articles[0][0] == ""
    for lo, maxes in articles:
        # every spill file still there holds an id at or past this range's start
        assert all(m >= lo for m in maxes), (lo, maxes)
    assert [len(m) for _, m in articles] == [3] * 10 + [2] * 10 + [1] * 10
    assert not list((home(ranged)).glob("spill-*"))
