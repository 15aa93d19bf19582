"""Fix targets in STATUS and RESOLUTION text: which product, version and
service pack corrected the problem.

What counts as a fix target (one row each):
  - a numbered service pack of a product: "first corrected in Windows NT 4.0
    Service Pack 5", "install Visual Studio 97 Service Pack 2", "apply
    Service Pack 3" (product None: the phrase names none); an Office
    "Service Release 2 (SR-2)" counts as service pack 2;
  - "the latest service pack for X" (`latest` true), in either word order
    ("the latest Microsoft SNA Server 3.0 U.S. Service Pack");
  - a product and version in which the problem was corrected, fixed,
    resolved, first included, or no longer / does not occur ("corrected in
    Visual C++ version 6.0", "no longer occurs in Windows 98"), or that the
    text says to upgrade to ("upgrade to Index Server 2.0 or later"). A
    product alone counts only when its name holds a number or a marker such
    as ".NET" ("corrected in Word 2000"); "later versions of Windows" does not.
Not fix targets: the versions a problem was confirmed in ("Microsoft has
confirmed this to be a problem in Windows NT 4.0"), "wait for the next
service pack", article titles ("How to Obtain the Latest Windows NT 4.0
Service Pack"), negations ("will not be corrected in ...").

One phrase may name several targets: "Windows NT 4.0 Service Pack 4 and
Windows NT Server 4.0, Terminal Server Edition Service Pack 4" gives two rows;
"SNA Server 2.11 and 3.0 U.S. Service Packs" gives two, the second inheriting
the product. A conjunction splits only after a complete target (one ending
in a version or service-pack number), so "Windows NT Workstation or Server
version 4.0" stays one product. Normalization: `product` drops "the",
"latest", "Microsoft", "U.S." and the version ("Windows NT Server, Terminal
Server Edition"); `version` is the first dotted number or the number after
"version", as written ("4.00", "3.0b"); a number without a dot that is part
of a name stays in the product ("Visual Studio 97", "Windows 2000");
`service_pack` is an int ("Service Pack 4.0" is 4); `text` is the target as
written, on one line. The same target twice in one text is one row.

BNF (terminals are `pp.Regex`; the vocabulary is grammars/facts/fixes.toml)::

    fix_text   ::= (skip fix_phrase)* skip END
    fix_phrase ::= <kind>_<key> | <kind>_<key> | ...   -- one terminal per key word
    <kind>_<key> ::= trigger sep target               -- trigger: the key's phrases
    target     ::= token (sep token)*        -- up to a sentence end or a lower-case word
    token      ::= "U.S." | Capitalised | number | "(" short ")" | ".NET" | connector
    chunk      ::= target split at "and"/"or" after a version or pack number

How (kbparse/facts/text.py says why key words): each key word of a trigger
table has one terminal, trigger sep target for the triggers holding it, with
`trigger` and `target` named. The key is found with `str.find` and the
terminal's compiled regex tried only near it (`next_near`); phrases are taken
left to right without overlap, the earlier key of the vocabulary winning at
one place. A phrase so located, certain to match, is parsed by its terminal,
which takes it apart into trigger and target; the kind is that of the key's
table. A `remedy` phrase whose target names no service pack gives no row and
is not taken apart.
"""

from __future__ import annotations

import heapq
import re
from functools import cache

import pyparsing as pp
from ahocorasick_rs import BytesAhoCorasick

from .text import flexible_spaces, locator, next_near, parse_at
from .vocab import STRS, STRS_MAP, load_vocabulary

KINDS = ("fixed", "remedy", "upgrade")

SPEC = {
    "triggers": {kind: STRS_MAP for kind in KINDS},
    "target": {"connectors": STRS, "stop_words": STRS, "drop_words": STRS, "versionless_names": STRS},
}

# A fix phrase may start up to BEFORE characters ahead of its key word and end
# up to AFTER characters beyond it, then at the end of that line.
BEFORE, AFTER = 30, 300

