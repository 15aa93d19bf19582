"""A dataset at a glance: a few small tables computed with DuckDB."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .dataset import open_dataset

TOP = 10
NOT_HELD = "(not in dataset)"


@dataclass
class Summary:
    title: str
    columns: list[str]
    rows: list[tuple]


_QUERIES = [
    (
        "Dataset",
        """select count(*) as articles, min(last_modified) as first_date, max(last_modified) as last_date,
                  count(*) filter (where source_format = 'txt') as from_txt,
                  count(*) filter (where source_format = 'md') as from_md,
                  (select count(*) from sections) as sections,
                  (select count(*) from rejects) as rejects
           from articles""",
    ),
    (
        "Articles per product",
        f"""select coalesce(product_name, '(none)') as product, count(*) as articles
            from articles group by all order by articles desc, product limit {TOP}""",
    ),
    (
        "Issue types",
        f"""select issue_type, count(*) as articles, round(100.0 * count(*) / (select count(*) from articles), 1) as pct
            from issue_types group by all order by articles desc, issue_type limit {TOP}""",
    ),
    (
        "Solution types",
        f"""select solution_type, count(*) as articles, round(100.0 * count(*) / (select count(*) from articles), 1) as pct
            from solution_types group by all order by articles desc, solution_type limit {TOP}""",
    ),
    (
        "Most cited articles",
        # An article cited but not ingested has no title here; say so rather than leave it blank.
        f"""select r.referenced_id as article_id, count(*) as cited_by,
                   case when count(a.article_id) = 0 then '{NOT_HELD}' else any_value(a.title) end as title
            from cross_references r left join articles a on a.article_id = r.referenced_id
            group by all order by cited_by desc, article_id limit {TOP}""",
    ),


    (
        # Labels the dialect files do not know: candidates to promote into grammars/.
        "Unknown header and trailer labels (other_fields)",
        f"""select label, count(*) as articles, any_value(value) as example_value
            from other_fields group by all order by articles desc, label limit {TOP}""",
    ),
]


def stats(data: str | os.PathLike[str] | None = None) -> list[Summary]:
    con = open_dataset(data)
    out = []
    for title, sql in _QUERIES:
        rel = con.sql(sql)
        out.append(Summary(title, list(rel.columns), rel.fetchall()))
    return out
