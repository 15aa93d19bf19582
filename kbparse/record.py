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

import pyparsing as pp

from .dialects import Dialect
from .errors import ArticleSyntaxError

# No leading \b: a pattern that starts with a literal is searched ~40x faster;
# the character before a match is checked by hand instead.
_QNUMBER = re.compile(r"Q\d{4,7}\b")
_WORD_SEPARATORS = re.compile(r"[\s|]+")
_FRONT_TITLE = re.compile(r'^title:[ \t]*(?P<q>"?)(?P<title>.*?)(?P=q)[ \t]*$', re.M)
_TITLE_ID_PREFIX = re.compile(r"^Q\d+:\s*")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<text>.*)$")


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


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
    applies_to: list[str] = field(default_factory=list)
    cross_references: list[str] = field(default_factory=list)
    additional_query_words: str | None = None
    sections: list[Section] = field(default_factory=list)
    preamble: str | None = None
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
    """Drop trailing blanks on each line and leading/trailing blank lines; keep indentation."""
    lines = [line.rstrip() for line in raw.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) or None


def split_codes(*values: str | None) -> list[str]:
    """Split on blanks and '|', de-duplicate case-insensitively, keep the first spelling."""
    seen: dict[str, str] = {}
    for value in values:
        for word in _WORD_SEPARATORS.split(value or ""):
            if word and word.lower() not in seen:
                seen[word.lower()] = word
    return list(seen.values())


def applies_to_items(block: str) -> list[str]:
    """Products under 'applies to': one per top-level bullet; wrapped lines and
    nested bullets (a platform, an edition) are joined onto their product."""
    items: list[str] = []
    top_indent: int | None = None
    for line in block.split("\n"):
        if not line.strip():
            continue
        bullet = _BULLET.match(line)
        if bullet and (top_indent is None or len(bullet["indent"]) <= top_indent):
            top_indent = len(bullet["indent"])
            items.append(bullet["text"].strip())
        elif items:
            text = bullet["text"] if bullet else line
            items[-1] = f"{items[-1]} {text.strip()}"
        else:
            items.append(line.strip())
    return [" ".join(item.split()) for item in items]


def _one_line(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


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


def _content(raw: str, metas, meta: dict[str, list[str]], d: Dialect) -> str | None:
    """Trim a content's text; file its (label, value) metadata under `meta` by record field."""
    for label, value in metas:
        meta.setdefault(d.meta[" ".join(label.split())], []).append(value)
    return clean_text(raw)


def _by_field(pairs, labels: dict[str, str]) -> dict[str, str]:
    """(label, value) pairs -> record field -> values joined by a blank."""
    out: dict[str, list[str]] = {}
    for label, value in pairs:
        out.setdefault(labels[" ".join(label.split())], []).append(value)
    return {name: " ".join(values) for name, values in out.items()}


def build_article(
    results: pp.ParseResults, d: Dialect, text: str, source: str | None = None
) -> Article:
    """Turn one article's parse results into its record."""
    header = _by_field(results["fields"][0], d.header_fields)

    meta: dict[str, list[str]] = {}
    preamble = _content(*results["preamble"], meta, d)
    sections = []
    for heading, raw, metas in results["sections"]:
        sections.append(Section(heading, _content(raw, metas, meta, d) or ""))
    trailer = results.get("trailer")
    tr = _by_field(trailer[0], d.trailer) if trailer else {}

    article_id = results.get("article_id") or header.get("article_id", "").strip()
    if not re.fullmatch(r"Q\d+", article_id or ""):
        raise ArticleSyntaxError(
            f"header gives no article id of the form Q123456 (found {article_id!r})",
            source=source,
            expected="article id",
        )
    title = header.get("title") if "title" in header else _front_title(results.get("front", ""))
    body = "\n".join(t for t in [preamble, *(s.text for s in sections)] if t)
    references = dict.fromkeys(
        m[0]
        for m in _QNUMBER.finditer(body)
        if m[0] != article_id and not (m.start() and (body[m.start() - 1].isalnum() or body[m.start() - 1] == "_"))
    )

    return Article(
        article_id=article_id,
        kb_number=int(article_id[1:]),
        title=_one_line(title),
        last_modified=_parse_date(results.get("date") or header.get("last_modified"), d, text, source),
        product_code=_one_line(results.get("product_code")),
        product_name=_one_line(header.get("product_name")),
        versions=_versions(header.get("versions"), tr.get("versions")),
        operating_systems=_one_line(header.get("operating_systems")),
        keywords=split_codes(header.get("keywords"), tr.get("keywords"), *meta.get("keywords", [])),
        technologies=split_codes(tr.get("technologies")),
        issue_types=split_codes(tr.get("issue_types")),
        solution_types=split_codes(tr.get("solution_types")),
        hardware=split_codes(tr.get("hardware")),
        components=split_codes(tr.get("components")),
        applies_to=applies_to_items(results.get("applies") or ""),
        cross_references=list(references),
        additional_query_words=_one_line(" ".join(meta.get("additional_query_words", []))),
        sections=sections,
        preamble=preamble,
        source_path=source,
        source_format=d.name,
    )
