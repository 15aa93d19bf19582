"""Helpers the facts recognizers share: vocabulary phrases as regexes,
finding a phrase only near an occurrence of its key word, the occurrences of
a word, and parsing an element where it was located.

Why key words: trying every phrasing at every character of a section costs
a regex attempt per character per phrasing. Each vocabulary table instead maps
a key word, which its phrases hold verbatim, to those phrases; `str.find` (a C
substring search) locates the key, and the phrases are tried only there
(`next_near`). A single regex alternation of all the key words is no cheaper
than one find per key: `re` tries every branch at every position where one
may start, and on the sample's sections `finditer` over it took about twice
as long as the finds (1.8x for the 10 fix keys, 2.4x for the 23 STATUS keys).
"""

from __future__ import annotations

import re

import pyparsing as pp

_LOOKBEHIND = re.compile(r"(\(\?<[!=][^()]*\))")
# One character of a phrase: a plain character or a bracketed class.
_ATOM = r"(?:[^\\\[\](){}?*+|.^$ ]|\[[^\]\\]+\])"
_FIXED = re.compile(f"{_ATOM}*")
_ATOMS = re.compile(_ATOM)


def flexible_spaces(phrase: str) -> str:
    """A vocabulary phrase as a regex in which a space matches any run of
    blanks and line breaks (section text wraps anywhere)."""
    # Inside a look-behind, which must keep a fixed width, a space matches one
    # whitespace character.
    parts = _LOOKBEHIND.split(phrase)
    return "".join(p.replace(" ", r"\s") if i % 2 else p.replace(" ", r"\s+") for i, p in enumerate(parts))


def locator(phrases, key: str) -> tuple[str, int | None]:
    """What to look for with `str.find` to locate `phrases`, which hold `key`,
    and how many characters ahead of it each phrase starts, when that is the
    same fixed number for all (the part before it is plain characters and
    classes, and it is not quantified); else None.

    A key of several words may wrap in the text, while the phrase's spaces
    match line breaks: it is looked for by one word, its first when the
    offset is fixed, else its longest.
    """
    first, _, rest = key.partition(" ")
    offsets = set()
    for phrase in phrases:
        at = phrase.find(key)
        prefix, after_first = phrase[:at], phrase[at + len(first) : at + len(first) + 1]
        if at < 0 or not _FIXED.fullmatch(prefix) or after_first in ("?", "*", "+", "{"):
            offsets.add(None)
        else:
            offsets.add(len(_ATOMS.findall(prefix)))
    offset = offsets.pop() if len(offsets) == 1 else None
    if offset is None and rest:
        return max(key.split(), key=len), None
    return first, offset


def next_near(text: str, key: str, offset: int | None, pattern: re.Pattern, cur: int, before: int,
              after: int) -> re.Match | None:
    """The leftmost match of `pattern` (phrases holding `key`, as `locator`
    gives it) that starts at or after `cur`, or None.

    The pattern is tried only near occurrences of the key: at `offset`
    characters ahead of each when that is fixed, else searched from `before`
    characters ahead of it. A match may end up to `after` characters beyond
    its key, and then at the end of that line.
    """
    if offset is not None:
        # a match starting at or after cur holds its key at or after cur + offset
        at = text.find(key, cur + offset)
        while at >= 0:
            line_end = text.find("\n", at + len(key) + after)
            m = pattern.match(text, at - offset, len(text) if line_end < 0 else line_end)
            if m:
                return m
            at = text.find(key, at + 1)
        return None
    at = text.find(key, cur)
    while at >= 0:
        line_end = text.find("\n", at + len(key) + after)
        m = pattern.search(text, max(cur, at - before), len(text) if line_end < 0 else line_end)
        if m:
            return m
        at = text.find(key, at + 1)
    return None


def occurrences(text: str, word: str):
    """The offset of each occurrence of `word` in `text`, overlapping ones too, in order."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def parse_located(element: pp.ParserElement, instring: str, at: int) -> tuple[int, pp.ParseResults]:
    """(end, tokens) of `element` parsed at `at`, parse actions run, as
    scan_string would call it there; raises pp.ParseException if it does not
    match there. The one place the recognizers call into pyparsing's private API."""
    # pyparsing has no public call that parses at a location and tells the
    # end; this is what scan_string calls there (the recognizers' elements
    # leave whitespace: no pre-parse).
    return element._parse(instring, at, callPreParse=False)


def parse_at(terminal: pp.ParserElement, instring: str, at: int) -> pp.ParseResults:
    """The tokens (parse actions run) of `terminal`, which has been seen to match
    at `at` by a plain regex try of its own pattern.

    A recognizer finds its candidates cheaply (substring and regex tries) and
    wakes pyparsing only there: each terminal parses where it was located, as
    scan_string would call it at that place, so its parse actions build the rows.
    """
    return parse_located(terminal, instring, at)[1]
