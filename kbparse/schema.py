"""The dataset's schema, defined once: tables, columns, types, keys, meanings.

The pyarrow schemas the writer uses, `kbparse schema`, docs/schema.md and
validation all derive from TABLES. Section text columns of `articles` derive
from the base dialect's section names, so a new section is a grammar change only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa

from .dialects import dialect

# Logical type -> Arrow type. "category" is a dictionary-encoded string: small
# on disk and in memory for columns with few distinct values (a pandas
# categorical, a plain VARCHAR in DuckDB and Spark).
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "category": pa.dictionary(pa.int32(), pa.string()),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    nullable: bool = True

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Child tables: each row belongs to an article present in `articles`.
    parent: str | None = None
    # Column numbering a child's rows 0, 1, ... within each article.
    position: str | None = None
    # Column holding the position of an earlier row of the same article (a tree).
    parent_position: str | None = None
    # Article field (a list) the rows come from, for simple one-column children.
    source_field: str | None = None
    sort: tuple[str, ...] = field(default=())
    # Read from the section text by kbparse.facts; an ingest makes these rows
    # after the others, for the winning copy of each article only.
    facts: bool = False
    # Rows per Parquet row group and per batch when streamed: fewer for tables
    # whose rows carry whole texts, so a batch stays a few tens of MB.
    batch_rows: int = 64 * 1024

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns])

    def empty(self) -> pa.Table:
        # Not Schema.empty_table(): it imports pandas, a sixth of a re-run.
        return pa.Table.from_batches([], schema=self.arrow_schema)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def section_column(heading: str) -> str:
    """Column of `articles` holding a canonical section's text: MORE INFORMATION -> more_information_text."""
    return re.sub(r"\W+", "_", heading.strip().lower()) + "_text"


def _aid(doc: str = "The article this row belongs to (see articles).") -> Column:
    return Column("article_id", "string", doc, nullable=False)


def _list_table(name: str, column: str, source_field: str, doc: str, column_doc: str) -> Table:
    return Table(
        name,
        doc,
        (_aid(), Column(column, "category", column_doc, nullable=False)),
        key=("article_id", column),
        parent="articles",
        source_field=source_field,
        sort=("article_id", column),
    )


def _fact(name: str, doc: str, columns: tuple[Column, ...]) -> Table:
    """A facts table: rows numbered per article, each naming the section it was read from."""
    return Table(
        name,
        doc,
        (
            _aid(),
            Column("position", "int32", "0, 1, ... in article order.", nullable=False),
            Column("section", "category", "Canonical heading of the section it was read from; null for the text before the first section."),
            *columns,
        ),
        key=("article_id", "position"),
        parent="articles",
        position="position",
        sort=("article_id", "position"),
        facts=True,
    )


def _fact_tables() -> list[Table]:
    """The facts layer (kbparse.facts): what the section text says, as rows."""
    return [
        Table(
            "status",
            "How the STATUS section classes the problem, for each article that has one.",
            (
                _aid(),
                Column("status", "category", "fixed, hotfix, researching, confirmed, by_design, third_party, feature_request or other: the first that applies, in that order.", nullable=False),
                Column("confirmed", "bool", "Whether the text says Microsoft confirmed a problem.", nullable=False),
            ),
            key=("article_id",),
            parent="articles",
            sort=("article_id",),
            facts=True,
        ),
        _fact("fixes", "Each fix target STATUS or RESOLUTION names: a service pack, the latest service pack, or a product version the problem was corrected in.", (
            Column("product", "string", "Product named, without 'Microsoft', e.g. Windows NT; null when the text names none."),
            Column("version", "string", "Product version, e.g. 4.0."),
            Column("service_pack", "int32", "Service pack number, where one is given."),
            Column("latest", "bool", "True for 'the latest service pack for X'.", nullable=False),
            Column("text", "string", "The phrase as written, on one line.", nullable=False),
        )),
        _fact("error_codes", "Error identifiers named in the text: STOP codes, event ids, HRESULTs, run-time, tool, HTTP, ODBC and numbered errors.", (
            Column("kind", "category", "stop, event_id, hresult, runtime, tool, http, error_number or odbc.", nullable=False),
            Column("code", "string", "The code, normalized: 0x0000001E for every STOP spelling, 0x80004005 for every HRESULT spelling.", nullable=False),
            Column("source", "string", "The event source, where given (Event ID: 9405 Source: MSExchangeMTA)."),
        )),
        _fact("error_messages", "Each quoted error message: an indented block after a line that introduces a message.", (
            Column("text", "string", "The message, its common indentation removed.", nullable=False),
        )),
        _fact("files", "Files named with a version, size or date: rows of hotfix file tables and inline mentions such as COMCTL32.OCX, version 5.00.3828.", (
            Column("file_name", "string", "The file name as written.", nullable=False),
            Column("version", "string", "File version as written."),
            Column("size_bytes", "int64", "Size in bytes (154 KB is 157,696)."),
            Column("file_date", "date", "File date."),
            Column("platform", "category", "Platform, e.g. x86, Alpha."),
        )),
        _fact("registry_settings", "Registry keys and values the text names.", (
            Column("root", "category", "The root key, always in full, e.g. HKEY_LOCAL_MACHINE.", nullable=False),
            Column("key", "string", "The path below the root, wrapped lines joined, without leading or trailing backslash.", nullable=False),
            Column("value_name", "string", "The value's name, where one is given."),
            Column("value_type", "category", "REG_SZ, REG_DWORD, ...: where given."),
            Column("value_data", "string", "The value's data as written, where given."),
        )),
    ]


