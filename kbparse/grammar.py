"""The pyparsing grammar of a KB article, built from a loaded Dialect.

BNF (every terminal is one `pp.Regex` over whole lines or runs of lines, which
is what makes this fast; pyparsing composes them)::

    article     ::= header body END
    header      ::= (document_line | front_matter md_open) field_line+
    body        ::= header_end preamble section* trailer? legal? md_close? blank*
                    -- document_line: style document_line (txt); front_matter: style front_matter (md)
    header_end  ::= (blank+ eq_rule? | eq_rule) blank*   -- not an eq_rule that starts the trailer
    preamble    ::= lead (applies content)?            -- one Regex; lead stops before applies
    applies     ::= dash_rule applies_label applies_lines dash_rule blank*
    section     ::= heading content                                    -- one Regex
    heading     ::= SECTION_NAME NL '='+ NL
    content     ::= (meta_block | line)*     -- lines up to the next heading, trailer, legal or md_close
    meta_block  ::= META_LABEL ':' value NL (continuation NL)*
    trailer     ::= eq_rule (label_line | blank)+ eq_rule?  -- a vocabulary key among the first labels
    field_line  ::= LABEL ':' value NL           -- any label; unknown ones go to other_fields
    legal       ::= eq_rule? blank* LEGAL_NOTICE ANY*
    md_close    ::= '{% endraw %}' ANY*

Each pyparsing element costs an article a few microseconds of machinery
(a ParseResults, its names, a parse-action call) whatever it matches, and that
machinery, not the regular expressions, was most of the parse time. So an
article is four elements (and, to parse, one: one_element_grammar): the header's first line(s), its field lines, the
body, and the end. The body is one Regex made of the patterns of its parts
above, each in an atomic group `(?>...)`: pyparsing never backtracks into an
element it has matched, and an atomic group does not either, so the body
accepts exactly what the sequence of separate elements would, and fails (only
when the header does not end) at the same place. Its parse action cuts it
into the preamble, the sections (at their headings, which no section's text
can contain) and the trailer, and lifts the metadata blocks (query words,
KBCategory) out of each text with a second regex. Every parse action returns
plain tuples, and the article's action one ArticleParts: no result names.
Every body line may carry the dialect's line prefix (the md tab); parse
actions strip it, so results are the same for every dialect. This module
builds parse results only: the Article record is made in kbparse.record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import pyparsing as pp

from .dialects import Dialect, dialect

_ANY_LINE = r"[^\n]*\n"
_BLANK = r"[ \t]*\n"
# Any `Label :` at a line start, for header and trailer lines whose label the
# vocabulary does not know: they are kept (other_fields), never a reason to
# reject the article. A label starts with a letter and holds no colon.
_LABEL = r"[A-Za-z][^:\n]{0,40}?"


Pairs = tuple[tuple[str, str], ...]  # (label, value) in written order


class ArticleParts(NamedTuple):
    """What the grammar finds in one article, before any interpretation."""

    article_id: str | None  # txt: from the DOCUMENT line
    date: str | None  # txt: from the DOCUMENT line
    product_code: str | None  # txt: the [code] of the DOCUMENT line
    front: str  # md: the front matter, else ""
    fields: Pairs  # header lines
    applies: str | None  # the 'applies to' block, prefix stripped
    preamble: tuple[str, Pairs]  # (text, metadata blocks) before the first section
    sections: tuple[tuple[str, str, Pairs], ...]  # (canonical heading, text, metadata blocks)
    trailer: Pairs | None  # None when the article has no trailer


def _atomic(pattern: str) -> str:
    return f"(?>{pattern})"


def _alternation(words) -> str:
    """Regex alternation of literal words, longest first, spaces matching any run of blanks."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in ordered) + ")"


def _rx(pattern: str, name: str, as_match: bool = False) -> pp.Regex:
    element = pp.Regex(pattern, as_match=as_match)
    element.leave_whitespace()
    return element.set_name(name)


