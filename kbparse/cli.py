"""The `kbparse` command: a thin typer layer over the library API.

Each command calls one library function and turns KbParseError into a short
message and an exit code; a traceback is never the user's problem.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from typer.core import TyperCommand

from . import __version__
from .dataset import default_data_dir
from .errors import KbParseError, printable
from .progress import progress_reporter

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn Microsoft Knowledge Base articles into clean, typed tables.",
    pretty_exceptions_enable=False,
    # Plain click help: rich would read "[default: ...]" as markup and eat it,
    # and it prints the docstrings' line breaks as they are in the source.
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},
)


class _Command(TyperCommand):
    """Help as click writes it, arguments by their metavar: `PATH...`, not
    typer's `{paths}...` and a `<list[str]>` type tag."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [self.options_metavar] + [p.metavar for p in self.get_params(ctx) if p.param_type_name == "argument"]

    def format_options(self, ctx, formatter) -> None:
        params = self.get_params(ctx)
        args = [(p.metavar, p.help or "") for p in params if p.param_type_name == "argument"]
        opts = [r for p in params if p.param_type_name == "option" and (r := p.get_help_record(ctx))]
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class ParseFormat(str, Enum):
    json = "json"
    text = "text"


class QueryFormat(str, Enum):
    table = "table"
    line = "line"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class SchemaFormat(str, Enum):
    markdown = "markdown"
    json = "json"


# The dataset folder, defined once for every command that reads one. Defaults
# are written into the help by hand (show_default=False) where typer's own
# would be wrong: None for $KBPARSE_DATA, 0 for the number of cores.
_DATA_DEFAULT = "[default: $KBPARSE_DATA, then ./kb-data]"
_DATA_HELP = f"Dataset folder or URL. {_DATA_DEFAULT}"
# str, not Path: Path("s3://b/kb") is "s3:/b/kb", which is no URL.
DataOption = Annotated[Optional[str], typer.Option("--data", "-d", metavar="DIR|URL", help=_DATA_HELP, show_default=False)]
DataArgument = Annotated[Optional[str], typer.Argument(metavar="[DIR|URL]", help=_DATA_HELP, show_default=False)]


def _json_value(value):
    if hasattr(value, "isoformat"):  # a file's date among the facts
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _error(message: str) -> None:
    # Messages quote file names and article text: never let their bytes reach the terminal raw.
    typer.echo(printable(f"kbparse: {message}"), err=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, a shutdown), raised in the main thread
    like Ctrl-C's KeyboardInterrupt so that a run cleans up the same way."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


@contextmanager
def _reported(where: str | os.PathLike[str] | None = None):
    """Library errors become one line on stderr and their exit code; so does
    what the machine refused (kbparse.environment), about `where` when the
    error names no path of its own."""
    from .environment import environment_errors

    try:
        with environment_errors(os.fspath(where) if where is not None else None):
            yield
    except KbParseError as exc:
        _error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, _Terminated)
        _error(f"{'terminated' if terminated else 'interrupted'}; no dataset was changed")
        raise typer.Exit(143 if terminated else 130) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kbparse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    pass


@app.command(cls=_Command)
def parse(
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Article files, in either dialect (txt or md)."),
    format: ParseFormat = typer.Option(ParseFormat.json, "--format", "-f", metavar="[json|text]",
                                       help="json: one object per line; text: a readable view."),
) -> None:
    """Parse article files and print one record each.

    A file that is not a KB article is reported on stderr with its line and
    column; the others are still printed, and the exit code is 1 at the end.

    Example: kbparse parse data/seed/Q283472.TXT --format text
    """
    from .facts.extract import extract_facts
    from .parse import parse_file
    from .render import render_facts, render_text

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
        facts = extract_facts(article)
        if format is ParseFormat.json:
            record = article.to_dict() | {"facts": facts}
            typer.echo(json.dumps(record, ensure_ascii=False, default=_json_value))
        else:
            typer.echo(render_text(article) + render_facts(facts))
    if failed:
        _error(f"{failed} of {len(files)} file(s) could not be parsed")
        raise typer.Exit(1)


