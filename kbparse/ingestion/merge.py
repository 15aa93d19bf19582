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

from ..schema import Table
from .worker import SRC

# DuckDB's share of memory for sorting and joining; beyond it, it spills to disk.
DUCKDB_MEMORY = "256MB"
# Bytes of spilled rows (uncompressed) per range sorted at once. DuckDB holds
# about twice this per range: at 48 MB a corpus of 57,000 files, whose ranges
# fell short of it, peaked 180 MiB lower than one of 230,000 (bench_memory.py);
# at 16 MB both reach it, the peaks differ by 80 to 120 MiB less, and the
# merge takes as long.
RANGE_BYTES = 16 * 2**20


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


def id_span(path: Path) -> tuple[str | None, str | None, int]:
    """(lowest, highest) article_id in a Parquet file, from its footer's
    statistics (None where a bound is not recorded), and its rows' size
    uncompressed."""
    meta = pq.ParquetFile(path).metadata
    col = meta.schema.names.index("article_id")
    lows, highs, size = [], [], 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        size += group.total_byte_size
        stats = group.column(col).statistics
        if stats is None or not stats.has_min_max:
            lows.append(None)
            highs.append(None)
        else:
            lows.append(stats.min)
            highs.append(stats.max)
    if not lows or None in lows:
        return None, None, size
    return min(lows), max(highs), size


def _overlaps(span: tuple[str | None, str | None, int], lo: str | None, hi: str | None) -> bool:
    low, high, _ = span
    return (hi is None or low is None or low < hi) and (lo is None or high is None or high >= lo)


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

    The spill files are this run's own and are deleted as soon as the last
    range that needs them is written (the previous version's files are
    never touched): they are most of a run's peak disk.

    Views `kept_ids(article_id)` and `keep_src(id)` must exist on `con`.
    """
    cols = ", ".join(f'"{c.name}"' for c in t.columns)
    kept = f"select {cols} from read_parquet({_quoted(previous_files)}) where article_id in (select article_id from kept_ids)"
    schema = t.arrow_schema
    rows = 0
    left = list(spill_files) if has_new else []
    with pq.ParquetWriter(out, schema, compression="zstd", use_dictionary=True, write_statistics=True) as writer:
        if not (has_kept and previous_files) and not left:
            writer.write_table(t.empty())
        else:
            order = ", ".join(f'"{k}"' for k in t.sort)
            spans = {f: id_span(f) for f in left}
            # Spill counts uncompressed, as DuckDB holds it: a range's memory must not grow with the codec.
            size = sum(f.stat().st_size for f in previous_files) + sum(span[2] for span in spans.values())
            bounds_list = ranges(ids, size)
            for i, (lo, hi) in enumerate(bounds_list):
                # Spill files holding no id of this range are neither read nor kept for later ones.
                now = [f for f in left if _overlaps(spans[f], lo, hi)]
                parts = [kept] if has_kept and previous_files else []
                if now:
                    parts.append(f"select {cols} from read_parquet({_quoted(now)}) where {SRC} in (select id from keep_src)")
                if parts:
                    bounds = " and ".join(
                        [f"article_id >= '{lo}'"] * (lo is not None) + [f"article_id < '{hi}'"] * (hi is not None)
                    ) or "true"
                    union = " union all ".join(f"select * from ({part}) where {bounds}" for part in parts)
                    reader = con.sql(f"{union} order by {order}").to_arrow_reader(t.batch_rows)
                    for batch in reader:
                        writer.write_table(pa.Table.from_batches([batch]).cast(schema), row_group_size=t.batch_rows)
                        rows += batch.num_rows
                later = bounds_list[i + 1 :]
                for f in now:
                    if not any(_overlaps(spans[f], a, b) for a, b in later):
                        f.unlink()
                        left.remove(f)
    for f in spill_files:  # unread: every row of them lost to another copy, or none was asked for
        f.unlink(missing_ok=True)
    return rows
