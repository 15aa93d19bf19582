"""What an article applies to, as written (issue 9): nested 'applies to' lists,
blocks after a notice, unknown labels kept, versions split, references that
are file names, section ends, escaped error text.

The snippets are cut from real articles of the sample (the file is named in
each test) and wrapped in a minimal article; each failed on the code before
these changes."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import kbparse
from articles import md_article, txt_article, write_article
from conftest import needs_sample
from kbparse.cli import app
from kbparse.record import AppliesTo, ProductVersion, applies_to_items, product_versions

DASHES = "-" * 79
APPLIES = "The information in this article applies to:"


def txt_block(lines: list[str]) -> str:
    return "\n".join([DASHES, APPLIES, "", *lines, DASHES, "", ""])


def md_lines(lines: list[str]) -> list[str]:
    return [DASHES, APPLIES, "", *lines, DASHES, ""]


# txt/153/Q153005.TXT: two levels of nesting under one product.
NESTED_TXT = [
    " - The C/C++ Compiler (CL.EXE), included with:",
    "    - Microsoft Visual C++ 32-bit Edition, version 4.1, on platform(s):",
    "       - the hardware: PowerPC Processor ",
    " - Microsoft Visual C++, 32-bit Editions, version 4.2",
]
NESTED = [
    AppliesTo("The C/C++ Compiler (CL.EXE), included with:", None),
    AppliesTo("Microsoft Visual C++ 32-bit Edition, version 4.1, on platform(s):", 0),
    AppliesTo("the hardware: PowerPC Processor", 1),
    AppliesTo("Microsoft Visual C++, 32-bit Editions, version 4.2", None),
]


def test_nested_items_have_their_parent_in_txt():
    article = kbparse.parse_text(txt_article(txt_block(NESTED_TXT) + "SUMMARY\n=======\n\nx\n"))
    assert article.applies_to == NESTED
    assert article.preamble is None


def test_nested_items_have_the_same_parents_in_md():
    # the md archive writes each line one blank less indented, behind a tab
    lines = [line[1:] for line in NESTED_TXT]
    article = kbparse.parse_text(md_article(md_lines(lines) + ["SUMMARY", "=======", "", "x", ""]))
    assert article.applies_to == NESTED


def test_a_wrapped_name_continues_its_item_and_a_connective_line_is_no_product():
    block = [
        " - Microsoft Word for Windows, versions 6.0,",
        "   6.0a",
        "    - the operating system: Windows NT",
        "",
        "as they apply to:",  # txt/139/Q139997.TXT
        "",
        " - Microsoft Visual C++, version 4.0",
    ]
    assert applies_to_items("\n".join(block)) == [
        AppliesTo("Microsoft Word for Windows, versions 6.0, 6.0a", None),
        AppliesTo("the operating system: Windows NT", 0),
        AppliesTo("Microsoft Visual C++, version 4.0", None),
    ]


def test_a_block_after_a_notice_is_found_and_the_notice_is_the_preamble():
    # txt/242/Q242157.TXT: a Beta notice stands between the header and the block
    notice = (
        "This article discusses a Beta release of a Microsoft product. The\n"
        "information in this article is provided as-is and is subject to change\n"
        "without notice.\n"
    )
    body = notice + txt_block([" - Microsoft Exchange Server, versions 4.0, 5.0, 5.5"]) + "SYMPTOMS\n========\n\nx\n"
    article = kbparse.parse_text(txt_article(body))
    assert article.applies_to == [AppliesTo("Microsoft Exchange Server, versions 4.0, 5.0, 5.5", None)]
    assert article.preamble == notice.rstrip()
    assert [s.heading for s in article.sections] == ["SYMPTOMS"]


def test_a_block_after_loose_lines_under_the_md_header_is_found():
    # kb/062/Q62276/README.md: loose version, platform and keyword lines first
    loose = ["3.00 3.00a 3.10 3.11", "", "WINDOWS", "", "kbusage kbtool", ""]
    lines = loose + md_lines(["- Microsoft Windows versions 3.0, 3.0a, 3.1, 3.11 "]) + ["SUMMARY", "=======", "", "x", ""]
    article = kbparse.parse_text(md_article(lines))
    assert article.applies_to == [AppliesTo("Microsoft Windows versions 3.0, 3.0a, 3.1, 3.11", None)]
    assert article.preamble == "3.00 3.00a 3.10 3.11\n\nWINDOWS\n\nkbusage kbtool"


def test_unknown_trailer_key_and_header_label_are_kept_not_rejected():
    trailer = "Keywords          : kbbug\nReviewer          : jdoe\nIssue type        : kbbug\n"
    text = txt_article("SUMMARY\n=======\n\nx\n", trailer=trailer, header_extra="AUDIENCE:Developers\n")
    article = kbparse.parse_text(text)
    assert article.other_fields == {"AUDIENCE": "Developers", "Reviewer": "jdoe"}
    assert article.issue_types == ["kbbug"]
    assert article.sections[0].text == "x"


def test_an_unknown_label_may_come_before_the_first_known_trailer_key():
    trailer = "Reviewed by       : jdoe\nKeywords          : kbbug\n"
    article = kbparse.parse_text(txt_article("SUMMARY\n=======\n\nx\n", trailer=trailer))
    assert article.other_fields == {"Reviewed by": "jdoe"}
    assert article.sections[0].text == "x"


def test_several_labels_on_one_meta_line_are_split():
    body = (
        "SUMMARY\n=======\n\nx\n\n"
        "KBCategory: kbtool KBSubcategory: win30 win31 Additional query words: 3.00 3.0\n"
    )
    article = kbparse.parse_text(txt_article(body))
    assert article.keywords == ["kbone", "kbbug", "kbtool", "win30", "win31"]
    assert article.additional_query_words == "3.00 3.0"


def test_a_q_number_that_is_a_file_name_is_no_reference():
    body = "SUMMARY\n=======\n\nInstall Q2200510.WPD, then see Q123457. Also Q123458.\n"
    assert kbparse.parse_text(txt_article(body)).cross_references == ["Q123457", "Q123458"]


def test_a_section_never_ends_with_a_rule_or_blank_lines():
    body = "SUMMARY\n=======\n\nx\n\n=============\n\n"
    article = kbparse.parse_text(txt_article(body))
    assert article.sections[0].text == "x"


@pytest.mark.parametrize(
    "written, pairs",
    [
        ("MACINTOSH:4.0; WINDOWS:4.0,4.0a,4.0c,7.0",
         [("MACINTOSH", "4.0"), ("WINDOWS", "4.0"), ("WINDOWS", "4.0a"), ("WINDOWS", "4.0c"), ("WINDOWS", "7.0")]),
        ("winnt:4.0", [("winnt", "4.0")]),
        ("1.0,1.5", [(None, "1.0"), (None, "1.5")]),
        ("4.0,4.0 SP4", [(None, "4.0"), (None, "4.0 SP4")]),
        ("3.1 3.5 3.51", [(None, "3.1"), (None, "3.5"), (None, "3.51")]),
        ("1.0,1993 edition", [(None, "1.0"), (None, "1993 edition")]),
        ("WINDOWS:3.1,3.11; :1.0", [("WINDOWS", "3.1"), ("WINDOWS", "3.11"), (None, "1.0")]),
        ("windows:1.1,97, macintosh:1.0", [("windows", "1.1"), ("windows", "97"), ("macintosh", "1.0")]),
        ("WinNT: 4.0, 5.0", [("WinNT", "4.0"), ("WinNT", "5.0")]),
        ("WINDOWS:; :1996 edition", [("WINDOWS", None), (None, "1996 edition")]),
        ("4.00 | 4.00", [(None, "4.00")]),
        (None, []),
    ],
)
def test_versions_split_into_platform_and_version(written, pairs):
    assert product_versions(written) == [ProductVersion(p, v) for p, v in pairs]


def test_a_placeholder_product_is_null():
    text = md_article(["SUMMARY", "=======", "", "x", ""]).replace("Product(s): A Product", "Product(s): See article")
    assert kbparse.parse_text(text).product_name is None


def test_parse_json_writes_items_parents_versions_and_other_fields(tmp_path):
    trailer = "Keywords          : kbbug\nReviewer          : jdoe\n"
    body = txt_block(NESTED_TXT) + "SUMMARY\n=======\n\nx\n"
    path = write_article(tmp_path, "Q123456.TXT", txt_article(body, trailer=trailer))
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["applies_to"][1] == {"product": NESTED[1].product, "parent": 0}
    assert record["product_versions"] == [{"platform": None, "version": "1.0"}]
    assert record["other_fields"] == {"Reviewer": "jdoe"}


def test_errors_escape_control_characters(tmp_path):
    path = tmp_path / "bin.TXT"
    path.write_bytes(b"DOCUMENT:Q1 \x1b[31mred\x07\nTITLE\x1b]0;x\x07\n")
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b" in result.output


def test_ingest_writes_the_new_tables_and_validate_checks_parents(tmp_path):
    trailer = "Keywords          : kbbug\nReviewer          : jdoe\n"
    body = txt_block(NESTED_TXT) + "SUMMARY\n=======\n\nx\n"
    write_article(tmp_path / "in", "Q123456.TXT", txt_article(body, trailer=trailer))
    out = tmp_path / "kb"
    result = kbparse.ingest([tmp_path / "in"], out, workers=1)
    assert result.exit_code == 0
    applies = pq.read_table(out / "applies_to").to_pylist()
    assert [(r["position"], r["parent_position"]) for r in applies] == [(0, None), (1, 0), (2, 1), (3, None)]
    assert pq.read_table(out / "other_fields").to_pylist() == [
        {"article_id": "Q123456", "label": "Reviewer", "value": "jdoe"}
    ]
    versions = pq.read_table(out / "product_versions").to_pylist()
    assert versions == [{"article_id": "Q123456", "position": 0, "platform": None, "version": "1.0"}]
    assert kbparse.validate(out) == []
    stats = {s.title: s for s in kbparse.stats(out)}
    assert stats["Unknown header and trailer labels (other_fields)"].rows == [("Reviewer", 1, "jdoe")]


def test_validate_finds_a_parent_that_is_not_an_earlier_item(tmp_path):
    import pyarrow as pa

    write_article(tmp_path / "in", "Q123456.TXT", txt_article(txt_block(NESTED_TXT) + "SUMMARY\n=======\n\nx\n"))
    out = tmp_path / "kb"
    kbparse.ingest([tmp_path / "in"], out, workers=1)
    folder = out / "applies_to"
    [path] = list(folder.glob("*.parquet"))
    t = pq.read_table(path)
    broken = t.set_column(2, "parent_position", pa.array([None, 3, 1, None], pa.int32()))
    path.unlink()
    pq.write_table(broken, path)
    findings = [str(f) for f in kbparse.validate(out)]
    assert any("applies_to: parent position: 1 row(s)" in f for f in findings), findings


@needs_sample
def test_every_nested_sample_block_gives_a_tree(sample_records):
    """Over the sample: parents are earlier items, and the 100 txt articles
    with nested bullets all give at least one child."""
    with_children = 0
    for a in sample_records.values():
        for i, item in enumerate(a.applies_to):
            assert item.parent is None or 0 <= item.parent < i, a.source_path
        if a.source_format == "txt" and any(item.parent is not None for item in a.applies_to):
            with_children += 1
    assert with_children >= 100


def test_a_dataset_an_earlier_kbparse_wrote_asks_for_one_full_refresh(tmp_path):
    """After an upgrade that changed the tables (this one added parent_position
    and new tables), a plain re-run would fail half-way in the merge: it says
    what to do instead, and --full-refresh rebuilds the dataset."""
    write_article(tmp_path / "in", "Q123456.TXT", txt_article(txt_block(NESTED_TXT) + "SUMMARY\n=======\n\nx\n"))
    out = tmp_path / "kb"
    kbparse.ingest([tmp_path / "in"], out, workers=1)
    # make the committed version look like an earlier kbparse's: applies_to without parent_position
    [path] = list((out / "applies_to").glob("*.parquet"))
    old = pq.read_table(path).drop_columns(["parent_position"])
    path.unlink()
    pq.write_table(old, path)
    (tmp_path / "in" / "Q123456.TXT").touch()
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert "earlier kbparse" in result.output and "applies_to" in result.output and "--full-refresh" in result.output
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(out), "-q", "--full-refresh"])
    assert result.exit_code == 0, result.output
    assert kbparse.validate(out) == []
