"""The Article record and how it is made from the grammar's parse results.

Field names here are the names the Parquet tables and `kbparse parse --format
json` use, so this module is the one place they are spelt.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

import pyparsing as pp

from .dialects import Dialect
from .errors import ArticleSyntaxError

# No leading \b: a pattern that starts with a literal is searched ~40x faster;
# the character before a match is checked by hand instead.
_QNUMBER = re.compile(r"Q\d{4,7}\b")
# Q2200510.WPD is a file, not article Q2200510: a dot and a letter or digit after the number.
_FILE_EXTENSION = re.compile(r"\.[A-Za-z0-9]")
_WORD_SEPARATORS = re.compile(r"[\s|]+")
_FRONT_TITLE = re.compile(r'^title:[ \t]*(?P<q>"?)(?P<title>.*?)(?P=q)[ \t]*$', re.M)
_TITLE_ID_PREFIX = re.compile(r"^Q\d+:\s*")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<text>.*)$")
_RULE_LINE = re.compile(r"^=+$")
# `PLATFORM:` before a version list: a word without blanks (MS-DOS, OS/2, winnt), or nothing.
_VERSION_GROUPS = re.compile(r"[;|]")
_ARTICLE_ID = re.compile(r"Q\d+")
_PLATFORM = re.compile(r"^(?:(?P<platform>[A-Za-z][\w/.+-]*)?[ \t]*:)?[ \t]*(?P<rest>.*)$", re.S)


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class AppliesTo:
    """A product under 'applies to'; `parent` is the position of the enclosing
    item in the article's list (None for a top-level item)."""

    product: str
    parent: int | None = None


@dataclass(frozen=True)
class ProductVersion:
    """One (platform, version) of the versions line, e.g. ("WINDOWS", "4.0a");
    platform None where none is written, version None for a platform listed bare."""

    platform: str | None
    version: str | None


