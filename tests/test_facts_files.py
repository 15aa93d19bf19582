"""The files and registry_settings recognizers of the facts layer.

Unit tests on hand-written strings (one per form and normalization rule), the
labelled sets scored against the issue's bar (precision and recall >= 95 %),
the strict vocabulary loader, and a property: any text gives a list of rows
with exactly the table's columns, and never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facts_score import load_cases, score
from kbparse.dialects import grammar_dir
from kbparse.errors import DialectError
from kbparse.facts import files, registry
from kbparse.facts.files import find_files
from kbparse.facts.registry import find_registry_settings
from kbparse.facts.vocab import load_vocabulary

FILE_KEYS = {"file_name", "version", "size_bytes", "file_date", "platform"}
REG_KEYS = {"root", "key", "value_name", "value_type", "value_data"}


def one(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


# ---- files: forms


def test_hotfix_table_with_header_rule_and_platforms():
    text = (
        "The English version of this fix should have the following file attributes or\nlater:\n\n"
        "   Date      Time     Size      File name   Platform\n"
        "   --------------------------------------------------\n"
        "   06/28/99  01:10p   123,120   Netbt.sys   x86\n"
        "   06/28/99  01:09p   224,144   Netbt.sys   Alpha\n\n"
        "NOTE: Due to file dependencies, the most recent hotfix may contain more.\n"
    )
    assert find_files(text) == [
        {"file_name": "Netbt.sys", "version": None, "size_bytes": 123120,
         "file_date": dt.date(1999, 6, 28), "platform": "x86"},
        {"file_name": "Netbt.sys", "version": None, "size_bytes": 224144,
         "file_date": dt.date(1999, 6, 28), "platform": "Alpha"},
    ]


def test_columns_in_another_order_with_a_version_and_month_names():
    text = (
        "   File name    Date         Time   Version        Size     Platform\n"
        "   Perfmon.exe  16-Apr-2002  10:30  4.0.1381.7086  186,128  Intel\n"
    )
    row = one(find_files(text))
    assert row == {"file_name": "Perfmon.exe", "version": "4.0.1381.7086", "size_bytes": 186128,
                   "file_date": dt.date(2002, 4, 16), "platform": "x86"}


def test_rows_after_blank_lines_stay_in_the_table_and_a_missing_version_is_none():
    text = (
        "   Date      Time    Version         Size     File name    Platform\n"
        "   ---------------------------------------------------------------\n"
        "   11/16/99  11:03pm 2.00.1380.1077  233,312  Abnwcli.dll  I386\n\n"
        "   02/14/00  05:19pm                 367,800  Apasetup.exe I386\n"
    )
    rows = find_files(text)
    assert [(r["file_name"], r["version"]) for r in rows] == [("Abnwcli.dll", "2.00.1380.1077"), ("Apasetup.exe", None)]
    assert rows[1]["file_date"] == dt.date(2000, 2, 14)


def test_boxed_table_and_na_version():
    text = (
        "| File name    | Version     |\n"
        "+----------------------------+\n"
        "| Address.dll  | 5.0.1461.76 |\n"
        "+----------------------------+\n"
        "| Dbserver.sch | N/A         |\n"
        "+----------------------------+\n"
    )
    assert [(r["file_name"], r["version"]) for r in find_files(text)] == [
        ("Address.dll", "5.0.1461.76"), ("Dbserver.sch", None)]


@pytest.mark.parametrize("before", ["", "Note\n", "İ\n"])
@pytest.mark.parametrize("word", ["File name", "FILE NAME", "Filename", "FILENAME", "FileName", "File Name"])
def test_each_spelling_of_the_file_name_header_opens_a_table(word, before):
    # The gate finds the header word in the lowered text; where lowering
    # moves offsets ("İ" lowers to two characters) it searches each spelling.
    text = f"{before}   {word}     Version    Size\n   Vip.386       4.10.1512  71,754\n"
    assert [(r["file_name"], r["size_bytes"]) for r in find_files(text)] == [("Vip.386", 71754)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet="dDoOcCxXsSyYlLkK.ab \t-\u017f\u212a\u0130\u0131"), st.text()))
def test_the_words_as_a_trie_match_as_their_alternation_under_re_i(text):
    # Same matches, tried in the same order (longest word first), so that what
    # follows the words backtracks into them the same way; upper-case words too.
    words = ["do", "doc", "DOCX", "dll", "Sys", "a b", "a bc", "ok", "OK", "i"]
    ordered = sorted(set(words), key=len, reverse=True)
    flat = "(?:" + "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in ordered) + ")"
    for tail in ("", r"(?![\w.])", r"x?c", r"[ \t]*b"):
        expected, trie = (re.compile(f"{alt}{tail}", re.I) for alt in (flat, files._words(words)))
        assert [m.span() for m in expected.finditer(text)] == [m.span() for m in trie.finditer(text)]


def test_headerless_row_needs_a_date_and_a_size():
    text = "This fix should have the following time stamp:\n\n   01/19/98  06:52   84,240 eventlog.dll (Alpha)\n"
    assert one(find_files(text)) == {"file_name": "eventlog.dll", "version": None, "size_bytes": 84240,
                                     "file_date": dt.date(1998, 1, 19), "platform": "Alpha"}
    assert find_files("   01/19/98  06:52  eventlog.dll\n") == []


@pytest.mark.parametrize(
    "text, name, version",
    [
        ("Install COMCTL32.OCX, version 5.00.3828, and restart.", "COMCTL32.OCX", "5.00.3828"),
        ("The update replaces Mfc42.dll version 6.0.8168.0 on the computer.", "Mfc42.dll", "6.0.8168.0"),
        ("(MSDatGrd.OCX version 6.00.8169), a column", "MSDatGrd.OCX", "6.00.8169"),
        ("a LaserJet using version 3.89 of the HPPCL5A.DRV driver.", "HPPCL5A.DRV", "3.89"),
        ("This issue occurs with the Vip.386 file version 4.10.1423 included in", "Vip.386", "4.10.1423"),
        (" - Msvcrt.dll (5.0.0.7128)\n", "Msvcrt.dll", "5.0.0.7128"),
        # the gate searches from the first "(" and "/", which are not the mention's
        ("See (below) and http://x/y, then Msvcrt.dll (5.0.0.7128) here.", "Msvcrt.dll", "5.0.0.7128"),
        ("was corrected in\nSRVMAIN.EXE version 3.2.12.", "SRVMAIN.EXE", "3.2.12"),
    ],
)
def test_inline_mentions(text, name, version):
    row = one(find_files(text))
    assert (row["file_name"], row["version"]) == (name, version)
    assert row["size_bytes"] is None and row["file_date"] is None


def test_a_bare_file_name_or_a_version_family_is_not_a_row():
    assert find_files("Run Setup.exe from the CD, then copy Ftp3270.dll to the folder.") == []
    assert find_files("Copy version 8.x of Import.exe to the Bin folder.") == []
    assert find_files("This problem was corrected in Windows NT version 4.0 Service Pack 4.") == []
    assert find_files("Run Readme.1st version 2.0 first.") == []  # .1st is no known extension


def test_an_inline_mention_of_a_table_row_is_not_a_second_row():
    text = (
        "   Vip.386 version 4.10.1512 (dated 7/29/97) and later\n\n"
        "   File name     Version    Date/Time        Size     Destination folder\n"
        "   ---------------------------------------------------------------------\n"
        "   Vip.386       4.10.1512  7/29/97 3:12p    71,754   Windows\\System\n"
    )
    assert one(find_files(text))["size_bytes"] == 71754


def test_a_mention_may_put_its_version_word_on_the_next_line():
    row = one(find_files("The fix replaces Mfc42.dll\nversion 6.0.8168.0 on the computer.\n"))
    assert (row["file_name"], row["version"]) == ("Mfc42.dll", "6.0.8168.0")


def test_forms_far_apart_in_a_long_text_are_all_found():
    prose = "This paragraph talks about the problem and names no file at all.\n" * 150
    text = (
        prose
        + "   Date      Time     Size      File name\n"
        + "   01/19/98  06:52   84,240     Eventlog.dll\n\n"
        + prose
        + "Setup also installs Msvcrt.dll version 5.0.0.7128 when needed.\n"
        + prose
    )
    assert [(r["file_name"], r["version"], r["size_bytes"]) for r in find_files(text)] == [
        ("Eventlog.dll", None, 84240), ("Msvcrt.dll", "5.0.0.7128", None)]


def test_a_row_just_after_a_line_that_looks_like_a_form_but_is_none_is_read():
    # The first line holds "(1.2.3", which can start a mention, but starts no
    # form; the scan then tries the next line, a dated row with a size.
    text = "Setup (1.2.3 build) ran\n1-5-96  12,345  Foo.dll\nBar.dll version 2.0 is new.\n"
    assert find_files(text) == [
        {"file_name": "Foo.dll", "version": None, "size_bytes": 12345, "file_date": dt.date(1996, 1, 5),
         "platform": None},
        {"file_name": "Bar.dll", "version": "2.0", "size_bytes": None, "file_date": None, "platform": None},
    ]


# ---- files: normalization


@pytest.mark.parametrize(
    "text, size",
    [("84,240", 84240), ("154 KB", 157696), ("128kb", 131072), ("17.7K", 18124), ("1.42MB", 1488977),
     ("27232 bytes", 27232), ("68816", 68816)],
)
def test_sizes(text, size):
    assert files.parse_size(text) == size


@pytest.mark.parametrize(
    "text, date",
    [("04/20/01", dt.date(2001, 4, 20)), ("5/1/90", dt.date(1990, 5, 1)), ("12/31/29", dt.date(2029, 12, 31)),
     ("1/1/30", dt.date(1930, 1, 1)), ("09/29/1999", dt.date(1999, 9, 29)), ("16-Apr-2002", dt.date(2002, 4, 16)),
     ("01-Mar-00", dt.date(2000, 3, 1)), ("2002-04-16", dt.date(2002, 4, 16)), ("06-21-1995", dt.date(1995, 6, 21)),
     ("13/45/99", None), ("31-Foo-2001", None)],
)
def test_dates(text, date):
    assert files.parse_date(text) == date


def test_split_name_and_extension_columns_are_joined():
    text = "Filename    Extension   Size    Date    Time    Version\n-------\n\nDESKJET     DRV     61546   5/1/90  3:00a   A.03.0\n"
    assert one(find_files(text))["file_name"] == "DESKJET.DRV"


# ---- registry: forms


def test_key_with_a_value_block():
    text = (
        "2. Go to the following key in the registry:\n\n"
        "   HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\TN3270\\Parameters\n\n"
        "3. On the Edit menu, click Add Value, and use the following entry:\n\n"
        "   Value Name: ReplaceNullRUs\n   Data Type: REG_SZ\n   Value: YES\n"
    )
    assert find_registry_settings(text) == [
        {"root": "HKEY_LOCAL_MACHINE", "key": "System\\CurrentControlSet\\Services\\TN3270\\Parameters",
         "value_name": "ReplaceNullRUs", "value_type": "REG_SZ", "value_data": "YES"}]


def test_subtree_form_and_several_values_give_one_row_each():
    text = (
        "2. From the HKEY_LOCAL_MACHINE subtree, go to the following key:\n\n"
        "   \\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\n\n"
        "   Value Name: MaxWorkItems\n   Data Type: REG_DWORD\n   Data: 100\n\n"
        "   Value Name: MaxMpxCt\n   Data Type : DWORD\n   Data: 0x32.\n"
    )
    rows = find_registry_settings(text)
    assert [(r["key"], r["value_name"], r["value_type"], r["value_data"]) for r in rows] == [
        ("SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters", "MaxWorkItems", "REG_DWORD", "100"),
        ("SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters", "MaxMpxCt", "REG_DWORD", "0x32"),
    ]


@pytest.mark.parametrize(
    "value_line, name, type_, data",
    [
        ("      LargeLuns : REG_DWORD : 0x1", "LargeLuns", "REG_DWORD", "0x1"),
        ("   Object Name:REG_SZ:<servername>_FPNW", "Object Name", "REG_SZ", "<servername>_FPNW"),
        ("   EnableFragmentChecking REG_DWORD 1", "EnableFragmentChecking", "REG_DWORD", "1"),
        (" - DefaultForwardFragments - REG_DWORD = 0 (Decimal)", "DefaultForwardFragments", "REG_DWORD", "0 (Decimal)"),
        ('   "VirtualNetworkNumber"=dword:00000007', "VirtualNetworkNumber", "REG_DWORD", "00000007"),
        ("Where the registry value is Ginadll:REG_SZ:NGINA.DLL", "Ginadll", "REG_SZ", "NGINA.DLL"),
        ("   DWORD: SecureVPN", "SecureVPN", "REG_DWORD", None),
    ],
)
def test_value_forms(value_line, name, type_, data):
    text = f"   HKLM\\System\\CurrentControlSet\\Services\\X\\Parameters\n\n{value_line}\n"
    row = one(find_registry_settings(text))
    assert (row["root"], row["value_name"], row["value_type"], row["value_data"]) == (
        "HKEY_LOCAL_MACHINE", name, type_, data)


@pytest.mark.parametrize(
    "text, root, key",
    [
        ("   HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\n   \\Session Manager\\Memory Management\n",
         "HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management"),
        ("   HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\\n   Windows\\CurrentVersion\\Run\n",
         "HKEY_LOCAL_MACHINE", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"),
        ("   HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Shared Tools\\Text\n   Converters\\Import\\HTML\n",
         "HKEY_LOCAL_MACHINE", "Software\\Microsoft\\Shared Tools\\Text Converters\\Import\\HTML"),
        ("   HKEY_LOCAL_MACHINE \\SYSTEM \\CurrentControlSet \\Services \\MSExchangeMTA\n",
         "HKEY_LOCAL_MACHINE", "SYSTEM\\CurrentControlSet\\Services\\MSExchangeMTA"),
        ("   HKEY_LOCAL_MACHINE/Software/Microsoft/SMS/Components/\n",
         "HKEY_LOCAL_MACHINE", "Software\\Microsoft\\SMS\\Components"),
        ("In the HKCU\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows\\Load key, delete it.",
         "HKEY_CURRENT_USER", "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows\\Load"),
        ("When the HKCR\\CLSID\\{000CA003-0000-0000-C000-000000000046} key has the", "HKEY_CLASSES_ROOT",
         "CLSID\\{000CA003-0000-0000-C000-000000000046}"),
        ("   [HKEY_USERS\\.DEFAULT\\Control Panel\\Desktop]\n", "HKEY_USERS", ".DEFAULT\\Control Panel\\Desktop"),
        ("   HKCC\\System\\CurrentControlSet\n", "HKEY_CURRENT_CONFIG", "System\\CurrentControlSet"),
    ],
)
def test_key_paths(text, root, key):
    row = one(find_registry_settings(text))
    assert (row["root"], row["key"], row["value_name"]) == (root, key, None)


@pytest.mark.parametrize("root, rows", [("HKLM", 1), ("Hklm", 1), ("hklm", 1), ("hKLM", 0)])
def test_the_registry_gate_takes_a_root_in_each_case_it_accepts_with_no_other_k(root, rows):
    # The gate first wants a "k" or a "K" anywhere, then "HK", "Hk" or "hk":
    # these texts have no k but the root's.
    assert len(find_registry_settings(f"   {root}\\Software\\Microsoft\\Jet\n")) == rows


def test_a_long_run_of_blanks_before_a_backslash_in_a_key_is_removed():
    text = "   HKEY_CURRENT_USER\\Control Panel" + " \t" * 2000 + "\\Desktop\n"
    row = one(find_registry_settings(text))
    assert (row["root"], row["key"]) == ("HKEY_CURRENT_USER", "Control Panel\\Desktop")


def test_a_key_repeated_is_one_row_and_its_valueless_row_goes_when_it_has_values():
    key = "   HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Jet\\3.5\n\n"
    assert len(find_registry_settings(key + "text\n" + key.replace("SOFTWARE", "Software"))) == 1
    rows = find_registry_settings(key + "   Value Name: A\n   Data Type: REG_SZ\n\n" + key)
    assert [r["value_name"] for r in rows] == ["A"]


def test_roots_without_a_path_and_values_without_a_key_give_no_rows():
    assert find_registry_settings("The data source is stored in the HKEY_CURRENT_USER hive.") == []
    assert find_registry_settings("   Value Name: MaxWorkItems\n   Data Type: REG_DWORD\n") == []
    assert find_registry_settings("Global Const HKEY_LOCAL_MACHINE = &H80000002\n") == []
    assert find_registry_settings("RetVal = RegOpenKeyEx(HKEY_LOCAL_MACHINE, _\n") == []


# ---- the labelled sets


def _iso(cases: list[dict]) -> list[dict]:
    for case in cases:
        for row in case["rows"]:
            if row.get("file_date"):
                row["file_date"] = dt.date.fromisoformat(row["file_date"])
    return cases


@pytest.mark.parametrize(
    "table, extract",
    [("files", lambda case: find_files(case["text"])),
     ("registry_settings", lambda case: find_registry_settings(case["text"]))],
)
def test_labelled_set(table, extract):
    cases = _iso(load_cases(table))
    assert len(cases) >= 150
    assert sum(1 for c in cases if not c["rows"]) >= 30
    result, misses = score(cases, extract)
    print(result)
    print("\n".join(misses))
    assert result.precision >= 0.95 and result.recall >= 0.95, f"{result}\n" + "\n".join(misses)


# ---- vocabulary


@pytest.mark.parametrize(
    "name, spec, good, bad",
    [("files", files.SPEC, "[size_units]", "[size_unit]"),
     ("registry", registry.SPEC, "[labels]", "[label]")],
)
def test_vocabulary_rejects_a_misspelt_key(tmp_path, name, spec, good, bad):
    source = grammar_dir() / "facts" / f"{name}.toml"
    shutil.copy(source, tmp_path / f"{name}.toml")
    assert load_vocabulary(name, spec, directory=tmp_path)  # the copy itself loads
    (tmp_path / f"{name}.toml").write_text(source.read_text(encoding="utf-8").replace(good, bad), encoding="utf-8")
    with pytest.raises(DialectError, match="unknown key"):
        load_vocabulary(name, spec, directory=tmp_path)


# ---- properties

_pieces = st.sampled_from([
    "HKEY_LOCAL_MACHINE\\", "HKLM,", "HKCU/", " \\", "\n", "   ", "Value Name: ", "Data Type: REG_DWORD",
    "Value: ", '"x"=dword:1', "REG_SZ", ":", "File name", "Date Time Size File name Platform\n", "-----\n",
    "| File name | Version |\n", "+---+\n", "Setup.exe", " version 1.2", "04/20/01 ", "16-Apr-2002 ",
    "1,234 ", "154 KB ", "x86", "(Alpha)", "N/A", "(5.0.1.2)", "[", "]", "|",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_pieces, st.text(max_size=5)), max_size=40).map("".join)))
def test_any_text_gives_rows_with_exactly_the_columns(text):
    for rows, keys in ((find_files(text), FILE_KEYS), (find_registry_settings(text), REG_KEYS)):
        assert isinstance(rows, list)
        for row in rows:
            assert isinstance(row, dict) and set(row) == keys
