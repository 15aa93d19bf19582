"""Quoted messages in section text: a lead-in ending in a colon, then an indented block.

`find_error_messages(text)` gives one row ``{"text"}`` per quoted message, in
text order: the block with its common indentation removed, its lines kept,
trailing blanks gone.

BNF (each terminal one `pp.Regex`; `skip` jumps to the next line ending in a
colon, found with str.find, so most of a section is never tried)::

    scan      ::= skip (quoted | ANY_CHAR)?                 -- run with scan_string
    quoted    ::= lead_line ':' NL blank* block             -- one Regex
    block     ::= (indented_line | blank)+                  -- up to the first unindented line
    alternate ::= separator NL blank* block                 -- "-or-", then another message

What is a message is decided by the lead-in, from the vocabulary: the sentence
that ends in the colon (it may start lines above) must hold a `lead_words`
phrase (error, message, warning, dialog box, "you receive", "appears",
"is logged", ...) and no `not_lead_words` phrase ("following code", "type the
following", "registry", "following steps", ...). So a code sample, a registry
path, a file table or a list of steps introduced by their own lead-ins gives no
row. Within the block:
- a separator line ("-or-", "OR") splits it into several messages, and a block
  after a separator that follows a message is a message too;
- a paragraph starting with a note word ("NOTE:", "Explanation:") ends it;
- when the lead-in itself is indented (inside a numbered step) and the block is
  no deeper, the block is its first paragraph only: what follows is the step.
"""

from __future__ import annotations

import bisect
import re
import threading
from functools import cache

import pyparsing as pp

from .vocab import STRS, load_vocabulary

SPEC = {
    "lead_words": STRS,
    "not_lead_words": STRS,
    "plural_words": STRS,
    "singular_words": STRS,
    "separators": STRS,
    "note_words": STRS,
}
COLUMNS = ("text",)

_LIST_ITEM = re.compile(r"(?:[-*]|\d{1,2}[.)]|[a-z][.)])[ \t]")
_BLOCK = r"(?P<block>(?:[ \t]+\S[^\n]*(?:\n|\Z)|[ \t]*\n)+)"


def _words(words) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
    return rf"(?<![\w-])(?:{alt})(?![\w-])"


def _rx(pattern: str, name: str) -> pp.Regex:
    element = pp.Regex(pattern)
    element.leave_whitespace()
    return element.set_name(name)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


class _Jump(pp.Token):
    """Jumps to the next offset of the text being scanned (set per text), or to its end."""

    def __init__(self) -> None:
        super().__init__()
        self.mayReturnEmpty = True
        self.mayIndexError = False
        self.leave_whitespace()  # offsets are exact: a text may start with its indentation
        self._state = threading.local()

    def start(self, offsets: list[int]) -> None:
        self._state.offsets = offsets

    def parseImpl(self, instring, loc, do_actions=True):
        offsets = self._state.offsets
        i = bisect.bisect_left(offsets, loc)
        return (offsets[i] if i < len(offsets) else len(instring)), []


