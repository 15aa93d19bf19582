"""Dialect files: loaded strictly, merged over base, used for detection."""

import shutil

import pytest

from kbparse.dialects import DialectError, detect, grammar_dir, load_dialect


@pytest.fixture
def grammars(tmp_path):
    for path in grammar_dir().glob("*.toml"):
        shutil.copy(path, tmp_path)
    return tmp_path


def test_shipped_dialects_load_and_share_the_base_vocabulary():
    txt, md = load_dialect("txt"), load_dialect("md")
    assert txt.section_names == md.section_names
    assert "MORE INFORMATION" in txt.section_names
    assert txt.section_aliases["SYMPTOM"] == "SYMPTOMS"
    assert (txt.line_prefix, md.line_prefix) == ("", "\t")


def test_detection_uses_the_signatures():
    assert detect("DOCUMENT:Q1  01-JAN-2000\n").name == "txt"
    assert detect("---\nlayout: page\n").name == "md"
    assert detect("Hello\n") is None


def test_a_misspelt_key_fails_loudly(grammars):
    path = grammars / "txt.toml"
    path.write_text(path.read_text().replace("line_prefix", "line_prefx"))
    with pytest.raises(DialectError, match="unknown key line_prefx"):
        load_dialect("txt", grammars)


def test_a_label_must_feed_a_known_field(grammars):
    path = grammars / "txt.toml"
    path.write_text(path.read_text().replace('"TITLE" = "title"', '"TITLE" = "titel"'))
    with pytest.raises(DialectError, match="'titel'"):
        load_dialect("txt", grammars)


def test_a_new_section_name_is_a_data_change(grammars):
    import kbparse.grammar as grammar
    from kbparse.record import build_article
    from articles import txt_article

    path = grammars / "base.toml"
    path.write_text(path.read_text().replace('"REFERENCES",', '"REFERENCES", "APPLIES TO",'))
    d = load_dialect("txt", grammars)
    assert "APPLIES TO" in d.section_names
    original = grammar.dialect
    grammar.dialect = lambda name: d
    grammar.article_grammar.cache_clear()
    try:
        text = txt_article("APPLIES TO\n==========\n\nEverything.\n")
        results = grammar.article_grammar("txt").parse_string(text, parse_all=True)
        assert [s.heading for s in build_article(results, d, text).sections] == ["APPLIES TO"]
    finally:
        grammar.dialect = original
        grammar.article_grammar.cache_clear()
