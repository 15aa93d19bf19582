r"""Registry settings named in a section: keys under a root, and the values
the text gives for them.

BNF (terminals are `pp.Regex` over whole lines or runs of lines)::

    text         ::= (value_block | reg_value | typed_value | key | root_mention
                      | rel_path | noise)*
    key          ::= ... ROOT SEP PATH ... NL continuation*      -- SEP: '\' '/' or ',' (INF line)
    continuation ::= '\' PATH NL | PATH NL  (after a key ending in '\')
                   | WORDS NL   (short, after a key alone on its line: "Text" NL "Converters\Import")
    root_mention ::= ... ROOT ... NL                         -- "From the HKEY_LOCAL_MACHINE subtree, go to"
    rel_path     ::= '\'? NAME ('\' NAME)+ NL                 -- the key of a root_mention just before
    value_block  ::= NAME_LABEL ':' text NL (blank? LABEL ':' text NL)*   -- Value Name / Data Type / Value
    typed_value  ::= NAME ':' REG_TYPE (':' DATA)?           -- also inside prose: Ginadll:REG_SZ:NGINA.DLL
                   | '-'? NAME '-'? REG_TYPE '='? DATA       -- an indented line
                   | TYPE_WORD ':' NAME                      -- DWORD: SecureVPN
    reg_value    ::= ('"' NAME '"' | '@') '=' (TYPE ':')? DATA   -- a .reg file line
    noise        ::= (lines with none of the above)+

Rows, as an analyst reads the text:
- root is the full name (HKLM -> HKEY_LOCAL_MACHINE); key is the path below
  it with no leading or trailing backslash, '/' separators turned into '\',
  blanks around a '\' removed, and a path wrapped over lines joined (a line
  that starts with '\' or follows one that ends with '\' is joined as is; a
  short line of words after a key alone on its line is joined with a space).
- A key written inside a sentence ends at its last single word, or, for a
  key alone on its line, before the first stop word ("...\LSA has the").
- A value (value_block, typed_value, reg_value) belongs to the last key
  before it in the same text; a value with no key before it gives no row.
  A root with no path (a bare "HKEY_CURRENT_USER hive") gives no row.
- A key with no value gives one row with value_* None; a key with values
  gives one row per value.
- A key that appears again later in the same text gives no new row: rows are
  unique on (root, key, value_name), compared case-insensitively (the
  registry is), keeping the first spelling; the key's value-less row is
  dropped when the same key has a row with a value.
- Values told in running prose ("add a DWORD value named X", "set X
  (reg_dword) to 1") are not read; a "Name:REG_TYPE" written inside a
  sentence is, without data unless written Name:REG_TYPE:data.
- value_type is the canonical REG_ name ("DWORD" -> REG_DWORD); value_data is
  the rest of the data line as written, without a trailing period, or None.

Speed: the gate looks for "hk" in the lower-cased text, then tries the root
regex only where it is. The scan gives what pyparsing's scan_string over
`value_block | value_line | key | root_mention | rel_path | noise | other`
gives, but tries the forms only on trigger lines (those noise stops at),
found with str.find, and asks pyparsing only for the first form whose own
regex matches there.
"""

from __future__ import annotations

import re
from functools import cache

import pyparsing as pp

from .text import parse_located
from .vocab import STRS, STRS_MAP, load_vocabulary

SPEC = {
    "roots": STRS_MAP,
    "types": STRS_MAP,
    "labels": {"name": STRS, "type": STRS, "data": STRS},
    "keys": {"stop_words": STRS},
}

COLUMNS = ("root", "key", "value_name", "value_type", "value_data")

# A root with no path may name the key on one of this many following lines.
_ROOT_REACH = 6


def _words(words) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in ordered) + ")"


def _rx(pattern: str, name: str, flags: int = re.I) -> pp.Regex:
    element = pp.Regex(pattern, flags=flags)
    element.leave_whitespace()
    return element.set_name(name)


