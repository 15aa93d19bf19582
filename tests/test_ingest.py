"""`kbparse ingest`: tables, incremental runs, duplicates, rejects, exit codes."""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from articles import md_article, txt_article, write_article
from conftest import DATA, SAMPLE, needs_sample
from kbparse.cli import app
from kbparse.ingestion.discover import InputError
from kbparse.ingestion.pipeline import ingest
from kbparse.schema import tables
from kbparse.store import OutputError

runner = CliRunner()


def read(out, name: str) -> pa.Table:
    files = sorted((out / name).glob("*.parquet"))
    return pa.concat_tables([pq.ParquetFile(f).read() for f in files])


def snapshot(out) -> dict[str, pa.Table]:
    """Every table but the run log, for equality checks."""
    return {name: read(out, name) for name in tables() if name != "ingest_runs"}


def summary(out, name="articles", column="article_id"):
    return sorted(read(out, name)[column].to_pylist())


def test_ingest_data_folder(tmp_path):
    out = tmp_path / "kb-data"
    result = ingest([DATA], out, workers=1)
    assert (result.seen, result.parsed, result.duplicates, result.rejected, result.exit_code) == (6, 6, 2, 0, 0)
    assert summary(out) == ["Q100001", "Q100002", "Q100003", "Q283472"]
    articles = read(out, "articles")
    assert articles.schema.field("last_modified").type == pa.date32()
    import hashlib
    from pathlib import Path

    for row in articles.select(["source_path", "content_sha256"]).to_pylist():
        assert row["content_sha256"] == hashlib.sha256(Path(row["source_path"]).read_bytes()).hexdigest()
    assert articles.schema.equals(tables()["articles"].arrow_schema)
    # every table is there, in its own folder, readable by plain pyarrow and pandas
    import pandas as pd

    for name in tables():
        assert list((out / name).glob("*.parquet")), name
    assert len(pd.read_parquet(out / "sections")) == read(out, "sections").num_rows


def test_newest_date_wins_then_txt_over_md(tmp_path):
    src = tmp_path / "in"
    write_article(src, "a/Q500001.TXT", txt_article("SUMMARY\n=======\n\nold txt\n", article_id="Q500001", date="01-JAN-1999"))
    write_article(src, "b/Q500001/README.md", md_article(["SUMMARY", "=======", "", "new md"], article_id="Q500001", date="02-JAN-1999"))
    write_article(src, "a/Q500002.TXT", txt_article("SUMMARY\n=======\n\nsame-day txt\n", article_id="Q500002"))
    write_article(src, "b/Q500002/README.md", md_article(["SUMMARY", "=======", "", "same-day md"], article_id="Q500002"))
    out = tmp_path / "out"
    result = ingest([src], out, workers=1)
    assert result.duplicates == 2 and result.articles == 2
    got = dict(zip(read(out, "articles")["article_id"].to_pylist(), read(out, "articles")["summary_text"].to_pylist()))
    assert got == {"Q500001": "new md", "Q500002": "same-day txt"}
    outcomes = dict(zip(read(out, "sources")["source_path"].to_pylist(), read(out, "sources")["outcome"].to_pylist()))
    assert sorted(outcomes.values()) == ["duplicate", "duplicate", "ingested", "ingested"]


def test_rerun_parses_nothing_and_changes_nothing(tmp_path):
    out = tmp_path / "out"
    ingest([DATA], out, workers=1)
    before = snapshot(out)
    again = ingest([DATA], out, workers=1)
    assert (again.parsed, again.unchanged, again.articles, again.duplicates) == (0, 6, 4, 2)
    assert snapshot(out) == before
    runs = read(out, "ingest_runs").to_pylist()
    assert [r["run_id"] for r in runs] == [1, 2] and [r["parsed"] for r in runs] == [6, 0]


