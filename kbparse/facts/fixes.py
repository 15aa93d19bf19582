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

    fix_text ::= (skip fix_phrase)* skip END
    fix_phrase ::= trigger target
    trigger  ::= fixed_verb | remedy_verb | upgrade_verb
    target   ::= token (sep token)*          -- up to a sentence end or a lower-case word
    token    ::= "U.S." | Capitalised | number | "(" short ")" | ".NET" | connector
    chunk    ::= target split at "and"/"or" after a version or pack number
"""

from __future__ import annotations

import re
from functools import cache

import pyparsing as pp

from .status import _spaces, keyword_windows, skip_to
from .vocab import STRS, STRS_MAP, load_vocabulary

KINDS = ("fixed", "remedy", "upgrade")

SPEC = {
    "triggers": {kind: STRS_MAP for kind in KINDS},
    "target": {"connectors": STRS, "stop_words": STRS, "drop_words": STRS, "versionless_names": STRS},
}

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
        self.versionless = tuple(t["versionless_names"])
        self.keys = []
        phrases = []
        for kind in KINDS:
            for key, ps in vocab["triggers"][kind].items():
                self.keys.append(key)
                phrases += [f"{_spaces(p)}(?P<{kind}_{len(phrases) + i}>){_SEP}(?P<target>{target})" for i, p in enumerate(ps)]
        # Each phrase names its trigger kind with an empty group; `target` is
        # named in every phrase, which Python allows only once: rename.
        count = iter(range(len(phrases)))
        phrases = [p.replace("(?P<target>", f"(?P<target_{next(count)}>") for p in phrases]
        scanner = skip_to(phrases, "fix phrase")
        self.scanner = scanner.add_parse_action(self._rows)

    def _rows(self, tokens: pp.ParseResults):
        match = tokens[0]
        if match["match"] is None:
            return []
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        kind = next(k.split("_")[0] for k in groups if k.split("_")[0] in KINDS)
        target = next(v for k, v in groups.items() if k.startswith("target_"))
        return [(kind, target)]

    def chunks(self, target: str) -> list[str]:
        target = self.trailing.sub("", target)
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
        words = _PAREN.sub(" ", words)
        version = None
        m = _VERSION.search(words)
        if m:
            version = m["v"] or m["w"]
            words = words[: m.start()] + " " + words[m.end() :]
        words = self.drop.sub(" ", " " + words)
        words = re.sub(r"^\s*(?:for|of)\b|\b(?:for|of)\s*$", "", " ".join(words.split()).strip(" ,"))
        product = " ".join(words.replace(" ,", ",").split()).strip(" ,")
        return (product if re.search("[A-Za-z]", product) else None), version

    def rows(self, kind: str, target: str) -> list[dict]:
        flat = " ".join(target.split())
        latest = bool(re.search(r"\blatest\b", flat, re.I)) and bool(_PACK.search(flat))
        rows, previous = [], None
        for chunk in self.chunks(flat):
            pack = _PACK.search(chunk)
            number = None
            if pack:
                n = next((pack[g] for g in ("n1", "n2", "n3", "n4") if pack[g]), None)
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
            named = product is not None and (re.search(r"\d", product) or product.endswith(self.versionless))
            if kind == "remedy":
                keep = number is not None or latest
            else:
                keep = number is not None or latest or version is not None or bool(named)
            if keep:
                rows.append({"product": product, "version": version, "service_pack": number,
                             "latest": latest, "text": chunk})
        return rows

    def find(self, text: str) -> list[dict]:
        windows = keyword_windows(text, self.keys, before=30, after=300)
        if not windows:
            return []
        out, seen = [], set()
        for tokens, _, _ in self.scanner.scan_string(windows):
            for kind, target in tokens:
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
