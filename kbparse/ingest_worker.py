"""What a worker process does with one batch of input files: read, hash,
parse, and build the article tables. Kept apart so that worker processes
import only what they need."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyarrow as pa

from .discover import Source
from .errors import ArticleSyntaxError, KbParseError

@dataclass
class SourceOutcome:
    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    article_id: str | None = None
    last_modified: object = None
    source_format: str | None = None
    # (kind, line, column, message) when the file could not be ingested
    reject: tuple[str, int | None, int | None, str] | None = None


@dataclass
class BatchResult:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    # Paths of the parsed records, in the order of the tables' `_row` numbers.
    row_paths: list[str] = field(default_factory=list)
    tables: dict[str, pa.Table] = field(default_factory=dict)


def parse_batch(items: list[tuple[Source, bytes | None]]) -> BatchResult:
    """Items carry their bytes when the main process read them (archive members)."""
    from .parse import parse_text
    from .tables import article_rows

    result = BatchResult()
    records = []
    for src, data in items:
        if data is None:
            try:
                with open(src.path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                result.outcomes.append(
                    SourceOutcome(src.path, src.size, src.mtime_ns, None,
                                  reject=("unreadable", None, None, f"cannot read: {exc.strerror or exc}"))
                )
                continue
        sha = hashlib.sha256(data).hexdigest()
        try:
            article = parse_text(data, source=src.path)
        except ArticleSyntaxError as exc:
            result.outcomes.append(
                SourceOutcome(src.path, len(data), src.mtime_ns, sha,
                              reject=("syntax", exc.line, exc.column, str(exc)))
            )
            continue
        except KbParseError as exc:
            result.outcomes.append(
                SourceOutcome(src.path, len(data), src.mtime_ns, sha, reject=("syntax", None, None, str(exc)))
            )
            continue
        result.outcomes.append(
            SourceOutcome(src.path, src.size, src.mtime_ns, sha, article.article_id,
                          article.last_modified, article.source_format)
        )
        result.row_paths.append(src.path)
        records.append((article, sha))
    result.tables = article_rows(records, with_row=True)
    return result
