"""Article records -> Arrow tables, one per table of the schema.

Rows follow kbparse.schema: this module decides only which record field fills
which column. Child tables repeat the article's id; lists become one row per
item, with a position where order matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from itertools import tee
from operator import attrgetter
from typing import TYPE_CHECKING

import pyarrow as pa

from .schema import Table, article_tables, section_column, table

if TYPE_CHECKING:
    from .record import Article

ROW = "_row"


def build(t: Table, columns: dict[str, list]) -> pa.Table:
    """A table of schema `t` from Python lists, one per column."""
    arrays = [pa.array(columns[c.name], type=c.arrow_type) for c in t.columns]
    return pa.Table.from_arrays(arrays, schema=t.arrow_schema)


def build_from_rows(t: Table, rows: list[dict]) -> pa.Table:
    """A small table of schema `t` from row dicts, through pyarrow's JSON
    reader rather than pa.array: any pa.array call imports pandas (0.18 s,
    a sixth of a re-run over unchanged files), the JSON reader does not."""
    if not rows:
        return t.empty()
    import json

    from pyarrow import json as pa_json

    from .store import conform

    lines = "".join(json.dumps({c.name: r.get(c.name) for c in t.columns}, default=_json_value) + "\n" for r in rows)
    # Categories are read as strings and cast: the reader makes no dictionaries.
    plain = pa.schema([
        pa.field(c.name, pa.string() if c.type == "category" else c.arrow_type, nullable=c.nullable) for c in t.columns
    ])
    options = pa_json.ParseOptions(explicit_schema=plain, unexpected_field_behavior="error")
    data = lines.encode()
    # One block for it all: the reader fails on a row longer than its block
    # (1 MB by default), and `inputs` holds every PATH given, a shell glob's too.
    whole = pa_json.ReadOptions(block_size=max(len(data), 1 << 20))
    return conform(pa_json.read_json(pa.py_buffer(data), read_options=whole, parse_options=options), t)


def _json_value(value):
    if hasattr(value, "isoformat"):  # date, datetime
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


# Record fields that are columns of `articles` as they are.
_ARTICLE_FIELDS = ("article_id", "kb_number", "title", "last_modified", "product_code", "product_name",
                   "versions", "operating_systems", "additional_query_words", "preamble",
                   "source_path", "source_format")


@cache
def _section_column(heading: str) -> str:
    return section_column(heading)


def _articles(records: Sequence[tuple[Article, str]]) -> dict[str, list]:
    t = table("articles")
    # Column by column: the fields of every record at once, transposed by zip.
    articles = [a for a, _ in records]
    fields = list(zip(*map(attrgetter(*_ARTICLE_FIELDS), articles))) or [()] * len(_ARTICLE_FIELDS)
    cols: dict[str, list] = dict(zip(_ARTICLE_FIELDS, map(list, fields)))
    cols["content_sha256"] = [sha for _, sha in records]
    cols[ROW] = list(range(len(records)))
    section_cols = {c.name: [None] * len(records) for c in t.columns if c.name.endswith("_text")}
    for r, a in enumerate(articles):
        texts: dict[str, list[str]] = {}
        for s in a.sections:
            texts.setdefault(_section_column(s.heading), []).append(s.text)
        for name, found in texts.items():
            if name in section_cols:  # a heading the schema has no column for is only in `sections`
                section_cols[name][r] = "\n\n".join(found)
    cols.update(section_cols)
    return cols


def _positional(records: Sequence[tuple[Article, str]], t: Table) -> dict[str, list]:
    cols: dict[str, list] = {c.name: [] for c in t.columns}
    rows = cols[ROW] = []
    values = _POSITIONAL[t.name]
    for r, (a, _) in enumerate(records):
        items = values(a)
        rows.extend([r] * len(items))
        cols["article_id"].extend([a.article_id] * len(items))
        cols["position"].extend(range(len(items)))
        for name, column in zip(t.columns[2:], zip(*items) if items else [()] * (len(t.columns) - 2)):
            cols[name.name].extend(column)
    return cols


# Positional table -> the record's items as tuples of the columns after (article_id, position).
_POSITIONAL = {
    "sections": lambda a: [(s.heading, s.text) for s in a.sections],
    "applies_to": lambda a: [(item.parent, item.product) for item in a.applies_to],
    "product_versions": lambda a: [(v.platform, v.version) for v in a.product_versions],
}


def _other_fields(records: Sequence[tuple[Article, str]]) -> dict[str, list]:
    cols: dict[str, list] = {"article_id": [], "label": [], "value": [], ROW: []}
    for r, (a, _) in enumerate(records):
        for label, value in sorted(a.other_fields.items()):
            cols["article_id"].append(a.article_id)
            cols["label"].append(label)
            cols["value"].append(value)
            cols[ROW].append(r)
    return cols


def _listed(records: Sequence[tuple[Article, str]], t: Table) -> dict[str, list]:
    value_col = t.columns[1].name
    ids: list[str] = []
    values: list[str] = []
    rows: list[int] = []
    for r, (a, _) in enumerate(records):
        items = getattr(a, t.source_field)
        ids.extend([a.article_id] * len(items))
        rows.extend([r] * len(items))
        values.extend(items)
    return {"article_id": ids, value_col: values, ROW: rows}


def _facts(sources: Iterable[tuple[str, str | None, Sequence[tuple[str, str]]]]) -> dict[str, dict[str, list]]:
    """Every facts table's columns from (article_id, preamble, sections) triples,
    one pass of the recognizers per article."""
    from .facts.extract import FACT_TABLES, facts_of_many

    out: dict[str, dict[str, list]] = {}
    for name in FACT_TABLES:
        out[name] = {c.name: [] for c in table(name).columns}
        out[name][ROW] = []
    # tee, not a list: the recognizers read one batch of articles ahead of the ids.
    ids, read = tee(sources)
    facts = facts_of_many((preamble, sections) for _, preamble, sections in read)
    for r, ((article_id, _, _), found) in enumerate(zip(ids, facts)):
        for name, rows in found.items():
            cols = out[name]
            for row in rows:
                cols["article_id"].append(article_id)
                cols[ROW].append(r)
                for column, value in row.items():
                    cols[column].append(value)
    return out


def fact_source(article: Article) -> tuple[str, str | None, list[tuple[str, str]]]:
    """What the facts of an article are read from, as fact_rows takes it."""
    return article.article_id, article.preamble, [(s.heading, s.text) for s in article.sections]


def fact_rows(sources: Iterable[tuple[str, str | None, Sequence[tuple[str, str]]]], *,
              with_row: bool = False) -> dict[str, pa.Table]:
    """The facts tables of articles given as (article_id, preamble, [(heading,
    text)]): what an ingest's second pass reads back from its spilled
    `articles` and `sections` rows, for the copies that won."""
    facts = _facts(sources)
    return {name: _table(table(name), cols, with_row) for name, cols in facts.items()}


def _table(t: Table, cols: dict[str, list], with_row: bool) -> pa.Table:
    out = build(t, cols)
    if with_row:
        out = out.append_column(ROW, pa.array(cols[ROW], pa.int32()))
    return out


def article_rows(records: Iterable[tuple[Article, str]], *, with_row: bool = False,
                 facts: bool = True) -> dict[str, pa.Table]:
    """(article, content sha256) pairs -> every article-derived table.

    with_row adds a `_row` column: the index of the record each row came from,
    so rows of one record can be dropped later (a losing duplicate).
    facts=False leaves out the facts tables (an ingest makes them later, of
    the winning copies only: fact_rows).
    """
    records = list(records)
    out = {}
    facts_cols = _facts(fact_source(a) for a, _ in records) if facts else {}
    for t in article_tables():
        if t.name in facts_cols:
            cols = facts_cols[t.name]
        elif t.facts:
            continue
        elif t.name == "articles":
            cols = _articles(records)
        elif t.position:
            cols = _positional(records, t)
        elif t.name == "other_fields":
            cols = _other_fields(records)
        else:
            cols = _listed(records, t)
        out[t.name] = _table(t, cols, with_row)
    return out


def sort_rows(data: pa.Table, keys: Sequence[str]) -> pa.Table:
    """Rows in key order. Arrow cannot sort by a dictionary column, so keys are
    compared by their decoded values."""
    if not keys or data.num_rows == 0:
        return data
    import pyarrow.compute as pc  # here, not at the top: a run that sorts nothing skips its import

    plain = pa.table(
        {k: data[k].cast(pa.string()) if pa.types.is_dictionary(data[k].type) else data[k] for k in keys}
    )
    order = pc.sort_indices(plain, sort_keys=[(k, "ascending") for k in keys])
    return data.take(order)


def column_values(column: pa.ChunkedArray) -> list:
    """A column as a Python list; dictionary columns through their indices,
    many times faster than to_pylist() on them."""
    if not pa.types.is_dictionary(column.type):
        return column.to_pylist()
    out: list = []
    for chunk in column.chunks:
        values = chunk.dictionary.to_pylist()
        out.extend(None if i is None else values[i] for i in chunk.indices.to_pylist())
    return out
