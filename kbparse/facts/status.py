"""STATUS sections: the class of the answer, and whether Microsoft confirmed a problem.

BNF (a class is an alternation of the phrasings of grammars/facts/status.toml;
each key word's phrases form one `pp.Regex` terminal, a space in a phrase
matching any run of blanks and line breaks)::

    status_text  ::= (skip class_phrase)* skip END
    class_phrase ::= fixed | hotfix | researching | confirmed | by_design
                   | third_party | feature_request
    skip         ::= any characters, as few as possible

`classify_status` finds every phrase of every class and gives the first class
found in the vocabulary's precedence order (fixed, hotfix, researching,
confirmed, by_design, third_party, feature_request), else `other`.
`confirmed` is true when a `confirmed` phrase occurs, whatever the class:
"Microsoft has confirmed this to be a problem ... This problem was first
corrected in ..." is `fixed` and confirmed. Choices where the issue is silent,
so that an analyst can count on them:
  - a text that says a problem was corrected, fixed or resolved in, or no
    longer / does not occur in some product is `fixed`, even when it also
    says Microsoft is researching the problem in another version;
  - "A fix to this problem is in development" (the hotfix boilerplate of the
    NT 3.x years), "A supported feature is now available" and "resolved by
    the following updated file" count as `hotfix`: a fix obtained outside a
    service pack;
  - `confirmed` means Microsoft confirmed a problem or bug; "Microsoft has
    confirmed this to be by design" or "... a limitation" is not, nor is a
    vendor's confirmation ("Procom has confirmed ...");
  - `third_party`: the problem lies with another vendor (another vendor
    confirmed or is aware of it, the reader is sent to contact a vendor, the
    text calls it a known problem of a non-Microsoft product, or the vendor
    disclaimer is the only statement);
  - an empty or unrecognised STATUS text is `other`.

Speed: a long section would cost a regex attempt per character per phrasing,
so the scan is driven by key words: each table of the vocabulary maps a key
word to the phrases holding it; `str.find` locates the keys and only a window
around each (`keyword_windows`) is scanned, with pyparsing's `scan_string`
over a skip-to terminal (`skip_to`), so that the regex engine, not Python,
walks the window. A text without any key is `other` at once.
"""

from __future__ import annotations

import re
from functools import cache

import pyparsing as pp

from .vocab import STR, STRS, STRS_MAP, load_vocabulary

CLASSES = ("fixed", "hotfix", "researching", "confirmed", "by_design", "third_party", "feature_request")

SPEC = {
    "order": STRS,
    "fallback": STR,
    "confirmed": STRS_MAP,
    "phrases": {name: STRS_MAP for name in CLASSES if name != "confirmed"},
}

_LOOKBEHIND = re.compile(r"(\(\?<[!=][^()]*\))")


def _spaces(phrase: str) -> str:
    # A space matches any run of whitespace, except inside a look-behind,
    # which must keep a fixed width: there it matches one whitespace character.
    parts = _LOOKBEHIND.split(phrase)
    return "".join(p.replace(" ", r"\s") if i % 2 else p.replace(" ", r"\s+") for i, p in enumerate(parts))


def phrase_pattern(phrases) -> str:
    """Regex alternation of vocabulary phrases; a space matches any run of whitespace."""
    return "(?:" + "|".join(_spaces(p) for p in phrases) + ")"


def keyword_windows(text: str, keys, before: int = 60, after: int = 100) -> str:
    """The stretches of `text` around each occurrence of any key, overlaps
    merged, joined by blank lines; "" when no key occurs.

    A phrase may start up to `before` characters ahead of its key and end up
    to `after` characters beyond it; each window runs on to the end of its line.
    """
    present = [key for key in keys if key in text]
    if not present or len(text) <= 2 * (before + after):
        # a short text is scanned whole: cheaper than cutting it up
        return text if present else ""
    spans = []
    for key in present:
        at = text.find(key)
        while at >= 0:
            spans.append((max(0, at - before), at + len(key) + after))
            at = text.find(key, at + len(key))
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    for start, end in merged:
        line_end = text.find("\n", end)
        pieces.append(text[start : len(text) if line_end < 0 else line_end])
    return "\n\n".join(pieces)


def _first_atom(pattern: str) -> str:
    if pattern.startswith("["):
        return pattern[: pattern.index("]") + 1]
    return pattern[:2] if pattern.startswith("\\") else pattern[:1]


def skip_to(patterns, name: str) -> pp.Regex:
    """A terminal that skips to the next match of any of `patterns`, or to the
    end (then its `match` group is None), so that `scan_string` advances by
    whole matches.

    The skip runs over characters that cannot start a phrase with a possessive
    character class, and tries the phrases only at the others; the phrases are
    grouped by first character. Each pattern must start with a literal
    character or a character class.
    """
    groups: dict[str, list[str]] = {}
    for p in patterns:
        atom = _first_atom(p)
        if atom.startswith("\\") or atom in "(.^$":
            raise ValueError(f"phrase must start with a literal character or a class: {p!r}")
        groups.setdefault(atom, []).append(p[len(atom) :])
    alternation = "|".join(f"{atom}(?:{'|'.join(rests)})" for atom, rests in groups.items())
    starts = "".join(sorted({c for atom in groups for c in (atom.strip("[]") if atom.startswith("[") else atom)}))
    starts = re.escape(starts)
    unnamed = re.sub(r"\(\?P<\w+>", "(?:", alternation)
    element = pp.Regex(
        rf"(?:[^{starts}]++|(?!{unnamed})[{starts}])*+(?:(?P<match>{alternation})|\Z)", as_match=True
    )
    return element.leave_whitespace().parse_with_tabs().set_name(name)


class _Status:
    def __init__(self, vocab: dict) -> None:
        self.order = tuple(vocab["order"])
        if sorted(self.order) != sorted(CLASSES):
            raise ValueError(f"status order must name each of {', '.join(CLASSES)}")
        self.fallback = vocab["fallback"]
        tables = {"confirmed": vocab["confirmed"], **vocab["phrases"]}
        self.keys = tuple(dict.fromkeys(key for table in tables.values() for key in table))
        phrases = {name: [_spaces(p) for ps in tables[name].values() for p in ps] for name in self.order}
        # Which class a match belongs to: each class's own alternation, tried
        # at the match's start (look-behinds need the surrounding text).
        self.class_res = [(name, re.compile("|".join(ps))) for name, ps in phrases.items()]
        scanner = skip_to([p for ps in phrases.values() for p in ps], "STATUS phrase")
        self.scanner = scanner.add_parse_action(self._classes)

    def _classes(self, text: str, loc: int, tokens: pp.ParseResults):
        match = tokens[0]
        if match["match"] is None:
            return []
        at = match.start("match")
        return [name for name, rx in self.class_res if rx.match(text, at)]

    def classify(self, text: str) -> dict:
        windows = keyword_windows(text, self.keys)
        found = set()
        if windows:
            for tokens, _, _ in self.scanner.scan_string(windows):
                found.update(tokens)
        status = next((name for name in self.order if name in found), self.fallback)
        return {"status": status, "confirmed": "confirmed" in found}


@cache
def _status() -> _Status:
    return _Status(load_vocabulary("status", SPEC))


def classify_status(text: str) -> dict:
    """The row of a STATUS text: {"status": class, "confirmed": bool}."""
    return _status().classify(text)
