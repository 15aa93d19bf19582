"""What a worker does with one batch of input files: read, hash, parse (or
only key, see EAGER), and write the batch's article tables as spill files
(parse_batch); then, once the run knows which copy of each article wins, the
rows the batch still owes its winners: the article tables of those it only
keyed, the facts tables of those whose facts the parse did not make
(finish_batch). Kept apart so that worker processes (local or Dask) import
only what they need.

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
# "busy" is the whole of parse_batch and finish_batch, so busy minus the rest is overhead.
STAGES = ("read", "parse", "rows", "spill", "facts", "busy")


class Outcomes:
    """What became of each input file, column by column, in input order:
    entry k is input number `base + k`. The main process keeps one entry per
    input file of the run, so entries are array slots, not objects (about
    130 bytes a file instead of 330)."""

    __slots__ = ("base", "size", "mtime_ns", "hashed", "sha256", "article_id", "day", "fmt", "keyed", "rejects",
                 "seconds")

    def __init__(self, base: int = 0) -> None:
        self.base = base
        self.size = array("q")
        self.mtime_ns = array("q")
        self.hashed = bytearray()  # 1 when the file was read and sha256 holds its digest
        self.sha256 = bytearray()  # 32 bytes per entry (zeros when not read)
        self.article_id: list[str | None] = []
        self.day = array("l")  # last_modified as date.toordinal(); 0 when none
        self.fmt = bytearray()  # index into FORMATS
        self.keyed = bytearray()  # 1 when only keyed (parse.read_key): its rows are made if it wins
        # entry -> (kind, line, column, message) for a file that could not be ingested
        self.rejects: dict[int, tuple[str, int | None, int | None, str]] = {}
        self.seconds = array("d", bytes(8 * len(STAGES)))  # by STAGES, summed over batches

    def __len__(self) -> int:
        return len(self.size)

    def add(self, size: int, mtime_ns: int, sha: bytes | None, article=None, keyed: bool = False,
            reject=None) -> None:
        """`article`: the Article or ArticleKey read of the file."""
        if reject is not None:
            self.rejects[len(self)] = reject
        self.size.append(size)
        self.mtime_ns.append(mtime_ns)
        self.hashed.append(sha is not None)
        self.sha256 += sha if sha is not None else bytes(32)
        self.article_id.append(article.article_id if article else None)
        self.day.append(article.last_modified.toordinal() if article and article.last_modified else 0)
        self.fmt.append(FORMATS.index(article.source_format) if article else 0)
        self.keyed.append(keyed)

    def extend(self, other: Outcomes) -> None:
        """Append a later batch's outcomes (its entries must follow ours)."""
        if other.base != self.base + len(self):
            raise ValueError(f"batch of inputs {other.base}.. arrived after {self.base + len(self)} inputs")
        n = len(self)
        self.rejects.update((n + k, r) for k, r in other.rejects.items())
        for name in ("size", "mtime_ns", "hashed", "sha256", "article_id", "day", "fmt", "keyed"):
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
    """A spill file of a batch; pass_ "w" and "f" for finish_batch's article and facts tables."""
    return f"{spill}/{table}/{pass_}{batch_no:07d}.parquet"


# The dialect whose copies parse_batch parses in full at once, rows and facts.
# A txt copy wins over its md page unless the page is newer (changes.winner_key),
# so it is almost always kept. A copy in another dialect that the worker read
# from a path (and so can read again) is only keyed there (parse.read_key: the
# same grammar and checks, no record, about a third of a parse) and made in
# full by finish_batch if it wins: a corpus of both dialects holds most
# articles twice, and the losing copies' rows would be dropped by the merge.
EAGER = "txt"


