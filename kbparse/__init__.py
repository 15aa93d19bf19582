"""kbparse: Microsoft Knowledge Base articles into clean, typed tables.

    import kbparse
    article = kbparse.parse_file("data/seed/Q283472.TXT")
    result = kbparse.ingest(["data/"], "kb-data")

Names are imported on first use, so a command that parses nothing (a re-run
over unchanged files, `kbparse schema`) does not pay for loading the grammar.
"""

from __future__ import annotations

from importlib import import_module

from .errors import ArticleSyntaxError, DialectError, KbParseError, UsageError

__version__ = "0.1.0"

_LAZY = {
    "parse_file": ".parse",
    "parse_text": ".parse",
    "Article": ".record",
    "Section": ".record",
    "ingest": ".ingestion.pipeline",
    "IngestResult": ".ingestion.pipeline",
    "open_dataset": ".dataset",
    "read_table": ".frames",
    "run_query": ".query",
    "validate": ".validation",
    "stats": ".summary",
    "EnvironmentProblem": ".environment",
}

__all__ = ["ArticleSyntaxError", "DialectError", "KbParseError", "UsageError", "__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kbparse' has no attribute {name!r}")
