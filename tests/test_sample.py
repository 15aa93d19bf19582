"""The real articles in ../shared/kb-sample: all parse, and both dialects agree."""

import pytest

import kbparse
from conftest import needs_sample, sample_files

pytestmark = [needs_sample, pytest.mark.sample]

# Fields the md pages cannot carry, or that name the file itself.
NOT_IN_MD = {"product_code", "source_path", "source_format"}


def as_md_would_show(value):
    """A txt value as the md archive writes it: each non-ASCII character as the
    <HH> escape of its Windows-1252 byte, whitespace collapsed."""
    if isinstance(value, str):
        escaped = "".join(
            ch if ord(ch) < 128 else "".join(f"<{b:02X}>" for b in ch.encode("cp1252", "replace"))
            for ch in value
        )
        return " ".join(escaped.split())
    if isinstance(value, list):
        return [as_md_would_show(v) for v in value]
    if isinstance(value, dict):
        return {k: as_md_would_show(v) for k, v in value.items()}
    return value


def collapsed(value):
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [collapsed(v) for v in value]
    if isinstance(value, dict):
        return {k: collapsed(v) for k, v in value.items()}
    return value


def test_every_sample_file_parses():
    files = sample_files()
    assert len(files) == 4423
    failures = []
    for path in files:
        try:
            kbparse.parse_file(path)
        except kbparse.KbParseError as exc:
            failures.append(str(exc))
    assert failures == []


def test_both_dialects_of_an_article_give_the_same_record(sample_records):
    txt = {a.article_id: a for a in sample_records.values() if a.source_format == "txt"}
    md = {a.article_id: a for a in sample_records.values() if a.source_format == "md"}
    pairs = sorted(set(txt) & set(md))
    assert len(pairs) == 2061
    mismatches = []
    for article_id in pairs:
        t, m = txt[article_id].to_dict(), md[article_id].to_dict()
        for field in t.keys() - NOT_IN_MD:
            if as_md_would_show(t[field]) != collapsed(m[field]):
                mismatches.append((article_id, field))
    assert mismatches == []


def test_sample_records_are_plausible(sample_records):
    """Shape checks that catch a grammar swallowing or dropping parts."""
    records = list(sample_records.values())
    txt = [a for a in records if a.source_format == "txt"]
    assert all(a.product_code for a in txt)
    assert all(a.last_modified is not None and a.title for a in records)
    # the Programmer's Library pages have no sections; nearly every other article has some
    with_sections = sum(1 for a in txt if a.sections)
    assert with_sections >= 0.95 * len(txt)
    # no section text may contain a trailer line or the legal notice
    for a in records:
        for s in a.sections:
            assert "THE INFORMATION PROVIDED IN THE MICROSOFT" not in s.text, a.source_path
            assert "\nKeywords          :" not in s.text, a.source_path
            assert "Additional query words:" not in s.text, a.source_path
    assert sum(1 for a in txt if a.issue_types) > 1000