class _Grammar:
    def __init__(self, v: dict) -> None:
        self.lead = re.compile(_words(v["lead_words"]), re.I)
        self.not_lead = re.compile(_words(v["not_lead_words"]), re.I)
        self.plural = re.compile(_words(v["plural_words"]), re.I)
        self.singular = re.compile(_words(v["singular_words"]), re.I)
        seps = sorted(set(v["separators"]), key=len, reverse=True)
        self.separator = re.compile(r"[ \t]*(?:" + "|".join(re.escape(w) for w in seps) + r")[ \t]*", re.I)
        self.note = re.compile(r"[ \t]*(?:" + "|".join(re.escape(w) for w in v["note_words"]) + r")\b", re.I)
        sep_line = r"[ \t]*(?:" + "|".join(re.escape(w) for w in seps) + r")[ \t]*\n"
        quoted = _rx(rf"(?P<lead>[^\n]*\S)[ \t]*:[ \t]*\n(?:[ \t]*\n)*{_BLOCK}", "quoted block")
        quoted.add_parse_action(self._quoted)
        alternate = _rx(rf"(?i:{sep_line})(?:[ \t]*\n)*{_BLOCK}", "alternate block")
        alternate.add_parse_action(self._alternate)
        self.terminals = (quoted, alternate)
        self.skip = _Jump().set_name("skip to a line ending in a colon")
        any_char = _rx(r"[\s\S]", "any char").add_parse_action(lambda: [])
        self.scanner = (self.skip + pp.Optional(quoted | alternate | any_char)).leave_whitespace().set_name("message scan")

    def offsets(self, text: str) -> list[int]:
        """Starts of the lines ending in a colon whose block is a quoted message,
        and of the separator lines ("-or-") chained after such a block."""
        quoted, alternate = (t.re for t in self.terminals)
        found = []
        at = text.find(":\n")
        if at < 0 and text.rstrip().endswith(":"):
            at = len(text.rstrip()) - 1
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            m = quoted.match(text, start)
            if m and self.is_message_lead(text, start, start + len(m.group("lead"))):
                found.append(start)
                end = m.end()
                while (nxt := alternate.match(text, end)) and (end == 0 or text[end - 1] == "\n"):
                    found.append(end)
                    end = nxt.end()
            at = text.find(":\n", at + 2)
        return found

    def lead_sentence(self, s: str, line_start: int, colon: int) -> str:
        """The sentence ending at `colon`: what follows the last full stop in its paragraph."""
        para = s.rfind("\n\n", 0, line_start)
        start = max(para + 2 if para >= 0 else 0, line_start - 400)
        lead = s[start:colon]
        stops = [m.end() for m in re.finditer(r"[.!?][\"')]?\s", lead)]
        return lead[stops[-1]:] if stops else lead

    def is_message_lead(self, s: str, line_start: int, colon: int) -> bool:
        """Does the sentence ending at `colon` introduce a message?"""
        sentence = self.lead_sentence(s, line_start, colon)
        last_clause = sentence.rsplit(",", 1)[-1]
        return bool(self.lead.search(sentence)) and not self.not_lead.search(last_clause)

    # -- parse actions: ("quoted"|"alternate", start, end, [message texts]) -------

    def _quoted(self, s, loc, toks):
        lead = toks["lead"]
        colon = loc + len(lead)
        end = loc + len(toks[0])
        if not self.is_message_lead(s, loc, colon):
            return [("skip", loc, end, [])]
        sentence = self.lead_sentence(s, loc, colon)
        per_paragraph = bool(self.plural.search(sentence)) and not self.singular.search(sentence)
        # A bare label ("Description:") over text no deeper than itself is a field, not a lead-in.
        bare_label = len(lead.split()) <= 2
        return [("quoted", loc, end, self._messages(toks["block"], _text_indent(lead), per_paragraph, bare_label))]

    def _alternate(self, s, loc, toks):
        return [("alternate", loc, loc + len(toks[0]), self._messages(toks["block"], 0, False, False))]

    def _messages(self, block: str, lead_indent: int, per_paragraph: bool, bare_label: bool) -> list[str]:
        lines = block.split("\n")
        first = next((ln for ln in lines if ln.strip()), "")
        shallow = lead_indent > 0 and _indent(first) <= lead_indent
        if shallow and bare_label:
            return []
        messages: list[list[str]] = [[]]
        blank_before = False
        for line in lines:
            if not line.strip():
                if shallow and any(x.strip() for x in messages[-1]):
                    break
                blank_before = True
                if per_paragraph and any(x.strip() for x in messages[-1]):
                    messages.append([])
                else:
                    messages[-1].append("")
                continue
            if self.separator.fullmatch(line):
                messages.append([])
            elif blank_before and self.note.match(line) and any(x.strip() for x in messages[-1]):
                break
            elif re.match(r"[ \t]*HKEY_", line) and not any(x.strip() for x in messages[-1]):
                return []
            else:
                messages[-1].append(line)
            blank_before = False
        texts = [t for t in (_unindent(m) for m in messages) if t]
        # Every paragraph a list item ("- txt", "a. Ping ..."): a list, not a message.
        paragraphs = [p for t in texts for p in t.split("\n\n")]
        if paragraphs and all(_LIST_ITEM.match(p) for p in paragraphs):
            return []
        return texts


def _text_indent(line: str) -> int:
    """Where the text of a line starts, after its indentation and any list marker ("3. ", " - ")."""
    m = re.match(r"[ \t]*(?:(?:\d{1,2}[.)]|[-*])[ \t]+)?", line)
    return m.end()


def _unindent(lines: list[str]) -> str:
    lines = [ln.rstrip() for ln in lines]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return ""
    cut = min(_indent(ln) for ln in lines if ln)
    return "\n".join(ln[cut:] for ln in lines)


@cache
def _grammar() -> _Grammar:
    return _Grammar(load_vocabulary("error_messages", SPEC))


def find_error_messages(text: str) -> list[dict]:
    """Rows {text} for the messages quoted in a section's text, in text order."""
    if not isinstance(text, str) or ":\n" not in text and not text.rstrip().endswith(":"):
        return []
    grammar = _grammar()
    # Only lines whose block passes the lead-in test, found with plain regex
    # tries: pyparsing is woken only for the texts that quote a message.
    offsets = grammar.offsets(text)
    if not offsets:
        return []
    grammar.skip.start(offsets)
    rows: list[dict] = []
    previous = None  # (kind, end) of the block before, to accept an "-or-" block after a message
    for tokens, _start, _end in grammar.scanner.scan_string(text, always_skip_whitespace=False):
        for kind, start, end, messages in tokens:
            if kind == "alternate":
                joined = previous is not None and previous[0] in ("quoted", "alternate") and not text[previous[1]:start].strip()
                if not joined:
                    previous = ("skip", end)
                    continue
            previous = (kind, end)
            rows += [{"text": m} for m in messages]
    return rows
