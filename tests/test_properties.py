"""Property-based tests of the grammar (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kbparse
from conftest import DATA
from kbparse.record import AppliesTo, Article, Section, product_versions
from kbparse.render import render_md, render_txt

SEED = (DATA / "seed" / "Q283472.TXT").read_bytes()
SEED_MD = (DATA / "seed" / "000_f0d020f7a89ed4e0.txt").read_bytes()


def parses_or_says_why(data: bytes) -> None:
    try:
        article = kbparse.parse_text(data)
    except kbparse.ArticleSyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1
    else:
        assert article.article_id.startswith("Q")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_record_or_our_error(data):
    parses_or_says_why(data)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from([SEED, SEED_MD]),
    cut=st.integers(min_value=0, max_value=len(SEED_MD)),
    at=st.integers(min_value=0, max_value=len(SEED_MD)),
    noise=st.binary(max_size=40),
)
def test_damaged_articles_give_a_record_or_our_error(seed, cut, at, noise):
    """Real articles truncated and with bytes spliced in: the inputs most like the real world's damage."""
    parses_or_says_why(seed[:at] + noise + seed[at:cut])


# -- round trip: record -> txt or md -> record --------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
line = st.builds(
    lambda indent, ws: " " * indent + " ".join(ws),
    st.integers(min_value=0, max_value=6),
    st.lists(words, min_size=1, max_size=8),
)
paragraph = st.lists(line, min_size=1, max_size=4).map("\n".join)
body = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
phrase = st.lists(words, min_size=1, max_size=5).map(" ".join)
code = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=10).map(lambda s: "kb" + s)
codes = st.lists(code, max_size=5, unique_by=str.lower)
qnumber = st.integers(min_value=10000, max_value=999999).map(lambda n: f"Q{n}")
# Labels the vocabulary does not know, as they would stand in a trailer.
other_label = st.lists(words, min_size=1, max_size=3).map(lambda ws: "X" + " ".join(ws))
version_list = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(["WINDOWS", "winnt", "MS-DOS", "OS/2", "MACINTOSH"])),
        st.lists(st.sampled_from(["1.0", "2.0a", "3.1", "4.0 SP4", "1995 edition", "97"]), min_size=1, max_size=3),
    ),
    max_size=3,
).map(lambda groups: "; ".join(f"{p + ':' if p else ''}{','.join(vs)}" for p, vs in groups) or None)


@st.composite
def nested_items(draw) -> list[AppliesTo]:
    """A nested 'applies to' list: each item's parent is an earlier item whose
    chain the item may continue (a proper tree in written order)."""
    items: list[AppliesTo] = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        # the open chain: the last item and its ancestors
        chain, k = [], len(items) - 1 if items else None
        while k is not None:
            chain.append(k)
            k = items[k].parent
        parent = draw(st.sampled_from([None, *chain])) if chain else None
        items.append(AppliesTo(draw(phrase), parent))
    return items


@st.composite
def articles(draw) -> Article:
    article_id = draw(qnumber)
    headings = draw(st.lists(st.sampled_from(kbparse.dialects.dialect("txt").section_names), max_size=5))
    sections = [Section(h, draw(body)) for h in headings]
    refs = [r for r in dict.fromkeys(draw(st.lists(qnumber, max_size=3))) if r != article_id]
    if refs:
        sections = sections or [Section("SUMMARY", draw(body))]
        last = sections[-1]
        sections[-1] = Section(last.heading, last.text + "\n\nSee " + " and ".join(refs) + ".")
    optional = lambda s: draw(st.one_of(st.none(), s))  # noqa: E731
    versions = draw(version_list)
    return Article(
        article_id=article_id,
        kb_number=int(article_id[1:]),
        title=optional(phrase),
        last_modified=draw(st.dates(min_value=date(1985, 1, 1), max_value=date(2010, 12, 31))),
        product_code=optional(code),
        product_name=optional(phrase),
        versions=versions,
        operating_systems=optional(phrase),
        keywords=draw(codes),
        technologies=draw(codes),
        issue_types=draw(codes),
        solution_types=draw(codes),
        hardware=draw(codes),
        components=draw(codes),
        applies_to=draw(nested_items()),
        product_versions=product_versions(versions),
        cross_references=refs,
        additional_query_words=optional(phrase),
        sections=sections,
        preamble=optional(body),
        other_fields=draw(st.dictionaries(other_label, phrase, max_size=2)),
        source_path=None,
        source_format="txt",
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_a_record_rendered_to_txt_parses_back_to_itself(article):
    assert kbparse.parse_text(render_txt(article)) == article


def test_a_real_record_survives_the_round_trip():
    article = kbparse.parse_text(SEED)
    again = kbparse.parse_text(render_txt(article))
    assert again == article


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_a_record_rendered_to_md_parses_back_to_itself(article):
    """The Markdown archive's pages carry no product code."""
    expected = replace(article, product_code=None, source_format="md")
    assert kbparse.parse_text(render_md(article)) == expected


def test_a_real_md_record_survives_the_round_trip():
    article = kbparse.parse_text(SEED_MD)
    assert kbparse.parse_text(render_md(article)) == article


def test_a_trailer_of_unknown_labels_only_round_trips():
    """Found by the round trip above: a trailer is known by a vocabulary key, so
    the renderer writes an empty Keywords line before labels it alone would hold."""
    article = replace(kbparse.parse_text(SEED), other_fields={"Xa": "a"}, keywords=[], technologies=[],
                      versions=None, product_versions=[], issue_types=[], solution_types=[], hardware=[], components=[])
    assert kbparse.parse_text(render_txt(article)) == article