def parse_batch(items: list[tuple[Source, bytes | None]], spill: str, batch_no: int, base: int) -> Outcomes:
    """Items carry their bytes when the caller read them (archive members).
    Input i of the batch is global input number base + i."""
    clock = time.perf_counter
    started = clock()
    from ..decode import decode
    from ..dialects import detect
    from ..parse import parse_text, read_key

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
        again = data is None  # read here from its path, so finish_batch can read it again
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
        text = decode(data)
        d = detect(text)
        keyed = again and d is not None and d.name != EAGER
        try:
            found = (read_key if keyed else parse_text)(text, d and d.name, source=src.path)
        except KbParseError as exc:
            result.add(len(data), src.mtime_ns, sha, reject=_reject(exc))
        else:
            result.add(src.size, src.mtime_ns, sha, found, keyed)
            if not keyed:
                records.append((found, digest.hexdigest()))
                record_src.append(base + i)
        t_parse += clock() - t1
    t_rows, t_spill = _spill_articles(records, record_src, lambda name: spill_path(spill, name, batch_no))
    t_facts = 0.0
    eager = [k for k, (a, _) in enumerate(records) if a.source_format == EAGER]
    if eager:  # a batch of md pages has none: no empty facts files
        from ..tables import fact_source

        sources = [fact_source(records[k][0]) for k in eager]
        t_facts, spilled = _spill_facts(sources, [record_src[k] for k in eager], lambda name: spill_path(spill, name, batch_no))
        t_spill += spilled
    result.seconds = array("d", (t_read, t_parse, t_rows, t_spill, t_facts, clock() - started))
    return result


def _reject(exc: KbParseError) -> tuple[str, int | None, int | None, str]:
    if isinstance(exc, ArticleSyntaxError):
        return "syntax", exc.line, exc.column, str(exc)
    return "syntax", None, None, str(exc)


def _spill_articles(records: list[tuple], srcs: list[int], path) -> tuple[float, float]:
    """Write the article tables of `records` ((article, content sha256)),
    whose input numbers are `srcs`, to path(table name), sorting both lists
    by article id; returns the seconds the rows took and those their writing took.

    Spill files are sorted by article id, in small row groups: the merge
    reads a range of ids by row-group statistics. Every table's rows follow
    their records' order, so sorting the records (a stable sort, as Arrow's
    would be) sorts every table, without Arrow sorting each."""
    if not records:
        return 0.0, 0.0
    from ..tables import article_rows

    t0 = time.perf_counter()
    order = sorted(range(len(records)), key=lambda k: records[k][0].article_id)
    records[:] = [records[k] for k in order]  # in place: the caller's facts follow the same order
    srcs[:] = [srcs[k] for k in order]
    tables = article_rows(records, with_row=True, facts=False)
    return time.perf_counter() - t0, _spill_tables(tables, srcs, path)


def _spill_facts(sources: list[tuple], srcs: list[int], path) -> tuple[float, float]:
    """Write the facts tables of `sources` (kbparse.tables.fact_rows), whose
    input numbers are `srcs`, to path(table name); returns the seconds the
    facts took and those their writing took."""
    from ..tables import fact_rows

    t0 = time.perf_counter()
    tables = fact_rows(sources, with_row=True)
    return time.perf_counter() - t0, _spill_tables(tables, srcs, path)


