"""What a worker does with one batch of input files: read, hash, parse, and
write the batch's article tables as spill files. Kept apart so that worker
processes (local or Dask) import only what they need.

Only the per-file outcomes travel back; the rows stay on disk, so memory does
not grow with the corpus. Each spill row carries `_src`, the global number of
the input it came from, so the merge can drop a losing duplicate's rows.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from .discover import Source, read_file
from .errors import ArticleSyntaxError, KbParseError

SRC = "_src"
# No KB article comes near this; a larger file would only cost a worker its memory.
MAX_ARTICLE_BYTES = 64 * 2**20


@dataclass(slots=True)
class SourceOutcome:
    path: str
    size: int
    mtime_ns: int
    sha256: bytes | None  # the digest (hex only in the sources table: this object exists per input file)
    article_id: str | None = None
    last_modified: object = None
    source_format: str | None = None
    # (kind, line, column, message) when the file could not be ingested
    reject: tuple[str, int | None, int | None, str] | None = None


@dataclass(slots=True)
class BatchResult:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    # outcome index -> global input number (`_src` in the spill files)
    src_ids: list[int] = field(default_factory=list)


def spill_path(spill: str, table: str, batch_no: int) -> str:
    return f"{spill}/{table}/b{batch_no:07d}.parquet"


def parse_batch(items: list[tuple[Source, bytes | None]], spill: str, batch_no: int, base: int) -> BatchResult:
    """Items carry their bytes when the caller read them (archive members).
    Input i of the batch is global input number base + i."""
    import pyarrow as pa

    from .parse import parse_text
    from .tables import ROW, article_rows

    result = BatchResult()
    records = []
    record_src: list[int] = []
    for i, (src, data) in enumerate(items):
        if src.size > MAX_ARTICLE_BYTES:
            message = f"{src.size / 2**20:.0f} MB, larger than any KB article (the limit is {MAX_ARTICLE_BYTES >> 20} MB); not read"
            result.outcomes.append(SourceOutcome(src.path, src.size, src.mtime_ns, None, reject=("too_large", None, None, message)))
            result.src_ids.append(base + i)
            continue
        if data is None:
            try:
                data = read_file(src.path)
            except OSError as exc:
                result.outcomes.append(
                    SourceOutcome(src.path, src.size, src.mtime_ns, None,
                                  reject=("unreadable", None, None, f"cannot read: {exc.strerror or exc}"))
                )
                result.src_ids.append(base + i)
                continue
        digest = hashlib.sha256(data)
        sha = digest.digest()
        try:
            article = parse_text(data, source=src.path)
        except ArticleSyntaxError as exc:
            outcome = SourceOutcome(src.path, len(data), src.mtime_ns, sha, reject=("syntax", exc.line, exc.column, str(exc)))
        except KbParseError as exc:
            outcome = SourceOutcome(src.path, len(data), src.mtime_ns, sha, reject=("syntax", None, None, str(exc)))
        else:
            outcome = SourceOutcome(src.path, src.size, src.mtime_ns, sha, article.article_id,
                                    article.last_modified, article.source_format)
            records.append((article, digest.hexdigest()))
            record_src.append(base + i)
        result.outcomes.append(outcome)
        result.src_ids.append(base + i)
    if records:
        from .schema import table
        from .tables import sort_rows

        lookup = pa.array(record_src, pa.int32())
        for name, t in article_rows(records, with_row=True).items():
            t = t.append_column(SRC, lookup.take(t[ROW])).drop_columns([ROW])
            # Sorted, in small row groups: the merge reads a range of ids by
            # row-group statistics. Read once, soon: no compression.
            t = sort_rows(t, ("article_id",))
            rows = max(64, table(name).batch_rows // 8)
            _write_spill(t, spill_path(spill, name, batch_no), rows)
    return result


def _write_spill(t, path: str, row_group_size: int) -> None:
    import pyarrow.parquet as pq

    if "://" in path:  # shared storage, for workers on other machines
        import fsspec

        with fsspec.open(path, "wb", auto_mkdir=True) as fh:
            pq.write_table(t, fh, compression="none", row_group_size=row_group_size)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(t, path, compression="none", row_group_size=row_group_size)
