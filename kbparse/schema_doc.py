"""The data dictionary, rendered from kbparse.schema (Markdown or JSON).

docs/schema.md is this module's Markdown output; tests/test_schema_doc.py
fails when the two differ, so the docs cannot drift from the code.
"""

from __future__ import annotations

import json

from .schema import Table, tables

HEADER = """\
# kbparse data dictionary

Generated from `kbparse/schema.py` by `kbparse schema --format markdown > docs/schema.md`;
do not edit by hand (a test fails when this file is out of date).

Every table is a folder of Parquet files under the dataset folder (`kb-data/articles/`, ...).
Types are Arrow types; `category` columns are dictionary-encoded strings (pandas
categoricals, plain strings in DuckDB, Polars and Spark).
"""


def _type_name(c) -> str:
    return "category (dictionary<int32, string>)" if c.type == "category" else str(c.arrow_type)


def _relations(t: Table) -> str:
    parts = [f"key: `{', '.join(t.key)}`"]
    if t.parent:
        parts.append(f"every `article_id` is in `{t.parent}`")
    if t.position:
        parts.append(f"`{t.position}` runs 0, 1, ... within each article")
    return "; ".join(parts)


def to_markdown() -> str:
    out = [HEADER]
    out.append("| table | rows |\n| --- | --- |")
    out += [f"| [`{t.name}`](#{t.name}) | {t.doc} |" for t in tables().values()]
    for t in tables().values():
        out.append(f"\n## {t.name}\n\n{t.doc} ({_relations(t)}.)\n")
        out.append("| column | type | null | meaning |\n| --- | --- | --- | --- |")
        for c in t.columns:
            mark = " (key)" if c.name in t.key else ""
            out.append(f"| `{c.name}`{mark} | {_type_name(c)} | {'yes' if c.nullable else 'no'} | {c.doc} |")
    return "\n".join(out) + "\n"


def to_json() -> str:
    doc = {
        name: {
            "doc": t.doc,
            "key": list(t.key),
            "parent": t.parent,
            "position": t.position,
            "columns": [
                {"name": c.name, "type": c.type, "arrow_type": str(c.arrow_type), "nullable": c.nullable, "doc": c.doc}
                for c in t.columns
            ],
        }
        for name, t in tables().items()
    }
    return json.dumps(doc, indent=2) + "\n"
