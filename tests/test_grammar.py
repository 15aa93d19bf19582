"""The grammar on small articles, one behaviour at a time."""

import pytest

import kbparse
from articles import md_article, txt_article


def sections(article):
    return [(s.heading, s.text) for s in article.sections]


def test_alias_heading_is_canonical_and_unknown_underlined_heading_is_text():
    text = txt_article("SYMPTOM\n=======\n\nIt fails.\n\nDetails\n=======\n\nMore.\n\nCAUSE\n=====\n\nA bug.\n")
    assert sections(kbparse.parse_text(text)) == [
        ("SYMPTOMS", "It fails.\n\nDetails\n=======\n\nMore."),
        ("CAUSE", "A bug."),
    ]


def test_text_before_first_section_is_the_preamble():
    text = txt_article("Some opening words.\n\nSUMMARY\n=======\n\nThe summary.\n")
    article = kbparse.parse_text(text)
    assert article.preamble == "Some opening words."
    assert sections(article) == [("SUMMARY", "The summary.")]


def test_section_keeps_code_indentation_and_drops_outer_blank_lines():
    text = txt_article("RESOLUTION\n==========\n\n\nRun this:\n\n   copy a b   \n      echo on\n\n\n")
    assert sections(kbparse.parse_text(text)) == [("RESOLUTION", "Run this:\n\n   copy a b\n      echo on")]


def test_query_words_wrap_and_end_the_section():
    text = txt_article("STATUS\n======\n\nConfirmed.\n\nAdditional query words: one two\nthree\n")
    article = kbparse.parse_text(text)
    assert sections(article) == [("STATUS", "Confirmed.")]
    assert article.additional_query_words == "one two three"


def test_kbcategory_lines_between_sections_feed_keywords_not_text():
    body = "SUMMARY\n=======\n\nSome text.\n\nKBCategory: kbhw KBONE\nKBSubcategory: win31\n\nREFERENCES\n==========\n\nA book.\n"
    article = kbparse.parse_text(txt_article(body))
    assert sections(article) == [("SUMMARY", "Some text."), ("REFERENCES", "A book.")]
    # kbone from the header, KBONE from KBCategory: one keyword, first spelling kept
    assert article.keywords == ["kbone", "kbbug", "kbhw", "win31"]


def test_trailer_lists_are_split_into_codes():
    trailer = (
        "Keywords          : kba kbb\nTechnology        : kbT1 kbT2\nVersion           : :1.0\n"
        "Issue type        : kbbug kbprb\nSolution Type     : kbfix\nHardware          : x86\n"
        "Component         : spooler\n"
    )
    article = kbparse.parse_text(txt_article("SUMMARY\n=======\n\nx\n", trailer=trailer))
    assert article.technologies == ["kbT1", "kbT2"]
    assert article.issue_types == ["kbbug", "kbprb"]
    assert article.solution_types == ["kbfix"]
    assert article.hardware == ["x86"]
    assert article.components == ["spooler"]
    assert article.versions == "1.0"


def test_header_version_cut_at_80_columns_takes_the_trailers_whole_copy():
    head = ":1.0,Build 2.573.2927,Build 2.57"
    text = txt_article("x\n", trailer="Version           : :1.0,Build 2.573.2927,Build 2.573.4403\n")
    text = text.replace("PROD/VER::1.0", f"PROD/VER:{head}")
    assert kbparse.parse_text(text).versions == "1.0,Build 2.573.2927,Build 2.573.4403"


def test_cross_references_are_other_articles_in_order_of_first_mention():
    body = "SUMMARY\n=======\n\nSee Q222222, then Q111111 and Q222222 again; not XQ333333 nor Q1234567890.\nThis is Q123456.\n"
    assert kbparse.parse_text(txt_article(body)).cross_references == ["Q222222", "Q111111"]


def test_md_tab_is_removed_and_code_indentation_kept():
    body = ["SUMMARY", "=======", "", "Run:", "", "\tindented by a tab", "   indented by blanks", ""]
    article = kbparse.parse_text(md_article(body))
    assert sections(article) == [("SUMMARY", "Run:\n\n\tindented by a tab\n   indented by blanks")]
    assert article.source_format == "md"


def test_md_title_is_unescaped_and_loses_its_id_prefix():
    article = kbparse.parse_text(md_article(["Body."], title="&quot;AT&amp;T&quot; &lt;Modem&gt;"))
    assert article.title == '"AT&T" <Modem>'
    assert article.preamble == "Body."


