"""Error identifiers in section text: STOP codes, event ids, HRESULTs and the rest.

`find_error_codes(text)` gives one row per distinct (kind, code) of a section's
text, in order of first appearance: ``{"kind", "code", "source"}``.

BNF (each terminal one `pp.Regex`). How a text is read, cheapest step first:
a gate turns away most sections (_may_hold_code); each terminal is tried,
with its own regex, only at the offsets where its keyword occurs (every
keyword found in one pass over the lowered text), left to right, a match
hiding the offsets inside it; the matches are merged by position (earliest
first, then the order of `code`); and each match's terminal, parsed where it
was located, lets its parse action take it apart into rows::

    code       ::= stop | stop_line | runtime | http | odbc_chain | sqlstate
                   | event | sql_msg | oracle | error_number | hresult | tool
    stop       ::= STOP_WORD FILLER? ':'? HEX stop_params?   -- "STOP: 0x0000001E (0xC0000005, ...)"
    stop_line  ::= ^ 0xHHHHHHHH '(' HEX (',' HEX){3} ')'      -- a bare STOP line after "STOP error messages:"
    stop_params::= '(' ... ')' | '[' ... ']' | '{' ... '}' | (HEX8){1,4}   -- consumed, never codes
    event      ::= EVENT_WORD ':'? NUMBER (('and'|'or'|'&'|',') NUMBER)*
    runtime    ::= RUNTIME_WORDS ':'? QUOTE? '-'? DIGITS ('(' HEX ')')? QUOTE?
    http       ::= HTTP_WORD ':'? [45]DD ('.' DIGITS)? | [45]DD ('.' DIGITS)? '-'? REASON
    odbc_chain ::= '[Microsoft]' ('[' TEXT ']')+      -- with an ODBC word in one bracket
    sqlstate   ::= SQLSTATE_LABEL [:=]? QUOTE? XXXXX
    error_number ::= ERROR_WORDS [:#=]? OPEN? (DECIMAL | 0xHEX | HHHHHHHH)
    hresult    ::= (0x | &H) [8-F]HHHHHHH | '[' [8-F]HHHHHHH ']' | HRESULT_WORD [:=]? [8-F]HHHHHHH
                                                          -- the first form only in context
    tool       ::= TOOL_PREFIX DDDD D?                    -- in context, or a distinctive prefix

Kinds and normalization (what an analyst searching the corpus would type):
- stop: every spelling (STOP 1E, Stop 0xA, STOP: 0x0000001e) -> ``0x0000001E``.
  Parameters after the code are part of the STOP message, never codes of their own.
- hresult: a 32-bit error value with the high bit set, whatever the spelling:
  0x80004005, &H80004005, [80040102], 80004005, and the decimal forms VB prints
  (-2147467259, 2147942487) -> ``0x80004005``. NTSTATUS and exception codes
  (0xC0000005) are the same kind of value and land here too. A hex number counts
  only near a context word of the vocabulary (error, failed, returned, HRESULT,
  hr, code, exception...) on its line (or on the line before when it starts its
  line), and not after a veto word (address, Const, ObjectID...): memory dumps,
  addresses, GUIDs and constants in sample code are not errors.
- event_id: decimal text ("7031"); `source` is the event source when the text
  gives one in the same paragraph ("Source: MSExchangeMTA", "MSExchangeSA Event ID: 2036").
- runtime: the VB/VBA run-time error number as written ("429"); a negative one is
  an HRESULT in decimal and becomes an hresult row.
- tool: compiler/linker/tool codes as written ("C1001", "LNK2001", "L2028"),
  when "error"/"warning" precedes them on the line, a colon or "error" follows
  them, or the prefix is distinctive alone (LNK, CVT, MIDL, ...).
- http: the status code, 4xx and 5xx only, without the IIS sub-status ("403" for 403.5).
- odbc: the bracketed driver chain as written, blanks inside brackets trimmed
  ("[Microsoft][ODBC SQL Server Driver][SQL Server]"), and a SQLSTATE where
  one is labelled ("IM002"): the chain names who raised the error, the
  SQLSTATE what it was, and both are what people search for.
- error_number: any other numbered error ("Error 1603", "error code: 1783",
  "Msg 208, Level 16", "ORA-06403"); low hex values keep their 0x ("0x469").
"""

