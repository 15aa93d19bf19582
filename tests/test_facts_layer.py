"""The facts layer wired in: an article's facts reach `kbparse parse` and the
ingested tables, numbered per article, with the section they came from."""

from __future__ import annotations

import json
from datetime import date

import pyarrow.parquet as pq
from typer.testing import CliRunner

import kbparse
from articles import md_article, txt_article, write_article
from kbparse.cli import app
from kbparse.facts.extract import FACT_TABLES, extract_facts
from kbparse.schema import table

BODY = """SYMPTOMS
========

When you start the computer, you receive the following error message:

   STOP: 0x0000001E (0xC0000005, 0x00000000, 0x00000000, 0x00000000)
   KMODE_EXCEPTION_NOT_HANDLED

RESOLUTION
==========

To resolve this problem, obtain the latest service pack for Windows NT 4.0.

The English version of this fix should have the following file attributes or later:

   Date      Time    Version      Size     File name
   ---------------------------------------------------
   04/20/01  04:12p  4.0.1381.7  940,480  Ntoskrnl.exe

To turn the feature off, set the following value under
HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\Example\\Parameters:

   Value Name: EnableThing
   Data Type: REG_DWORD
   Value: 0

STATUS
======

Microsoft has confirmed this to be a problem in Windows NT version 4.0. This
problem was first corrected in Windows NT version 4.0 Service Pack 5.
"""


def test_articles_read_in_batches_get_the_facts_each_gets_alone(monkeypatch):
    # facts_of_many runs each recognizer over a batch of articles: an article's
    # rows must not move to its neighbour, across a batch's end too.
    from kbparse.facts import extract

    monkeypatch.setattr(extract, "CHUNK", 2)
    article = kbparse.parse_text(txt_article(BODY))
    source = (article.preamble, [(s.heading, s.text) for s in article.sections])
    empty = (None, [("SUMMARY", "Nothing to see.")])
    sources = [source, empty, empty, source, source]
    assert list(extract.facts_of_many(sources)) == [extract.facts_of(*s) for s in sources]
    assert extract.facts_of(*source) == extract_facts(article)
    assert extract.facts_of(*source)["files"] and not any(extract.facts_of(*empty).values())


def test_an_article_gives_a_row_in_every_facts_table():
    facts = extract_facts(kbparse.parse_text(txt_article(BODY)))
    assert facts["status"] == [{"status": "fixed", "confirmed": True}]
    assert {(r["section"], r["service_pack"], r["latest"]) for r in facts["fixes"]} >= {
        ("RESOLUTION", None, True), ("STATUS", 5, False)}
    assert [(r["section"], r["kind"], r["code"]) for r in facts["error_codes"]][0] == ("SYMPTOMS", "stop", "0x0000001E")
    assert facts["error_messages"][0]["text"].startswith("STOP: 0x0000001E")
    [f] = facts["files"]
    assert (f["file_name"], f["version"], f["size_bytes"], f["file_date"]) == ("Ntoskrnl.exe", "4.0.1381.7", 940480, date(2001, 4, 20))
    [r] = facts["registry_settings"]
    assert (r["root"], r["key"], r["value_name"], r["value_type"], r["value_data"]) == (
        "HKEY_LOCAL_MACHINE", "System\\CurrentControlSet\\Services\\Example\\Parameters", "EnableThing", "REG_DWORD", "0")
    for name in FACT_TABLES:  # rows carry exactly the table's columns but article_id
        want = {c.name for c in table(name).columns} - {"article_id"}
        assert all(set(row) == want for row in facts[name]), name
        if name != "status":
            assert [row["position"] for row in facts[name]] == list(range(len(facts[name])))


def test_an_article_without_status_has_no_status_row():
    facts = extract_facts(kbparse.parse_text(txt_article("SUMMARY\n=======\n\nNothing to see.\n")))
    assert all(rows == [] for rows in facts.values())


def test_parse_shows_the_facts(tmp_path):
    path = write_article(tmp_path, "Q123456.TXT", txt_article(BODY))
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)["facts"]
    assert facts["files"][0]["file_date"] == "2001-04-20"
    text = CliRunner().invoke(app, ["parse", str(path), "--format", "text"]).output
    assert "error_codes" in text and "code=0x0000001E" in text


def test_ingest_writes_the_facts_tables(tmp_path):
    write_article(tmp_path / "in", "Q123456.TXT", txt_article(BODY))
    write_article(tmp_path / "in", "Q123457.TXT", txt_article("SUMMARY\n=======\n\nx\n", article_id="Q123457"))
    out = tmp_path / "kb"
    assert kbparse.ingest([tmp_path / "in"], out, workers=1).exit_code == 0
    assert pq.read_table(out / "status").to_pylist() == [{"article_id": "Q123456", "status": "fixed", "confirmed": True}]
    files = pq.read_table(out / "files").to_pylist()
    assert [(r["article_id"], r["position"], r["section"], r["file_date"]) for r in files] == [
        ("Q123456", 0, "RESOLUTION", date(2001, 4, 20))]
    assert kbparse.validate(out) == []


def _two_copies(folder, txt_date: str, md_date: str) -> None:
    """One article as a txt file naming STOP 0x1E and as an md page naming event 7031."""
    write_article(folder, "txt/Q123456.TXT", txt_article(
        "SYMPTOMS\n========\n\nThe computer stops with STOP 0x0000001E.\n", date=txt_date))
    write_article(folder, "md/Q123456/README.md", md_article(
        ["SYMPTOMS", "========", "", "The service stops and Event ID 7031 is logged.", ""], date=md_date))


def _codes(out) -> list[tuple]:
    return [(r["article_id"], r["kind"], r["code"]) for r in pq.read_table(out / "error_codes").to_pylist()]


def test_facts_come_from_the_winning_copy_when_the_md_page_is_newer(tmp_path):
    # The txt copy's facts are made during the parse (it usually wins); here
    # the newer md page wins, so its facts must come from the second pass and
    # the txt copy's be dropped.
    _two_copies(tmp_path / "in", txt_date="17-FEB-2001", md_date="01-MAR-2002")
    out = tmp_path / "kb"
    result = kbparse.ingest([tmp_path / "in"], out, workers=1)
    assert (result.articles, result.duplicates) == (1, 1)
    assert pq.read_table(out / "articles").column("source_format").to_pylist() == ["md"]
    assert _codes(out) == [("Q123456", "event_id", "7031")]
    assert kbparse.validate(out) == []


def test_facts_come_from_the_winning_copy_when_the_txt_file_wins(tmp_path):
    _two_copies(tmp_path / "in", txt_date="17-FEB-2001", md_date="17-FEB-2001")
    out = tmp_path / "kb"
    kbparse.ingest([tmp_path / "in"], out, workers=1)
    assert pq.read_table(out / "articles").column("source_format").to_pylist() == ["txt"]
    assert _codes(out) == [("Q123456", "stop", "0x0000001E")]
