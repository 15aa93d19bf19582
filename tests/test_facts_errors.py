"""The error_codes and error_messages recognizers of the facts layer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbparse.errors import DialectError
from kbparse.facts import error_codes, error_messages
from kbparse.facts.error_codes import find_error_codes
from kbparse.facts.error_messages import find_error_messages
from kbparse.facts.vocab import load_vocabulary

from facts_score import load_cases, score


def codes(text: str) -> list[tuple]:
    return [(r["kind"], r["code"], r["source"]) for r in find_error_codes(text)]


def messages(text: str) -> list[str]:
    return [r["text"] for r in find_error_messages(text)]


# -- error codes: each form and each normalization -----------------------------

@pytest.mark.parametrize("text, code", [
    ("the screen shows STOP: 0x0000001e (0xC0000005, 0x8013ab12, 0x0, 0x1)", "0x0000001E"),
    ("a STOP 1E on the console", "0x0000001E"),
    ("Stop 0xA in Tcpip.sys", "0x0000000A"),
    ("you may receive a STOP\n0xc0000244 error message", "0xC0000244"),
    ("   STOP 0X0000007B 00000008 00000002 00000000 fe39de62", "0x0000007B"),
    ("the bugcheck 0x50 occurs", "0x00000050"),
])
def test_stop_spellings_normalize_to_eight_hex_digits(text, code):
    assert codes(text) == [("stop", code, None)]


def test_stop_parameters_are_not_codes_of_their_own():
    assert codes("STOP 0x0000000A (0x00000012, 0x80269287, 0x00000001, 0xC0000005)") == [("stop", "0x0000000A", None)]


def test_a_bare_stop_line_after_a_lead_in_is_a_stop_code():
    assert codes("one of these STOP messages:\n\n   0x0000000A (0x3, 0x2, 0x0, 0x80123456)") == [("stop", "0x0000000A", None)]


def test_stop_as_a_verb_is_not_a_code():
    assert codes("To stop a slide show, click anywhere. Stop 3 services.") == []


@pytest.mark.parametrize("text, expected", [
    ("OLE error code 0x80040154: Class is not registered", "0x80040154"),
    ("System Error &h80004005 occurred", "0x80004005"),
    ("The operation failed. [80040102]", "0x80040102"),
    ("Error 80004005, Network Server Objects", "0x80004005"),
    ("the call returned hr=0x8007000e", "0x8007000E"),
    ("HRESULT 80040e21 from the provider", "0x80040E21"),
    ("Error 2147942487 is a Jet-level error", "0x80070057"),
    ("Run-time error '-2147467259 (80004005)':", "0x80004005"),
    ("Exception: access violation (0xc0000005)", "0xC0000005"),
])
def test_hresult_spellings_normalize_to_0x_form(text, expected):
    assert codes(text) == [("hresult", expected, None)]


@pytest.mark.parametrize("text", [
    "Address 80269287 has base at 80268000 - ARROW.SYS",
    "Global Const HKEY_LOCAL_MACHINE = &H80000002",
    "   00d2f710 00403181 80020bc2 80020bbe 00d2f748",
    "classid={8B14B770-748C-11D0-A309-00C04FD7CFC5}",
    "TQUEUE4  ObjectID 0x80040003",
    "This is version 4.00.950 of the file, build 80004005",
])
def test_hex_without_error_context_is_not_an_hresult(text):
    assert codes(text) == []


@pytest.mark.parametrize("text, expected", [
    # A terminal is tried where one of its words occurs in full: a bracketed
    # code wherever "[" and a high hex digit are, among other brackets...
    (("Error 5: see [the article](http://x), [KB 1234]; the call failed [C0000005], [fFFF0000], "
      "[90000000] [80000001-0000FFFF]"),
     [("error_number", "5"), ("hresult", "0xC0000005"), ("hresult", "0x90000000"), ("hresult", "0x80000001")]),
    # ...each keyword of a group that shares its first letters ("hr", "bug"),
    # as one space apart only, as before.
    ("Error 5 through hr = 80070057, HR=80070005, hr  = 80070006, Hresult 8007000E and scode 80004001",
     [("error_number", "5"), ("hresult", "0x80070005"), ("hresult", "0x8007000E"), ("hresult", "0x80004001")]),
    ("Error 5, Bug Check 0x1E, bugcheck 0x50, Bug\nCheck 0xA",
     [("error_number", "5"), ("stop", "0x0000001E"), ("stop", "0x00000050")]),
])
def test_each_word_of_a_terminal_is_tried_where_it_occurs(text, expected):
    assert [(kind, code) for kind, code, _ in codes(text)] == expected


def test_event_id_with_source_in_its_paragraph():
    text = "   Event ID: 9405\n   Source: MSExchangeMTA  Field Engineering\n   Type: Error"
    assert codes(text) == [("event_id", "9405", "MSExchangeMTA")]


def test_event_source_before_the_id_and_lists_of_ids():
    assert codes("   MSExchangeSA Event ID: 2036 The file version") == [("event_id", "2036", "MSExchangeSA")]
    assert codes("two Event IDs, 4018 and 4116, may be logged") == [
        ("event_id", "4018", None), ("event_id", "4116", None)]


def test_event_source_on_one_line_stops_at_the_next_field():
    assert codes("Event ID: 7000 Source: Service Control Manager Type: Error") == [
        ("event_id", "7000", "Service Control Manager")]


def test_a_later_source_fills_an_earlier_row_and_duplicates_collapse():
    text = "Event ID 7000 is logged.\n\n   Event ID: 7000\n   Source: Service Control Manager\n\nEvent ID 7000 again."
    assert codes(text) == [("event_id", "7000", "Service Control Manager")]


@pytest.mark.parametrize("text, code", [
    ("Run-time error '429':", "429"), ("Runtime Error 13: Type mismatch", "13"), ("run-time error #9", "9"),
])
def test_runtime_errors(text, code):
    assert codes(text) == [("runtime", code, None)]


@pytest.mark.parametrize("text, code", [
    ("fatal error C1001: INTERNAL COMPILER ERROR", "C1001"),
    ("Wnd3.obj : error LNK2001: unresolved external symbol", "LNK2001"),
    ("   L2028: Automatic data segment plus heap exceeds 64K", "L2028"),
    ("you may get a compiler error c2787 here", "C2787"),
    ("// disable warning C4786: symbol greater than 255 characters", "C4786"),
])
def test_tool_codes_as_written_upper_cased(text, code):
    assert codes(text) == [("tool", code, None)]


def test_a_model_number_is_not_a_tool_code():
    assert codes("   M1009                   Mode I  = Epson FX series") == []


@pytest.mark.parametrize("text", ["HTTP Error 403", "HTTP 403.5 - Forbidden", 'a "403 Forbidden" error', "Error 403 - Forbidden"])
def test_http_status_without_substatus(text):
    assert codes(text) == [("http", "403", None)]


def test_odbc_chain_trimmed_and_sqlstate():
    assert codes("[Microsoft][ ODBC driver for Oracle ][Oracle ]ORA-06403 Unable") == [
        ("odbc", "[Microsoft][ODBC driver for Oracle][Oracle]", None), ("error_number", "ORA-06403", None)]
    assert codes('szSqlState = "IM002"') == [("odbc", "IM002", None)]


@pytest.mark.parametrize("text, code", [
    ("Error 1603", "1603"), ("NT/MTA error code: 1783.", "1783"), ("Error #5: Access Denied", "5"),
    ("Msg 208, Level 16, State 1", "208"), ("unexpected replication thread error 0x469.", "0x469"),
    ("Jet error -1018 occurred", "-1018"), ("Error 16-15", "16-15"),
])
def test_error_numbers(text, code):
    assert codes(text) == [("error_number", code, None)]


def test_a_small_negative_in_hex_beside_its_decimal_is_not_an_hresult():
    assert codes("Error -1003 (0xfffffc15) = JET_errInvalidParameter") == [("error_number", "-1003", None)]


def test_order_of_first_appearance_and_one_row_per_code():
    text = "Error 0x80004005 then STOP 0xA, then error 0x80004005 again and Event ID 11."
    assert codes(text) == [("hresult", "0x80004005", None), ("stop", "0x0000000A", None), ("event_id", "11", None)]


def test_a_tab_earlier_in_the_text_does_not_hide_the_codes_after_it():
    # pyparsing reads the text with its tabs expanded: offsets found in the raw
    # text pointed a few characters short of every keyword after the tab.
    assert codes("Dim x\tAs Integer\nSetup fails with Error 1603 and Event ID 7031.") == [
        ("error_number", "1603", None), ("event_id", "7031", None)]


# -- error messages ---------------------------------------------------------------

def test_message_after_a_wrapped_lead_in_is_unindented():
    text = ("When you start Setup, you may receive the following error\nmessage:\n\n"
            "   Error 5: Access denied\n      (details)   \n\nThis happens because...")
    assert messages(text) == ["Error 5: Access denied\n   (details)"]


def test_paragraphs_of_one_message_stay_together():
    text = "the following message appears:\n\n   EULA Error\n\n   This application cannot run.\n"
    assert messages(text) == ["EULA Error\n\nThis application cannot run."]


def test_or_separated_messages_are_rows_of_their_own():
    text = ("you may receive one of the following error messages:\n\n   Bad file name\n\n-or-\n\n"
            "   File not found\n\nMore text.")
    assert messages(text) == ["Bad file name", "File not found"]


def test_plural_lead_in_gives_one_message_per_paragraph():
    text = "the following errors occur:\n\n   error 6181 word breaker\n\n   error 6182 failure\n"
    assert messages(text) == ["error 6181 word breaker", "error 6182 failure"]


@pytest.mark.parametrize("text", [
    "To do this, add the following line to the Win.ini file:\n\n   Load=abc.exe\n",
    "The following code causes the error:\n\n   Dim x As Integer\n",
    "If you see this error, change the following registry key:\n\n   HKEY_LOCAL_MACHINE\\Software\n",
    "The error occurs with the following files:\n\n   - a.dll\n   - b.dll\n",
    "Install it from the following location:\n\n   http://www.microsoft.com/\n",
])
def test_blocks_that_are_not_messages(text):
    assert messages(text) == []


def test_a_message_inside_a_numbered_step_ends_with_its_paragraph():
    text = "3. Click OK. You receive the following error:\n\n   Run-time error '13':\n   Type mismatch\n\n   Then close the form.\n"
    assert messages(text) == ["Run-time error '13':\nType mismatch"]


def test_a_tab_earlier_in_the_text_does_not_hide_the_message_after_it():
    text = ("Dim x\tAs Integer\nIf you run it, you may receive the following error message:\n\n"
            "   Class definition X is not found.\n\nSave it.")
    assert messages(text) == ["Class definition X is not found."]


def test_a_note_after_the_message_is_not_part_of_it():
    assert messages("The following message appears:\n\n   Out of memory.\n\n   NOTE: It may vary.\n") == ["Out of memory."]


# -- the labelled sets ------------------------------------------------------------

@pytest.mark.parametrize("table, find, floor", [
    ("error_codes", find_error_codes, 0.98),
    ("error_messages", find_error_messages, 0.95),
])
def test_labelled_set(table, find, floor):
    cases = load_cases(table)
    assert len(cases) >= 150
    result, misses = score(cases, lambda case: find(case["text"]))
    assert result.precision >= floor and result.recall >= floor, f"{result}\n" + "\n".join(misses)


# -- the vocabulary loader ------------------------------------------------------

@pytest.mark.parametrize("module, name", [(error_codes, "error_codes"), (error_messages, "error_messages")])
def test_a_misspelt_key_in_the_vocabulary_is_refused(tmp_path, module, name):
    from kbparse.dialects import grammar_dir

    text = (grammar_dir() / "facts" / f"{name}.toml").read_text(encoding="utf-8")
    first_key = next(line.split("=")[0].strip() for line in text.splitlines()
                     if "=" in line and not line.lstrip().startswith("#") and not line.startswith(" "))
    (tmp_path / f"{name}.toml").write_text(text.replace(first_key + " =", first_key + "s =", 1), encoding="utf-8")
    with pytest.raises(DialectError, match="unknown key"):
        load_vocabulary(name, module.SPEC, directory=tmp_path)


def test_the_shipped_vocabularies_load():
    load_vocabulary("error_codes", error_codes.SPEC)
    load_vocabulary("error_messages", error_messages.SPEC)


# -- any text -----------------------------------------------------------------------

_KB_ALPHABET = st.sampled_from(list("abcEeoOrRsStTpPvVxX0123456789:;,.-'\"#&()[]{}\n \t")
                               + ["STOP ", "Event ID: ", "Source: ", "error ", "0x8", "&H", "Run-time error '",
                                  "HTTP ", "[Microsoft][ODBC", "LNK", "C1", "the following error message:\n\n   ",
                                  "\n-or-\n", "   ", "\n\n"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_KB_ALPHABET, max_size=60).map("".join)))
def test_any_text_gives_rows_with_exactly_the_columns(text):
    for rows, columns in ((find_error_codes(text), {"kind", "code", "source"}), (find_error_messages(text), {"text"})):
        assert isinstance(rows, list)
        for row in rows:
            assert isinstance(row, dict) and set(row) == columns
    for row in find_error_codes(text):
        assert row["kind"] in error_codes.KINDS and isinstance(row["code"], str) and row["code"]
    for row in find_error_messages(text):
        assert row["text"] == row["text"].strip("\n") and row["text"]


def test_a_stop_code_ending_its_sentence_counts():
    # Q158517: "... may result in a\nSTOP 0x00000094." (a dotted name after it still does not)
    assert find_error_codes("may result in a\nSTOP 0x00000094.") == [{"kind": "stop", "code": "0x00000094", "source": None}]
    assert find_error_codes("STOP 0x1E.SYS") == []


def test_offsets_survive_a_character_that_lowers_to_two():
    # "İ".lower() is two characters: offsets found in the lowered text must still point into the text.
    assert find_error_codes("İ STOP 0x0000001E") == [{"kind": "stop", "code": "0x0000001E", "source": None}]


def test_a_lone_surrogate_does_not_stop_the_recognizer():
    # Only a str handed to the API can hold one; the keyword automaton cannot encode it.
    assert find_error_codes("x \udc80 Error 5 here") == [{"kind": "error_number", "code": "5", "source": None}]


def test_every_lead_phrase_wrapped_and_upper_cased_still_quotes_a_message():
    # The lead-in test first looks for each phrase's longest word, and gives up
    # where none is: a phrase of the vocabulary, however wrapped or cased,
    # must still be found.
    leads = load_vocabulary("error_messages", error_messages.SPEC)["lead_words"]
    for phrase in leads:
        for spelled in (phrase, phrase.upper().replace(" ", "\n"), phrase.title().replace(" ", "  ")):
            text = f"When it happens, then {spelled}:\n\n   Disk full.\n"
            assert messages(text) == ["Disk full."], spelled
    assert messages("When it happens, then the disk spins:\n\n   Disk full.\n") == []


def test_the_gate_of_error_codes_lets_every_form_of_the_tests_through():
    # Each literal of the error-code gate, as the forms above spell them, over bytes of any script.
    for text in ["Fehler \u00e4 error 5", "\u00e4 STOP 0x0000001E", "\u212a ORA-00942",
                 "x \udc80 &H80004005 failed"]:
        assert error_codes._may_hold_code(text), text
        assert find_error_codes(text), text


@pytest.mark.parametrize("text, kind, code", [
    # Forms only the gate's "0x" test lets through: a lower-case STOP word, an
    # upper-case keyword and label, a bug check, a bare STOP line, a hex HRESULT in context.
    ("the stop 0x0000001e screen", "stop", "0x0000001E"),
    ("ERROR CODE: 0x469", "error_number", "0x469"),
    ("bug check 0x0000001E", "stop", "0x0000001E"),
    ("Bugcheck: 0x1E", "stop", "0x0000001E"),
    ("0x0000001E (0xC0000005, 0x00000000, 0x00000000, 0x00000000)", "stop", "0x0000001E"),
    ("0x8007000E was returned", "hresult", "0x8007000E"),
    ("a 640x480 screen, error code   =   0x469", "error_number", "0x469"),
    # "HRESULT" with a bare code; "&H" spellings
    ("HRESULT = 80004005", "hresult", "0x80004005"),
    ("x &H80004005 failed", "hresult", "0x80004005"),
    # "compiler" and "LINK" vouching for tool codes
    ("Compiler Warning (level 1) C4005", "tool", "C4005"),
    ("The LINK step reports CVT1100", "tool", "CVT1100"),
    ("LINK  :  CVT1100", "tool", "CVT1100"),
    # a tool line: no keyword at all, blanks or none before its colon
    ("  L2029: unresolved", "tool", "L2029"),
    ("  L2029   : unresolved", "tool", "L2029"),
])
def test_each_path_of_the_error_code_gate_lets_its_rare_forms_through(text, kind, code):
    assert error_codes._may_hold_code(text), text
    assert {"kind": kind, "code": code, "source": None} in find_error_codes(text)


@pytest.mark.parametrize("text, code", [
    # The gate tries a form only where its literal occurs: each occurrence,
    # not only the first, and at the text's own offsets where a character
    # before it lowers to two ("İ") or to ASCII (the Kelvin sign).
    ("an error occurs; see error 5", "5"),
    ("Error, error, ERROR 5", "5"),
    ("İİ error 5", "5"),
    ("\u212a \u212aerror; error 5 \udc80", "5"),
])
def test_the_error_code_gate_tries_every_occurrence_of_a_literal(text, code):
    assert error_codes._may_hold_code(text), text
    assert {"kind": "error_number", "code": code, "source": None} in find_error_codes(text)


@pytest.mark.parametrize("text, kind, code", [
    # No digit at all: each passes the gate's first test by its one character.
    ("[Microsoft][ODBC Driver Manager] Data source name not found", "odbc", "[Microsoft][ODBC Driver Manager]"),
    ("SQLSTATE: IMXYZ", "odbc", "IMXYZ"),
    ('szSqlState = "IMXYZ"', "odbc", "IMXYZ"),
    ("Err.Number = &HDEADBEEF failed", "hresult", "0xDEADBEEF"),
])
def test_the_error_code_gate_lets_codes_without_a_digit_through(text, kind, code):
    assert error_codes._may_hold_code(text), text
    assert {"kind": kind, "code": code, "source": None} in find_error_codes(text)


@pytest.mark.parametrize("text", ["a 640x480 screen", "a 680x0-based Macintosh", "press &Help 5 times",
                                  "the compiler, 4 times", "the LINK step, 2 times", "at 10:30 : done",
                                  "  L2029 unresolved",
                                  # a literal in a case none of its forms is written in
                                  "ErRoR 5 here", "a Link step reports C1001", "hTTP 404",
                                  "Result = 80004005", "sToP 1E"])
def test_the_error_code_gate_turns_away_lookalikes(text):
    assert not error_codes._may_hold_code(text)
    assert find_error_codes(text) == []


@pytest.mark.parametrize("before", ["", "Gr\u00f6\u00dfe. "])
def test_a_lead_word_before_the_lead_in_sentence_does_not_count(before):
    # The lead keys are looked for in the paragraph's end, of which the
    # lead-in sentence is a suffix: only a key inside the sentence counts.
    assert messages(f"{before}An error occurred. Then do this:\n\n   Disk full.\n") == []
    assert messages(f"{before}An error occurred.\nThen do\nthis:\n\n   Disk full.\n") == []
    assert messages(f"{before}Done. Then an error\nappears:\n\n   Disk full.\n") == ["Disk full."]
    assert messages(f"{before}Done.\nYou receive this error:\n\n   Disk full.\n") == ["Disk full."]


@pytest.mark.parametrize("lead, quoted", [
    ("Error", True), ("The error", True), ("Then an\nerror (2)", True), ("See the error-level docs", False),
    ("Set the_error flag", False), ("Set the non-error flag", False), ("Set errorlevel 2", False),
    ("Set error2 now", False), ("Run the texts", False), ("Run it, then you\nreceive", True),
])
def test_a_lead_word_counts_only_standing_alone(lead, quoted):
    # A key that is a phrase of its own counts where neither neighbour is a
    # word character or a hyphen, as the phrase regex has it; else the regex decides.
    assert messages(f"Done. {lead}:\n\n   Disk full.\n") == (["Disk full."] if quoted else [])
    assert messages(f"{lead}:\n\n   Disk full.\n") == (["Disk full."] if quoted else [])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet="aZx09 _-.\n"), st.text()))
def test_the_tool_letters_are_the_matches_of_their_regex(text):
    # Found over the text's bytes, letters and digits each as one byte value.
    assert error_codes._tool_letters(text) == [m.start() for m in error_codes._TOOL_DIGITS.finditer(text)]


def test_the_tool_letters_in_runs_of_digits():
    assert error_codes._tool_letters("C1001, x00000000, a12345b1234, 0000a0000, _0000 Z9999") == [0, 7, 18, 24, 35, 48]
