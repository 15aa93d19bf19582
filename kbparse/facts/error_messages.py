"""Quoted messages in section text: a lead-in ending in a colon, then an indented block.

`find_error_messages(text)` gives one row ``{"text"}`` per quoted message, in
text order: the block with its common indentation removed, its lines kept,
trailing blanks gone.

BNF (each terminal one `pp.Regex`; `skip` jumps to the next line ending in a
colon whose lead-in and block pass, found with str.find and plain regex tries,
so most of a section is never tried). The scan below is run with those regexes
alone (_Grammar.hits); pyparsing then parses only the blocks it meets, where
it meets them, and their parse actions make the rows::

    scan      ::= skip (quoted | alternate | ANY_CHAR)?     -- as scan_string would run it
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
from ahocorasick_rs import AhoCorasick

from .text import parse_at
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

# What the phrase regexes' (?<![\w-]) and (?![\w-]) refuse, in ASCII text.
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_HKEY = re.compile(r"[ \t]*HKEY_")
_MARKER = re.compile(r"[ \t]*(?:(?:\d{1,2}[.)]|[-*])[ \t]+)?")
_LIST_ITEM = re.compile(r"(?:[-*]|\d{1,2}[.)]|[a-z][.)])[ \t]")
_BLOCK = r"(?P<block>(?:[ \t]+\S[^\n]*(?:\n|\Z)|[ \t]*\n)+)"


def _words(words) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
    return rf"(?<![\w-])(?:{alt})(?![\w-])"


def _lower_words(phrases) -> re.Pattern | None:
    """What _words(phrases) matches, for lowered ASCII text and as a yes/no:
    case-sensitive, and the phrases as a trie ("e(?:rror|vent)..."), so that
    re tries one alternative per character instead of every phrase. None
    unless the phrases are ASCII (where lower() and re.I agree)."""
    if not all(p.isascii() for p in phrases):
        return None

    def trie(tails: list[str]) -> str:
        branches: dict[str, list[str]] = {}
        for tail in tails:
            if tail:
                branches.setdefault(tail[0], []).append(tail[1:])
        alts = [(r"\s+" if c == " " else re.escape(c)) + trie(rest) for c, rest in sorted(branches.items())]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
        return f"(?:{body})?" if "" in tails else body

    return re.compile(rf"(?<![\w-]){trie(sorted({p.lower() for p in phrases}))}(?![\w-])")


def _longest_words(phrases) -> list[str]:
    """The longest word of each phrase, lowered: a lowered text holds a phrase
    only if it holds that word verbatim."""
    return sorted({max(w.lower().split(), key=len) for w in phrases if w.strip()})


def _last_stop(lead: str) -> int:
    """End of the last match of `[.!?]["')]?\\s` in `lead` (0 if none). Matches
    cannot overlap, so the last is the rightmost: looked for from the end."""
    end, size = len(lead), len(lead)
    while (at := max(lead.rfind(".", 0, end), lead.rfind("!", 0, end), lead.rfind("?", 0, end))) >= 0:
        nxt = lead[at + 1:at + 2]
        if nxt.isspace():
            return at + 2
        if nxt and nxt in "\"')" and at + 2 < size and lead[at + 2].isspace():
            return at + 3
        end = at
    return 0


def _rx(pattern: str, name: str) -> pp.Regex:
    element = pp.Regex(pattern)
    element.leave_whitespace()
    return element.set_name(name)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


class _Grammar:
    def __init__(self, v: dict) -> None:
        self.lead = re.compile(_words(v["lead_words"]), re.I)
        self.not_lead = re.compile(_words(v["not_lead_words"]), re.I)
        self.plural = re.compile(_words(v["plural_words"]), re.I)
        self.singular = re.compile(_words(v["singular_words"]), re.I)
        seps = sorted(set(v["separators"]), key=len, reverse=True)
        self.separator = re.compile(r"[ \t]*(?:" + "|".join(re.escape(w) for w in seps) + r")[ \t]*", re.I)
        self.separator_size = max(map(len, seps))
        self.note = re.compile(r"[ \t]*(?:" + "|".join(re.escape(w) for w in v["note_words"]) + r")\b", re.I)
        sep_line = r"[ \t]*(?:" + "|".join(re.escape(w) for w in seps) + r")[ \t]*\n"
        quoted = _rx(rf"(?P<lead>[^\n]*\S)[ \t]*:[ \t]*\n(?:[ \t]*\n)*{_BLOCK}", "quoted block")
        quoted.add_parse_action(self._quoted)
        alternate = _rx(rf"(?i:{sep_line})(?:[ \t]*\n)*{_BLOCK}", "alternate block")
        alternate.add_parse_action(self._alternate)
        self.terminals = (quoted, alternate)
        self.lead_lower = _lower_words(v["lead_words"])
        self.not_lead_lower = _lower_words(v["not_lead_words"])
        self.plural_lower = _lower_words(v["plural_words"])
        self.singular_lower = _lower_words(v["singular_words"])
        # The longest word of each lead phrase: a lead-in holds a phrase only
        # if it holds that word verbatim, and seven in ten hold none. One
        # automaton pass tells so for a fraction of the phrase regex's cost.
        keys = _longest_words(v["lead_words"])
        self.lead_keys = AhoCorasick(keys)
        # Which keys are phrases of their own ("error", not "receive"): such a
        # key between two characters that are not [\w-] is a phrase found.
        phrases = {w.lower() for w in v["lead_words"]}
        self.key_is_lead = [key in phrases for key in keys]
        # The same before the plural test of a message's lead-in: six in seven
        # hold no plural word.
        self.plural_keys = AhoCorasick(_longest_words(v["plural_words"]))
        self._memo = threading.local()

    def offsets(self, text: str) -> list[int]:
        """Starts of the lines ending in a colon whose block is a quoted message,
        and of the separator lines ("-or-") chained after such a block."""
        quoted, alternate = (t.re for t in self.terminals)
        # is_message_lead's answers for this text, filled here without a call
        # per lead-in (most of a text's colons are asked about once, here).
        memo = self._memo
        memo.text, memo.leads = text, {}
        leads, message_lead = memo.leads, self._message_lead
        found = []
        at = text.find(":\n")
        if at < 0 and text.rstrip().endswith(":"):
            at = len(text.rstrip()) - 1
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            # The lead-in first, as it fails far more often than the block: it
            # ends where `quoted` would end it, before the blanks and the colon.
            lead = text[start:at].rstrip(" \t")
            if lead and not lead[-1].isspace():
                colon = start + len(lead)
                # (each colon is on a line of its own: never asked before)
                sentence = message_lead(text, start, colon)
                m = None
                if sentence is not None:
                    leads[start, colon] = sentence
                    m = quoted.match(text, start)
            else:
                m = quoted.match(text, start)
                m = m and self.is_message_lead(text, start, start + len(m.group("lead"))) and m
            if m:
                found.append(start)
                end = m.end()
                while (nxt := alternate.match(text, end)) and (end == 0 or text[end - 1] == "\n"):
                    found.append(end)
                    end = nxt.end()
            at = text.find(":\n", at + 2)
        return found

    def hits(self, text: str, offsets: list[int]) -> dict[int, tuple[int, int]]:
        """The blocks a scan `skip (quoted | alternate | ANY_CHAR)?` meets, where
        `skip` jumps to the next of `offsets` (by bisection, as the list stands):
        {where the scan stands before the block: (its start, 0 quoted | 1 alternate)}."""
        matches = [t.re.match for t in self.terminals]
        size, loc, read_from, hits = len(text), 0, 0, {}
        while loc <= size:
            i = bisect.bisect_left(offsets, loc)
            at = offsets[i] if i < len(offsets) else size
            end, terminal = (at + 1 if at < size else at), None
            for k, match in enumerate(matches):
                if m := match(text, at):
                    end, terminal = m.end(), k
                    break
            if end > loc:
                if terminal is not None:
                    hits[read_from] = (at, terminal)
                    read_from = end
                loc = end
            else:
                loc += 1
        return hits

    @staticmethod
    def _paragraph_end(s: str, line_start: int, colon: int) -> str:
        """The paragraph ending at `colon`, at most 400 characters before its line."""
        # A break further back than 400 characters would not count: no need to look for it.
        para = s.rfind("\n\n", max(0, line_start - 402), line_start)
        return s[max(para + 2 if para >= 0 else 0, line_start - 400):colon]

    def lead_sentence(self, s: str, line_start: int, colon: int) -> str:
        """The sentence ending at `colon`: what follows the last full stop in its paragraph."""
        lead = self._paragraph_end(s, line_start, colon)
        return lead[_last_stop(lead):]

    def _message_lead(self, s: str, line_start: int, colon: int) -> str | None:
        """lead_sentence if it introduces a message, else None."""
        lead = self._paragraph_end(s, line_start, colon)
        if self.lead_lower and lead.isascii():
            # The sentence is a suffix of `lead`: it holds a lead key if one of
            # the key occurrences in `lead` (all of them, overlapping) starts
            # within it. Two in three paragraph ends hold none, and for them
            # the full stop is not looked for.
            low = lead.lower()
            keys = self.lead_keys.find_matches_as_indexes(low, overlapping=True)
            if not keys:
                return None
            cut = _last_stop(lead)
            held = False
            for k, start, end in keys:
                if start < cut:
                    continue
                held = True
                # A key that is a phrase, standing alone, is a match lead_lower
                # would find: it spares the regex two times in three.
                if self.key_is_lead[k] and (start == 0 or low[start - 1] not in _WORD) and (
                        end == len(low) or low[end] not in _WORD):
                    break
            else:
                # (lead_lower reads the sentence in place: the character before
                # it, the stop's blank, is as good as none to its look-behind)
                if not held or not self.lead_lower.search(low, cut):
                    return None
            return lead[cut:] if self._not_lead_free(low[cut:]) else None
        sentence = lead[_last_stop(lead):]
        return sentence if self._is_message_lead(sentence) else None

    def is_message_lead(self, s: str, line_start: int, colon: int) -> bool:
        """Does the sentence ending at `colon` introduce a message?

        Asked while locating the blocks, then again by the parse action of each
        block found: the sentences of the lead-ins found for the last text are kept."""
        memo = self._memo
        if getattr(memo, "text", None) is not s:
            memo.text, memo.leads = s, {}
        key = (line_start, colon)
        if key in memo.leads:
            return True
        sentence = self._message_lead(s, line_start, colon)
        if sentence is None:
            return False
        memo.leads[key] = sentence
        return True

    def lead_of(self, s: str, line_start: int, colon: int) -> str:
        """lead_sentence, as kept by is_message_lead for the text being read."""
        memo = self._memo
        if getattr(memo, "text", None) is s and (line_start, colon) in memo.leads:
            return memo.leads[line_start, colon]
        return self.lead_sentence(s, line_start, colon)

    def _not_lead_free(self, low: str) -> bool:
        """Is the last clause of an ASCII sentence, lowered, free of not_lead phrases?"""
        # (the last clause of the lowered sentence is the lowered last clause: ASCII)
        return not self.not_lead_lower.search(low.rsplit(",", 1)[-1])

    def _is_message_lead(self, sentence: str) -> bool:
        if self.lead_lower and sentence.isascii():
            # The same test on the lowered text, without re.I and with the
            # phrases as a trie: about three times faster.
            low = sentence.lower()
            return (bool(self.lead_keys.find_matches_as_indexes(low)) and bool(self.lead_lower.search(low))
                    and self._not_lead_free(low))
        last_clause = sentence.rsplit(",", 1)[-1]
        return bool(self.lead.search(sentence)) and not self.not_lead.search(last_clause)

    # -- parse actions: ("quoted"|"alternate", start, end, [message texts]) -------

    def _quoted(self, s, loc, toks):
        lead = toks["lead"]
        colon = loc + len(lead)
        end = loc + len(toks[0])
        if not self.is_message_lead(s, loc, colon):
            return [("skip", loc, end, [])]
        sentence = self.lead_of(s, loc, colon)
        if self.plural_lower and self.singular_lower and sentence.isascii():
            low = sentence.lower()
            per_paragraph = (bool(self.plural_keys.find_matches_as_indexes(low)) and bool(self.plural_lower.search(low))
                             and not self.singular_lower.search(low))
        else:
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
        current = messages[0]
        # Whether `current` holds a line that is not blank: only such lines are
        # appended as they are (a blank one is appended as "").
        filled = blank_before = False
        for line in lines:
            if not line.strip():
                if shallow and filled:
                    break
                blank_before = True
                if per_paragraph and filled:
                    current = []
                    messages.append(current)
                    filled = False
                else:
                    current.append("")
                continue
            # Cheap tests first: a separator line is short, a registry path names HKEY_.
            if len(line.strip(" \t")) <= self.separator_size and self.separator.fullmatch(line):
                current = []
                messages.append(current)
                filled = False
            elif blank_before and filled and self.note.match(line):
                break
            elif not filled and "HKEY_" in line and _HKEY.match(line):
                return []
            else:
                current.append(line)
                filled = True
            blank_before = False
        texts = [t for t in (_unindent(m) for m in messages) if t]
        # Every paragraph a list item ("- txt", "a. Ping ..."): a list, not a message.
        paragraphs = [p for t in texts for p in t.split("\n\n")]
        if paragraphs and all(_LIST_ITEM.match(p) for p in paragraphs):
            return []
        return texts


def _text_indent(line: str) -> int:
    """Where the text of a line starts, after its indentation and any list marker ("3. ", " - ")."""
    return _MARKER.match(line).end()


def _unindent(lines: list[str]) -> str:
    lines = [ln.rstrip() for ln in lines]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return ""
    cut = min(len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln)
    return "\n".join(ln[cut:] for ln in lines)


@cache
def _grammar() -> _Grammar:
    return _Grammar(load_vocabulary("error_messages", SPEC))


def find_error_messages(text: str) -> list[dict]:
    """Rows {text} for the messages quoted in a section's text, in text order."""
    if not isinstance(text, str) or ":\n" not in text and not text.rstrip().endswith(":"):
        return []
    grammar = _grammar()
    # pyparsing reads a text with its tabs expanded; the offsets must be taken
    # in the same text as the blocks.
    # (A text without a tab is its own expansion: the test skips a scan of it.)
    if "\t" in text:
        text = text.expandtabs()
    # Only lines whose block passes the lead-in test, found with plain regex
    # tries: pyparsing is woken only for the blocks found, once per text.
    offsets = grammar.offsets(text)
    hits = grammar.hits(text, offsets) if offsets else None
    if not hits:
        return []
    rows: list[dict] = []
    previous = None  # (kind, end) of the block before, to accept an "-or-" block after a message
    # Each block's terminal parses where the scan meets it, in text order, as
    # scan_string would call it there; without scan_string's per-text set-up
    # and a wrapping token's own parse, which cost a third of the time here.
    for at, terminal in hits.values():
        for kind, start, end, messages in parse_at(grammar.terminals[terminal], text, at):
            if kind == "alternate":
                joined = previous is not None and previous[0] in ("quoted", "alternate") and not text[previous[1]:start].strip()
                if not joined:
                    previous = ("skip", end)
                    continue
            previous = (kind, end)
            rows += [{"text": m} for m in messages]
    return rows