_SEP = r",?(?:[ \t]+|[ \t]*\n[ \t]*)"
_PACK = re.compile(
    r"(?:[Ss]ervice\s+[Pp]acks?(?:\s+\(SP\))?(?:\s+[Ss]ervice\s+[Pp]ack)?(?:\s+(?P<n1>\d+)(?:\.\d+)?[a-z]?\b)?"
    r"|\bSP-?\s?(?P<n2>\d{1,2})[a-z]?\b"
    r"|[Ss]ervice\s+[Rr]elease\s+(?P<n3>\d+)"
    r"|\(SR-?(?P<n4>\d+)\))"
)
_VERSION = re.compile(r"(?:\b[Vv]ersions?\s+)?\b(?P<v>\d+\.\d+[\w.]*?)(?=[.,]?(?:\s|$|\)))|\b[Vv]ersions?\s+(?P<w>\d+[a-z]?)\b")
_PAREN = re.compile(r"\([^()]*\)")
_SPLIT = re.compile(r",?\s+(?:and|or)\s+")
_ENDS_COMPLETE = re.compile(r"(?:\d[\w.]*|\))$")
_FOR_OF_EDGE = re.compile(r"^\s*(?:for|of)\b|\b(?:for|of)\s*$")
_LETTER = re.compile("[A-Za-z]")
_DIGIT = re.compile(r"\d")
_LATEST = re.compile(r"\blatest\b", re.I)