class _Vocabulary:
    def __init__(self, v: dict) -> None:
        self.root_of = {s.lower(): canon for canon, spellings in v["roots"].items() for s in spellings}
        self.type_of = {s.lower(): canon for canon, spellings in v["types"].items() for s in spellings}
        self.stop = {w.lower() for w in v["keys"]["stop_words"]}
        roots = _words(self.root_of)
        self.root = rf"(?<![\w])(?:{roots})(?![\w])"
        self.root_sep = re.compile(rf"(?<![\w])(?P<root>{roots})(?![\w])(?P<sep>[ \t]*[\\/]|,)", re.I)
        self.root_only = re.compile(rf"(?<![\w])(?P<root>{roots})(?![\w])", re.I)
        reg_types = _words(t for t in self.type_of if t.startswith("reg_"))
        self.reg_type = reg_types
        type_words = _words(self.type_of)
        labels = v["labels"]
        self.label_kind = {w.lower(): k for k in ("name", "type", "data") for w in labels[k]}
        any_label = _words(self.label_kind)
        name_label = _words(labels["name"])
        self.label_line = re.compile(rf"^[ \t]*(?P<label>{any_label}|[A-Za-z][\w ]{{0,20}}?)[ \t]*:[ \t]*(?P<text>[^\n]*)$", re.I)
        self.known_label = re.compile(rf"{any_label}$", re.I)
        # Value block: a name line, then label lines (one blank line may part them).
        self.value_block = (
            rf"[ \t]*{name_label}[ \t]*:[^\n]*\n"
            rf"(?:(?:[ \t]*\n)?[ \t]*[A-Za-z][\w ]{{0,20}}?[ \t]*:[^\n]*\n)*"
        )
        self.typed_type_first = re.compile(rf"^[ \t]*(?P<type>{type_words})[ \t]*:[ \t]*(?P<name>\S[^\n]*?)[ \t]*$", re.I)
        self.colon_value = re.compile(
            rf"^[ \t]*(?P<name>[\w.$<>\"-]+(?:[ ][\w.$<>\"-]+){{0,3}})[ \t]*:[ \t]*(?P<type>{reg_types})[ \t]*(?::[ \t]*(?P<data>[^\n]*?))?[ \t]*$",
            re.I,
        )
        self.typed_value = re.compile(
            rf"(?P<name>[\w.$-]+)[ \t]?:[ \t]?(?P<type>{reg_types})\b(?::(?P<data>[^\s:,;]+))?", re.I
        )
        self.spaced_value = re.compile(
            rf"^(?:[ \t]*-[ \t]+|[ \t]+)(?P<name>[A-Za-z][\w.$-]*)[ \t]+(?:-[ \t]+)?(?P<type>{reg_types})\b"
            rf"[ \t]*(?:=[ \t]*)?(?P<data>[^\n]*?)[ \t]*$",
            re.I,
        )
        self.reg_value = re.compile(
            r'^[ \t]*(?P<name>"[^"\n]*"|@)=(?:(?P<type>dword|hex(?:\([0-9a-f]\))?):)?(?P<data>[^\n]*?)[ \t]*$', re.I
        )
        self.type_word = re.compile(type_words, re.I)


@cache
def _vocabulary() -> _Vocabulary:
    return _Vocabulary(load_vocabulary("registry", SPEC))


_BLANKS_AROUND_SLASH = re.compile(r"(?:(?<![ \t])[ \t]+)?\\[ \t]*")


def _clean_key(key: str) -> str:
    key = key.replace("/", "\\")
    # As [ \t]*\\[ \t]*, but a run of blanks is tried from its start only: that
    # pattern fails once per blank of a long run not followed by '\' (quadratic).
    key = _BLANKS_AROUND_SLASH.sub(r"\\", key)
    key = re.sub(r"\\{2,}", r"\\", key)
    key = key.strip().lstrip("\"'[").rstrip("\"'").strip()
    key = key.rstrip(".,;:\"' ").strip("\\")
    # A .reg file's [HKEY_...\Key] bracket, not a [placeholder] inside the path.
    while key.endswith(("]", ")")) and key.count(key[-1]) > key.count("[(" [key[-1] == ")"]):
        key = key[:-1].rstrip(".,;:\"' ")
    return key.strip("\\")


def _cut_prose(rest: str, voc: _Vocabulary, standalone: bool) -> str:
    """The key text at the start of `rest` (what follows ROOT and its separator)."""
    rest = rest.rstrip()
    if standalone:
        words = rest.split(" ")
        kept = []
        for w in words:
            if kept and w.strip().lower().strip(".,;:") in voc.stop and "\\" not in w:
                break
            kept.append(w)
        return " ".join(kept)
    # Inside a sentence: segments may hold single blanks only when a '\' follows.
    m = re.match(r"(?:[^\s\\]+(?:[ ][^\s\\]+)*?\\)*[^\s\\]*", rest)
    return m.group(0) if m else ""


_WORDS_CONT = re.compile(r"[ \t]*(?P<text>[A-Za-z<{][\w<>{}()~$.+\- \]]{0,40}?(?:\\[^\n]*)?)[ \t]*$")
_LEAD_STANDALONE = re.compile(r"[ \t]*(?:[-*][ \t]+)?[\"\[\\]*[ \t]*$")


