"""A query result as text for people: a box table that fits the terminal, one
`column = value` line per column (DuckDB's `.mode line`), or a Markdown table.

The two terminal views show the first rows and always end with how many rows
the result has; long values are cut to one line with an ellipsis. The Markdown
table holds every row and full values, as csv and json do.
"""

from __future__ import annotations

import io
import shutil

import pyarrow as pa

TABLE_ROWS = 50
# A column is never drawn narrower than this (unless all its values are), nor wider than CAP;
# when not every column fits so, the table keeps the first ones and says how many it left out.
MIN_COLUMN = 10
CAP = 60
ELLIPSIS = "…"


def terminal_width() -> int:
    """$COLUMNS, else the terminal's width, else 100 (output to a pipe or a file)."""
    return shutil.get_terminal_size(fallback=(100, 24)).columns


def _one_line(value) -> str:
    if value is None:
        return "NULL"
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def row_count(shown: int, total: int) -> str:
    """"(1 row)", "(2,362 rows)", or "(showing the first 50 of 2,362 rows)"."""
    if shown < total:
        return f"(showing the first {shown:,} of {total:,} rows)"
    return "(1 row)" if total == 1 else f"({total:,} rows)"


def _rows(t: pa.Table, max_rows: int) -> list[list[str]]:
    head = t.slice(0, max_rows)
    columns = [[_one_line(v) for v in column.to_pylist()] for column in head.columns]
    return [list(row) for row in zip(*columns)] if columns else []


def column_widths(natural: list[int], width: int) -> list[int]:
    """Widths for the first columns that fit in `width` (each drawn with a
    padding space either side and a border: 3 more), at least
    min(natural, MIN_COLUMN) each; the room left is shared out, narrowest
    wants first, up to each column's natural width (at most CAP)."""
    natural = [min(n, CAP) for n in natural]
    floors: list[int] = []
    used = 1  # the left border
    for n in natural:
        floor = min(n, MIN_COLUMN)
        if floors and used + floor + 3 > width:
            break
        floors.append(floor)
        used += floor + 3
    widths, room = floors[:], width - used
    wants = sorted(range(len(floors)), key=lambda i: natural[i] - floors[i])
    for left, i in enumerate(wants):
        share = room // (len(wants) - left)
        extra = min(natural[i] - floors[i], max(share, 0))
        widths[i] += extra
        room -= extra
    return widths


def render_table(t: pa.Table, max_rows: int = TABLE_ROWS, width: int | None = None) -> str:
    """A box table of the first rows within `width` columns (the terminal's),
    long values elided, then the row count (and the columns left out, if any)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    width = width or terminal_width()
    rows = _rows(t, max_rows)
    names = t.column_names
    natural = [max([len(name)] + [len(r[i]) for r in rows]) for i, name in enumerate(names)]
    widths = column_widths(natural, width)
    shown = len(widths)
    view = Table(show_edge=True, header_style="bold", box=box.HEAVY_HEAD, expand=False)
    for name, w in zip(names, widths):
        view.add_column(name, no_wrap=True, overflow="ellipsis", width=w)
    for row in rows:
        view.add_row(*row[:shown])
    buffer = io.StringIO()
    # The console may be wider than `width`: a one-column table of a long name is never cut to nothing.
    console = Console(width=max(width, 1 + sum(w + 3 for w in widths)), file=buffer, force_terminal=False,
                      color_system=None, highlight=False)
    console.print(view)
    notes = [row_count(len(rows), t.num_rows)]
    if shown < len(names):
        notes.append(f"({shown} of {len(names)} columns shown: --format line shows every column)")
    return buffer.getvalue() + "\n".join(notes) + "\n"


def render_lines(t: pa.Table, max_rows: int = TABLE_ROWS, width: int | None = None) -> str:
    """Each row as `column = value` lines, names right-aligned, a blank line
    between rows; a value longer than the line is elided. Then the row count."""
    width = width or terminal_width()
    names = t.column_names
    pad = max((len(n) for n in names), default=0)
    rows = _rows(t, max_rows)
    blocks = [
        "\n".join(f"{name:>{pad}} = {_cut(value, width - pad - 3)}" for name, value in zip(names, row)) + "\n"
        for row in rows
    ]
    return "\n".join(blocks) + ("\n" if blocks else "") + row_count(len(rows), t.num_rows) + "\n"


def _md_cell(value) -> str:
    return "" if value is None else _one_line(value).replace("|", "\\|")


def render_markdown(t: pa.Table) -> str:
    """Every row as a GitHub Markdown table (the README's tour is this output)."""
    names = t.column_names
    lines = ["| " + " | ".join(n.replace("|", "\\|") for n in names) + " |", "| " + " | ".join("---" for _ in names) + " |"]
    for row in zip(*(column.to_pylist() for column in t.columns)):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