class _Fixes:
    def __init__(self, vocab: dict) -> None:
        t = vocab["target"]
        stops = "|".join(map(re.escape, t["stop_words"]))
        connectors = "|".join(map(re.escape, t["connectors"]))
        token = (
            rf"(?:U\.S\.|(?!(?:{stops})\b)[A-Z][\w+#/&'-]*(?:\.[\w+#/&'-]+)*|\.NET\b"
            rf"|\d[\w+-]*(?:\.[\w+-]+)*|\([^()\n]{{1,30}}\)|(?:{connectors})\b)"
        )
        target = rf"{token}(?:{_SEP}{token}){{0,30}}"
        self.drop = re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, t["drop_words"])) + r")(?=\s|$)")
        self.trailing = re.compile(rf"(?:{_SEP}(?:{connectors}))+$")
        self.connectors = frozenset(t["connectors"])
        self.versionless = tuple(t["versionless_names"])
        # One terminal per key word of a trigger table: trigger sep target for
        # the triggers holding the key. Its compiled regex locates the phrases;
        # pyparsing takes a located phrase apart into trigger and target.
        self.phrases_of_key = []  # (key word, kind, terminal), in vocabulary order
        self.locators = []  # (word to find, its phrases' offset ahead of it, compiled terminal)
        for kind in KINDS:
            for key, phrases in vocab["triggers"][kind].items():
                trigger = "|".join(flexible_spaces(p) for p in phrases)
                terminal = pp.Regex(rf"(?P<trigger>{trigger}){_SEP}(?P<target>{target})", as_match=True)
                terminal = terminal.leave_whitespace().parse_with_tabs().set_name(f"{kind} phrase ({key})")
                self.phrases_of_key.append((key, kind, terminal))
                self.locators.append((*locator(phrases, key), terminal.re))
        self.keys = [key for key, _, _ in self.locators]
        # Which keys a text holds, in one pass over its UTF-8 bytes rather
        # than a substring search per key (a key is found in the bytes exactly
        # where it is in the text: UTF-8 is self-synchronizing).
        words = list(dict.fromkeys(self.keys))
        self.key_finder = BytesAhoCorasick([w.encode() for w in words])
        self.locators_of_word = [[i for i, key in enumerate(self.keys) if key == w] for w in words]

    def chunks(self, target: str) -> list[str]:
        """A target on one line (words apart by single spaces) split into the
        targets it names."""
        # The checks by `in` skip regexes that would find nothing: trailing
        # connectors follow a space, and a joint is " and " or " or ".
        if target.rpartition(" ")[2] in self.connectors:
            target = self.trailing.sub("", target)
        if " and " not in target and " or " not in target:
            return [target]
        pieces = _SPLIT.split(target)
        joins = _SPLIT.findall(target)
        out = [pieces[0]]
        for joint, piece in zip(joins, pieces[1:]):
            if _ENDS_COMPLETE.search(out[-1]) and piece[:1].isalnum() and piece[:1] == piece[:1].upper():
                out.append(piece)
            else:
                out[-1] += joint + piece
        return out

    def product_version(self, words: str) -> tuple[str | None, str | None]:
        if not words or words.isspace():
            return None, None
        if "(" in words:
            words = _PAREN.sub(" ", words)
        version = None
        m = _VERSION.search(words)
        if m:
            version = m["v"] or m["w"]
            words = words[: m.start()] + " " + words[m.end() :]
        words = " ".join(self.drop.sub(" ", " " + words).split()).strip(" ,")
        if "for" in words or "of" in words:
            words = _FOR_OF_EDGE.sub("", words)
        product = " ".join(words.replace(" ,", ",").split()).strip(" ,")
        return (product if _LETTER.search(product) else None), version

    def rows(self, kind: str, target: str) -> list[dict]:
        flat = " ".join(target.split())
        flat_pack = _PACK.search(flat)
        if kind == "remedy" and flat_pack is None:
            return []  # a remedy's row needs a service pack, numbered or the latest
        latest = flat_pack is not None and _LATEST.search(flat) is not None
        rows, previous = [], None
        chunks = self.chunks(flat)
        for chunk in chunks:
            pack = flat_pack if chunk is flat else _PACK.search(chunk)
            number = None
            if pack:
                n = pack["n1"] or pack["n2"] or pack["n3"] or pack["n4"]
                number = int(n) if n else None
                before, after = chunk[: pack.start()], chunk[pack.end() :]
                product, version = self.product_version(before)
                if product is None and version is None:
                    product, version = self.product_version(after)
            else:
                product, version = self.product_version(chunk)
            if product is None and version is not None and previous is not None:
                product = previous
            previous = product or previous
            named = product is not None and (_DIGIT.search(product) or product.endswith(self.versionless))
            if kind == "remedy":
                keep = number is not None or latest
            else:
                keep = number is not None or latest or version is not None or bool(named)
            if keep:
                rows.append({"product": product, "version": version, "service_pack": number,
                             "latest": latest, "text": chunk})
        return rows

    def located(self, text: str):
        """The fix phrases of `text`, left to right, without overlap, as
        (locator index, regex match)."""
        data = text.encode("utf-8", "surrogatepass")
        found = self.key_finder.find_matches_as_indexes(data, overlapping=True)
        present = sorted({i for w, _, _ in found for i in self.locators_of_word[w]})
        if not present:
            return
        pending = []  # (start, locator index, match): each locator's next phrase
        for i in present:
            key, offset, pattern = self.locators[i]
            if m := next_near(text, key, offset, pattern, 0, BEFORE, AFTER):
                pending.append((m.start(), i, m))
        heapq.heapify(pending)
        cur = 0
        while pending:
            start, i, m = heapq.heappop(pending)
            if start >= cur:
                yield i, m
                cur = m.end()
            key, offset, pattern = self.locators[i]
            if m := next_near(text, key, offset, pattern, cur, BEFORE, AFTER):
                heapq.heappush(pending, (m.start(), i, m))

    def find(self, text: str) -> list[dict]:
        out, seen = [], set()
        for i, m in self.located(text):
            _, kind, terminal = self.phrases_of_key[i]
            if kind == "remedy" and not _PACK.search(" ".join(m["target"].split())):
                continue  # gives no row (see rows): not worth taking apart
            # the phrase is parsed alone: the locating search checked its
            # look-behinds in place. parse_at, not parse_string: the terminal
            # keeps tabs and whitespace, and parse_string's per-call set-up
            # (cache reset, streamlining) cost as much as the parse.
            target = parse_at(terminal, m.group(), 0)[0]["target"]
            for row in self.rows(kind, target):
                key = (row["product"], row["version"], row["service_pack"], row["latest"])
                if key not in seen:
                    seen.add(key)
                    out.append(row)
        return out


@cache
def _fixes() -> _Fixes:
    return _Fixes(load_vocabulary("fixes", SPEC))


def find_fixes(text: str) -> list[dict]:
    """Fix-target rows of a STATUS or RESOLUTION text (see the module docstring)."""
    return _fixes().find(text)