def _key_event(block: str, voc: _Vocabulary):
    """Parse action helper: a key line and its continuation lines -> ('key', root, key)."""
    lines = block.rstrip("\n").split("\n")
    first = lines[0]
    m = voc.root_sep.search(first)
    root = voc.root_of[m["root"].lower()]
    rest = first[m.end():]
    sep = m["sep"].strip()
    standalone = bool(_LEAD_STANDALONE.fullmatch(first[: m.start()]))
    if sep == ",":
        fields = rest.split(",")
        if not standalone or "\\" not in fields[0]:
            # "RegOpenKeyEx(HKEY_LOCAL_MACHINE, ..." or "HKEY_CURRENT_USER, and": a root, no key.
            return [("root", root)]
        key = _clean_key(fields[0])
        name = fields[1].strip().strip('"') if len(fields) > 1 and fields[1].strip() else None
        return [("key", root, key, name)]
    if sep == "/":
        rest = rest.replace("/", "\\")
    key = _cut_prose(rest, voc, True)
    if not standalone and key.strip() != rest.strip():
        # Inside a sentence that goes on after the key: the key ends at its last single word.
        key = _cut_prose(rest, voc, False)
    whole = standalone and key.strip() == rest.strip()
    for line in lines[1:]:
        if voc.root_only.search(line):
            break
        text = line.strip()
        if sep == "/":
            text = text.replace("/", "\\")
        if text.startswith("\\") or key.rstrip().endswith("\\"):
            key = key.rstrip() + _cut_prose(text, voc, True)
        elif whole and (c := _WORDS_CONT.fullmatch(line)) and not text.endswith(":"):
            if text.split(" ")[0].lower().strip(".,") in voc.stop or text.upper().startswith("NOTE"):
                break
            key = key.rstrip() + " " + _cut_prose(c["text"], voc, True)
        else:
            break
    key = _clean_key(key)
    return [("key", root, key, None)] if key else []


def _canon_type(text: str | None, voc: _Vocabulary) -> str | None:
    if not text:
        return None
    m = voc.type_word.search(text)
    return voc.type_of[m.group(0).lower()] if m else None