class _Patterns:
    """The regular expressions of one dialect, each anchored at a line start."""

    def __init__(self, d: Dialect) -> None:
        p = f"(?:{re.escape(d.line_prefix)})?" if d.line_prefix else ""
        self.prefix = p
        names = _alternation(list(d.section_names) + list(d.section_aliases))
        self.heading = rf"{p}(?P<name>{names})[ \t]*\n{p}=+[ \t]*\n"
        heading_any = rf"{p}{names}[ \t]*\n{p}=+[ \t]*\n"
        self.meta_start = rf"{p}{_alternation(d.meta)}[ \t]*:"
        eq_rule = rf"{p}={{10,}}[ \t]*\n"
        self.eq_rule = eq_rule
        self.dash_rule = rf"{p}-{{10,}}[ \t]*\n"
        self.trailer_key = _alternation(d.trailer)
        # A trailer is known by a vocabulary key; unknown `Label :` lines may come first.
        self.trailer_start = (
            rf"{eq_rule}(?:{p}{_BLANK})*(?:{p}{_LABEL}[ \t]*:[^\n]*\n)*?{p}{self.trailer_key}[ \t]*:"
        )
        self.applies_start = rf"{self.dash_rule}{p}[ \t]*{re.escape(d.applies_to)}[ \t]*\n"
        self.legal = rf"(?:{eq_rule}(?:{p}{_BLANK})*)?{p}{re.escape(d.legal_notice)}"
        self.md_close = r"\{% endraw %\}"
        stop = "|".join([heading_any, self.trailer_start, self.legal, self.md_close])
        self.stop = f"(?:{stop})"


def _unprefixer(d: Dialect):
    """A function removing the line prefix from the start of every line of a
    text: what re.sub("(?m)^" + prefix, "") does, by str.replace (several
    times faster)."""
    prefix = d.line_prefix
    if not prefix:
        return lambda s: s
    after_newline = "\n" + prefix

    def unprefix(s: str) -> str:
        return s.removeprefix(prefix).replace(after_newline, "\n")

    return unprefix


def _pairs(line_pattern: str, unprefix):
    """Parse action: a run of `label: value` lines -> a tuple of (label, value)."""
    line = re.compile(line_pattern, re.M)

    def action(tokens: pp.ParseResults):
        return tuple((m["label"], m["value"].strip()) for m in line.finditer(unprefix(tokens[0])))

    return action


def _header(d: Dialect, rx: _Patterns, unprefix):
    """The header's first element(s) and its field lines, each with its parse
    action (also returned: the one-element grammar calls them), and the pattern
    of the header's end."""
    p = rx.prefix
    fields = _rx(rf"(?:{p}{_LABEL}[ \t]*:[^\n]*\n)+", "header field lines")
    fields_action = _pairs(rf"^(?P<label>{_LABEL})[ \t]*:(?P<value>[^\n]*)$", unprefix)
    fields.add_parse_action(fields_action)
    # The header ends at a blank line or a ===== rule; any other line there is
    # an error in the header, not the start of the body. A rule that opens the
    # trailer is the trailer's (an article with no body between the two).
    own_rule = rf"(?!{rx.trailer_start}){rx.eq_rule}"
    end = rf"(?:(?:{p}{_BLANK})+(?:{own_rule})?|{own_rule})(?:{p}{_BLANK})*"
    if d.header_style == "document_line":
        label = re.escape(d.document_label)
        start = _rx(
            rf"{label}:[ \t]*(?P<article_id>Q\d+)[ \t]+(?P<date>[^ \t\n]+)"
            rf"(?:[ \t]+\[(?P<product_code>[^\]\n]*)\]?)?[ \t]*\n",
            f"{d.document_label}: line (article id, date, [product code])",
            as_match=True,
        )
        def start_action(t):
            return [(t[0]["article_id"], t[0]["date"], t[0]["product_code"], "")]
    else:
        start = _rx(
            r"---[ \t]*\n(?P<front>(?:(?!---[ \t]*\n)[^\n]*\n)*)---[ \t]*\n"
            r"(?:[ \t]*\n)*(?:##[^\n]*\n)?(?:[ \t]*\n)*\{% raw %\}[ \t]*\n(?:[ \t]*\n)*",
            "front matter and {% raw %}",
            as_match=True,
        )
        def start_action(t):
            return [(None, None, None, t[0]["front"])]
    start.add_parse_action(start_action)
    return start, start_action, fields, fields_action, end


