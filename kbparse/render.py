"""A readable plain-text view of one Article (for `kbparse parse --format text`)."""

from __future__ import annotations

import textwrap

from .record import Article

_LIST_FIELDS = (
    "keywords", "technologies", "issue_types", "solution_types", "hardware",
    "components", "cross_references",
)


def render_text(a: Article) -> str:
    lines = [f"{a.article_id}  {a.title or ''}", "=" * min(79, len(a.article_id) + 2 + len(a.title or ""))]

    def field(name: str, value) -> None:
        if value not in (None, "", []):
            lines.append(f"{name:<24}{value}")

    field("last_modified", a.last_modified.isoformat() if a.last_modified else None)
    field("product", f"{a.product_name or ''}" + (f" [{a.product_code}]" if a.product_code else ""))
    field("versions", a.versions)
    field("operating_systems", a.operating_systems)
    for name in _LIST_FIELDS:
        field(name, " ".join(getattr(a, name)))
    field("additional_query_words", a.additional_query_words)
    for item in a.applies_to:
        lines.append(f"{'applies_to':<24}{'   ' * _depth(a, item)}- {item.product}")
    for label, value in a.other_fields.items():
        lines.append(f"{'other: ' + label:<24}{value}")
    field("source", f"{a.source_path} ({a.source_format})")
    if a.preamble:
        lines += ["", textwrap.indent(a.preamble, "    ")]
    for s in a.sections:
        lines += ["", s.heading, textwrap.indent(s.text, "    ")]
    return "\n".join(lines) + "\n"


def render_facts(facts: dict[str, list[dict]]) -> str:
    """The facts layer's rows of one article (kbparse.facts.extract), one line each."""
    lines = []
    for name, rows in facts.items():
        for row in rows:
            cells = "  ".join(
                f"{k}={v.isoformat() if hasattr(v, 'isoformat') else v}"
                for k, v in row.items()
                if k != "position" and v is not None and v is not False
            )
            lines.append(f"{name:<24}{' '.join(cells.splitlines())}")
    return ("\nFACTS\n" + "\n".join(lines) + "\n") if lines else ""


_RULE = "=" * 70
_DASHES = "-" * 79
_LEGAL = (
    "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS\n"
    'PROVIDED "AS IS" WITHOUT WARRANTY OF ANY KIND.\n'
)


def _depth(a: Article, item) -> int:
    depth = 0
    while item.parent is not None:
        item = a.applies_to[item.parent]
        depth += 1
    return depth


def _body(a: Article) -> list[str]:
    """Applies-to block, preamble, sections, query words and trailer: the part
    both dialects share."""
    out: list[str] = []
    if a.applies_to:
        out += [_DASHES, "The information in this article applies to:", ""]
        out += [f"{'   ' * _depth(a, item)} - {item.product}" for item in a.applies_to]
        out += [_DASHES]
    out.append("")
    if a.preamble:
        out += [a.preamble, ""]
    for s in a.sections:
        out += [s.heading, "=" * len(s.heading), "", s.text, ""]
    if a.additional_query_words:
        out += [f"Additional query words: {a.additional_query_words}", ""]
    lines = _trailer(a)
    if lines:  # no trailer at all rather than an empty one, as in the oldest articles
        out += [_RULE, *lines, ""]
    return out


def _trailer(a: Article) -> list[str]:
    trailer = [
        ("Keywords", a.keywords), ("Technology", a.technologies), ("Version", [a.versions or ""]),
        ("Issue type", a.issue_types), ("Solution Type", a.solution_types),
        ("Hardware", a.hardware), ("Component", a.components),
    ]
    lines = [f"{key:<18}: {' '.join(values)}".rstrip() for key, values in trailer if any(values)]
    if a.other_fields and not lines:
        # A trailer is known by a vocabulary key (kbparse.grammar), as every real one has.
        lines.append(f"{'Keywords':<18}:")
    return lines + [f"{label:<18}: {value}".rstrip() for label, value in a.other_fields.items()]


def render_txt(a: Article) -> str:
    """The article in the original text dialect (what kbparse.parse_text reads back).

    Keywords all go in the header and the trailer's Keywords line; metadata
    that has no place of its own in the txt dialect (the source file) is not written.
    """
    date = a.last_modified.strftime("%d-%b-%Y").upper() if a.last_modified else "01-JAN-1900"
    code = f"  [{a.product_code}]" if a.product_code else ""
    out = [
        f"DOCUMENT:{a.article_id}  {date}{code}",
        f"TITLE   :{a.title or ''}",
        f"PRODUCT :{a.product_name or ''}",
        f"PROD/VER:{a.versions or ''}",
        f"OPER/SYS:{a.operating_systems or ''}",
        f"KEYWORDS:{' '.join(a.keywords)}",
        "",
        _RULE,
    ]
    out += _body(a)
    out += ["=" * 77, "", _LEGAL]
    return "\n".join(out)


def render_md(a: Article) -> str:
    """The article as a page of the public Markdown archive (what
    kbparse.parse_text reads back). That dialect has no product code."""
    date = a.last_modified.strftime("%d-%b-%Y").upper() if a.last_modified else ""
    heading = f"{a.article_id}: {a.title or ''}"
    block = [
        f"Article: {a.article_id}",
        f"Product(s): {a.product_name or ''}",
        f"Version(s): {a.versions or ''}",
        f"Operating System(s): {a.operating_systems or ''}",
        f"Keyword(s): {' '.join(a.keywords)}",
        f"Last Modified: {date}",
        "",
        *_body(a),
        # The archive closes the trailer with a rule; a page without a trailer just ends.
        *(["=" * 77, ""] if _trailer(a) else []),
    ]
    out = [
        "---", "layout: page", f'title: "{heading}"',
        f"permalink: /kb/{a.article_id[1:4]}/{a.article_id}/", "---", "",
        f"## {heading}", "", "{% raw %}", "",
        *[("\t" + line).rstrip() if line.strip() else "\t" for line in "\n".join(block).split("\n")],
        "", "{% endraw %}", "",
    ]
    return "\n".join(out)