@cache
def tables() -> dict[str, Table]:
    sections = dialect("txt").section_names
    article_cols = (
        Column("article_id", "string", "Article number as written, e.g. Q283472; the key.", nullable=False),
        Column("kb_number", "int64", "The article number without its Q, e.g. 283472.", nullable=False),
        Column("title", "string", "Title, plain text."),
        Column("last_modified", "date", "Date the article was last modified."),
        Column("product_code", "category", "Short product code from the txt header, e.g. sms; null for md pages."),
        Column("product_name", "category", "Product named in the header."),
        Column("versions", "string", "Product versions as written, e.g. WINDOWS:3.0,3.1."),
        Column("operating_systems", "category", "Operating systems as written."),
        Column("additional_query_words", "string", "The 'Additional query words' line, joined."),
        *(
            Column(section_column(s), "string", f"Text of the {s} section (several are joined by a blank line).")
            for s in sections
        ),
        Column("preamble", "string", "Text before the first section (all text of a page with no sections)."),
        Column("source_path", "string", "File the row was read from (archive!member inside a .zip/.tar.gz)."),
        Column("source_format", "category", "Dialect of that file: txt or md."),
        Column("content_sha256", "string", "SHA-256 of that file's bytes."),
    )
    defs = [
        Table("articles", "One row per article.", article_cols, key=("article_id",), sort=("article_id",), batch_rows=2048),
        Table(
            "sections",
            "Every section of every article, in article order.",
            (
                _aid(),
                Column("position", "int32", "0, 1, ... in article order.", nullable=False),
                Column("heading", "category", "Canonical section name, e.g. SYMPTOMS.", nullable=False),
                Column("text", "string", "Section text, indentation kept, md tab removed.", nullable=False),
            ),
            key=("article_id", "position"),
            parent="articles",
            position="position",
            sort=("article_id", "position"),
            batch_rows=8192,
        ),
        _list_table("keywords", "keyword", "keywords", "Keywords of each article (header, trailer, KBCategory).", "One keyword, first spelling kept."),
        _list_table("technologies", "technology", "technologies", "Technology codes from the trailer.", "One technology code."),
        _list_table("issue_types", "issue_type", "issue_types", "Issue type codes from the trailer.", "One issue type, e.g. kbbug."),
        _list_table("solution_types", "solution_type", "solution_types", "Solution type codes from the trailer.", "One solution type, e.g. kbfix."),
        _list_table("hardware", "hardware", "hardware", "Hardware codes from the trailer.", "One hardware code, e.g. x86."),
        _list_table("components", "component", "components", "Component codes from the trailer.", "One component code."),
        Table(
            "applies_to",
            "Products listed under 'The information in this article applies to:'.",
            (
                _aid(),
                Column("position", "int32", "0, 1, ... in the order listed.", nullable=False),
                Column("parent_position", "int32", "Position of the item this one is nested under; null at the top level."),
                Column("product", "string", "Product as listed, a wrapped name joined onto one line.", nullable=False),
            ),
            key=("article_id", "position"),
            parent="articles",
            position="position",
            parent_position="parent_position",
            sort=("article_id", "position"),
        ),
        Table(
            "product_versions",
            "Each (platform, version) of the header's versions line (PROD/VER, Version(s)), in written order.",
            (
                _aid(),
                Column("position", "int32", "0, 1, ... in written order.", nullable=False),
                Column("platform", "category", "Platform as written before the colon, e.g. WINDOWS, winnt; null where none is written."),
                Column("version", "string", "One version as written, e.g. 4.0a or 4.0 SP4; null for a platform listed without versions."),
            ),
            key=("article_id", "position"),
            parent="articles",
            position="position",
            sort=("article_id", "position"),
        ),
        Table(
            "other_fields",
            "Header and trailer lines whose label the dialect files in grammars/ do not know, kept as written.",
            (
                _aid(),
                Column("label", "category", "The label, blanks collapsed; promote a frequent one into grammars/.", nullable=False),
                Column("value", "string", "Its value (several lines with the same label joined by a blank).", nullable=False),
            ),
            key=("article_id", "label"),
            parent="articles",
            sort=("article_id", "label"),
        ),
        *_fact_tables(),
        Table(
            "cross_references",
            "Other articles' numbers mentioned in an article's text.",
            (_aid(), Column("referenced_id", "string", "The article mentioned, e.g. Q123456.", nullable=False)),
            key=("article_id", "referenced_id"),
            parent="articles",
            source_field="cross_references",
            sort=("article_id", "referenced_id"),
        ),
        Table(
            "rejects",
            "Inputs that could not be ingested, with the reason.",
            (
                Column("source_path", "string", "The input file.", nullable=False),
                Column("error_kind", "category", "syntax, unreadable, too_large, not_a_file or bad_archive.", nullable=False),
                Column("line", "int32", "1-based line of the problem, when known."),
                Column("column", "int32", "1-based column of the problem, when known."),
                Column("message", "string", "What is wrong, for a person to act on.", nullable=False),
            ),
            key=("source_path",),
            sort=("source_path",),
        ),
        Table(
            "sources",
            "Every input file ingested so far and what became of it (drives incremental runs).",
            (
                Column("source_path", "string", "The input file.", nullable=False),
                Column("size_bytes", "int64", "Its size when last read.", nullable=False),
                Column("mtime_ns", "int64", "Its modification time when last read (ns since the epoch).", nullable=False),
                Column("content_sha256", "string", "SHA-256 of its bytes.", nullable=False),
                Column("article_id", "string", "Article it holds; null when rejected."),
                Column("last_modified", "date", "That article's date."),
                Column("source_format", "category", "txt or md; null when rejected."),
                Column("outcome", "category", "ingested (its row is in articles), duplicate or rejected.", nullable=False),
            ),
            key=("source_path",),
            sort=("source_path",),
        ),
        Table(
            "ingest_runs",
            "One row per `kbparse ingest` run that committed.",
            (
                Column("run_id", "int64", "1, 2, ... in commit order.", nullable=False),
                Column("started_at", "timestamp", "When the run started (UTC).", nullable=False),
                Column("finished_at", "timestamp", "When it committed (UTC).", nullable=False),
                Column("kbparse_version", "string", "Version of kbparse that ran.", nullable=False),
                Column("inputs", "string", "The PATH arguments, one per line.", nullable=False),
                Column("full_refresh", "bool", "Whether --full-refresh was given.", nullable=False),
                Column("workers", "int32", "Worker processes used.", nullable=False),
                Column("seen", "int64", "Input files found.", nullable=False),
                Column("parsed", "int64", "Files read and parsed in this run.", nullable=False),
                Column("unchanged", "int64", "Files skipped as unchanged since the last run.", nullable=False),
                Column("rejected", "int64", "Inputs of this run that are in rejects.", nullable=False),
                Column("duplicates", "int64", "Files parsed that lost to another copy of their article.", nullable=False),
                Column("articles", "int64", "Rows in articles after the run.", nullable=False),
                Column("seconds", "float64", "Wall time of the run.", nullable=False),
            ),
            key=("run_id",),
            sort=("run_id",),
        ),
    ]
    return {t.name: t for t in defs}


def table(name: str) -> Table:
    return tables()[name]


# Tables whose rows are derived from article records (rebuilt per article).
def article_tables() -> list[Table]:
    return [t for t in tables().values() if t.name == "articles" or t.parent == "articles"]
