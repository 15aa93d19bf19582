"""What a worker does with one batch of input files: read, hash, parse, and
write the batch's article tables as spill files (parse_batch); then, once the
run knows which copy of each article wins, the facts tables of the winners
whose facts the parse did not make (facts_batch). Kept apart so that worker
processes (local or Dask) import only what they need.

Only the per-file outcomes travel back; the rows stay on disk, so memory does
not grow with the corpus. Each spill row carries `_src`, the global number of
the input it came from, so the merge can drop a losing duplicate's rows.
"""

from __future__ import annotations

import hashlib
import os
import time
from array import array
from datetime import date

from ..environment import is_exhausted
from ..errors import ArticleSyntaxError, KbParseError
from .discover import Source, read_file

SRC = "_src"
# No KB article comes near this; a larger file would only cost a worker its memory.
MAX_ARTICLE_BYTES = 64 * 2**20


FORMATS = (None, "txt", "md")  # source_format by its code in Outcomes.fmt
# What a worker's seconds went to, summed over its batches (Outcomes.seconds);
# "busy" is the whole of parse_batch and facts_batch, so busy minus the rest is overhead.
STAGES = ("read", "parse", "rows", "spill", "facts", "busy")


class Outcomes:
    """What became of each input file, column by column, in input order:
    entry k is input number `base + k`. The main process keeps one entry per
    input file of the run, so entries are array slots, not objects (about
    130 bytes a file instead of 330)."""

    __slots__ = ("base", "size", "mtime_ns", "hashed", "sha256", "article_id", "day", "fmt", "rejects", "seconds")

    def __init__(self, base: int = 0) -> None:
        self.base = base
        self.size = array("q")
        self.mtime_ns = array("q")
        self.hashed = bytearray()  # 1 when the file was read and sha256 holds its digest
        self.sha256 = bytearray()  # 32 bytes per entry (zeros when not read)
        self.article_id: list[str | None] = []
        self.day = array("l")  # last_modified as date.toordinal(); 0 when none
        self.fmt = bytearray()  # index into FORMATS
        # entry -> (kind, line, column, message) for a file that could not be ingested
        self.rejects: dict[int, tuple[str, int | None, int | None, str]] = {}
        self.seconds = array("d", bytes(8 * len(STAGES)))  # by STAGES, summed over batches

    def __len__(self) -> int:
        return len(self.size)

    def add(self, size: int, mtime_ns: int, sha: bytes | None, article=None, reject=None) -> None:
        if reject is not None:
            self.rejects[len(self)] = reject
        self.size.append(size)
        self.mtime_ns.append(mtime_ns)
        self.hashed.append(sha is not None)
        self.sha256 += sha if sha is not None else bytes(32)
        self.article_id.append(article.article_id if article else None)
        self.day.append(article.last_modified.toordinal() if article and article.last_modified else 0)
        self.fmt.append(FORMATS.index(article.source_format) if article else 0)

    def extend(self, other: Outcomes) -> None:
        """Append a later batch's outcomes (its entries must follow ours)."""
        if other.base != self.base + len(self):
            raise ValueError(f"batch of inputs {other.base}.. arrived after {self.base + len(self)} inputs")
        n = len(self)
        self.rejects.update((n + k, r) for k, r in other.rejects.items())
        for name in ("size", "mtime_ns", "hashed", "sha256", "article_id", "day", "fmt"):
            getattr(self, name).extend(getattr(other, name))
        for i, sec in enumerate(other.seconds):
            self.seconds[i] += sec

    def last_modified(self, k: int) -> date | None:
        return date.fromordinal(self.day[k]) if self.day[k] else None

    def source_format(self, k: int) -> str | None:
        return FORMATS[self.fmt[k]]

    def sha_hex(self, k: int) -> str | None:
        return self.sha256[32 * k : 32 * k + 32].hex() if self.hashed[k] else None

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)


def spill_path(spill: str, table: str, batch_no: int, pass_: str = "b") -> str:
    """A spill file of a batch; pass_ "f" for the facts pass's (facts_batch)."""
    return f"{spill}/{table}/{pass_}{batch_no:07d}.parquet"


# The copies whose facts parse_batch makes at once: the txt copy of an article
# wins over its md page unless the page is newer (pipeline._winner_key), so its
# facts are almost always kept, and making them now spares the second pass
# (facts_batch) reading them back. Other winners get theirs in that pass; a
# txt copy that loses has its facts dropped with its other rows.
EAGER_FACTS = "txt"


