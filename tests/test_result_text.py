"""kbparse query's views for people: a table that fits the terminal, line mode, Markdown, the row count."""

from __future__ import annotations

import pyarrow as pa
from typer.testing import CliRunner

import kbparse
from articles import txt_article, write_article
from kbparse.cli import app
from kbparse.result_text import render_lines, render_markdown, render_table

runner = CliRunner()


def wide(rows: int = 3, columns: int = 21) -> pa.Table:
    return pa.table({f"column_{c:02d}": [f"r{r}c{c} " + "long text " * 20 for r in range(rows)] for c in range(columns)})


def test_a_wide_result_fits_the_width_and_says_what_it_left_out():
    text = render_table(wide(), width=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "column_00" in text and "column_20" not in text
    assert "…" in text  # long cells are elided, not wrapped: one line per row
    assert sum(1 for line in lines if "r1c0" in line) == 1
    shown = sum(1 for c in range(21) if f"column_{c:02d}" in text)
    assert 2 <= shown < 21
    assert lines[-2:] == ["(3 rows)", f"({shown} of 21 columns shown: --format line shows every column)"]


def test_a_narrow_result_is_shown_whole_with_its_row_count():
    t = pa.table({"issue_type": ["kbbug", "kbprb"], "articles": [471, 398]})
    text = render_table(t, width=100)
    assert "kbbug" in text and "471" in text and "…" not in text
    assert text.endswith("\n(2 rows)\n")
    assert render_table(t.slice(0, 1), width=100).endswith("\n(1 row)\n")
    assert render_table(t.slice(0, 0), width=100).endswith("\n(0 rows)\n")


def test_a_long_result_shows_the_first_rows_and_the_total():
    t = pa.table({"n": list(range(2362))})
    text = render_table(t, width=80)
    assert text.endswith("\n(showing the first 50 of 2,362 rows)\n")
    assert "│ 49 │" in text and "│ 50 │" not in text
    assert render_lines(t, width=80).endswith("\n(showing the first 50 of 2,362 rows)\n")


def test_line_mode_is_one_column_per_line():
    t = pa.table({"article_id": ["Q1", "Q2"], "summary_text": ["a\r\nb " * 100, None], "kb_number": [1, 2]})
    text = render_lines(t, width=60)
    blocks = text.split("\n\n")
    assert blocks[0].splitlines() == [
        "  article_id = Q1",
        "summary_text = " + ("a b " * 100)[:44] + "…",
        "   kb_number = 1",
    ]
    assert blocks[1].splitlines() == ["  article_id = Q2", "summary_text = NULL", "   kb_number = 2"]
    assert blocks[2] == "(2 rows)\n"
    assert max(len(line) for line in text.splitlines()) <= 60


def test_markdown_holds_every_row_and_escapes_bars():
    t = pa.table({"a": ["x|y", None, "two\nlines"], "n": [1.5, 2.0, None]})
    assert render_markdown(t) == "| a | n |\n| --- | --- |\n| x\\|y | 1.5 |\n|  | 2.0 |\n| two lines |  |\n"


def test_the_cli_views_use_the_terminal_width(tmp_path):
    out = tmp_path / "kb-data"
    src = tmp_path / "in"
    for i in range(3):
        write_article(src, f"Q70000{i}.TXT", txt_article(f"SUMMARY\n=======\n\nSee Q70000{(i + 1) % 3} and Q799999.\n",
                                                       article_id=f"Q70000{i}"))
    kbparse.ingest([src], out, workers=1)
    sql = "select * from articles"
    table = runner.invoke(app, ["query", sql, "--data", str(out)], env={"COLUMNS": "90"})
    assert table.exit_code == 0, table.output
    assert max(len(line) for line in table.stdout.splitlines()) <= 90
    last = table.stdout.splitlines()[-2:]
    assert last[0] == "(3 rows)" and last[1].endswith(" of 21 columns shown: --format line shows every column)")
    line = runner.invoke(app, ["query", sql, "--data", str(out), "-f", "line"], env={"COLUMNS": "90"})
    assert line.exit_code == 0
    assert line.stdout.count("article_id = Q70000") == 3 and line.stdout.endswith("(3 rows)\n")
    md = runner.invoke(app, ["query", "select article_id from articles order by 1", "--data", str(out), "-f", "markdown"])
    assert md.stdout == "| article_id |\n| --- |\n| Q700000 |\n| Q700001 |\n| Q700002 |\n"
    # stats: a cited article the dataset does not hold is said to be missing, not left blank
    stats = {s.title: s for s in kbparse.stats(out)}
    cited = {row[0]: row[2] for row in stats["Most cited articles"].rows}
    assert cited["Q799999"] == "(not in dataset)"
    assert cited["Q700001"] == "A Title"