def _spill_tables(tables: dict, srcs: list[int], path) -> float:
    """Write each table (with its `_row` column: the index into `srcs`) to
    path(table name), `_row` replaced by the input number; returns the seconds."""
    import pyarrow as pa

    from ..schema import table
    from ..tables import ROW

    t0 = time.perf_counter()
    lookup = pa.array(srcs, pa.int32())
    for name, t in tables.items():
        t = t.append_column(SRC, lookup.take(t[ROW])).drop_columns([ROW])
        _write_spill(t, path(name), max(64, table(name).batch_rows // 8))
    return time.perf_counter() - t0


# What finish_batch reports of a keyed copy it could not make: the file
# changed or went away after parse_batch read it, mid-run.
CHANGED = "changed while this run read it (it was read twice); the next run reads it again"


def finish_batch(spill: str, batch_no: int, spilled: list[int], keyed: dict[int, tuple[str, bytes]]
                 ) -> tuple[array, dict[int, tuple[str, int | None, int | None, str]]]:
    """What the parse still owes winning copies once the run knows them: the
    keyed ones (`keyed`: input number -> (path, sha256 as parse_batch read
    it)) are read again and parsed in full and get their article tables ("w"
    spill files); they and the copies numbered `spilled`, which parse_batch
    made in full in this batch but without facts (archive members), get their
    facts tables ("f"). Returns the seconds by STAGES, and the rejects (by
    input number) of keyed copies that could not be made: changed or gone
    since parse_batch read them.

    The facts of the `spilled` copies are read from the batch's spilled
    `articles` (preamble) and `sections` rows: the recognizers cost as much
    as the parse, and only winners need them.
    """
    clock = time.perf_counter
    started = clock()
    from ..parse import parse_text
    from ..tables import fact_source

    t_read = t_parse = 0.0
    records, record_src = [], []
    rejects = {}
    for k, (path, sha) in keyed.items():
        t0 = clock()
        try:
            data = read_file(path)
        except OSError as exc:
            if is_exhausted(exc):
                raise
            rejects[k] = ("unreadable", None, None, f"cannot read: {exc.strerror or exc}")
            continue
        digest = hashlib.sha256(data)
        t1 = clock()
        t_read += t1 - t0
        if digest.digest() != sha:
            rejects[k] = ("unreadable", None, None, CHANGED)
            continue
        try:
            records.append((parse_text(data, source=path), digest.hexdigest()))
        except KbParseError as exc:  # parse_batch's read_key said it parses: not the bytes it read
            rejects[k] = _reject(exc)
            continue
        record_src.append(k)
        t_parse += clock() - t1
    t_rows, t_spill = _spill_articles(records, record_src, lambda name: spill_path(spill, name, batch_no, "w"))
    sources = [(fact_source(a), k) for (a, _), k in zip(records, record_src)]
    if spilled:
        sources += _spilled_sources(spill, batch_no, spilled)
    t_facts = 0.0
    if sources:
        sources.sort(key=lambda s: s[0][0])  # by article id, as spill files are
        t_facts, t_written = _spill_facts([s for s, _ in sources], [k for _, k in sources],
                                          lambda name: spill_path(spill, name, batch_no, "f"))
        t_spill += t_written
    return array("d", (t_read, t_parse, t_rows, t_spill, t_facts, clock() - started)), rejects


def _spilled_sources(spill: str, batch_no: int, keep: list[int]) -> list[tuple[tuple, int]]:
    """(fact source, input number) of the copies numbered `keep`, from the
    batch's spilled rows; only the wanted rows become Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = pa.array(keep, pa.int32())
    preambles, sections = (
        t.filter(pc.is_in(t[SRC], value_set=wanted))
        for t in (_read_spill(spill_path(spill, "articles", batch_no), ["article_id", "preamble", SRC]),
                  _read_spill(spill_path(spill, "sections", batch_no), ["heading", "text", SRC]))
    )
    by_src: dict[int, list[tuple[str, str]]] = {}
    for heading, text, src in zip(*(sections[c].to_pylist() for c in ("heading", "text", SRC))):
        by_src.setdefault(src, []).append((heading, text))
    return [((article_id, preamble, by_src.get(src, [])), src)
            for article_id, preamble, src in zip(*(preambles[c].to_pylist() for c in ("article_id", "preamble", SRC)))]


def _read_spill(path: str, columns: list[str]):
    import pyarrow.parquet as pq

    if "://" in path:
        import fsspec

        with fsspec.open(path, "rb") as fh:
            return pq.read_table(fh, columns=columns)
    return pq.read_table(path, columns=columns)


# Spill files are read once, soon, and are most of a first run's peak disk.
# lz4 makes them about 2.5 times smaller for a quarter less time than zstd at
# its fastest level (3.5 times smaller): 0.96x an ingest's time, with a first
# ingest's peak at 1.6x the dataset instead of 1.3x, under the 3x that a nightly
# re-run needs anyway (README, Operations). No dictionary pages, and statistics
# only where the merge reads them (the article id's, by which it picks a
# range's files and row groups): a quarter less time to write, and no larger.
SPILL_CODEC = {"compression": "lz4", "use_dictionary": False, "write_statistics": ["article_id"]}


def _write_spill(t, path: str, row_group_size: int) -> None:
    import pyarrow.parquet as pq

    if "://" in path:  # shared storage, for workers on other machines
        import fsspec

        with fsspec.open(path, "wb", auto_mkdir=True) as fh:
            pq.write_table(t, fh, row_group_size=row_group_size, **SPILL_CODEC)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pq.write_table(t, path, row_group_size=row_group_size, **SPILL_CODEC)