from __future__ import annotations

import re
from functools import cache

import pyparsing as pp
from ahocorasick_rs import AhoCorasick, BytesAhoCorasick

from .text import occurrences, parse_at
from .vocab import STR, STRS, load_vocabulary

SPEC = {
    "stop": {"keywords": STRS, "fillers": STRS},
    "event": {"keywords": STRS, "source_labels": STRS, "field_labels": STRS},
    "runtime": {"keywords": STRS},
    "hresult": {"keywords": STRS, "context": STRS, "veto": STRS},
    "tool": {"prefixes": STRS, "bare_prefixes": STRS, "context": STRS},
    "http": {"keywords": STRS, "reasons": STRS},
    "odbc": {"chain_words": STRS, "sqlstate_labels": STRS},
    "error_number": {"keywords": STRS, "sql_server_message": STR, "oracle_prefix": STR},
}

KINDS = ("stop", "event_id", "hresult", "runtime", "tool", "http", "error_number", "odbc")
COLUMNS = ("kind", "code", "source")

# The gate: most sections hold no code, and it must turn them away in a few
# microseconds. A section can hold one only if it has one of the forms below
# (where a form is common in prose, "error", "event", "Stop", a number must
# follow it closely). Each form starts with its literal, in the case written
# here; every occurrence of the literals is found in one pass over the text
# (see _LITERALS), and a form's test (None: the literal is the whole form)
# is tried only there, anchored, instead of searching the whole text for
# the form: a regex or substring search runs over every character, while a
# literal occurs a few times in a section at most.
_HEX_AFTER_0X = re.compile(r"0[xX](?:[0-9A-Fa-f]{8}|(?<!\w..)[0-9A-Fa-f])").match
_HEX_AFTER_AMP_H = re.compile(r"&[hH][89A-Fa-f][0-9A-Fa-f]{7}").match
_CHECKS = (
    ("rror", re.compile(r"rror[^\w\n]{0,3}(?:(?:code|number|No|no|num|Number|Code|message)\.?[^\w\n]{0,3})?"
                        r"[-'\"(\[#]?[0-9]|rror[^\n]{0,60}?\b[A-Z]{1,7}\d{4}\b|rror[ \t]+&[hH]").match),
    ("RROR", re.compile(r"RROR[^\w\n]{0,3}[0-9]").match),
    ("vent", re.compile(r"vent(?:s|\s*-?\s*I[Dd]s?)?[ \t]*[:,]?\s*\(?[ \t]*\d").match), ("VENT", None),
    # "0x" serves the forms no word of their own lets through: a hex HRESULT or
    # STOP line (eight digits), a lower-case "stop 0x1E" or "ERROR CODE: 0x469"
    # (a hex digit, no letter or digit before the 0: "640x480", "680x0" are no codes).
    ("0x", _HEX_AFTER_0X), ("0X", _HEX_AFTER_0X),
    ("HTTP", None),
    # "HRESULT" lets through the keyword form "HRESULT = 80004005"; with 0x or
    # &H its code passes their own tests.
    ("RESULT", re.compile(r"RESULT[ \t]*[:=]?[ \t]*[89A-Fa-f][0-9A-Fa-f]{7}").match),
    ("STOP", None), ("Stop", re.compile(r"Stop[ \t]*:?[ \t]*[0-9a-fA-F]*\d").match),
    # "LINK" and "compiler" vouch for tool codes, which are a letter and four digits.
    ("LINK", lambda text, at: _has_tool_digits(text)), ("ompiler", lambda text, at: _has_tool_digits(text)),
    ("arning", re.compile(r"arning[ \t:]+[A-Z]{1,7}\d{4}").match),
    ("&h", _HEX_AFTER_AMP_H), ("&H", _HEX_AFTER_AMP_H),
    ("[8", None), ("[Microsoft]", None), ("LNK", None), ("qlState", None), ("QLSTATE", None), ("Msg ", None),
    ("ORA-", None), ("orbidden", None),
)
# Any letter, then four digits, as the tool terminal (re.I, Unicode) may read
# them: its prefixes under re.I take the Kelvin sign and the long s too.
_LETTER_DIGITS = re.compile(r"[^\W\d_]\d{4}")