def _content(d: Dialect, rx: _Patterns, unprefix):
    """The content pattern and the parse-action helper that splits it into
    (text, ((meta label, value), ...))."""
    p = rx.prefix
    content = rf"(?:(?!{rx.stop}){_ANY_LINE})*"
    meta = re.compile(
        rf"^{p}(?P<label>{_alternation(d.meta)})[ \t]*:(?P<value>[^\n]*\n"
        rf"(?:(?!{rx.meta_start}|{rx.eq_rule}|{rx.dash_rule}){p}[ \t]*\S[^\n]*\n)*)",
        re.M,
    )

    # A block starts at a line holding a label's first word: the regex, which
    # tries `^` at every character, runs only from the first line holding one
    # (found by a substring search, far cheaper), usually near the text's end.
    first_words = tuple({label.split()[0] for label in d.meta})

    def split(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        at = min((i for i in map(raw.find, first_words) if i >= 0), default=-1)
        if at < 0:
            return unprefix(raw), ()
        start = raw.rfind("\n", 0, at) + 1
        found = tuple((m["label"], unprefix(m["value"])) for m in meta.finditer(raw, start))
        if not found:
            return unprefix(raw), ()
        return unprefix(raw[:start] + meta.sub("", raw[start:])), found

    return content, split


def _trailer(d: Dialect, rx: _Patterns, unprefix) -> tuple[str, object]:
    """The trailer's pattern and the function reading its (label, value) pairs."""
    p = rx.prefix
    block = rf"(?={rx.trailer_start}){rx.eq_rule}(?:{p}(?:{_LABEL}[ \t]*:[^\n]*|[ \t]*)\n)*(?:{rx.eq_rule})?"
    pairs = _pairs(rf"^(?P<label>{_LABEL})[ \t]*:[ \t]?(?P<value>[^\n]*)$", unprefix)
    return block, lambda raw: pairs([raw])


_END = pp.StringEnd().set_name("end of article")


class ArticleHead(NamedTuple):
    """What the grammar finds of an article's identity, its body matched but not cut."""

    article_id: str | None
    date: str | None
    product_code: str | None
    front: str
    fields: Pairs


class _Elements(NamedTuple):
    start: pp.ParserElement  # with start_action
    start_action: Callable
    fields: pp.ParserElement  # with fields_action
    fields_action: Callable
    body: pp.ParserElement  # without body_action
    body_action: Callable


@cache
def article_grammar(name: str) -> pp.ParserElement:
    """The whole-article grammar of the named dialect (built once, then reused).

    Its parse results are one token, an ArticleParts; texts in it still have
    their blank lines (kbparse.record trims them).
    """
    e = _elements(name)
    grammar = e.start + e.fields + e.body.copy().add_parse_action(e.body_action) + _END
    grammar.parse_with_tabs()
    grammar.add_parse_action(lambda t: [ArticleParts(*t[0], t[1], *t[2])])
    return grammar.set_name(f"{name} article")


@cache
def head_grammar(name: str) -> pp.ParserElement:
    """The same grammar, accepting and rejecting exactly the same texts at the
    same places, whose parse results are one ArticleHead: the body is matched
    but not cut into sections, which is most of a parse's cost. An ingest reads
    a copy that may lose to another copy of its article this way first."""
    e = _elements(name)
    grammar = e.start + e.fields + e.body + _END
    grammar.parse_with_tabs()
    grammar.add_parse_action(lambda t: [ArticleHead(*t[0], t[1])])
    return grammar.set_name(f"{name} article")


@cache
def one_element_grammar(name: str, head: bool = False) -> pp.ParserElement:
    """article_grammar (head_grammar when `head`) as one Regex element: the
    same texts accepted, the same parse results.

    pyparsing's machinery costs each element of a parse a few microseconds
    (a ParseResults, a parse action called through its wrapper), which for
    the four elements above was a third of a parse. Each element matches
    once and is never backtracked into, as is each atomic group here, and
    the end is StringEnd's: its whitespace skipped, then the end of the text.
    What this grammar cannot tell is where a text fails: kbparse.parse asks
    the element-wise grammar that, on the rare text this one rejects.
    """
    e = _elements(name)
    blanks = "".join(map(re.escape, sorted(_END.whiteChars)))
    whole = _rx(
        rf"(?>{e.start.pattern})(?P<fields>(?>{e.fields.pattern}))(?>{e.body.pattern})[{blanks}]*\Z",
        f"{name} article",
        as_match=True,
    )

    def action(t):
        m = t[0]
        first, fields = e.start_action([m])[0], e.fields_action([m["fields"]])
        if head:
            return [ArticleHead(*first, fields)]
        return [ArticleParts(*first, fields, *e.body_action([m])[0])]

    whole.add_parse_action(action)
    return whole.parse_with_tabs()


def _elements(name: str) -> _Elements:
    """The article's elements and their parse actions, of which the grammars
    above are made (each cached on its own, so that clearing one's cache
    rebuilds it from the dialect)."""
    d = dialect(name)
    rx = _Patterns(d)
    unprefix = _unprefixer(d)
    content, split = _content(d, rx, unprefix)
    start, start_action, fields, fields_action, header_end = _header(d, rx, unprefix)
    trailer, trailer_pairs = _trailer(d, rx, unprefix)
    # The 'applies to' block may stand anywhere before the first section (after
    # a notice, after loose lines under the md header): the text around it is the
    # preamble.
    lead = rf"(?:(?!{rx.applies_start}|{rx.stop}){_ANY_LINE})*"
    applies = (
        rf"{rx.applies_start}(?P<applies>(?:(?!{rx.dash_rule}){_ANY_LINE})*){rx.dash_rule}"
        rf"(?:{rx.prefix}{_BLANK})*"
    )
    preamble = rf"(?P<lead>{lead})(?:{applies}(?P<rest>{content}))?"
    section = rx.heading + content
    tail = rf"(?:{rx.prefix}{_BLANK})*(?:(?:{rx.legal}|{rx.md_close})[\s\S]*)?"
    # Each part atomic, repetitions possessive: the same matches as separate
    # pyparsing elements (see the module's docstring).
    body = pp.Regex(
        _atomic(header_end)
        + _atomic(preamble)
        + rf"(?P<sections>{_atomic(section)}*+)"
        + rf"(?:(?P<trailer>{_atomic(trailer)}))?+"
        + _atomic(tail),
        as_match=True,
    )
    # The body fails only where the header does not end: name it for that.
    body.leave_whitespace().set_name("another header field line, or a blank line ending the header")
    # In the sections' run, every heading at a line start opens a section (no
    # section's text holds one). Searched as "\n" + heading: a pattern that
    # starts with a literal is scanned for far faster than one with `^`.
    first_heading = re.compile(rx.heading)
    next_heading = re.compile("\n" + rx.heading)

    def sections_of(block: str) -> tuple[tuple[str, str, Pairs], ...]:
        if not block:
            return ()
        found = [first_heading.match(block)]
        found += next_heading.finditer(block, found[0].end() - 1)
        ends = [h.start() + 1 for h in found[1:]] + [len(block)]
        return tuple((d.canonical_heading(h["name"]), *split(block[h.end() : end])) for h, end in zip(found, ends))

    def body_action(t):
        m = t[0]
        text = m["lead"] + (m["rest"] or "")
        sections = sections_of(m["sections"])
        trailer_raw = m["trailer"]
        return [(
            unprefix(m["applies"]) if m["applies"] is not None else None,
            split(text),
            sections,
            trailer_pairs(trailer_raw) if trailer_raw is not None else None,
        )]

    return _Elements(start, start_action, fields, fields_action, body, body_action)