def test_changed_file_updates_its_article(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(DATA, src)
    out = tmp_path / "out"
    ingest([src], out, workers=1)
    path = src / "examples" / "txt" / "Q100001.TXT"
    path.write_bytes(path.read_bytes().replace(b"ruler moves two", b"ruler moves three"))
    os.utime(path, ns=(1, 10**18))
    result = ingest([src], out, workers=1)
    assert (result.parsed, result.unchanged) == (1, 5)
    texts = dict(zip(read(out, "articles")["article_id"].to_pylist(), read(out, "articles")["summary_text"].to_pylist()))
    assert "ruler moves three" in texts["Q100001"]
    assert summary(out) == ["Q100001", "Q100002", "Q100003", "Q283472"]


def test_when_the_winning_copy_changes_into_another_article_the_other_copy_takes_over(tmp_path):
    src = tmp_path / "in"
    txt = write_article(src, "Q500003.TXT", txt_article("SUMMARY\n=======\n\nfrom txt\n", article_id="Q500003"))
    write_article(src, "Q500003/README.md", md_article(["SUMMARY", "=======", "", "from md"], article_id="Q500003"))
    out = tmp_path / "out"
    ingest([src], out, workers=1)
    assert read(out, "articles")["summary_text"].to_pylist() == ["from txt"]
    txt.write_bytes(txt_article("SUMMARY\n=======\n\nnow another\n", article_id="Q500004").encode())
    result = ingest([src], out, workers=1)
    rows = dict(zip(read(out, "articles")["article_id"].to_pylist(), read(out, "articles")["summary_text"].to_pylist()))
    assert rows == {"Q500003": "from md", "Q500004": "now another"}
    assert result.duplicates == 0


def test_second_folder_adds_and_full_refresh_forgets(tmp_path):
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    write_article(a, "Q600001.TXT", txt_article("x\n", article_id="Q600001"))
    write_article(b, "Q600002.TXT", txt_article("y\n", article_id="Q600002"))
    ingest([a], out, workers=1)
    ingest([b], out, workers=1)
    assert summary(out) == ["Q600001", "Q600002"]
    result = ingest([b], out, workers=1, full_refresh=True)
    assert summary(out) == ["Q600002"] and result.parsed == 1
    assert len(read(out, "ingest_runs")) == 3  # the run log survives a full refresh


def test_bad_files_become_rejects_and_the_good_ones_still_land(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(DATA / "seed", src)
    write_article(src, "Q1.TXT", "DOCUMENT:Q1  01-JAN-2000  [x]\nTITLE   :t\nJUNK\n")
    write_article(src, "empty.txt", "")
    out = tmp_path / "out"
    result = ingest([src], out, workers=1)
    assert result.exit_code == 1 and result.rejected == 2 and result.articles == 1
    rejects = {r["source_path"].rsplit("/", 1)[1]: r for r in read(out, "rejects").to_pylist()}
    assert rejects["Q1.TXT"]["error_kind"] == "syntax"
    assert (rejects["Q1.TXT"]["line"], rejects["Q1.TXT"]["column"]) == (3, 1)
    assert "expected another header field line" in rejects["Q1.TXT"]["message"]
    assert "not a KB article" in rejects["empty.txt"]["message"]
    # unchanged bad files stay rejected (and the exit code says so) without being parsed again
    again = ingest([src], out, workers=1)
    assert (again.parsed, again.rejected, again.exit_code) == (0, 2, 1)


def test_worker_processes_give_the_same_dataset(tmp_path):
    src = tmp_path / "in"
    for i in range(450):  # above the size that starts worker processes
        write_article(src, f"Q{700000 + i}.TXT", txt_article(f"SUMMARY\n=======\n\nnumber {i}\n", article_id=f"Q{700000 + i}"))
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = ingest([src], one, workers=1)
    r2 = ingest([src], two, workers=2)
    assert r1.articles == r2.articles == 450
    a, b = snapshot(one), snapshot(two)
    for name in a:
        assert a[name].equals(b[name]), name


def test_archives_are_folders(tmp_path):
    zpath = tmp_path / "articles.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in sorted(DATA.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(DATA))
    tpath = tmp_path / "articles.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        tf.add(DATA, arcname="data")
    for archive in (zpath, tpath):
        out = tmp_path / f"out-{archive.name}"
        result = ingest([archive], out, workers=1)
        assert result.articles == 4 and result.rejected == 0
        paths = read(out, "articles")["source_path"].to_pylist()
        assert all(p.startswith(str(archive) + "!") for p in paths)


def test_unusable_arguments_raise_before_touching_anything(tmp_path):
    with pytest.raises(InputError, match="no such input"):
        ingest([tmp_path / "missing"], tmp_path / "out")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a kbparse dataset"):
        ingest([DATA], taken)
    assert (taken / "notes.txt").read_text() == "mine"


def test_cli_exit_codes_and_summary(tmp_path):
    out = tmp_path / "out"
    ok = runner.invoke(app, ["ingest", str(DATA), "--out", str(out), "--workers", "1"])
    assert ok.exit_code == 0, ok.output
    assert "4 articles" in ok.stdout and "2 duplicates" in ok.stdout and "articles/s" in ok.stdout
    bad = tmp_path / "bad"
    write_article(bad, "Q1.TXT", "DOCUMENT:Q1  01-JAN-2000  [x]\nJUNK\n")
    some = runner.invoke(app, ["ingest", str(bad), "--out", str(out), "--workers", "1"])
    assert some.exit_code == 1
    assert "rejected (syntax)" in some.stderr and "Q1.TXT:2:1" in some.stderr
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2 and "no such input" in missing.stderr
    assert "Traceback" not in ok.output + some.output + missing.output


def test_cli_default_out_is_kbparse_data(tmp_path, monkeypatch):
    monkeypatch.setenv("KBPARSE_DATA", str(tmp_path / "from-env"))
    result = runner.invoke(app, ["ingest", str(DATA / "seed"), "--workers", "1", "-q"])
    assert result.exit_code == 0
    assert summary(tmp_path / "from-env") == ["Q283472"]


@needs_sample
def test_sample_ingest_matches_the_parsed_records(tmp_path, sample_records):
    out = tmp_path / "out"
    result = ingest([SAMPLE], out, workers=2)
    assert result.rejected == 0 and result.seen == 4423
    records = list(sample_records.values())
    ids = {a.article_id for a in records}
    articles = read(out, "articles")
    assert articles.num_rows == len(ids) == result.articles
    assert articles["article_id"].to_pylist() == sorted(ids)  # unique and in key order
    assert articles.schema.field("last_modified").type == pa.date32()
    assert result.duplicates == len(records) - len(ids)
    winners = {a.article_id: a for a in records if a.source_path in set(articles["source_path"].to_pylist())}
    assert len(winners) == len(ids)
    expected_rows = {
        "sections": sum(len(a.sections) for a in winners.values()),
        "keywords": sum(len(a.keywords) for a in winners.values()),
        "technologies": sum(len(a.technologies) for a in winners.values()),
        "issue_types": sum(len(a.issue_types) for a in winners.values()),
        "solution_types": sum(len(a.solution_types) for a in winners.values()),
        "applies_to": sum(len(a.applies_to) for a in winners.values()),
        "cross_references": sum(len(a.cross_references) for a in winners.values()),
    }
    for name, expected in expected_rows.items():
        t = read(out, name)
        assert t.num_rows == expected, name
        assert set(t["article_id"].to_pylist()) <= ids, name  # no orphans
        key = tables()[name].key
        keys = list(zip(*(t[k].cast(pa.string()).to_pylist() for k in key)))
        assert len(set(keys)) == len(keys), name  # key unique
    sections = read(out, "sections").to_pylist()
    assert sections[0]["text"] == winners[sections[0]["article_id"]].sections[0].text


def test_one_writer_at_a_time(tmp_path):
    from kbparse.store import DatasetStore

    out = tmp_path / "out"
    ingest([DATA / "seed"], out, workers=1)
    with DatasetStore(out).lock():  # another ingest holds the dataset
        with pytest.raises(OutputError, match="another kbparse ingest is writing"):
            ingest([DATA / "seed"], out, workers=1)
        result = runner.invoke(app, ["ingest", str(DATA / "seed"), "--out", str(out), "-q"])
        assert result.exit_code == 2 and "another kbparse ingest" in result.stderr
    assert ingest([DATA / "seed"], out, workers=1).exit_code == 0  # free again once it lets go


def test_a_copy_inside_an_archive_takes_over_when_the_winner_changes(tmp_path):
    """The other copy has no path of its own to stat: it must be taken from this run's discovery."""
    archive = tmp_path / "kb.zip"
    md = md_article(["SUMMARY", "=======", "", "from md"], article_id="Q500013")

    def build(txt_text: str, txt_date: tuple) -> None:
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr(zipfile.ZipInfo("Q500013.TXT", date_time=txt_date), txt_text)
            zf.writestr(zipfile.ZipInfo("Q500013/README.md", date_time=(2001, 2, 17, 0, 0, 0)), md)

    build(txt_article("SUMMARY\n=======\n\nfrom txt\n", article_id="Q500013"), (2001, 2, 17, 0, 0, 0))
    out = tmp_path / "out"
    ingest([archive], out, workers=1)
    assert read(out, "articles")["summary_text"].to_pylist() == ["from txt"]
    build(txt_article("SUMMARY\n=======\n\nnow another\n", article_id="Q500014"), (2002, 3, 1, 0, 0, 0))
    result = ingest([archive], out, workers=1)
    rows = dict(zip(read(out, "articles")["article_id"].to_pylist(), read(out, "articles")["summary_text"].to_pylist()))
    assert rows == {"Q500013": "from md", "Q500014": "now another"}
    assert result.duplicates == 0


def test_small_tables_from_rows_equal_those_from_arrays():
    """build_from_rows goes through pyarrow's JSON reader (no pandas import):
    it must give exactly what pa.array gives, categories, nulls, times and all."""
    from datetime import datetime, timezone

    from kbparse.schema import table
    from kbparse.tables import build, build_from_rows

    when = datetime(2026, 11, 24, 21, 5, 7, 123456, tzinfo=timezone.utc)
    cases = {
        "rejects": [
            {"source_path": "a/ü \"q\".TXT", "error_kind": "syntax", "line": 3, "column": 1, "message": "bad\nline"},
            {"source_path": "b", "error_kind": "too_large", "line": None, "column": None, "message": "big"},
        ],
        "ingest_runs": [
            {"run_id": 7, "started_at": when, "finished_at": when, "kbparse_version": "0.1.0", "inputs": "x\ny",
             "full_refresh": True, "workers": 2, "seen": 5, "parsed": 4, "unchanged": 1, "rejected": 0,
             "duplicates": 1, "articles": 3, "seconds": 0.25},
        ],
    }
    for name, rows in cases.items():
        t = table(name)
        expected = build(t, {c.name: [r[c.name] for r in rows] for c in t.columns})
        got = build_from_rows(t, rows)
        assert got.schema.equals(t.arrow_schema) and got.equals(expected), name
    assert build_from_rows(table("rejects"), []).num_rows == 0
    long_message = "x" * (3 << 20)  # longer than the JSON reader's default block
    big = build_from_rows(table("rejects"), [dict(cases["rejects"][0], message=long_message)])
    assert big["message"].to_pylist() == [long_message]


def test_the_run_log_records_the_paths_given(tmp_path):
    files = sorted(str(p) for p in (DATA / "examples" / "txt").glob("*.TXT"))
    out = tmp_path / "out"
    ingest(files, out, workers=1)
    ingest([DATA / "seed"], out, workers=1)
    runs = read(out, "ingest_runs")
    assert runs["run_id"].to_pylist() == [1, 2]
    assert runs["inputs"].to_pylist() == ["\n".join(files), str(DATA / "seed")]


def test_outcomes_keep_every_field_through_pickling_and_refuse_batches_out_of_order():
    import hashlib
    import pickle
    from datetime import date
    from types import SimpleNamespace

    from kbparse.ingestion.worker import Outcomes

    first, second = Outcomes(0), Outcomes(2)
    sha = hashlib.sha256(b"x").digest()
    first.add(10, 11, sha, SimpleNamespace(article_id="Q1", last_modified=date(2003, 1, 2), source_format="md"))
    first.add(12, 13, None, reject=("unreadable", None, None, "cannot read"))
    second.add(14, 15, sha, SimpleNamespace(article_id="Q2", last_modified=None, source_format="txt"))
    run = Outcomes()
    run.extend(pickle.loads(pickle.dumps(first)))
    run.extend(pickle.loads(pickle.dumps(second)))
    assert len(run) == 3 and list(run.size) == [10, 12, 14] and list(run.mtime_ns) == [11, 13, 15]
    assert [run.sha_hex(k) for k in range(3)] == [sha.hex(), None, sha.hex()]
    assert run.article_id == ["Q1", None, "Q2"]
    assert [run.last_modified(k) for k in range(3)] == [date(2003, 1, 2), None, None]
    assert [run.source_format(k) for k in range(3)] == ["md", None, "txt"]
    assert run.rejects == {1: ("unreadable", None, None, "cannot read")}
    with pytest.raises(ValueError, match="batch of inputs 2.. arrived after 3 inputs"):
        run.extend(second)


WORKER_WITHOUT_PANDAS = """
import hashlib, os, sys
from kbparse.ingestion.engines import _worker_setup
_worker_setup()
from kbparse.ingestion.discover import Source
from kbparse.ingestion.worker import finish_batch, parse_batch

folder, spill = sys.argv[1], sys.argv[2]
paths = [os.path.join(folder, name) for name in sorted(os.listdir(folder))]
items = [(Source(p, os.path.getsize(p), 0), None) for p in paths]
member = open(paths[0], "rb").read()  # as an archive member: its bytes sent, its facts made later
items.append((Source("a.zip!Q3.TXT", len(member), 0, "a.zip", "Q3.TXT"), member))
out = parse_batch(items, spill, 1, 0)
assert not out.rejects, out.rejects
keyed = {k: (paths[k], hashlib.sha256(open(paths[k], "rb").read()).digest()) for k in range(len(paths)) if out.keyed[k]}
assert keyed, "the md page should only have been keyed"
seconds, rejects = finish_batch(spill, 1, [len(paths)], keyed)
assert not rejects, rejects
assert "pandas" not in sys.modules, "a worker imported pandas"
print("ok", sorted(os.listdir(spill)))
"""


def test_a_worker_runs_its_tasks_without_pandas(tmp_path):
    """Local workers refuse pandas (kbparse.ingestion.engines: 0.2 s of each
    worker's start): every task a worker runs must work without it, and
    pyarrow must not pull it in."""
    import subprocess
    import sys

    src = tmp_path / "in"
    body = "SYMPTOMS\n========\n\nYou receive the following error message:\n\n   STOP 0x0000001E\n"
    write_article(src, "Q1.TXT", txt_article(body, article_id="Q1"))
    write_article(src, "Q2.md", md_article(["SYMPTOMS", "========", "", "Event ID: 7031"], article_id="Q2"))
    spill = tmp_path / "spill"
    done = subprocess.run([sys.executable, "-c", WORKER_WITHOUT_PANDAS, str(src), str(spill)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout
    # the facts of the keyed page and of the member were made (the "f" spill files)
    assert list((spill / "error_codes").glob("f*.parquet"))


def test_the_ingest_command_runs_without_pandas(tmp_path):
    """`kbparse ingest` over local files never loads pandas (kbparse.cli:
    pyarrow's probe for it would cost 0.2 s of the merge's start); the
    dataset is written all the same."""
    import subprocess
    import sys

    src = tmp_path / "in"
    write_article(src, "Q1.TXT", txt_article("SUMMARY\n=======\n\nOne.\n", article_id="Q1"))
    write_article(src, "Q2.md", md_article(["SUMMARY", "=======", "", "Two."], article_id="Q2"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kbparse", "ingest", str(src), "--out", str(out),
                           "-q", "--workers", "1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "kbparse.ingestion.pipeline" in loaded  # the log is what it should be
    assert not [m for m in loaded if m.startswith("pandas.")], "pandas was loaded"
    assert read(out, "articles").num_rows == 2
