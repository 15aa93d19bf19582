"""The `kbparse` command: a thin typer layer over the library API.

Each command calls one library function and turns KbParseError into a short
message and an exit code; a traceback is never the user's problem.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List

import typer

from . import __version__
from .errors import KbParseError
from .parse import parse_file
from .render import render_text

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn Microsoft Knowledge Base articles into clean, typed tables.",
    pretty_exceptions_enable=False,
)


class ParseFormat(str, Enum):
    json = "json"
    text = "text"


def _error(message: str) -> None:
    typer.echo(f"kbparse: {message}", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kbparse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    pass


@app.command()
def parse(
    files: List[Path] = typer.Argument(..., help="Article files, in either dialect (txt or md)."),
    format: ParseFormat = typer.Option(ParseFormat.json, "--format", "-f", help="json: one object per line; text: a readable view."),
) -> None:
    """Parse articles and print one record each.

    A file that is not a KB article is reported on stderr with its line and
    column; the others are still printed, and the exit code is 1 at the end.

    Example: kbparse parse data/Q283472.TXT --format text
    """
    failed = 0
    for path in files:
        try:
            article = parse_file(path)
        except KbParseError as exc:
            failed += 1
            _error(str(exc))
            continue
        except OSError as exc:
            failed += 1
            _error(f"{path}: cannot read: {exc.strerror or exc}")
            continue
        if format is ParseFormat.json:
            typer.echo(json.dumps(article.to_dict(), ensure_ascii=False))
        else:
            typer.echo(render_text(article))
    if failed:
        _error(f"{failed} of {len(files)} file(s) could not be parsed")
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except KbParseError as exc:  # a dialect file broken on disk, say
        _error(str(exc))
        sys.exit(2)
