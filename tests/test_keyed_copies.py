"""A copy in a dialect other than worker.EAGER is only keyed by the parse
(parse.read_key) and made in full if it wins: the key and its errors must be
exactly parse_text's, and what a run writes must not depend on it."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

import kbparse
from articles import md_article, txt_article, write_article
from conftest import DATA, sample_files
from kbparse.errors import ArticleSyntaxError
from kbparse.ingestion import worker
from kbparse.ingestion.discover import Source
from kbparse.parse import parse_text, read_key


def _outcome(fn, text):
    """What fn makes of text: its key, or its error's every detail."""
    try:
        found = fn(text, source="a/file")
    except ArticleSyntaxError as exc:
        return ("error", str(exc), exc.line, exc.column, exc.expected, exc.line_text)
    return ("key", found.article_id, found.last_modified, found.source_format)


_TRAILER_THEN_JUNK = md_article(["Text.", "", "=" * 70, "Keywords: kbbug", "not a label line", ""])

BROKEN = {
    "not an article": "Hello\n",
    "header never ends": "DOCUMENT:Q123456  17-FEB-2001  [sms]\nTITLE   :A Title\nno colon on this line\n",
    "bad date": txt_article("Text.\n", date="31-FEB-2001"),
    "no article id": md_article(["Text."], article_id="123456"),
    "txt: text after its trailer": txt_article("Text.\n", trailer="Keywords : kbbug\nnot a label line\n"),
    "md: text after its trailer": _TRAILER_THEN_JUNK,
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_read_key_rejects_what_parse_text_rejects_in_the_same_words(name):
    text = BROKEN[name]
    assert _outcome(parse_text, text)[0] == "error"  # the case must be one parse_text rejects
    assert _outcome(read_key, text) == _outcome(parse_text, text)


def test_read_key_gives_parse_texts_id_date_and_dialect():
    files = sorted(p for p in DATA.rglob("*") if p.suffix.upper() == ".TXT" or p.name == "README.md")
    files += [p for p in sample_files()]
    assert len(files) >= 4
    for path in files:
        data = path.read_bytes()
        article = parse_text(data)
        assert read_key(data) == (article.article_id, article.last_modified, article.source_format), path


def _two_copies(folder: Path, md_date: str, md_lines: list[str] | None = None) -> tuple[Path, Path]:
    txt = write_article(folder, "txt/Q123456.TXT", txt_article("SYMPTOMS\n========\n\nFrom the txt copy.\n"))
    md = write_article(folder, "md/Q123456/README.md", md_article(
        md_lines or ["SYMPTOMS", "========", "", "From the md page.", ""], date=md_date))
    return txt, md


def test_a_losing_md_page_that_does_not_parse_is_still_a_reject(tmp_path):
    # The page loses to the txt copy (same date), so it is only keyed; its
    # error must be reported all the same.
    _, md = _two_copies(tmp_path / "in", "17-FEB-2001",
                        ["Text.", "", "=" * 70, "Keywords: kbbug", "not a label line", ""])
    result = kbparse.ingest([tmp_path / "in"], tmp_path / "kb", workers=1)
    assert [(r.source_path, r.error_kind) for r in result.rejects] == [(str(md), "syntax")]
    assert result.articles == 1 and result.exit_code == 1


def test_a_winning_md_page_is_made_in_full(tmp_path):
    _two_copies(tmp_path / "in", "01-MAR-2002")
    out = tmp_path / "kb"
    kbparse.ingest([tmp_path / "in"], out, workers=1)
    sections = pq.read_table(out / "sections").to_pylist()
    assert [(s["heading"], s["text"]) for s in sections] == [("SYMPTOMS", "From the md page.")]
    assert kbparse.validate(out) == []


def test_a_keyed_copy_that_changes_before_it_is_made_is_rejected_and_the_other_copy_wins(tmp_path, monkeypatch):
    _, md = _two_copies(tmp_path / "in", "01-MAR-2002")  # the md page is newer: it would win
    real = worker.finish_batch

    def after_a_change(*args):
        md.write_text(md.read_text() + "\n")  # between the two reads of it
        return real(*args)

    monkeypatch.setattr(worker, "finish_batch", after_a_change)
    out = tmp_path / "kb"
    result = kbparse.ingest([tmp_path / "in"], out, workers=1)
    assert [(r.source_path, r.message) for r in result.rejects] == [(str(md), worker.CHANGED)]
    assert pq.read_table(out / "articles").column("source_format").to_pylist() == ["txt"]
    sections = pq.read_table(out / "sections").to_pylist()
    assert [s["text"] for s in sections] == ["From the txt copy."]
    assert kbparse.validate(out) == []
    # The next run reads the changed page again, and it wins.
    monkeypatch.undo()
    again = kbparse.ingest([tmp_path / "in"], out, workers=1)
    assert again.rejects == [] and pq.read_table(out / "articles").column("source_format").to_pylist() == ["md"]


def test_keyed_entries_survive_pickling():
    import pickle

    src = Source("x/README.md", 1, 2)
    out = worker.Outcomes(0)
    out.add(src.size, src.mtime_ns, bytes(32), read_key(md_article(["Text."])), keyed=True)
    out.add(src.size, src.mtime_ns, bytes(32), read_key(txt_article("Text.\n")))
    assert list(pickle.loads(pickle.dumps(out)).keyed) == [1, 0]