def _has_tool_digits(text: str) -> bool:
    # That regex tries every character, ten times slower than _tool_letters on ASCII.
    return bool(_tool_letters(text)) if text.isascii() else _LETTER_DIGITS.search(text) is not None


# A tool message line ("   L2028: Automatic data segment ...") has no keyword
# at all; its colon follows four digits and any blanks. "^" in MULTILINE mode
# would make re try every character: a line start is the text's start or a
# line break. Only colons after four digits, after one of them and a blank, or
# after two blanks are tried: those after one digit or blank (times, "Note :")
# are ten times as many, and each costs a look back for its line.
_TOOL_LINE_COLON = re.compile(r":(?:(?<=\d{4}:)|(?<=\d{4}[ \t]:)|(?<=[ \t][ \t]:))")
_TOOL_LINE = re.compile(r"[ \t]*[A-Z]{1,7}\d{4}[ \t]*:")


def _has_tool_line(text: str) -> bool:
    """Does a line start like "   L2028:"? Tried at the start of each line with such a colon."""
    if ":" not in text:
        # Found at memory speed, where re steps through the text for its
        # first character: two sections in five have no colon at all.
        return False
    for colon in _TOOL_LINE_COLON.finditer(text):
        if _TOOL_LINE.match(text, text.rfind("\n", 0, colon.start()) + 1):
            return True
    return False


# Where the literals occur, in one pass over the text: as many substring
# searches cost several times as much (an Aho-Corasick automaton, in Rust).
_LITERAL_WORDS = [literal for literal, _ in _CHECKS]
_LITERALS = AhoCorasick(_LITERAL_WORDS)
# Over the bytes of an ASCII text, which are its characters: the str
# automaton also turns its offsets into character offsets, a third of its time.
_LITERAL_BYTES = BytesAhoCorasick([w.encode() for w in _LITERAL_WORDS])
_TESTS = [test for _, test in _CHECKS]


def _find_all(finder: AhoCorasick, words, low: str) -> list[tuple[int, int, int]]:
    """(index in `words`, start, end) of every occurrence of `words` in `low`,
    overlapping ones too, by `finder` (an automaton of `words`)."""
    try:
        return finder.find_matches_as_indexes(low, overlapping=True)
    except UnicodeEncodeError:
        # A lone surrogate (only a str handed to the API can hold one) has no
        # UTF-8 form for the automaton: the same offsets by substring search.
        return [(i, at, at + len(word)) for i, word in enumerate(words) for at in occurrences(low, word)]