def parse_batch(items: list[tuple[Source, bytes | None]], spill: str, batch_no: int, base: int) -> Outcomes:
    """Items carry their bytes when the caller read them (archive members).
    Input i of the batch is global input number base + i."""
    clock = time.perf_counter
    started = clock()
    import pyarrow as pa

    from ..parse import parse_text
    from ..tables import ROW, article_rows, fact_source

    result = Outcomes(base)
    records = []
    record_src: list[int] = []
    t_read = t_parse = 0.0
    for i, (src, data) in enumerate(items):
        if src.size > MAX_ARTICLE_BYTES:
            message = f"{src.size / 2**20:.0f} MB, larger than any KB article (the limit is {MAX_ARTICLE_BYTES >> 20} MB); not read"
            result.add(src.size, src.mtime_ns, None, reject=("too_large", None, None, message))
            continue
        t0 = clock()
        if data is None:
            try:
                data = read_file(src.path)
            except OSError as exc:
                if is_exhausted(exc):
                    raise  # out of file handles: no fault of this file's, and the next would fail too
                result.add(src.size, src.mtime_ns, None, reject=("unreadable", None, None, f"cannot read: {exc.strerror or exc}"))
                continue
        digest = hashlib.sha256(data)
        sha = digest.digest()
        t1 = clock()
        t_read += t1 - t0
        try:
            article = parse_text(data, source=src.path)
        except ArticleSyntaxError as exc:
            result.add(len(data), src.mtime_ns, sha, reject=("syntax", exc.line, exc.column, str(exc)))
        except KbParseError as exc:
            result.add(len(data), src.mtime_ns, sha, reject=("syntax", None, None, str(exc)))
        else:
            result.add(src.size, src.mtime_ns, sha, article)
            records.append((article, digest.hexdigest()))
            record_src.append(base + i)
        t_parse += clock() - t1
    t_rows = t_spill = t_facts = 0.0
    if records:
        from ..schema import table

        t0 = clock()
        # Spill files sorted by article id, in small row groups: the merge
        # reads a range of ids by row-group statistics. Every table's rows
        # follow their records' order, so sorting the records (a stable sort,
        # as Arrow's would be) sorts every table, without Arrow sorting each.
        order = sorted(range(len(records)), key=lambda k: records[k][0].article_id)
        records = [records[k] for k in order]
        srcs = [record_src[k] for k in order]
        lookup = pa.array(srcs, pa.int32())
        for name, t in article_rows(records, with_row=True, facts=False).items():
            t = t.append_column(SRC, lookup.take(t[ROW])).drop_columns([ROW])
            rows = max(64, table(name).batch_rows // 8)
            t1 = clock()
            _write_spill(t, spill_path(spill, name, batch_no), rows)
            t_spill += clock() - t1
        t_rows = clock() - t0 - t_spill
        eager = [k for k, (a, _) in enumerate(records) if a.source_format == EAGER_FACTS]
        if eager:  # a batch of md pages has none: no empty facts files
            sources = [fact_source(records[k][0]) for k in eager]
            t_facts, spilled = _spill_facts(sources, [srcs[k] for k in eager], lambda name: spill_path(spill, name, batch_no))
            t_spill += spilled
    result.seconds = array("d", (t_read, t_parse, t_rows, t_spill, t_facts, clock() - started))
    return result


def _spill_facts(sources: list[tuple], srcs: list[int], path) -> tuple[float, float]:
    """Write the facts tables of `sources` (kbparse.tables.fact_rows), whose
    input numbers are `srcs`, to path(table name); returns the seconds the
    facts took and those their writing took."""
    import pyarrow as pa

    from ..schema import table
    from ..tables import ROW, fact_rows

    clock = time.perf_counter
    t0 = clock()
    tables = fact_rows(sources, with_row=True)
    t1 = clock()
    lookup = pa.array(srcs, pa.int32())
    for name, t in tables.items():
        t = t.append_column(SRC, lookup.take(t[ROW])).drop_columns([ROW])
        _write_spill(t, path(name), max(64, table(name).batch_rows // 8))
    return t1 - t0, clock() - t1


def facts_batch(spill: str, batch_no: int, keep: list[int]) -> array:
    """The facts tables of the batch's winning copies numbered `keep` (those
    parse_batch did not make at once: EAGER_FACTS), as spill files beside the
    batch's other tables; returns its seconds by STAGES.

    Read from the batch's spilled `articles` (preamble) and `sections` rows,
    once the run has chosen which copy of each article wins: the recognizers
    cost as much as the parse, and a corpus of both dialects holds most
    articles twice.
    """
    clock = time.perf_counter
    started = clock()
    import pyarrow as pa
    import pyarrow.compute as pc

    # Only the wanted rows become Python objects.
    wanted = pa.array(keep, pa.int32())
    preambles, sections = (
        t.filter(pc.is_in(t[SRC], value_set=wanted))
        for t in (_read_spill(spill_path(spill, "articles", batch_no), ["article_id", "preamble", SRC]),
                  _read_spill(spill_path(spill, "sections", batch_no), ["heading", "text", SRC]))
    )
    by_src: dict[int, list[tuple[str, str]]] = {}
    for heading, text, src in zip(*(sections[c].to_pylist() for c in ("heading", "text", SRC))):
        by_src.setdefault(src, []).append((heading, text))
    # Spill rows are in article-id order (parse_batch), and so are these.
    srcs = preambles[SRC].to_pylist()
    sources = [(article_id, preamble, by_src.get(src, []))
               for article_id, preamble, src in zip(preambles["article_id"].to_pylist(), preambles["preamble"].to_pylist(), srcs)]
    t_facts, _ = _spill_facts(sources, srcs, lambda name: spill_path(spill, name, batch_no, "f"))
    return array("d", (0.0, 0.0, 0.0, 0.0, t_facts, clock() - started))


def _read_spill(path: str, columns: list[str]):
    import pyarrow.parquet as pq

    if "://" in path:
        import fsspec

        with fsspec.open(path, "rb") as fh:
            return pq.read_table(fh, columns=columns)
    return pq.read_table(path, columns=columns)


# Spill files are read once, soon, but they are the largest part of a run's
# peak disk: zstd at its fastest level makes them 3.5 times smaller for about
# 6% of an ingest's time (lz4: 2.5 times, half the time; README, Performance).
SPILL_CODEC = {"compression": "zstd", "compression_level": 1}


def _write_spill(t, path: str, row_group_size: int) -> None:
    import pyarrow.parquet as pq

    if "://" in path:  # shared storage, for workers on other machines
        import fsspec

        with fsspec.open(path, "wb", auto_mkdir=True) as fh:
            pq.write_table(t, fh, row_group_size=row_group_size, **SPILL_CODEC)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(t, path, row_group_size=row_group_size, **SPILL_CODEC)
