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
    for product in a.applies_to:
        lines.append(f"{'applies_to':<24}- {product}")
    field("source", f"{a.source_path} ({a.source_format})")
    if a.preamble:
        lines += ["", textwrap.indent(a.preamble, "    ")]
    for s in a.sections:
        lines += ["", s.heading, textwrap.indent(s.text, "    ")]
    return "\n".join(lines) + "\n"
