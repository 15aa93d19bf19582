"""kbparse: Microsoft Knowledge Base articles into clean, typed tables."""

from .errors import ArticleSyntaxError, DialectError, KbParseError
from .parse import parse_file, parse_text
from .record import Article, Section

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleSyntaxError",
    "DialectError",
    "KbParseError",
    "Section",
    "__version__",
    "parse_file",
    "parse_text",
]
