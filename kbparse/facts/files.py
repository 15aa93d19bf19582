r"""Files and their versions named in a section: hotfix file tables, loose file
rows and inline "NAME version V" mentions.

BNF (terminals are `pp.Regex` over whole lines or runs of lines; a row's
cells are read by one token regex, so columns may come in any order)::

    text        ::= (table | loose_row | mention_line | noise)*
    table       ::= header rule? (gap row)+             -- gap: blank or rule lines
    header      ::= COLUMN (SEP COLUMN)+ NL             -- a name column and one other
    rule        ::= [-+| ]+ NL                          -- '-----' or '+-----+'
    row         ::= cell (SEP cell)* NL                 -- exactly one FILE_NAME among the cells
    loose_row   ::= row with a DATE and a SIZE          -- no header needed
    cell        ::= FILE_NAME | DATE | TIME | SIZE | VERSION | PLATFORM | N/A | note | filler
    mention_line::= ... FILE_NAME [,)]? 'version' VERSION ...  |  ... 'version' VERSION 'of' FILE_NAME ...
    noise       ::= (any line that can start none of the above)+

Normalization (an analyst's choices, documented here once):
- file_name as written ("Ntoskrnl.exe"); only names whose extension is in the
  vocabulary count, and a bare file name with no version and no table row
  is not a row.
- size_bytes: "84,240" -> 84240; units from the vocabulary, KB = 1024 bytes
  ("154 KB" -> 157696, "17.7K" -> 18124, rounded down); a size written
  "214,544 KB" is taken literally (x 1024) even where the table plainly
  means bytes: the text is not second-guessed.
- file_date: m/d/y (US order, as the house style writes it), d-Mon-y,
  y-m-d and m-d-y; two-digit years below the vocabulary's pivot (30) are 20xx,
  others 19xx. An impossible date is None.
- platform: mapped to a canonical name (Intel, i386 -> x86; alpha -> Alpha).
- version: "N/A"-style cells are None.
- rows of a table are all kept (one file may ship for several platforms);
  an inline mention is dropped when the same file and version already came
  as a row or mention in the same text.

Speed (the facts layer runs on every section of every article, and most hold
none of these forms): a gate of literal-led regexes rejects most texts in a
few microseconds. On the others the scan runs line by line as pyparsing's
scan_string would run `table | loose_row | mention_line | noise | other`, but
pyparsing is asked only where a form can start (a header line, a line whose
own row condition holds, a line where the mention regex finds a mention),
and a run of noise lines is skipped to the next line holding a `_MAYBE` part,
each part searched apart (CPython's re scans fast for a literal prefix, not
for an alternation). The rows are the same as with scan_string over the text.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from functools import cache, lru_cache

import pyparsing as pp

from .text import occurrences, parse_located
from .vocab import STR, STR_MAP, STRS, STRS_MAP, load_vocabulary

SPEC = {
    "extensions": STRS,
    "columns": STRS_MAP,
    "platforms": STRS_MAP,
    "size_units": STR_MAP,
    "dates": {"months": STRS, "pivot": STR},
    "inline": {"version_words": STRS, "no_value": STRS},
}

COLUMNS = ("file_name", "version", "size_bytes", "file_date", "platform")
_COLUMN_KINDS = ("name", "date", "time", "datetime", "version", "size", "platform", "extension", "ignore")


def _words(words) -> str:
    """Alternation of literal words for a re.I regex, longest first, a space
    matching any run of blanks; as a trie of the words, lower-cased.

    re tries an alternation's branches one after the other, and under re.I
    cannot skip those whose first character differs: each place an alternation
    of the vocabulary's words (61 extensions, dozens of column names) is tried
    cost a try per word. A trie has a branch per next character. Under re.I an
    ASCII word (the vocabulary's all are) matches as its lower-cased self, and
    the same words match, tried in the same order: the longest first, as the
    greedy optional tail after a word that another continues gives, so that
    what follows them backtracks into them the same way.
    """
    tree: dict = {}
    for word in {w.lower() if w.isascii() else w for w in words}:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: dict) -> str:
        branches = [re.escape(ch).replace(r"\ ", r"[ \t]+") + alternation(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + alternation(tree) + ")"


def _rx(pattern: str, name: str, flags: int = 0) -> pp.Regex:
    element = pp.Regex(pattern, flags=flags)
    element.leave_whitespace()
    return element.set_name(name)


class _Vocabulary:
    """The regular expressions and maps built from grammars/facts/files.toml."""

    def __init__(self, v: dict) -> None:
        unknown = set(v["columns"]) - set(_COLUMN_KINDS)
        if unknown:
            from ..errors import DialectError

            raise DialectError(f"files.toml: unknown column kind(s) {sorted(unknown)} (allowed: {_COLUMN_KINDS})")
        self.months = {m.lower(): i + 1 for i, m in enumerate(v["dates"]["months"])}
        self.pivot = int(v["dates"]["pivot"])
        self.units = {u.lower(): int(f) for u, f in v["size_units"].items()}
        self.platforms = {s.lower(): canon for canon, spellings in v["platforms"].items() for s in spellings}
        self.column_of = {w.lower(): kind for kind, words in v["columns"].items() for w in words}
        self.no_value = {s.lower() for s in v["inline"]["no_value"]}

        ext = _words(v["extensions"])
        end = r"(?=[\s|]|$)"
        self.name = rf"[\w$~!#&@^'-]+(?:\.[\w$~-]+)*\.{ext}(?![\w.])"
        months = self.month_words = _words(v["dates"]["months"])
        self.date = (
            rf"\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})|\d{{1,2}}-{months}-(?:\d{{4}}|\d{{2}})"
            rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}-\d{{1,2}}-(?:\d{{4}}|\d{{2}})"
        )
        time = r"\d{1,2}:\d{2}(?::\d{2})?(?:[ ]?(?:[ap]\.?m\.?|midnight|noon)|[ap])?"
        units = _words(self.units)
        number = r"\d{1,3}(?:,\d{3})+|\d+"
        platforms = _words(self.platforms)
        no_value = _words(self.no_value)
        # One token of a row; the order of the alternatives settles overlaps
        # (a file name before a version, a size with a unit before a version).
        # The look-ahead (a name's extension ends this run of non-blanks or
        # comes before its end) only spares the name's backtracking on dates,
        # sizes and versions: a name has no blank or '|' in it.
        self.token = re.compile(
            rf"(?:(?=[^\s|]*?\.{ext}(?![\w.]))(?P<name>{self.name})"
            rf"|(?P<date>{self.date}){end}"
            rf"|(?P<time>{time}){end}"
            rf"|(?P<usize>(?:{number})(?:\.\d+)?[ ]?{units}){end}"
            rf"|\(?(?P<platform>{platforms})\)?{end}"
            rf"|(?P<novalue>{no_value}){end}"
            rf"|(?P<version>(?:\d+|[a-z])(?:\.[0-9a-z]+)+){end}"
            rf"|(?P<size>{number}){end}"
            rf"|(?P<note>\([^()\n]*\)){end}"
            rf"|(?P<folder>[\w$~-]+(?:\\[\w$~-]+)+){end}"
            rf"|(?P<filler>{_words(v['inline']['version_words'])}|dated|[ahrsd-]{{4}}){end})",
            re.I,
        )
        self.sep = re.compile(r"[ \t|\r\n]*")
        self.size_rx = re.compile(rf"(?P<n>{number}(?:\.\d+)?)[ ]?(?P<unit>{units})?$", re.I)
        self.date_rx = re.compile(
            rf"(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d+)|(?P<d2>\d{{1,2}})-(?P<mon>[a-z]+)-(?P<y2>\d+)"
            rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})|(?P<m4>\d{{1,2}})-(?P<d4>\d{{1,2}})-(?P<y4>\d+)",
            re.I,
        )
        column = _words(self.column_of)
        self.header = rf"[ \t|]*{column}(?:[ \t|]+{column})+[ \t|]*\n"
        self.column_rx = re.compile(column, re.I)
        self.header_line = re.compile(rf"{self.header[:-2]}$", re.I)
        self.name_rx = re.compile(self.name, re.I)
        # The end of any file name: a quick test before name_rx, which is slow to fail.
        self.ext_rx = re.compile(rf"\.{ext}(?![\w.])", re.I)
        # An extension in lower-cased ASCII text (the trie's words are lower-cased),
        # where no re.I is needed (faster).
        self.ext_lower = re.compile(rf"\.{ext}")
        versions = _words(v["inline"]["version_words"])
        # A version number; "5.x" is a family, not a version.
        vnum = r"\d+(?:\.(?!x\b)[0-9a-z]+)*(?!\w|\.\w)"
        between = r"(?:[ \t]+(?:file|driver|to))?"
        # What must come just before "version" in a mention: the end of a file name.
        self.before_version = re.compile(rf"\.{ext}[,)]?(?:[ \t]+(?:file|driver|to))?[ \t]*\n?[ \t]*\(?$", re.I)
        self.mention = re.compile(
            rf"(?<![\w.\\/-])(?P<name>{self.name})[,)]?{between}[ \t]*\n?[ \t]*\(?{versions}[ \t]+(?P<version>{vnum})"
            rf"|{versions}[ \t]+(?P<version2>{vnum})[ \t]+of[ \t]+(?:the[ \t]+)?(?P<name2>{self.name})"
            rf"|(?<![\w.\\/-])(?P<name3>{self.name})[ \t]+\((?P<version3>\d+(?:\.\d+){{2,}})\)",
            re.I,
        )


@cache
def _vocabulary() -> _Vocabulary:
    return _Vocabulary(load_vocabulary("files", SPEC))


def _year(y: str, pivot: int) -> int:
    n = int(y)
    if len(y) <= 2:
        return n + (2000 if n < pivot else 1900)
    return n


def parse_date(text: str, voc: _Vocabulary | None = None) -> dt.date | None:
    """A table date as a date, or None when it is not a real date."""
    voc = voc or _vocabulary()
    m = voc.date_rx.fullmatch(text)
    if not m:
        return None
    try:
        if m["m"]:
            return dt.date(_year(m["y"], voc.pivot), int(m["m"]), int(m["d"]))
        if m["mon"]:
            month = voc.months.get(m["mon"].lower())
            return dt.date(_year(m["y2"], voc.pivot), month, int(m["d2"])) if month else None
        if m["y3"]:
            return dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
        return dt.date(_year(m["y4"], voc.pivot), int(m["m4"]), int(m["d4"]))
    except ValueError:
        return None


def parse_size(text: str, voc: _Vocabulary | None = None) -> int | None:
    """'84,240' -> 84240, '154 KB' -> 157696 (KB = 1024), '1.42MB' -> 1488977."""
    voc = voc or _vocabulary()
    m = voc.size_rx.fullmatch(text.strip())
    if not m:
        return None
    factor = voc.units[m["unit"].lower()] if m["unit"] else 1
    return int(float(m["n"].replace(",", "")) * factor)


# A row's condition and its parse action both read its cells: keep the last few.
@lru_cache(maxsize=256)
def _cells(line: str, voc: _Vocabulary) -> tuple[tuple[str, str], ...] | None:
    """The typed tokens of a row line, or None when some part is not a row token."""
    out = []
    pos, end = 0, len(line)
    while True:
        pos = voc.sep.match(line, pos).end()
        if pos >= end:
            return tuple(out)
        m = voc.token.match(line, pos)
        if m is None:
            return None
        out.append((m.lastgroup, m[m.lastgroup]))
        pos = m.end()


def _row(cells, voc: _Vocabulary, name: str | None = None) -> dict | None:
    """A files row from typed tokens: one file name, the first of each other kind."""
    names = [v for k, v in cells if k == "name"]
    if name is not None:
        names.insert(0, name)
    if len(names) != 1:
        return None
    first = {}
    for kind, value in cells:
        first.setdefault(kind, value)
    size = first.get("usize") or first.get("size")
    platform = first.get("platform")
    return {
        "file_name": names[0],
        "version": first.get("version"),
        "size_bytes": parse_size(size, voc) if size else None,
        "file_date": parse_date(first["date"], voc) if "date" in first else None,
        "platform": voc.platforms[platform.lower()] if platform else None,
    }


def _table_action(voc: _Vocabulary):
    def action(tokens: pp.ParseResults):
        header, *matches = tokens
        lines = [m["row"] for m in matches]
        kinds = {voc.column_of[" ".join(w.lower().split())] for w in voc.column_rx.findall(header)}
        rows = []
        for line in lines:
            if "extension" in kinds and (m := _SPLIT_NAME.match(line)) and "." not in m["base"]:
                cells = _cells(m["rest"], voc)
                row = _row(cells, voc, f"{m['base']}.{m['ext']}") if cells is not None else None
            else:
                cells = _cells(line, voc)
                row = _row(cells, voc) if cells is not None else None
            if row is not None:
                rows.append(row)
        return [("table", rows)]

    return action


_SPLIT_NAME = re.compile(r"[ \t|]*(?P<base>[\w$~-]+)[ \t|]+(?P<ext>[\w$~]{1,3})(?=[ \t|])(?P<rest>[^\n]*)")


def _is_row(line: str, voc: _Vocabulary, loose: bool, extension: bool = False) -> bool:
    if extension:
        m = _SPLIT_NAME.match(line)
        return bool(m) and "." not in m["base"] and _cells(m["rest"], voc) is not None
    cells = _cells(line, voc)
    if cells is None or sum(1 for k, _ in cells if k == "name") != 1:
        return False
    kinds = {k for k, _ in cells}
    return not loose or ("date" in kinds and ("size" in kinds or "usize" in kinds))


@cache
def _scanner() -> _Scanner:
    voc = _vocabulary()

    def kinds(line: str) -> list[str]:
        return [voc.column_of[" ".join(w.lower().split())] for w in voc.column_rx.findall(line)]

    def header(extension: bool) -> pp.Regex:
        element = _rx(voc.header, "file table header" + (" with an extension column" if extension else ""), re.I)
        return element.add_condition(
            lambda t: "name" in (k := kinds(t[0])) and len(set(k)) >= 2 and ("extension" in k) == extension
        )

    rule_line = r"[ \t|+]*-[-+| \t]*\n"
    rule = _rx(rule_line, "dashed rule")
    row_line = r"[ \t|]*[^\s|][^\n]*\n"

    def row(name: str, **how) -> pp.Regex:
        element = _rx(row_line, name)
        return element.add_condition(lambda t: _is_row(t[0], voc, **how))

    def gap_row(name: str, **how) -> pp.Regex:
        # gap + row as one terminal: the gap's blank or rule lines, taken
        # greedily without backtracking (*+) as pyparsing's (blank | rule)[...]
        # takes them, then the row line, whose Match goes to the table's action.
        element = pp.Regex(rf"(?:[ \t]*\n|{rule_line})*+(?P<row>{row_line})", as_match=True)
        element.leave_whitespace().set_name(name)
        return element.add_condition(lambda t: _is_row(t[0]["row"], voc, **how))

    table = header(False) + rule.suppress()[0, 1] + gap_row("file table row", loose=False)[1, ...]
    # "Filename Extension Size ..." tables (Windows 3.x driver lists) split the
    # name into two cells: CANONIII  DRV  45211 ...
    split_table = header(True) + rule.suppress()[0, 1] + gap_row(
        "file table row with a split name", loose=False, extension=True
    )[1, ...]
    tables = (table | split_table).set_name("file table").add_parse_action(_table_action(voc))

    loose = row("file row without a header", loose=True)
    loose.add_parse_action(lambda t: [("table", [_row(_cells(t[0], voc), voc)])])

    mention = voc.mention.pattern
    mention_line = _rx(rf"(?:[^\n]*?(?:{mention}))[^\n]*\n", "inline file version mention", re.I)
    mention_line.add_parse_action(lambda t: [("mention", t[0])])

    for element in (tables, loose, mention_line):
        # Every terminal starts at a line start: indentation is part of the match.
        element.leave_whitespace().parse_with_tabs().streamline()
    return _Scanner(tables, loose, mention_line, voc)


# What a line must hold for a table, a dated row or a mention to start there
# (or on the next line); runs of lines without it are skipped in one step
# (`noise`). As one alternation:
#   \d/\d{1,2}/\d\d | \d-[A-Za-z]{3}-\d | \d-\d\d-\d\d | [Ff]ile ?[Nn]ame | FILE ?NAME
#   | \(\d+\.\d+\.\d | \.\w{2,3}[,)]?(?:[ \t]+\w+)?[ \t]*\n?[ \t]*\(?(?:[Vv]ersion|VERSION|[Vv]er\.?)[ \t]+\d
#   | (?:[Vv]ersion|VERSION)[ \t]+\d[\w.]*[ \t]+of[ \t]
# Here as parts that each start with a literal, searched apart: the regex
# engine scans for a literal prefix at memchr speed, but tries an alternation
# (or a look-behind) at every character, ten times slower. A part's second
# item is the class the character before its match must be in.
_MAYBE_PARTS = (
    (r"/\d{1,2}/\d\d", r"\d"),
    (r"-(?:[A-Za-z]{3}-\d|\d\d-\d\d)", r"\d"),
    (r"ile ?[Nn]ame", r"[Ff]"),
    (r"FILE ?NAME", None),
    (r"\(\d+\.\d+\.\d", None),
    (r"\.\w{2,3}[,)]?(?:[ \t]+\w+)?[ \t]*\n?[ \t]*\(?(?:[Vv]ersion|VERSION|[Vv]er\.?)[ \t]+\d", None),
    (r"ersion[ \t]+\d[\w.]*[ \t]+of[ \t]", r"[Vv]"),
    (r"VERSION[ \t]+\d[\w.]*[ \t]+of[ \t]", None),
)


class _NextMatch:
    """Where the next match of any of some parts starts, asked from positions
    that only grow (one scan of a text): each part's next match, in a heap,
    is kept until the scan passes it."""

    def __init__(self, parts) -> None:
        self.parts = parts
        self.heap = [(-1, i) for i in range(len(parts))]  # (start, part); a part with no more is dropped

    def next_start(self, text: str, at: int) -> int | None:
        heap = self.heap
        while heap and heap[0][0] < at:
            i = heap[0][1]
            start = self._search(text, at, *self.parts[i])
            if start is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (start, i))
        return heap[0][0] if heap else None

    @staticmethod
    def _search(text: str, at: int, rx: re.Pattern, back: re.Pattern | None) -> int | None:
        m = rx.search(text, at + (back is not None))
        while m is not None and back is not None and not back.match(text, m.start() - 1):
            m = rx.search(text, m.start() + 1)
        return None if m is None else m.start() - (back is not None)


_HEADER_WORDS = ("ile name", "ile Name", "ilename", "ILE NAME", "ILENAME", "ileName")
_SLASH_DATE = re.compile(r"/\d{1,2}/\d\d")
_PAREN_DOTTED = re.compile(r" \(\d+\.\d+\.\d")


def _line_at(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the line(s) holding text[start:end]."""
    stop = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, stop if stop >= 0 else len(text)


# Each test of the gate below needs one of these (or a substring, tried first
# with `in`, which skips along the text faster than any regex); these start
# with a literal, which the regex engine finds fast, unlike an alternation
# (which it tries at every character), and are searched from the first
# occurrence of their first character, found by a substring search. The
# version hint and the file name header word read the lower-cased text: one
# search for every spelling of the words.
_VERSION_HINT = re.compile(r"ersion[ \t]+\d")
_VERSIONS = (_VERSION_HINT, re.compile(r"ERSION[ \t]+\d"))
_PAREN_HINT = re.compile(r"\(\d+\.\d+\.\d")
_VERSION_OF = re.compile(r"(?:ersion|ERSION)[ \t]+\d[\w.]*[ \t]+[Oo][Ff][ \t]")
_FILE_NAME = re.compile(r"ile ?name")


def _gate(text: str, voc: _Vocabulary) -> bool:
    """Cheap tests (substrings and literal-led regexes first, then regexes on
    the few places they point at) that the text holds a file table header, a dated line
    naming a file or a "NAME version V" mention; the scan runs only when one
    passes, which is what keeps the many sections without files cheap."""
    if (slash := text.find("/")) >= 0:
        for m in _SLASH_DATE.finditer(text, slash):
            line = _line_at(text, m.start(), m.end())
            if voc.ext_rx.search(text, *line) and voc.name_rx.search(text, *line):
                return True
    if (paren := text.find("(")) >= 0 and (hint := _PAREN_HINT.search(text, paren)):
        # A dotted number in parentheses comes a blank after the match's start.
        for m in _PAREN_DOTTED.finditer(text, max(0, hint.start() - 1)):
            at = m.start()
            if voc.mention.search(text, max(0, at - 40), at + 30):
                return True
    # Lower-cased once, to look for both spellings of a word in one pass
    # (only whether they occur: the tests themselves read `text`).
    low = text.lower()
    if name := _FILE_NAME.search(low):
        if len(low) == len(text):
            # Lowering kept every offset (each character lowers to one but
            # "İ"): a header word is where the lowered text has "ile name" or
            # "ilename", one pass rather than a search per spelling.
            words = (m.start() for m in _FILE_NAME.finditer(low, name.start()) if text.startswith(_HEADER_WORDS, m.start()))
        else:
            words = (at for word in _HEADER_WORDS for at in occurrences(text, word))
        for at in words:
            if voc.header_line.match(text, *_line_at(text, at, at)):
                return True
    # Both tests below need a file extension (before "version", or in "of NAME").
    if ((first := low.find("ersion")) >= 0 and _VERSION_HINT.search(low, first)
            and (voc.ext_lower.search(low) or not text.isascii())):
        for hint in _VERSIONS:
            for m in hint.finditer(text):
                at = m.start()
                # A file name ends just before "version", or "version V of NAME" follows.
                before = max(0, at - 32)
                if text.find(".", before, at - 1) >= 0 and voc.before_version.search(text, before, at - 1):
                    return True
                if _VERSION_OF.match(text, at) and voc.mention.match(text, at - 1, at + 90):
                    return True
    return False


class _Scanner:
    """The scan of `text` below, run line by line as pyparsing's scan_string
    would run `tables | loose | mention_line | noise | other`, but asking
    pyparsing only where a form can start on the line, and skipping `noise`
    (lines without a _MAYBE part) to the next line that has one."""

    def __init__(self, tables: pp.ParserElement, loose: pp.ParserElement, mention_line: pp.ParserElement,
                 voc: _Vocabulary) -> None:
        self.forms = (tables, loose, mention_line)
        self.voc = voc
        # What each form needs on its first line; where it is missing the form
        # cannot match, and pyparsing is not asked.
        self.header_hint = re.compile(voc.header, re.I)
        self.name_hint = voc.ext_rx
        self.date_hint = re.compile(rf"\d(?:/\d{{1,2}}/\d\d|-{voc.month_words}-\d|-\d{{1,2}}-\d)", re.I)
        self.maybe_parts = tuple((re.compile(rx), back and re.compile(back)) for rx, back in _MAYBE_PARTS)

    def _form_at(self, source: str, at: int, eol: int):
        """(end, tokens) of the first form that matches at line start `at`
        (the line ends at `eol`), or None."""
        tables, loose, mention_line = self.forms
        if self.header_hint.match(source, at) and (found := _parse_at(tables, source, at)):
            return found
        # A row and a mention both name a file on this line.
        if not self.name_hint.search(source, at, eol):
            return None
        # The row's own condition, so that pyparsing is asked only for a row
        # (_cells keeps the line's cells for the condition's second call).
        if self.date_hint.search(source, at, eol) and _is_row(source[at : eol + 1], self.voc, loose=True):
            if found := _parse_at(loose, source, at):
                return found
        # A mention starts on this line and may take the next; it holds "ver"
        # or "(", which are tested before the (slow) mention regex.
        stop = source.find("\n", eol + 1)
        stop = len(source) if stop < 0 else stop + 1
        window = source[at:stop]
        if ("(" in window or "ver" in window.lower()) and (m := self.voc.mention.search(source, at, stop)):
            if m.start() < eol:
                return _parse_at(mention_line, source, at)
        return None

    def scan(self, source: str):
        """The tokens of each form found in `source` (which ends with a newline)."""
        pp.ParserElement.reset_cache()
        at, size = 0, len(source)
        maybe = _NextMatch(self.maybe_parts)
        while at < size:
            eol = source.index("\n", at)
            found = self._form_at(source, at, eol)
            if found:
                at, tokens = found
                yield tokens
                continue
            first = maybe.next_start(source, at)
            if first is None:
                return
            if first < eol:
                at = eol + 1  # `other`: one line that could start a form but did not
            else:
                at = source.rfind("\n", 0, first) + 1  # `noise`: to the next such line


def _parse_at(form: pp.ParserElement, source: str, at: int) -> tuple[int, pp.ParseResults] | None:
    """(end, tokens) of `form` matched at `at`, or None."""
    try:
        return parse_located(form, source, at)
    except pp.ParseException:
        return None


_MENTION_GROUPS = (("name", "version"), ("name2", "version2"), ("name3", "version3"))


def find_files(text: str) -> list[dict]:
    """Rows (file_name, version, size_bytes, file_date, platform) named in a section's text."""
    if not isinstance(text, str):
        return []
    voc = _vocabulary()
    if not _gate(text, voc):
        return []
    rows: list[dict] = []
    mentions: list[dict] = []
    for tokens in _scanner().scan(text if text.endswith("\n") else text + "\n"):
        for kind, value in tokens:
            if kind == "table":
                rows.extend(value)
            else:
                for m in voc.mention.finditer(value):
                    name, version = next((m[n], m[v]) for n, v in _MENTION_GROUPS if m[n])
                    mentions.append(
                        {"file_name": name, "version": version, "size_bytes": None, "file_date": None, "platform": None}
                    )
    seen = {(r["file_name"].lower(), (r["version"] or "").lower()) for r in rows}
    for r in mentions:
        key = (r["file_name"].lower(), r["version"].lower())
        if key not in seen:
            seen.add(key)
            rows.append(r)
    for r in rows:
        if r["version"] is not None and r["version"].lower() in voc.no_value:
            r["version"] = None
    return rows