def test_md_keyword_groups_split_on_bars():
    text = md_article(["Body."]).replace("Keyword(s): kbone", "Keyword(s): ENDUSER | B_Basic mspl13 | kbone")
    assert kbparse.parse_text(text).keywords == ["ENDUSER", "B_Basic", "mspl13", "kbone"]


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_do_not_matter(newline):
    text = txt_article("SUMMARY\n=======\n\nOne.\nTwo.\n").replace("\n", newline)
    assert sections(kbparse.parse_text(text.encode("ascii"))) == [("SUMMARY", "One.\nTwo.")]


def test_windows_1252_and_undefined_bytes_are_kept():
    raw = txt_article("SUMMARY\n=======\n\nA pilcrow \xb6 here.\n").encode("latin-1").replace(b"here", b"\x81\x93x\x94")
    text = sections(kbparse.parse_text(raw))[0][1]
    assert text == "A pilcrow \u00b6 \x81\u201cx\u201d."


def test_utf8_and_utf16_with_bom_decode():
    text = txt_article("SUMMARY\n=======\n\nCaf\u00e9 \u2014 ok.\n")
    for data in (text.encode("utf-8"), text.encode("utf-16")):
        assert sections(kbparse.parse_text(data)) == [("SUMMARY", "Caf\u00e9 \u2014 ok.")]


def test_error_names_line_column_expected_and_offending_line():
    text = txt_article("x\n").replace("TITLE   :A Title\n", "TITLE   :A Title\nGARBAGE LINE\n")
    with pytest.raises(kbparse.ArticleSyntaxError) as info:
        kbparse.parse_text(text, source="bad.TXT")
    err = info.value
    assert (err.source, err.line, err.column) == ("bad.TXT", 3, 1)
    assert err.line_text == "GARBAGE LINE"
    assert "bad.TXT:3:1" in str(err) and "expected" in str(err)


def test_text_after_the_trailer_is_an_error_at_its_line():
    text = txt_article("x\n").replace("THE INFORMATION PROVIDED", "stray words\nTHE INFORMATION PROVIDED")
    with pytest.raises(kbparse.ArticleSyntaxError) as info:
        kbparse.parse_text(text)
    assert info.value.line_text == "stray words"
    assert info.value.line == text.split("\n").index("stray words") + 1


@pytest.mark.parametrize("data", [b"", b"hello world\n", b"\x00\xff\xfe" * 10, b"---\nlayout: page\n---\n"])
def test_non_articles_raise_the_projects_error(data):
    with pytest.raises(kbparse.ArticleSyntaxError):
        kbparse.parse_text(data)


def test_bad_date_is_reported_where_it_stands():
    with pytest.raises(kbparse.ArticleSyntaxError) as info:
        kbparse.parse_text(txt_article("x\n", date="31-FOO-2001"))
    assert info.value.line == 1 and "31-FOO-2001" in info.value.message


def _texts_and_their_cut_variants():
    """Whole articles (the shipped examples and seed, the sample when present)
    and each of the examples cut after every line: texts that parse and texts
    that fail at every place an article can."""
    from conftest import DATA, sample_files
    from kbparse.decode import decode

    files = sorted(p for p in DATA.rglob("*") if p.suffix.upper() == ".TXT" or p.name in ("README.md",))
    examples = [decode(p.read_bytes()) for p in files]
    cut = [text[: i + 1] for text in examples for i, c in enumerate(text) if c == "\n"]
    return examples + cut + [decode(p.read_bytes()) for p in sample_files()]


def test_the_one_element_grammar_accepts_and_gives_what_the_element_wise_grammars_do():
    import pyparsing as pp

    from kbparse.dialects import detect
    from kbparse.grammar import article_grammar, head_grammar, one_element_grammar

    def outcome(grammar, text):
        try:
            return grammar.parse_string(text)[0]
        except pp.ParseBaseException:
            return "fails"

    texts = _texts_and_their_cut_variants()
    seen = {"fails": 0, "parses": 0}
    for text in texts:
        d = detect(text)
        if d is None:
            continue
        for head, grammar in ((False, article_grammar), (True, head_grammar)):
            expected = outcome(grammar(d.name), text)
            assert outcome(one_element_grammar(d.name, head), text) == expected, (head, text[-200:])
        seen["fails" if expected == "fails" else "parses"] += 1
    assert seen["fails"] > 50 and seen["parses"] > 50  # both kinds of text were tried
