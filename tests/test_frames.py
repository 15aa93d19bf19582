"""kbparse.read_table: a table as a pandas DataFrame with dates, categoricals and pyarrow strings."""

from __future__ import annotations

import pandas as pd
import pytest

import kbparse
from conftest import DATA
from kbparse.dataset import resolve
from kbparse.errors import UsageError


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("frames") / "kb-data"
    kbparse.ingest([DATA], out, workers=1)
    return out


def is_arrow_string(dtype) -> bool:
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) in ("string", "large_string"))


def test_types_are_the_schemas(sample_archive_dataset):
    df = kbparse.read_table("articles", sample_archive_dataset)
    assert str(df["last_modified"].dtype).startswith("datetime64")
    for column in ("product_code", "product_name", "source_format"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    for column in ("article_id", "title", "summary_text", "source_path"):
        assert is_arrow_string(df[column].dtype), (column, df[column].dtype)
    assert str(df["kb_number"].dtype) == "Int64"
    # The point of it: pandas date arithmetic works, and agrees with DuckDB.
    per_year = df.last_modified.dt.year.value_counts()
    con = kbparse.open_dataset(sample_archive_dataset)
    expected = dict(con.sql("select year(last_modified), count(*) from articles where last_modified is not null group by all").fetchall())
    assert {int(k): int(v) for k, v in per_year.items()} == expected
    assert len(df) == con.execute("select count(*) from articles").fetchone()[0]
    assert set(df["source_format"].cat.categories) == {"md", "txt"}


def test_columns_and_filters_are_applied_while_reading(small):
    bugs = kbparse.read_table("keywords", small, columns=["article_id"], filters=[("keyword", "=", "kbbug")])
    assert list(bugs.columns) == ["article_id"] and len(bugs) >= 1
    every = kbparse.read_table("keywords", small)
    assert len(bugs) == (every["keyword"] == "kbbug").sum() < len(every)
    positions = kbparse.read_table("sections", small, columns=["position"])
    assert str(positions["position"].dtype) == "Int32"


def test_a_version_stays_pinned(small, tmp_path):
    import shutil

    from articles import txt_article, write_article

    src = tmp_path / "more"
    write_article(src, "Q777001.TXT", txt_article("SUMMARY\n=======\n\nx\n", article_id="Q777001"))
    out = tmp_path / "kb-data"
    kbparse.ingest([DATA], out, workers=1)
    pinned = resolve(out)
    kbparse.ingest([src], out, workers=1)
    assert len(kbparse.read_table("articles", pinned)) == 4
    assert len(kbparse.read_table("articles", out)) == 5
    shutil.rmtree(src)


def test_unknown_table_or_column_is_a_usage_error_naming_the_choices(small):
    with pytest.raises(UsageError, match=r"no table 'article': the tables are articles, sections, .*ingest_runs"):
        kbparse.read_table("article", small)
    with pytest.raises(UsageError, match=r"no column 'tilte' in articles: its columns are article_id, kb_number, title"):
        kbparse.read_table("articles", small, columns=["tilte"])


def test_the_data_env_and_a_dataset_on_an_object_store(small, monkeypatch):
    monkeypatch.setenv("KBPARSE_DATA", str(small))
    assert len(kbparse.read_table("articles")) == 4
    url = "memory://kbtest-frames/kb-data"
    kbparse.ingest([DATA], url, workers=1)
    try:
        df = kbparse.read_table("articles", url)
        assert sorted(df["article_id"]) == sorted(kbparse.read_table("articles", small)["article_id"])
        assert str(df["last_modified"].dtype).startswith("datetime64")
    finally:
        import fsspec

        fsspec.filesystem("memory").rm("/kbtest-frames", recursive=True)
