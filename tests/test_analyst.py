"""The analyst's commands on a real ingest: query, schema, validate, stats, open_dataset."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kbparse
from conftest import DATA, ROOT, SAMPLE
from kbparse.cli import app
from kbparse.schema import tables
from kbparse.schema_doc import to_json, to_markdown

runner = CliRunner()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """The sample ingested once (data/ where the sample is absent), with data/ in it too."""
    out = tmp_path_factory.mktemp("ds") / "kb-data"
    inputs = [SAMPLE, DATA] if SAMPLE.is_dir() else [DATA]
    result = kbparse.ingest(inputs, out, workers=2)
    assert result.rejected == 0
    return out


def test_query_table_csv_json_parquet(dataset, tmp_path):
    sql = "select article_id, title, last_modified from articles where article_id = 'Q283472'"
    table = runner.invoke(app, ["query", sql, "--data", str(dataset)])
    assert table.exit_code == 0, table.output
    assert "Q283472" in table.stdout and table.stdout.endswith("(1 row)\n")
    csv = runner.invoke(app, ["query", sql, "--data", str(dataset), "--format", "csv"])
    assert csv.stdout.splitlines() == ['"article_id","title","last_modified"',
                                       '"Q283472","SMS: Event ID 7031 Occurs When Installing Secondary Site Server",2001-02-17']
    js = runner.invoke(app, ["query", sql, "--data", str(dataset), "--format", "json"])
    assert json.loads(js.stdout)["last_modified"] == "2001-02-17"
    out = tmp_path / "r.parquet"
    pq_run = runner.invoke(app, ["query", "select * from keywords", "--data", str(dataset), "-f", "parquet", "-o", str(out)])
    assert pq_run.exit_code == 0
    assert pq.read_table(out).num_rows == kbparse.run_query("select count(*) as n from keywords", dataset)["n"][0].as_py()


def test_query_joins_tables_by_name_and_reads_the_data_env(dataset, monkeypatch):
    monkeypatch.setenv("KBPARSE_DATA", str(dataset))
    result = runner.invoke(app, ["query", "select count(*) as n from articles join issue_types using (article_id)", "-f", "json"])
    assert result.exit_code == 0
    n = json.loads(result.stdout)["n"]
    assert n == pq.read_table(dataset / "issue_types").num_rows


def test_query_errors_are_one_line(dataset, tmp_path):
    bad = runner.invoke(app, ["query", "selec 1", "--data", str(dataset)])
    assert bad.exit_code == 1
    assert bad.stderr.count("\n") == 1 and "syntax error" in bad.stderr
    missing = runner.invoke(app, ["query", "select 1", "--data", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no dataset at" in missing.stderr
    no_file = runner.invoke(app, ["query", "select 1", "--data", str(dataset), "-f", "parquet"])
    assert no_file.exit_code == 1 and "needs --output" in no_file.stderr
    assert "Traceback" not in bad.output + missing.output + no_file.output


def test_schema_doc_is_generated_and_up_to_date():
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == to_markdown(), (
        "docs/schema.md is out of date: run  kbparse schema > docs/schema.md"
    )
    doc = json.loads(to_json())
    assert set(doc) == set(tables())
    assert {c["name"] for c in doc["articles"]["columns"]} >= {"article_id", "references_text", "last_modified"}
    result = runner.invoke(app, ["schema", "--format", "json"])
    assert json.loads(result.stdout) == doc


def test_validate_passes_a_sound_dataset(dataset):
    assert kbparse.validate(dataset) == []
    result = runner.invoke(app, ["validate", str(dataset)])
    assert result.exit_code == 0 and result.stdout.startswith("ok")


def _rewrite(folder, name, fn):
    """Replace a table's data with fn(table) in a copy of a dataset."""
    path = next((folder / name).glob("*.parquet"))
    loose = pq.read_table(path)
    loose = loose.cast(pa.schema([f.with_nullable(True) for f in loose.schema]))  # let a test write nulls
    pq.write_table(fn(loose), path)


def test_validate_catches_a_broken_dataset(dataset, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)  # the link's target, as a plain folder
    # a duplicated key in articles
    _rewrite(broken, "articles", lambda t: pa.concat_tables([t, t.slice(0, 1)]))
    # an orphan keyword and a null in a not-null column
    _rewrite(broken, "keywords", lambda t: pa.concat_tables([t, pa.table(
        {"article_id": ["Q999999999", None], "keyword": pa.array(["orphan", "x"], t.schema.field("keyword").type)},
        schema=t.schema)]))
    # a gap in section positions
    _rewrite(broken, "sections", lambda t: t.filter(pa.compute.not_equal(t["position"], 0)))
    findings = {(f.table, f.check) for f in kbparse.validate(broken)}
    assert {("articles", "unique key"), ("keywords", "parent"), ("keywords", "not null"), ("sections", "positions")} <= findings
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "articles: unique key" in result.stdout and "keywords: parent: 1 article_id(s) not in articles" in result.stdout


def test_validate_catches_a_wrong_type(dataset, tmp_path):
    broken = tmp_path / "typed"
    shutil.copytree(dataset, broken)
    _rewrite(broken, "articles", lambda t: t.set_column(
        t.schema.get_field_index("last_modified"), "last_modified", t["last_modified"].cast(pa.string())))
    findings = [str(f) for f in kbparse.validate(broken)]
    assert any("last_modified is string" in f for f in findings)


def test_stats(dataset):
    summaries = {s.title: s for s in kbparse.stats(dataset)}
    n = pq.read_table(dataset / "articles").num_rows
    assert summaries["Dataset"].rows[0][0] == n
    per_product = summaries["Articles per product"].rows
    assert [r[1] for r in per_product] == sorted((r[1] for r in per_product), reverse=True)
    result = runner.invoke(app, ["stats", str(dataset)])
    assert result.exit_code == 0 and "Most cited articles" in result.stdout and str(n) in result.stdout


def test_open_dataset_reads_one_version(dataset):
    con = kbparse.open_dataset(dataset)
    n = con.execute("select count(*) from articles").fetchone()[0]
    assert n == pq.read_table(dataset / "articles").num_rows
    assert con.execute("select count(*) from sections s anti join articles a using (article_id)").fetchone()[0] == 0


def test_pandas_and_polars_read_the_tables_as_documented(dataset):
    import pandas as pd

    articles = pd.read_parquet(dataset / "articles")
    assert str(articles["product_code"].dtype) == "category"
    assert len(articles) == articles["article_id"].nunique()
    pl = pytest.importorskip("polars")
    frame = pl.read_parquet(str(dataset / "keywords" / "*.parquet"))
    assert frame.height == len(pd.read_parquet(dataset / "keywords"))
