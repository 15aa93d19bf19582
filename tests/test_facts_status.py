"""The STATUS and fix-target recognizers of the facts layer (kbparse.facts.status,
kbparse.facts.fixes): hand-written forms, the labelled sets, the vocabulary
loader, and any text."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbparse.dialects import grammar_dir
from kbparse.errors import DialectError
from kbparse.facts import fixes, status
from kbparse.facts.fixes import find_fixes
from kbparse.facts.status import classify_status
from kbparse.facts.text import locator, next_near
from kbparse.facts.vocab import load_vocabulary

from facts_score import load_cases, score


def cls(text: str) -> tuple[str, bool]:
    row = classify_status(text)
    return row["status"], row["confirmed"]


# -- status: each class and the precedence between them -----------------------

@pytest.mark.parametrize(
    "text, want",
    [
        ("Microsoft has confirmed this to be a problem in Foo 1.0. This problem was\n"
         "first corrected in Foo 1.0 Service Pack 2.", ("fixed", True)),
        ("This problem no longer occurs in Foo 98.", ("fixed", False)),
        ("This bug has been fixed in Foo 6.0.", ("fixed", False)),
        ("Microsoft has confirmed this to be a problem in Foo 2.0. A supported fix is now\n"
         "available, but has not been fully regression-tested.", ("hotfix", True)),
        ("A fix to this problem is in development, but has not been regression-tested.", ("hotfix", False)),
        ("Microsoft has confirmed this to be a bug in Foo. We are researching this bug and\n"
         "will post new information here as it becomes available.", ("researching", True)),
        ("Microsoft is researching this behavior and will post new information.", ("researching", False)),
        ("Microsoft has confirmed that this is a problem in the Microsoft products that\n"
         "are listed at the beginning of this article.", ("confirmed", True)),
        ("This behavior is by design.", ("by_design", False)),
        ("This is by product design.", ("by_design", False)),
        ("Acme has confirmed this to be a problem and is researching this problem.", ("researching", False)),
        ("Acme has confirmed this to be a problem.", ("third_party", False)),
        ("Acme is aware of this problem.", ("third_party", False)),
        ("This behavior is caused by new features. Contact Acme about an upgrade.", ("third_party", False)),
        ("This feature is under review and will be considered for inclusion in a future\n"
         "release.", ("feature_request", False)),
        ("Microsoft has confirmed this to be a limitation of Foo.", ("other", False)),
        ("This problem only occurs with Foo running on Bar.", ("other", False)),
        ("", ("other", False)),
    ],
)
def test_status_classes(text, want):
    assert cls(text) == want


def test_fixed_outranks_researching_and_hotfix():
    text = (
        "Microsoft has confirmed this to be a problem in Foo 4.0. We are researching this\n"
        "problem. A supported fix is now available. This problem was corrected in Foo 5.0."
    )
    assert cls(text) == ("fixed", True)


def test_negated_correction_is_not_fixed():
    assert cls("This problem will not be corrected in Foo 3.5.")[0] == "other"
    assert cls("It has not been fixed in Foo 3.5.")[0] == "other"


def test_confirmed_needs_microsoft_and_a_problem():
    assert cls("Microsoft has confirmed this to be by design for Foo.") == ("by_design", False)
    assert cls("Microsoft has confirmed that it is not caused by a problem in Foo.")[1] is False
    assert cls("Microsoft has confirmed this problem could result in a security\nvulnerability.")[1] is True


def test_status_phrases_found_in_long_text():
    # the key-word windows of a long text still see a phrase near its end
    text = "Filler line of text.\n" * 200 + "This behavior is by design.\n"
    assert cls(text) == ("by_design", False)


def test_status_key_of_several_words_wrapped_in_long_text():
    # the phrase's space matches the line break; the key is found by one word
    text = "Filler line of text.\n" * 200 + "This is a feature\nrequest for a future version.\n"
    assert cls(text) == ("feature_request", False)


# -- locating phrases near their key -------------------------------------------

@pytest.mark.parametrize(
    "phrases, key, want",
    [
        (["[Cc]orrected(?<!not corrected) (?:in|with)"], "orrected", ("orrected", 1)),
        (["[Rr]esolved in", "resolve this issue"], "esolve", ("esolve", 1)),
        (["hotfix is (?:now )?available"], "hotfix", ("hotfix", 0)),
        (["Microsoft (?:has )?confirmed"], "confirmed", ("confirmed", None)),  # the part before varies
        (["occurs? in"], "occurs", ("occurs", None)),  # the key's last letter is optional
        (["[Ff]eature request"], "eature request", ("eature", 1)),
        (["[Tt]his (?:is )?a problem with"], "a problem with", ("problem", None)),
    ],
)
def test_locator(phrases, key, want):
    assert locator(phrases, key) == want


def test_next_near_gives_the_leftmost_match_from_cur():
    import re

    pattern = re.compile(r"[Ff]ixed in \w+")
    text = "Fixed in Foo. Then fixed in Bar."
    for offset in (1, None):
        assert next_near(text, "ixed", offset, pattern, 0, 30, 300).group() == "Fixed in Foo"
        assert next_near(text, "ixed", offset, pattern, 1, 30, 300).group() == "fixed in Bar"
        assert next_near(text, "ixed", offset, pattern, 20, 30, 300) is None


# -- fixes: each target form and normalization rule ---------------------------

def rows(text: str) -> list[tuple]:
    return [(r["product"], r["version"], r["service_pack"], r["latest"]) for r in find_fixes(text)]


def test_numbered_service_pack():
    assert rows("This problem was first corrected in Windows NT version 4.0 Service Pack 5.") == [
        ("Windows NT", "4.0", 5, False)
    ]


def test_service_pack_number_is_an_int():
    assert rows("This problem was first corrected in Foo 4.0 Service Pack 4.0.") == [("Foo", "4.0", 4, False)]
    assert rows("To resolve this problem, install Foo 2.0 SP3.") == [("Foo", "2.0", 3, False)]


def test_several_targets_in_one_sentence():
    text = ("This problem was first corrected in Windows NT 4.0 Service Pack 4 and\n"
            "Windows 2000 Service Pack 1.")
    assert rows(text) == [("Windows NT", "4.0", 4, False), ("Windows 2000", None, 1, False)]


def test_shared_product_and_latest():
    text = "This problem was corrected in the latest Microsoft SNA Server 2.11 and 3.0 U.S. Service Packs."
    assert rows(text) == [("SNA Server", "2.11", None, True), ("SNA Server", "3.0", None, True)]


def test_latest_service_pack_for_product():
    text = ("To resolve this problem, obtain the latest service pack for Windows NT 4.0 or\n"
            "Windows NT Server 4.0, Terminal Server Edition.")
    assert rows(text) == [
        ("Windows NT", "4.0", None, True),
        ("Windows NT Server, Terminal Server Edition", "4.0", None, True),
    ]


def test_product_and_version_corrected_in():
    assert rows("This problem was corrected in Microsoft Visual C++, version 6.0.") == [("Visual C++", "6.0", None, False)]
    assert rows("This problem has been corrected in Word 2000.") == [("Word 2000", None, None, False)]
    assert rows("To resolve this problem, upgrade to Index Server 2.0 or later.") == [("Index Server", "2.0", None, False)]


def test_service_pack_named_after_for():
    assert rows("This problem has been corrected in U.S. Service Pack 2 for Microsoft SQL Server 7.0.") == [
        ("SQL Server", "7.0", 2, False)
    ]


def test_text_is_the_target_on_one_line():
    found = find_fixes("This problem was first corrected in Windows NT 4.0\nService Pack 5.")
    assert [r["text"] for r in found] == ["Windows NT 4.0 Service Pack 5"]


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft has confirmed this to be a problem in Windows NT 4.0 Service Pack 3.",
        "Microsoft recommends that you wait for the next Windows NT service pack that contains this fix.",
        "   Q152734 How to Obtain the Latest Windows NT 4.0 Service Pack",
        "It will not be corrected in the final release of Windows NT 3.5.",
        "This problem does not occur in later versions of Windows.",
        "To resolve this problem, install the updated Atapi.sys driver.",
        "WARNING: If you reinstall Service Pack 5 after you replace the file, you may fail.",
        "You must apply this hotfix after you install Windows 2000 Service Pack 1.",
        "If you have a Compaq computer, obtain SP4429 from Compaq.",
        "",
    ],
)
def test_not_fix_targets(text):
    assert rows(text) == []


def test_fix_phrase_late_in_long_text():
    text = "Filler line of text.\n" * 200 + "This problem was corrected in Foo 2.0 Service Pack 1."
    assert rows(text) == [("Foo", "2.0", 1, False)]


def test_target_is_not_cut_where_another_key_word_window_ended():
    # 174e924 cut the text into windows around key words; a window ending in
    # the middle of this target gave a spurious ("Foo 97", None, None) row
    filler = "This line is only here to make the section long enough to matter.\n"
    text = ("To resolve this problem, obtain the latest version of the driver.\n" + filler * 3
            + "The readme lists every bug of the release; " + "many " * 60
            + "were fixed in the Foo 97\nService Pack 2, which you can order.\n" + filler * 8)
    assert rows(text) == [("Foo 97", None, 2, False)]


def test_same_target_twice_is_one_row():
    text = ("This bug was corrected in Foo 97 Service Pack 2. For a list of the bugs that were\n"
            "fixed in the Foo 97 Service Pack 2, see Q171554.")
    assert rows(text) == [("Foo 97", None, 2, False)]


# -- the labelled sets ---------------------------------------------------------

def test_status_labelled_set():
    result, misses = score(load_cases("status"), lambda case: [classify_status(case["text"])])
    assert result.cases >= 150
    assert result.precision >= 0.98 and result.recall >= 0.98, f"{result}\n" + "\n".join(misses)


def test_fixes_labelled_set():
    cases = load_cases("fixes")
    result, misses = score(cases, lambda case: find_fixes(case["text"]))
    assert result.cases >= 150 and sum(not c["rows"] for c in cases) >= 30
    assert result.precision >= 0.95 and result.recall >= 0.95, f"{result}\n" + "\n".join(misses)


# -- the vocabulary loader -----------------------------------------------------

@pytest.mark.parametrize(
    "name, spec, good, bad",
    [
        ("status", status.SPEC, "[phrases.by_design]", "[phrases.by_desing]"),
        ("fixes", fixes.SPEC, "[triggers.remedy]", "[triggers.remedies]"),
    ],
)
def test_vocabulary_rejects_misspelt_key(tmp_path, name, spec, good, bad):
    source = grammar_dir() / "facts" / f"{name}.toml"
    shutil.copy(source, tmp_path / f"{name}.toml")
    assert load_vocabulary(name, spec, directory=tmp_path)  # the copy as shipped loads
    text = source.read_text(encoding="utf-8")
    assert good in text
    (tmp_path / f"{name}.toml").write_text(text.replace(good, bad), encoding="utf-8")
    with pytest.raises(DialectError, match="unknown key"):
        load_vocabulary(name, spec, directory=tmp_path)


# -- any text ------------------------------------------------------------------

_words = st.sampled_from([
    "Microsoft", "has", "confirmed", "this", "to", "be", "a", "problem", "in", "Windows", "NT", "4.0",
    "Service", "Pack", "SP", "3", "corrected", "the", "latest", "for", "and", "or", "by", "design",
    "researching", "obtain", "install", "upgrade", "U.S.", ".", ",", "\n", "(SP1)", "version", "occur",
])
texts = st.one_of(st.text(), st.lists(_words, max_size=60).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_any_text_gives_rows_of_the_right_shape(text):
    row = classify_status(text)
    assert set(row) == {"status", "confirmed"}
    assert row["status"] in (*status.CLASSES, "other") and isinstance(row["confirmed"], bool)
    for fix in find_fixes(text):
        assert set(fix) == {"product", "version", "service_pack", "latest", "text"}
        assert fix["service_pack"] is None or isinstance(fix["service_pack"], int)
        assert isinstance(fix["latest"], bool) and "\n" not in fix["text"]


def test_every_fix_key_is_found_after_other_scripts_and_a_lone_surrogate():
    # The keys a text holds are found in its UTF-8 bytes: a character of
    # another script (or an unpaired surrogate) before a key must not hide it.
    plain = "This problem was first corrected in Windows NT 4.0 Service Pack 5."
    expected = find_fixes(plain)
    assert expected
    for prefix in ("Übersetzung, größe. ", "\u4e2d\u6587 ", "x \udc80 "):
        assert find_fixes(prefix + plain) == expected
    for phrase in ("To resolve this problem, obtain the latest service pack for Windows NT 4.0.",
                   "To resolve this problem, upgrade to Index Server 2.0 or later.",
                   "This problem no longer occurs in Windows 98.",
                   "To resolve this problem, install Windows NT 4.0 Service Pack 4."):
        assert find_fixes("\u00e9 " + phrase) == find_fixes(phrase) != [], phrase