def _clean_data(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text or None


def _clean_name(text: str) -> str:
    text = text.strip()
    if text[:1] in "\"'" and (end := text.find(text[0], 1)) > 0:
        return text[1:end]
    return text


def _block_events(block: str, voc: _Vocabulary):
    """A value block -> one ('value', name, type, data) per name label in it."""
    events = []
    current = None
    for line in block.split("\n"):
        m = voc.label_line.match(line)
        if not m or not voc.known_label.match(m["label"].strip()):
            continue
        kind = voc.label_kind[" ".join(m["label"].lower().split())]
        text = m["text"]
        if kind == "name":
            current = {"name": _clean_name(text), "type": None, "data": None}
            events.append(current)
        elif current is None:
            continue
        elif kind == "type" and current["type"] is None:
            current["type"] = _canon_type(text, voc)
        elif kind == "data" and current["data"] is None:
            current["data"] = _clean_data(text)
    return [("value", e["name"], e["type"], e["data"]) for e in events if e["name"]]


def _line_value_events(line: str, voc: _Vocabulary):
    if m := voc.reg_value.match(line):
        name = None if m["name"] == "@" else m["name"][1:-1]
        kind = m["type"].lower() if m["type"] else "string"
        data = m["data"].strip()
        if kind == "string" and data.startswith('"') and data.endswith('"') and len(data) >= 2:
            data = data[1:-1]
        return [("value", name if name is not None else "(Default)", voc.type_of.get(kind), data or None)]
    if m := voc.typed_type_first.match(line):
        return [("value", _clean_name(m["name"]), _canon_type(m["type"], voc), None)]
    if m := voc.colon_value.match(line):
        return [("value", _clean_name(m["name"]), _canon_type(m["type"], voc), _clean_data(m["data"]))]
    if m := voc.spaced_value.match(line):
        return [("value", m["name"], _canon_type(m["type"], voc), _clean_data(m["data"]))]
    return [("value", m["name"], _canon_type(m["type"], voc), m["data"]) for m in voc.typed_value.finditer(line)]


@cache
def _scanner() -> _Scanner:
    voc = _vocabulary()
    root = voc.root
    value_block = _rx(voc.value_block, "value block (Value Name / Data Type / Value)")
    value_block.add_parse_action(lambda t: _block_events(t[0], voc))
    reg_types = voc.reg_type
    value_line = _rx(
        rf'[ \t]*(?:"[^"\n]*"|@)=[^\n]*\n|[^\n]*?[\w.$-][ \t]?:[ \t]?{reg_types}\b[^\n]*\n'
        rf"|(?:[ \t]*-[ \t]+|[ \t]+)[A-Za-z][\w.$-]*[ \t]+(?:-[ \t]+)?{reg_types}\b[^\n]*\n"
        rf"|[ \t]*{voc.type_word.pattern}[ \t]*:[ \t]*\S[^\n]*\n",
        "registry value line",
    )
    value_line.add_parse_action(lambda t: _line_value_events(t[0], voc))
    not_root = rf"(?![^\n]*?{root})"
    cont_slash = rf"{not_root}[ \t]*\\[^\n]*\n"
    cont_after = rf"(?<=[\\/]\n){not_root}[ \t]*\S[^\n]*\n"
    stops = "|".join(sorted(voc.stop, key=len, reverse=True))
    cont_words = (
        rf"{not_root}(?![ \t]*(?:NOTE|{stops})\b)"
        r"[ \t]*[A-Za-z<{][\w<>{}()~$.+\- \]]{0,40}(?:\\[^\n:=]*)?\n"
    )
    lead = r"[ \t]*(?:[-*][ \t]+)?[\"\[\\]*[ \t]*"
    alone_key = _rx(
        rf"{lead}{root}(?:[ \t]*[\\/]|,)[^\n]*\n(?:{cont_slash}|{cont_after}|{cont_words}){{0,3}}",
        "registry key alone on its line",
    )
    prose_key = _rx(rf"[^\n]*?{root}(?:[ \t]*[\\/]|,)[^\n]*\n(?:{cont_slash}|{cont_after}){{0,3}}", "registry key")
    key = (alone_key | prose_key).add_parse_action(lambda t: _key_event(t[0], voc))
    root_mention = _rx(rf"[^\n]*?{root}[^\n]*\n", "registry root without a path")
    root_mention.add_parse_action(lambda t: [("root", voc.root_of[voc.root_only.search(t[0])["root"].lower()])])
    rel_path = _rx(r"[ \t]*\\?[A-Za-z][\w .$~{}<>()-]*(?:\\[\w .$~{}<>()\[\]-]+)+\\?[ \t]*\n"
                   r"(?:[ \t]*\\[^\n]*\n)?", "registry path below a root named before")
    rel_path.add_parse_action(lambda t: [("path", _clean_key(" ".join(s.strip() for s in t[0].split("\n"))))])
    forms = (
        # (form, what its first line needs, the regexes of which one must match there)
        (value_block, _COLON, (value_block,)),
        (value_line, _EQUALS | _REG | _COLON, (value_line,)),
        (key, _ROOT, (alone_key, prose_key)),
        (root_mention, _ROOT, (root_mention,)),
        (rel_path, _BACKSLASH, (rel_path,)),
    )
    for form, _, _ in forms:
        # Every terminal starts at a line start: indentation is part of the match.
        form.leave_whitespace().parse_with_tabs().streamline()
    # Of several regexes, one alternation of them: it matches where one of them does, in one call.
    return _Scanner(tuple((form, need, re.compile("|".join(f"(?:{r.re.pattern})" for r in rxs), rxs[0].re.flags))
                          for form, need, rxs in forms), voc)


# What a line holds, for the forms that may start on it.
_ROOT, _REG, _EQUALS, _COLON, _BACKSLASH = 1, 2, 4, 8, 16


# "hk" as re finds it: by its rarer character, then a look back. A substring
# search for the pair steps along the text barely faster than one character
# at a time, the pair's characters being so common; this takes half as long.
_HK = re.compile("k(?<=hk)")


def _line_starts_with(text: str, char: str):
    """The start of each line of `text` (which ends with a newline) holding `char`."""
    at = text.find(char)
    while at >= 0:
        yield text.rfind("\n", 0, at) + 1
        at = text.find(char, text.index("\n", at) + 1)


class _Scanner:
    """The scan of a text, with the result pyparsing's scan_string gives for
    `value_block | value_line | key | root_mention | rel_path | noise | other`
    where `noise` is a run of lines none of which is a trigger line (below):
    every form starts on a trigger line, so the forms are tried on trigger
    lines only, found with str.find instead of a regex per line; and on a
    trigger line pyparsing is asked only for the first form whose own regex
    matches there (the others would fail, at the cost of an exception each)."""

    def __init__(self, forms, voc: _Vocabulary) -> None:
        self.forms = forms
        self.voc = voc
        # A trigger line holds a root or "REG_" anywhere, or starts with one of these.
        self.leads = re.compile(
            rf'[ \t]*(?:"[^"\n]*"|@)=|{voc.value_block}|[ \t]*{voc.type_word.pattern}[ \t]*:'
            r"|[ \t]*\\?[A-Za-z][\w .$~{}<>()-]*\\",
            re.I,
        )
        self.anywhere = re.compile(rf"{voc.root}|REG_", re.I)

    def _trigger_lines(self, source: str) -> list[tuple[int, int]]:
        """(start, what the line holds) of each trigger line, in order."""
        holds: dict[int, int] = {}
        if source.isascii():
            # Lower-casing keeps positions only for ASCII; roots all start with "hk".
            low = source.lower()
            for ls in _line_starts_with(low, "reg_"):
                holds[ls] = _REG
            for hk in _HK.finditer(low):
                if self.voc.root_only.match(source, at := hk.start() - 1):
                    ls = source.rfind("\n", 0, at) + 1
                    holds[ls] = holds.get(ls, 0) | _ROOT
        else:
            # Roots and REG_ alike (none spans a line); the forms' regexes tell them apart.
            for m in self.anywhere.finditer(source):
                holds[source.rfind("\n", 0, m.start()) + 1] = _ROOT | _REG
        for bit, char in ((_EQUALS, "="), (_COLON, ":"), (_BACKSLASH, "\\")):
            for ls in _line_starts_with(source, char):
                holds[ls] = holds.get(ls, 0) | bit
        # A lead needs one of those characters on its line.
        return [(ls, what) for ls, what in sorted(holds.items())
                if what & (_ROOT | _REG) or self.leads.match(source, ls)]

    def scan(self, source: str):
        """(tokens, line number) of each form found in `source`, which ends with a newline."""
        pp.ParserElement.reset_cache()
        at = 0
        line_no, counted = 0, 0
        for start, holds in self._trigger_lines(source):
            if start < at:
                continue  # inside the last form found
            for form, needs, rx in self.forms:
                if not (holds & needs and rx.match(source, start)):
                    continue
                try:
                    at, tokens = parse_located(form, source, start)
                except pp.ParseException:
                    continue
                line_no += source.count("\n", counted, start)
                counted = start
                yield tokens, line_no
                break
            # else `other`: the trigger line starts no form


def _gate(text: str, voc: _Vocabulary) -> bool:
    """HK, Hk or hk in the text, and a root (root_only.search, but tried only where 'hk' is)."""
    if "k" not in text and "K" not in text:
        # All three need one, found at memory speed: a third of all sections have none.
        return False
    # One search of the lower-cased text costs less than three of the text.
    low = text.lower()
    if _HK.search(low) is None or not ("HK" in text or "Hk" in text or "hk" in text):
        return False
    if not text.isascii():
        # (Lower-casing keeps positions only for ASCII.)
        return voc.root_only.search(text) is not None
    return any(voc.root_only.match(text, hk.start() - 1) for hk in _HK.finditer(low))


def find_registry_settings(text: str) -> list[dict]:
    """Rows (root, key, value_name, value_type, value_data) of the registry settings in a text."""
    if not isinstance(text, str):
        return []
    voc = _vocabulary()
    if not _gate(text, voc):
        return []
    source = text if text.endswith("\n") else text + "\n"
    rows: list[dict] = []
    current = None  # (root, key)
    pending = None  # (root, line) of a root named without a path
    for tokens, line_no in _scanner().scan(source):
        for event in tokens:
            kind = event[0]
            if kind == "key":
                _, root, key, inf_name = event
                current, pending = (root, key), None
                rows.append(_make(root, key, inf_name, None, None))
            elif kind == "root":
                pending = (event[1], line_no)
            elif kind == "path":
                if pending and line_no - pending[1] <= _ROOT_REACH and event[1]:
                    current = (pending[0], event[1])
                    rows.append(_make(pending[0], event[1], None, None, None))
                pending = None
            elif kind == "value" and current is not None:
                rows.append(_make(*current, *event[1:]))
    return _unique(rows)


def _make(root, key, name, type_, data) -> dict:
    return {"root": root, "key": key, "value_name": name, "value_type": type_, "value_data": data}


def _unique(rows: list[dict]) -> list[dict]:
    with_values = {(r["root"], r["key"].lower()) for r in rows if r["value_name"] is not None}
    seen = set()
    out = []
    for r in rows:
        ident = (r["root"], r["key"].lower(), (r["value_name"] or "").lower() if r["value_name"] else None)
        if ident in seen or (r["value_name"] is None and ident[:2] in with_values):
            continue
        seen.add(ident)
        out.append(r)
    return out
