"""Check a dataset against kbparse.schema with DuckDB.

Every check is a SQL query generated from the schema, so a new table or key
is checked as soon as it is declared:
- each table is present and its Parquet columns have the schema's names and types;
- columns declared not-null hold no nulls;
- keys are unique;
- every child row's article_id is in articles;
- positions run 0, 1, ... n-1 within each article;
- a parent position names an earlier row of the same article.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pathlib import PurePosixPath

from .dataset import Committed, open_dataset, resolve
from .schema import Table, tables

EXAMPLES = 3


@dataclass(frozen=True)
class Finding:
    table: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table}: {self.check}: {self.detail}"


def _examples(con, sql: str) -> str:
    rows = con.execute(sql + f" limit {EXAMPLES}").fetchall()
    return ", ".join("(" + ", ".join(repr(v) for v in row) + ")" if len(row) > 1 else repr(row[0]) for row in rows)


def _check_types(root: Committed, t: Table) -> list[Finding]:
    found = []
    for path in root.table_files(t.name):
        schema = root.read_schema(path)
        f = PurePosixPath(path)
        want = {c.name: c.arrow_type for c in t.columns}
        got = {name: schema.field(name).type for name in schema.names}
        if list(got) != list(want):
            found.append(Finding(t.name, "columns", f"{f.name} has {list(got)}, the schema says {list(want)}"))
            continue
        for name, typ in want.items():
            if not got[name].equals(typ):
                found.append(Finding(t.name, "type", f"column {name} is {got[name]} in {f.name}, the schema says {typ}"))
    return found


def _count(con, sql: str) -> int:
    return con.execute(f"select count(*) from ({sql})").fetchone()[0]


def _violations(con, t: Table, check: str, sql: str, what: str, examples: str | None = None) -> list[Finding]:
    """A finding "N <what>, e.g. ..." when the query `sql` returns N > 0 rows."""
    n = _count(con, sql)
    return [Finding(t.name, check, f"{n} {what}, e.g. {_examples(con, examples or sql)}")] if n else []


def _check_rows(con, t: Table) -> list[Finding]:
    found = []
    for c in t.columns:
        if not c.nullable:
            n = _count(con, f'select 1 from {t.name} where "{c.name}" is null')
            if n:
                found.append(Finding(t.name, "not null", f"{n} row(s) with no {c.name}"))
    key = ", ".join(f'"{k}"' for k in t.key)
    dupes = f"select {key}, count(*) as n from {t.name} group by {key} having count(*) > 1"
    found += _violations(con, t, "unique key", dupes, f"value(s) of ({', '.join(t.key)}) occur more than once",
                         examples=f"select {key} from ({dupes})")
    if t.parent:
        orphans = (
            f"select distinct c.article_id from {t.name} c anti join {t.parent} p using (article_id) "
            "where c.article_id is not null"  # a null is the not-null check's finding
        )
        found += _violations(con, t, "parent", orphans, f"article_id(s) not in {t.parent}")
    if t.position:
        gaps = (
            f'select article_id from {t.name} group by article_id '
            f'having min("{t.position}") <> 0 or max("{t.position}") <> count(*) - 1 '
            f'or count(distinct "{t.position}") <> count(*)'
        )
        found += _violations(con, t, "positions", gaps, f"article(s) whose {t.position} is not 0..n-1")
    if t.parent_position:
        pp_, pos = t.parent_position, t.position
        bad = (
            f'select c.article_id, c."{pos}", c."{pp_}" from {t.name} c '
            f'where c."{pp_}" is not null and (c."{pp_}" >= c."{pos}" or not exists '
            f'(select 1 from {t.name} p where p.article_id = c.article_id and p."{pos}" = c."{pp_}"))'
        )
        found += _violations(con, t, "parent position", bad, f"row(s) whose {pp_} is not an earlier {pos} of the same article")
    return found


def validate(data: str | os.PathLike[str] | None = None) -> list[Finding]:
    """Everything wrong with the dataset at `data`; an empty list when it is sound."""
    root = resolve(data)
    con = open_dataset(root)  # the same version the type checks read
    found: list[Finding] = []
    for t in tables().values():
        if not root.table_files(t.name):
            found.append(Finding(t.name, "present", f"no Parquet files in {root.where}/{t.name}"))
            continue
        typed = _check_types(root, t)
        found += typed
        if not typed:
            found += _check_rows(con, t)
    return found