@dataclass
class Article:
    article_id: str
    kb_number: int
    title: str | None
    last_modified: date | None
    product_code: str | None
    product_name: str | None
    versions: str | None
    operating_systems: str | None
    keywords: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    issue_types: list[str] = field(default_factory=list)
    solution_types: list[str] = field(default_factory=list)
    hardware: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    applies_to: list[AppliesTo] = field(default_factory=list)
    product_versions: list[ProductVersion] = field(default_factory=list)
    cross_references: list[str] = field(default_factory=list)
    additional_query_words: str | None = None
    sections: list[Section] = field(default_factory=list)
    preamble: str | None = None
    # Header and trailer lines whose label the vocabulary does not know: label -> value.
    other_fields: dict[str, str] = field(default_factory=dict)
    source_path: str | None = None
    source_format: str | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready values: the date as ISO text, sections as dicts."""
        out = asdict(self)
        out["last_modified"] = self.last_modified.isoformat() if self.last_modified else None
        return out

    def section(self, heading: str) -> str | None:
        """Text of the first section with this canonical heading, if any."""
        return next((s.text for s in self.sections if s.heading == heading), None)


def clean_text(raw: str) -> str | None:
    """Drop trailing blanks on each line, leading blank lines, and trailing blank
    lines and ===== rules (some articles put one before a non-standard trailer);
    keep indentation."""
    lines = list(map(str.rstrip, raw.split("\n")))
    while lines and not lines[0]:
        lines.pop(0)
    while lines and (not lines[-1] or _RULE_LINE.match(lines[-1].lstrip())):
        lines.pop()
    return "\n".join(lines) or None


def split_codes(*values: str | None) -> list[str]:
    """Split on blanks and '|', de-duplicate case-insensitively, keep the first spelling."""
    seen: dict[str, str] = {}
    for value in values:
        if not value:
            continue
        for word in _WORD_SEPARATORS.split(value):
            if word and word.lower() not in seen:
                seen[word.lower()] = word
    return list(seen.values())


def applies_to_items(block: str) -> list[AppliesTo]:
    """Items under 'applies to', as written: each `- ` bullet is an item, and a
    more-indented bullet belongs to the nearest less-indented item above it. A
    line that is not a bullet continues its item when indented past the item's
    dash (a wrapped name); one that is not (a connective such as "as they apply
    to:") ends it and is no product. Text before the first bullet is an item."""
    items: list[list] = []  # [text, parent, dash column]
    open_items: list[int] = []  # positions of the items enclosing the next line, outermost first
    last: int | None = None
    for line in block.expandtabs(8).split("\n"):
        if not line.strip():
            continue
        bullet = _BULLET.match(line)
        if bullet:
            indent = len(bullet["indent"])
            while open_items and items[open_items[-1]][2] >= indent:
                open_items.pop()
            items.append([bullet["text"].strip(), open_items[-1] if open_items else None, indent])
            last = len(items) - 1
            open_items.append(last)
        elif last is not None and len(line) - len(line.lstrip()) > items[last][2]:
            items[last][0] += " " + line.strip()
        elif not items:
            items.append([line.strip(), None, -1])
            last = 0
        else:
            last = None
    return [AppliesTo(" ".join(text.split()), parent) for text, parent, _ in items]


def product_versions(versions: str | None) -> list[ProductVersion]:
    """`PLATFORM:v1,v2; PLATFORM:v3` -> (platform, version) pairs in written
    order, each once. `;` starts a new platform group; `,` separates versions,
    and so do blanks when every word is a number ("3.1 3.5 3.51") but not in
    "4.0 SP4" or "1995 edition"; a `PLATFORM:` may also follow a comma."""
    out: dict[ProductVersion, None] = {}
    for group in _VERSION_GROUPS.split(versions or ""):
        platform = None
        for piece in group.split(","):
            m = _PLATFORM.match(piece.strip())
            if m["platform"] is not None or piece.strip().startswith(":"):
                platform = m["platform"]
            rest = m["rest"].strip()
            if not rest:
                if m["platform"]:
                    out[ProductVersion(platform, None)] = None
                continue
            words = rest.split()
            for version in words if all(w[0].isdigit() for w in words) else [" ".join(words)]:
                out[ProductVersion(platform, version)] = None
    return list(out)


def _one_line(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


def _product_name(value: str | None, d: Dialect) -> str | None:
    # md-only pages write a placeholder ("See article") where the product goes.
    value = _one_line(value)
    return None if value is None or value.lower() in d.placeholders else value


def _versions(header: str | None, trailer: str | None) -> str | None:
    # An empty platform is written ":2.0" in txt and "2.0" in md; the header
    # line is cut at 80 columns while the trailer's copy is whole.
    header = (header or "").strip().removeprefix(":").strip() or None
    trailer = (trailer or "").strip().removeprefix(":").strip() or None
    if header and trailer and trailer.startswith(header):
        return trailer
    return header or trailer


@lru_cache(maxsize=8192)
def _strptime(value: str, date_format: str) -> date:
    # strptime costs ~20 us a call and the archive has a few thousand distinct dates.
    return datetime.strptime(value, date_format).date()


def _parse_date(value: str | None, d: Dialect, text: str, source: str | None) -> date | None:
    if not value:
        return None
    try:
        return _strptime(value.strip(), d.date_format)
    except ValueError:
        loc = text.find(value)
        raise ArticleSyntaxError(
            f"bad date {value.strip()!r}, expected the form {d.date_format}",
            source=source,
            line=pp.lineno(loc, text) if loc >= 0 else 1,
            column=pp.col(loc, text) if loc >= 0 else 1,
            expected=d.date_format,
            line_text=pp.line(loc, text) if loc >= 0 else "",
        ) from None


def _front_title(front: str) -> str | None:
    match = _FRONT_TITLE.search(front)
    if not match:
        return None
    title = match["title"]
    if match["q"]:
        title = title.replace('\\"', '"').replace("\\\\", "\\")
    return _TITLE_ID_PREFIX.sub("", html.unescape(title)).strip() or None


@lru_cache(maxsize=16)
def _meta_splitter(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=\s))({alternation})[ \t]*:", re.I)


def _content(raw: str, metas, meta: dict[str, list[str]], d: Dialect) -> str | None:
    """Trim a content's text; file its (label, value) metadata under `meta` by
    record field. One line may hold several labels ("KBCategory: kbtool
    KBSubcategory: win30"): the value is split at each."""
    for label, value in metas:
        parts = _meta_splitter(tuple(d.meta)).split(value)
        meta.setdefault(d.meta[" ".join(label.split())], []).append(parts[0])
        for inner, inner_value in zip(parts[1::2], parts[2::2]):
            field_name = next(f for lab, f in d.meta.items() if lab.lower() == " ".join(inner.split()).lower())
            meta.setdefault(field_name, []).append(inner_value)
    return clean_text(raw)


# Label as written -> blanks collapsed. The same few labels come back in every
# article; bounded, as hostile input may bring any number of new ones.
_LABELS: dict[str, str] = {}


def _label(written: str) -> str:
    label = _LABELS.get(written)
    if label is None:
        label = " ".join(written.split())
        if len(_LABELS) < 4096:
            _LABELS[written] = label
    return label


def _by_field(pairs, labels: dict[str, str], others: dict[str, str]) -> dict[str, str]:
    """(label, value) pairs -> record field -> values joined by a blank. A label
    the vocabulary does not know goes to `others` (label -> value)."""
    out: dict[str, list[str]] = {}
    for label, value in pairs:
        label = _label(label)
        name = labels.get(label)
        if name is None:
            others[label] = f"{others[label]} {value.strip()}" if label in others else value.strip()
        else:
            out.setdefault(name, []).append(value)
    return {name: " ".join(values) for name, values in out.items()}


class ArticleKey(NamedTuple):
    """Which article a file holds, how new it is and in which dialect: what an
    ingest chooses between copies of one article by."""

    article_id: str
    last_modified: date | None
    source_format: str


def _identity(written_id: str | None, written_date: str | None, header: dict[str, str],
              d: Dialect, text: str, source: str | None) -> tuple[str, date | None]:
    """The article id and date, checked: every error a record can have beyond
    the grammar's is here, so that article_key raises what build_article does."""
    article_id = written_id or header.get("article_id", "").strip()
    if not _ARTICLE_ID.fullmatch(article_id or ""):
        raise ArticleSyntaxError(
            f"header gives no article id of the form Q123456 (found {article_id!r})",
            source=source,
            expected="article id",
        )
    return article_id, _parse_date(written_date or header.get("last_modified"), d, text, source)


def article_key(results: pp.ParseResults, d: Dialect, text: str, source: str | None = None) -> ArticleKey:
    """The key of an article from its head's parse results (one grammar.ArticleHead)."""
    head = results[0]
    header = _by_field(head.fields, d.header_fields, {})
    return ArticleKey(*_identity(head.article_id, head.date, header, d, text, source), d.name)


def build_article(
    results: pp.ParseResults, d: Dialect, text: str, source: str | None = None
) -> Article:
    """Turn one article's parse results (one token, a grammar.ArticleParts) into its record."""
    parts = results[0]
    others: dict[str, str] = {}
    header = _by_field(parts.fields, d.header_fields, others)
    article_id, last_modified = _identity(parts.article_id, parts.date, header, d, text, source)

    meta: dict[str, list[str]] = {}
    preamble_raw, preamble_metas = parts.preamble
    preamble = _content(preamble_raw, preamble_metas, meta, d)
    sections = []
    for heading, raw, metas in parts.sections:
        sections.append(Section(heading, _content(raw, metas, meta, d) or ""))
    tr = _by_field(parts.trailer, d.trailer, others) if parts.trailer is not None else {}

    title = header.get("title") if "title" in header else _front_title(parts.front)
    body = "\n".join(t for t in [preamble, *(s.text for s in sections)] if t)
    references = dict.fromkeys(
        m[0]
        for m in _QNUMBER.finditer(body)
        if m[0] != article_id
        and not (m.start() and (body[m.start() - 1].isalnum() or body[m.start() - 1] == "_"))
        and not _FILE_EXTENSION.match(body, m.end())
    )
    versions = _versions(header.get("versions"), tr.get("versions"))

    return Article(
        article_id=article_id,
        kb_number=int(article_id[1:]),
        title=_one_line(title),
        last_modified=last_modified,
        product_code=_one_line(parts.product_code),
        product_name=_product_name(header.get("product_name"), d),
        versions=versions,
        operating_systems=_one_line(header.get("operating_systems")),
        keywords=split_codes(header.get("keywords"), tr.get("keywords"), *meta.get("keywords", [])),
        technologies=split_codes(tr.get("technologies")),
        issue_types=split_codes(tr.get("issue_types")),
        solution_types=split_codes(tr.get("solution_types")),
        hardware=split_codes(tr.get("hardware")),
        components=split_codes(tr.get("components")),
        applies_to=applies_to_items(parts.applies or ""),
        product_versions=product_versions(versions),
        cross_references=list(references),
        additional_query_words=_one_line(" ".join(meta.get("additional_query_words", []))),
        sections=sections,
        preamble=preamble,
        other_fields=others,
        source_path=source,
        source_format=d.name,
    )