def _lower_in_place(text: str) -> str:
    """text.lower(), but each character lowered only where that keeps it one
    character ("İ" lowers to two), so that offsets in it are offsets in text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low_ch if len(low_ch := ch.lower()) == 1 else ch for ch in text)


def _may_hold_code(text: str) -> bool:
    if text.isascii():
        if not ("0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text
                or "6" in text or "7" in text or "8" in text or "9" in text
                or "[" in text or "&" in text or "q" in text or "Q" in text):
            # Every code has a digit but a bracketed ODBC chain, a SQLSTATE and a
            # hex HRESULT in letters only ("&HDEADBEEF"). Single characters are
            # found at memory speed: this turns away a third of all sections cheaply.
            # (Written out: any(map(text.__contains__, ...)) takes three times as long.)
            return False
        hits = _LITERAL_BYTES.find_matches_as_indexes(text.encode(), overlapping=True)
    else:
        hits = _find_all(_LITERALS, _LITERAL_WORDS, text)
    for i, at, _ in hits:
        test = _TESTS[i]
        if test is None or test(text, at):
            return True
    return _has_tool_line(text)


# Markers for the two terminals without a keyword: found by their digits.
_TOOL, _STATUS = object(), object()
_TOOL_DIGITS = re.compile(r"[A-Za-z]\d{4}")
# ASCII letters as "a" and digits as "0", the rest unchanged: a match of the
# regex above is then "a0000", which re finds by its literal "0000" (digits
# are rare in prose) and a look back for the letter, in one call for a whole
# hex dump; the regex above tries every character.
_LETTERS_DIGITS = bytes(97 if 65 <= b <= 90 or 97 <= b <= 122 else 48 if 48 <= b <= 57 else b for b in range(256))
_LETTER_0000 = re.compile(rb"0000(?<=a0000)")


def _tool_letters(text: str) -> list[int]:
    """Offsets of the matches of _TOOL_DIGITS (a letter, then four digits), in order."""
    if not text.isascii():  # \d takes other scripts' digits too
        return [m.start() for m in _TOOL_DIGITS.finditer(text)]
    # Two matches cannot overlap (a match's digits are no letter): re's finds them all.
    return [m.start() - 1 for m in _LETTER_0000.finditer(text.encode("ascii").translate(_LETTERS_DIGITS))]


# "(?<![\w.,-])[45]\d\d\b" as two patterns that start with a literal digit,
# which re finds by a fast search instead of trying every character.
_STATUS_DIGITS = tuple(re.compile(rf"{d}(?<![\w.,-]{d})\d\d\b") for d in "45")


def _words(words, boundary: bool = True) -> str:
    """Regex alternation of phrases, longest first."""
    ordered = sorted(set(words), key=len, reverse=True)
    # A space matches any blanks, a line break too: KB text wraps "Event\nID 197".
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
    return rf"\b(?:{alt})\b" if boundary else f"(?:{alt})"


def _rx(pattern: str, name: str, flags: int = 0) -> pp.Regex:
    element = pp.Regex(pattern, flags=flags)
    element.leave_whitespace()
    return element.set_name(name)


def _is_hresult(value: int) -> bool:
    """High bit set, and not a small negative number written in hex (0xFFFFFC15 is -1003)."""
    return 2**31 <= value < 0xFFFF0000


def _hex(value: int) -> str:
    return f"0x{value:08X}"


def _decimal_hresult(number: str) -> str | None:
    """A decimal spelling of an HRESULT (-2147467259, 2147942487) as 0x80004005, else None."""
    value = int(number)
    if -(2**31) <= value <= -(2**30) or 2**31 <= value < 2**32:
        return _hex(value & 0xFFFFFFFF)
    return None


def _distinct(words: list[str]) -> tuple[str, ...]:
    """The words but those that start with another: they add no offset of their own."""
    return tuple(sorted({w for w in words if not any(o != w and w.startswith(o) for o in words)}))


class _Grammar:
    """The terminals of one vocabulary and the scanner composed of them."""

    def __init__(self, v: dict) -> None:
        I = re.IGNORECASE  # noqa: E741 - read as a flag, like re.I
        hex8 = r"[0-9A-Fa-f]{8}"
        hi8 = r"[89A-Fa-f][0-9A-Fa-f]{7}"
        not_guid = r"(?![0-9A-Za-z])(?!-[0-9A-Fa-f]{4})"
        # Context words match at a word start only: "ExceptionCode", "returned", "errors".
        self.ctx = re.compile(r"(?<![A-Za-z])" + _words(v["hresult"]["context"], boundary=False), I)
        self.veto = re.compile(_words(v["hresult"]["veto"], boundary=False), I)
        self.tool_ctx = re.compile(_words(v["tool"]["context"]) + r"(?:[ \t:]+\S+){0,3}[ \t:]*$", I)
        self.tool_after = re.compile(r"[ \t]*:|[ \t]+(?:fatal|error|warning)\b", I)
        self.bare_tools = frozenset(v["tool"]["bare_prefixes"])
        reasons = [r for r in v["http"]["reasons"]]
        self.reason_after = re.compile(r"[ \t]*(?:-[ \t]*)?" + _words([r for r in reasons if r != "error"]), I)
        labels = _words(v["event"]["source_labels"])
        # The first word of each source label, lowered: a label match starts with one.
        self.source_words = tuple({w.lower().split()[0] for w in v["event"]["source_labels"]})
        fields = _words(v["event"]["field_labels"])
        self.source = re.compile(rf"{labels}[ \t]*:[ \t]*(?P<src>[^\n]*?)[ \t.]*(?=[ \t]{{2,}}|\n|$|[ \t]+{fields}[ \t]*:)", I)
        self.camel_source = re.compile(r"(?<![\w.])(?P<src>[A-Z](?=[A-Za-z]*[a-z])(?=[A-Za-z]*[A-Z][A-Za-z]*[A-Z])[A-Za-z]+)[ \t]+$")
        chain_word = _words(v["odbc"]["chain_words"])
        self.chain_word = re.compile(chain_word, I)

        stop = _rx(
            rf"(?P<kw>{_words(v['stop']['keywords'])})(?:[ \t]+{_words(v['stop']['fillers'])})?"
            rf"(?P<colon>[ \t]*:)?[ \t]*(?P<nl>\n[ \t]*)?"
            rf"(?P<code>0[xX][0-9A-Fa-f]{{1,8}}|[0-9A-Fa-f]{{1,8}})(?![0-9A-Za-z_]|\.\w)"
            rf"(?P<params>[ \t]*\n?[ \t]*(?:\([^()\n]*(?:\n[^()\n]*)?\)|\[[^\[\]\n]*\]|\{{[^{{}}\n]*\}})"
            rf"|(?:[ \t]+(?:0[xX])?{hex8}\b){{1,4}})?",
            "stop", I,
        )
        stop.add_parse_action(self._stop)
        hexp = r"[ \t]*(?:0[xX])?[0-9A-Fa-f]{1,9}[ \t]*"
        stop_line = _rx(rf"(?P<code>0[xX]{hex8})[ \t]*\({hexp}(?:,{hexp}){{3}}\)", "stop_line")
        stop_line.add_parse_action(self._stop_line)

        event = _rx(
            rf"{_words(v['event']['keywords'])}[ \t]*[:,]?[ \t]*\n?[ \t]*(?:\([ \t]*)?"
            r"(?P<ids>\d{1,5}(?:[ \t]*(?:,[ \t]*(?:and[ \t]+|or[ \t]+)?|and|or|&)[ \t]*\d{1,5})*)(?![\w.]\d|\w)",
            "event", I,
        )
        event.add_parse_action(self._event)

        runtime = _rx(
            rf"{_words(v['runtime']['keywords'])}[ \t]*(?:number[ \t]*|no\.?[ \t]*)?[:#]?[ \t]*(?P<q>['\"]?)"
            r"(?P<num>-?\d{1,10})(?:[ \t]*\((?P<hex>(?:0[xX])?[0-9A-Fa-f]{8,9})\))?(?P=q)(?![\w.]\d)",
            "runtime", I,
        )
        runtime.add_parse_action(self._runtime)

        http = _rx(
            rf"{_words(v['http']['keywords'], boundary=False)}(?<![\w/.])?[ \t]*:?[ \t]*(?P<code>[45]\d\d)(?:\.\d{{1,3}})?(?![\w.])",
            "http", I,
        )
        http.add_parse_action(lambda t: [("http", t["code"], None)])
        http_reason = _rx(
            rf"(?<![\w.,-])(?P<code>[45]\d\d)(?:\.\d{{1,3}})?[ \t]*(?:-[ \t]*)?{_words(reasons)}",
            "http_reason", I,
        )
        http_reason.add_parse_action(lambda t: [("http", t["code"], None)])

        odbc_chain = _rx(r"\[Microsoft\](?:\[[^\[\]\n]{1,80}\])+", "odbc_chain", I)
        odbc_chain.add_parse_action(self._odbc_chain)
        sqlstate = _rx(
            rf"{_words(v['odbc']['sqlstate_labels'])}[ \t]*[:=]?[ \t]*['\"]?(?P<code>[0-9A-Z]{{5}})(?![\w])",
            "sqlstate", I,
        )
        sqlstate.add_parse_action(lambda t: [("odbc", t["code"], None)])

        sql_msg = _rx(rf"\b{re.escape(v['error_number']['sql_server_message'])}[ \t]+(?P<num>\d{{1,6}}),[ \t]*Level\b", "sql_msg", re.I)
        sql_msg.add_parse_action(lambda t: [("error_number", t["num"], None)])
        oracle = _rx(rf"\b{re.escape(v['error_number']['oracle_prefix'])}\d{{4,5}}\b", "oracle")
        oracle.add_parse_action(lambda t: [("error_number", t[0], None)])

        error_number = _rx(
            rf"{_words(v['error_number']['keywords'])}[ \t]*(?:[:#=][ \t]*)?(?:[\[('\"][ \t]*)?"
            rf"(?P<num>0[xX][0-9A-Fa-f]{{1,8}}|{hi8}|\d{{1,5}}-\d{{1,5}}(?![-/.]\d)|-?\d{{1,10}})(?![\w.\-/]\w)(?![0-9A-Za-z])",
            "error_number", I,
        )
        error_number.add_parse_action(self._error_number)

        hresult = _rx(
            rf"(?:(?P<p>0[xX]|&[hH])(?P<h>{hi8})|\[(?P<b>{hi8})(?:-{hex8})?\]"
            rf"|(?P<kw>{_words(v['hresult']['keywords'])})[ \t]*[:=]?[ \t]*(?P<bare>[89A-Fa-f][0-9A-Fa-f]{{7}})){not_guid}",
            "hresult", I,
        )
        hresult.add_parse_action(self._hresult)

        tool = _rx(rf"(?<![\w\-.$\\/])(?P<prefix>{_words(v['tool']['prefixes'], boundary=False)})(?P<num>\d{{4,5}})\b", "tool", I)
        tool.add_parse_action(self._tool)

        kw = lambda *parts: [w.lower() for part in parts for w in v[part]["keywords"]]
        ora, msg = v["error_number"]["oracle_prefix"].lower(), v["error_number"]["sql_server_message"].lower()
        # Each terminal with the lower-case words it starts with (all found in
        # the lowered text in one pass, which is what keeps a scan cheap), in
        # the order that breaks ties when two start at the same place. Whole
        # words, not a prefix they share: "hr" or "[" alone occur all over
        # a text ("through", links), and each occurrence costs a try.
        terminals = [
            (stop, kw("stop")), (stop_line, ["0x"]), (runtime, kw("runtime")), (http, kw("http")),
            (http_reason, _STATUS), (odbc_chain, ["[microsoft]"]), (sqlstate, [w.lower() for w in v["odbc"]["sqlstate_labels"]]),
            (event, kw("event")), (sql_msg, [msg]), (oracle, [ora]), (error_number, kw("error_number")),
            # a bracketed code starts with its high hex digit
            (hresult, ["0x", "&h", *(f"[{d}" for d in "89abcdef")] + kw("hresult")), (tool, _TOOL),
        ]
        self.code = pp.MatchFirst([t for t, _ in terminals]).set_name("error code")
        self.scans = []
        for priority, (terminal, words) in enumerate(terminals):
            if isinstance(words, list):
                words = _distinct(words)
            self.scans.append((priority, words, terminal.re.match, terminal))
        self.words = tuple(dict.fromkeys(w for _, words, _, _ in self.scans if isinstance(words, tuple) for w in words))
        # Every offset of every word (overlapping ones too, as repeated finds give), in one pass.
        self.word_finder = AhoCorasick(list(self.words))
        # The same over bytes, for ASCII text, whose byte offsets are its
        # character offsets: the str automaton's conversion of them is skipped.
        self.word_bytes = BytesAhoCorasick([w.encode() for w in self.words])
        self.terminals = [t for t, _ in terminals]
        self.tool_words = tuple({w.lower() for w in v["tool"]["context"] + v["tool"]["bare_prefixes"]} | {"link", "compil"})
        self.reason_words = tuple({r.lower() for r in reasons} | {"http"})

    def starts(self, priority: int, text: str, low: str, found_at: dict) -> list[int]:
        """Sorted offsets where terminal `priority` matches, among those where it may.

        `found_at` holds, for the text, the offsets of each word of `self.words` it holds.
        """
        words, match = self.scans[priority][1:3]
        found: set[int] = set()
        if words is _TOOL:
            for letter in _tool_letters(text):
                at = letter
                while at > 0 and letter - at < 7 and text[at - 1].isalpha():
                    at -= 1
                # Only there: the terminal wants no word character before it,
                # and every later start of the prefix has a letter before it.
                found.add(at)
        elif words is _STATUS:
            found.update(m.start() for rx in _STATUS_DIGITS for m in rx.finditer(text))
        else:
            for word in words:
                found.update(found_at.get(word, ()))
        starts = [at for at in sorted(found) if match(text, at)]
        # Tool codes and bare statuses are looked for only in a text with a
        # word that vouches for them; asked last, as the rarer condition.
        if starts and words is _TOOL and not (any(w in low for w in self.tool_words) or _has_tool_line(text)):
            return []
        if starts and words is _STATUS and not any(w in low for w in self.reason_words):
            return []
        return starts

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, priority) of the matches that count, in text order.

        Each terminal is tried at its offsets only, left to right, a match
        hiding the offsets inside it; then matches of different terminals that
        overlap ("HTTP Error 403" holds "Error 403", a STOP line holds its
        parameters) give way to the earliest start, then to the terminal listed first.
        """
        # Offsets found in the lowered text are tried in `text`.
        low = _lower_in_place(text)
        if low.isascii():
            word_hits = self.word_bytes.find_matches_as_indexes(low.encode(), overlapping=True)
        else:
            word_hits = _find_all(self.word_finder, self.words, low)
        found_at: dict[str, list[int]] = {}
        for i, at, _ in word_hits:
            found_at.setdefault(self.words[i], []).append(at)
        found = []
        for priority, words, match, _ in self.scans:
            if isinstance(words, tuple) and found_at.keys().isdisjoint(words):
                continue  # none of its words in the text
            free = 0
            for at in self.starts(priority, text, low, found_at):
                if at >= free:
                    free = match(text, at).end()
                    found.append((at, free, priority))
        found.sort(key=lambda f: (f[0], f[2]))
        spans, free = [], 0
        for start, end, priority in found:
            if start >= free:
                spans.append((start, end, priority))
                free = end
        return spans

    def codes(self, text: str, spans: list[tuple[int, int, int]]) -> list[tuple[str, str, str | None]]:
        """The (kind, code, source) rows of the spans, by the parse actions of their terminals."""
        # Each span's terminal parses at its start, as scan_string jumping from
        # span to span would call it, without scan_string's per-text set-up
        # and the wrapping token's own parse, a third of the time taken here.
        terminals = self.terminals
        return [row for start, _, priority in spans for row in parse_at(terminals[priority], text, start)]

    # -- parse actions: each returns a list of (kind, code, source) rows --------

    def _stop(self, s, loc, toks):
        code = toks["code"]
        if not code.lower().startswith("0x"):
            # Without 0x only "STOP 1E" and "Stop: c000021a", never "stop a process".
            if toks.get("nl") or not re.search(r"\d", code) or not (toks.get("kw") == "STOP" or toks.get("colon")):
                return []
        return [("stop", _hex(int(code[2:] if code.lower().startswith("0x") else code, 16)), None)]

    def _stop_line(self, s, loc, toks):
        # A bare code with four parameters is a STOP message only when it starts its line.
        if s[s.rfind("\n", 0, loc) + 1:loc].strip():
            return []
        return [("stop", _hex(int(toks["code"][2:], 16)), None)]

    def _event(self, s, loc, toks):
        ids = re.findall(r"\d+", toks["ids"])
        source = self._event_source(s, loc, loc + len(toks[0]))
        return [("event_id", str(int(n)), source) for n in ids]

    def _event_source(self, s: str, start: int, end: int) -> str | None:
        before = s.rfind("\n", 0, start) + 1
        m = self.camel_source.search(s, before, start)
        if m:
            return m.group("src")
        para_start = max(s.rfind("\n\n", 0, start), 0)
        para_end = s.find("\n\n", end)
        para_end = len(s) if para_end < 0 else para_end
        best = None
        for m in self._source_matches(s, para_start, para_end):
            src = m.group("src").strip()
            if src and (best is None or abs(m.start() - start) < abs(best[0] - start)):
                best = (m.start(), src)
        return best[1] if best else None

    def _source_matches(self, s: str, start: int, end: int):
        """self.source.finditer(s, start, end), trying only where a label's first
        word is: the regex alone would try every character of a long paragraph."""
        para = s[start:end]
        if not para.isascii():
            yield from self.source.finditer(s, start, end)
            return
        low = para.lower()
        found = {start + at for word in self.source_words for at in occurrences(low, word)}
        free = start
        for at in sorted(found):
            if at >= free and (m := self.source.match(s, at, end)):
                yield m
                free = m.end()

    def _runtime(self, s, loc, toks):
        num, hexa = toks["num"], toks.get("hex")
        if hexa and len(hexa.lower().removeprefix("0x")) == 8 and hexa[-8] in "89ABCDEFabcdef":
            return [("hresult", _hex(int(hexa[-8:], 16)), None)]
        hres = _decimal_hresult(num)
        if hres:
            return [("hresult", hres, None)]
        return [("runtime", str(int(num)), None)]

    def _error_number(self, s, loc, toks):
        num, end = toks["num"], loc + len(toks[0])
        if num.lower().startswith("0x"):
            value = int(num, 16)
            if _is_hresult(value):
                return [("hresult", _hex(value), None)]
            if value >= 2**31:  # a small negative number in hex, written next to its decimal
                return []
            return [("error_number", "0x" + num[2:].upper(), None)]
        if re.fullmatch(r"\d+-\d+", num):
            return [("error_number", num, None)]
        if len(num) == 8 and num[0] in "89ABCDEFabcdef" and (not num.isdigit() or num[0] in "8"):
            if not re.search(r"\d", num[1:]):
                return []
            return [("hresult", _hex(int(num, 16)), None)]
        hres = _decimal_hresult(num)
        if hres:
            return [("hresult", hres, None)]
        if re.fullmatch(r"[45]\d\d", num) and self.reason_after.match(s, end):
            return [("http", num, None)]
        return [("error_number", str(int(num)), None)]

    def _hresult(self, s, loc, toks):
        h = toks.get("h") or toks.get("b") or toks["bare"]
        if toks.get("bare") and not re.search(r"\d", h[1:]):
            return []
        if not _is_hresult(int(h, 16)):
            return []
        if not (toks.get("b") or toks.get("kw")) and not self._in_context(s, loc, loc + len(toks[0])):
            return []
        return [("hresult", _hex(int(h, 16)), None)]

    def _in_context(self, s: str, start: int, end: int) -> bool:
        line_start = s.rfind("\n", 0, start) + 1
        before = s[max(line_start, start - 60):start]
        if self.veto.search(before):
            return False
        if not before.strip() and line_start > 0:
            before = s[s.rfind("\n", 0, line_start - 1) + 1:line_start]
        line_end = s.find("\n", end)
        after = s[end:min(end + 40, len(s) if line_end < 0 else line_end)]
        return bool(self.ctx.search(before) or self.ctx.search(after))

    def _tool(self, s, loc, toks):
        text, end = toks[0], loc + len(toks[0])
        if toks["prefix"] not in self.bare_tools or not text.isupper():
            line_start = s.rfind("\n", 0, loc) + 1
            before = s[max(line_start, loc - 30):loc]
            if not (self.tool_ctx.search(before) or self.tool_after.match(s, end)):
                return []
        return [("tool", text.upper(), None)]

    def _odbc_chain(self, s, loc, toks):
        parts = re.findall(r"\[([^\[\]\n]*)\]", toks[0])
        if not any(self.chain_word.search(p) for p in parts):
            return []
        return [("odbc", "".join(f"[{' '.join(p.split())}]" for p in parts), None)]


@cache
def _grammar() -> _Grammar:
    return _Grammar(load_vocabulary("error_codes", SPEC))


def find_error_codes(text: str) -> list[dict]:
    """Rows {kind, code, source} for the error identifiers of a section's text.

    Each distinct (kind, code) once, in order of first appearance; an event id
    seen with two different sources gives two rows, and a source found later
    fills in an earlier row that had none.
    """
    if not isinstance(text, str):
        return []
    if not _may_hold_code(text):
        return []
    grammar = _grammar()
    # pyparsing reads a text with its tabs expanded; the offsets must be taken
    # in the same text as the matches.
    # (A text without a tab is its own expansion: the test skips a scan of it.)
    if "\t" in text:
        text = text.expandtabs()
    codes = grammar.codes(text, grammar.spans(text))
    rows: list[dict] = []
    seen: dict[tuple[str, str], list[dict]] = {}
    for kind, code, source in codes:
        same = seen.setdefault((kind, code), [])
        if any(r["source"] == source or source is None for r in same):
            continue
        blank = next((r for r in same if r["source"] is None), None)
        if blank is not None:
            blank["source"] = source
            continue
        row = {"kind": kind, "code": code, "source": source}
        same.append(row)
        rows.append(row)
    return rows