@app.command(cls=_Command)
def ingest(
    paths: List[str] = typer.Argument(
        ..., metavar="PATH...",
        help="Article files, folders (walked recursively), .zip or .tar.gz archives, or URLs of any of these "
             "(https://, s3://, any fsspec protocol)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", metavar="DIR|URL", show_default=False,
                                      help=f"Dataset folder or URL to write. {_DATA_DEFAULT}"),
    workers: int = typer.Option(0, "--workers", "-w", min=0, metavar="N", show_default=False,
                                help=f"Worker processes. [default: the number of cores ({os.cpu_count() or 1} here)]"),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild from these inputs alone, forgetting earlier runs' articles."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, only the summary."),
    engine: str = typer.Option("local", "--engine", metavar="[local|dask]",
                               help="local: worker processes here; dask: tasks on a Dask cluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS", show_default=False,
                                            help="Dask scheduler address. [default: a LocalCluster of --workers processes]"),
) -> None:
    """Parse articles into a Parquet dataset, one folder per table.

    Re-runs parse only new and changed files; the new version replaces the
    old one atomically. Bad files are listed in the `rejects` table and on
    stderr. Exit code: 0 all ingested, 1 some rejected (the dataset is still
    written), 2 unusable arguments or a failure of the machine (disk full,
    permission, read-only filesystem...; the dataset is as it was).

    Example: kbparse ingest data/kb-sample.tar.gz --out kb-data
    """
    from .ingestion.engines import refuse_pandas
    from .ingestion.pipeline import ingest as run_ingest
    from .urls import is_url

    target = out or default_data_dir()
    if _OWN_PROCESS and engine == "local" and not any(map(is_url, [*paths, target])):
        # Nothing of a local run uses pandas, but pyarrow's first pa.array
        # would import it: 0.2 s of the merge's start, with the workers done.
        refuse_pandas()
    with _reported(), progress_reporter(enabled=not quiet) as report:
        result = run_ingest(paths, target, workers=workers or None, full_refresh=full_refresh,
                            progress=report, engine=engine, scheduler=scheduler)
    for r in result.rejects[:20]:
        where = f":{r.line}:{r.column}" if r.line else ""
        detail = r.message if r.message.startswith(r.source_path) else f"{r.source_path}{where}: {r.message}"
        _error(f"rejected ({r.error_kind}) {detail}")
    if len(result.rejects) > 20:
        _error(f"... and {len(result.rejects) - 20} more: see the rejects table")
    rate = f", {result.rate:,.0f} articles/s" if result.parsed else ""
    typer.echo(
        f"{result.out}: {result.articles} articles (version {result.version}); this run: "
        f"{result.seen} inputs, {result.parsed} parsed, {result.unchanged} unchanged, "
        f"{result.rejected} rejected, {result.duplicates} duplicates, {result.seconds:.1f} s{rate}"
    )
    raise typer.Exit(result.exit_code)


@app.command(cls=_Command)
def query(
    sql: str = typer.Argument(..., metavar="SQL", help="SQL; every table of the dataset is a view with its name."),
    data: DataOption = None,
    format: QueryFormat = typer.Option(
        QueryFormat.table, "--format", "-f", metavar="[table|line|markdown|csv|json|parquet]",
        help="table: the first 50 rows, sized to the terminal; line: one 'column = value' line per column, "
             "for wide rows; markdown, csv, json (one object per line), parquet: every row."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", show_default=False,
                                          help="Write the result to FILE instead of stdout (needed for parquet). [default: stdout]"),
) -> None:
    """Run SQL on a dataset with DuckDB and print or save the result.

    The table and line views end with the number of rows of the result.

    Example: kbparse query "select issue_type, count(*) from issue_types group by all order by 2 desc"
    """
    from .query import run_query, write_result

    with _reported(output):
        write_result(run_query(sql, data), format.value, output, sys.stdout)


@app.command(cls=_Command)
def schema(
    format: SchemaFormat = typer.Option(SchemaFormat.markdown, "--format", "-f", metavar="[markdown|json]", help="markdown or json."),
) -> None:
    """Print the data dictionary.

    Every table, column, type, key and meaning; docs/schema.md is this command's Markdown output.

    Example: kbparse schema --format json
    """
    from .schema_doc import to_json, to_markdown

    typer.echo(to_markdown() if format is SchemaFormat.markdown else to_json(), nl=False)


@app.command(cls=_Command)
def validate(data: DataArgument = None) -> None:
    """Check a dataset against the schema.

    The checks: column types, keys unique and not null, every child row's
    article in articles, positions 0..n-1.

    Prints each problem and exits 1 when there is any, 0 when the dataset is sound.

    Example: kbparse validate kb-data
    """
    from .validation import validate as run_validate

    with _reported():
        findings = run_validate(data)
    for f in findings:
        typer.echo(str(f))
    if findings:
        _error(f"{len(findings)} problem(s) found")
        raise typer.Exit(1)
    typer.echo("ok: every table matches the schema")


@app.command(cls=_Command)
def stats(data: DataArgument = None) -> None:
    """Show a dataset at a glance.

    Articles, dates, products, issue and solution types, and the most cited
    articles (those the dataset does not hold are titled "(not in dataset)").

    Example: kbparse stats kb-data
    """
    from rich.console import Console
    from rich.table import Table

    from .summary import stats as run_stats

    with _reported():
        summaries = run_stats(data)
    console = Console()
    for summary in summaries:
        view = Table(title=summary.title, title_justify="left")
        for name in summary.columns:
            view.add_column(name)
        for row in summary.rows:
            view.add_row(*("" if v is None else str(v) for v in row))
        console.print(view)


# True when this module runs as the `kbparse` program (main()), whose process
# is the command's own and may be set up for it alone (not so under a test's
# CliRunner or a notebook's call: refuse_pandas would outlast the command).
_OWN_PROCESS = False


def main() -> None:
    global _OWN_PROCESS
    _OWN_PROCESS = True
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = _run()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing left to say
        pass
    # Leave without the interpreter's teardown: pandas, pyarrow and DuckDB take
    # about 0.1 s to unload, a tenth of a re-run, and a finished command needs
    # none of it (files are closed, worker pools and clusters shut down, output
    # flushed above).
    os._exit(code)


def _run() -> int:
    try:
        app()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        _error(str(done.code))
        return 1
    except KbParseError as exc:  # a dialect file broken on disk, say
        _error(str(exc))
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("KBPARSE_DEBUG"):
            raise
        _error(
            f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            "(no dataset was changed; set KBPARSE_DEBUG=1 for the traceback, and please report it)"
        )
        return 3
    return 0
