"""The last stage of an ingest: each article table of the new version, made by
DuckDB from the previous version's kept rows and this run's spill files, with
losing duplicates dropped and rows sorted by key, streamed into Parquet.

Memory stays flat however large the corpus: a table larger than RANGE_BYTES is
done in article-id ranges of about that size (the final ids are known, so the
ranges are cut by count), each sorted on its own and appended in order. The
spill files are sorted with small row groups, so a range query reads only the
row groups whose id statistics overlap it. (DuckDB alone cannot sort rows that
carry whole articles in a small memory limit.)
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .ingest_worker import SRC
from .schema import Table

# DuckDB's share of memory for sorting and joining; beyond it, it spills to disk.
DUCKDB_MEMORY = "256MB"
# Bytes of spilled rows per range sorted at once.
RANGE_BYTES = 48 * 2**20


def _quoted(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def connect(temp: Path, threads: int):
    import duckdb

    con = duckdb.connect()
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"set temp_directory = '{temp}'")
    con.execute(f"set threads = {max(1, threads)}")
    con.execute("set preserve_insertion_order = false")
    return con


def ranges(ids: list[str], data_bytes: int) -> list[tuple[str | None, str | None]]:
    """[lo, hi) bounds cutting sorted `ids` into pieces of about RANGE_BYTES of data."""
    pieces = max(1, -(-data_bytes // RANGE_BYTES))
    if pieces == 1 or len(ids) < 2:
        return [(None, None)]
    step = -(-len(ids) // pieces)
    cuts = [ids[i] for i in range(step, len(ids), step)]
    return list(zip([None, *cuts], [*cuts, None]))


def write_merged(
    con,
    t: Table,
    out: Path,
    previous_files: list[Path],
    spill_files: list[Path],
    has_kept: bool,
    has_new: bool,
    ids: list[str],
) -> int:
    """Write table `t` to the file `out`; returns its row count. `ids` are the
    dataset's article ids, sorted.

    Views `kept_ids(article_id)` and `keep_src(id)` must exist on `con`.
    """
    cols = ", ".join(f'"{c.name}"' for c in t.columns)
    parts = []
    if has_kept and previous_files:
        parts.append(f"select {cols} from read_parquet({_quoted(previous_files)}) "
                     "where article_id in (select article_id from kept_ids)")
    if has_new and spill_files:
        parts.append(f"select {cols} from read_parquet({_quoted(spill_files)}) where {SRC} in (select id from keep_src)")
    schema = t.arrow_schema
    rows = 0
    with pq.ParquetWriter(out, schema, compression="zstd", use_dictionary=True, write_statistics=True) as writer:
        if not parts:
            writer.write_table(t.empty())
            return 0
        order = ", ".join(f'"{k}"' for k in t.sort)
        size = sum(f.stat().st_size for f in [*previous_files, *spill_files])
        for lo, hi in ranges(ids, size):
            bounds = " and ".join(
                [f"article_id >= '{lo}'"] * (lo is not None) + [f"article_id < '{hi}'"] * (hi is not None)
            ) or "true"
            union = " union all ".join(f"select * from ({part}) where {bounds}" for part in parts)
            reader = con.sql(f"{union} order by {order}").to_arrow_reader(t.batch_rows)
            for batch in reader:
                writer.write_table(pa.Table.from_batches([batch]).cast(schema), row_group_size=t.batch_rows)
                rows += batch.num_rows
    return rows
