"""The parsing API: text or a file in, an Article record out."""

from __future__ import annotations

import os
from pathlib import Path

import pyparsing as pp

from .decode import decode
from .dialects import Dialect, detect, dialect, dialect_names
from .errors import ArticleSyntaxError
from .grammar import article_grammar, head_grammar, one_element_grammar
from .record import Article, ArticleKey, article_key, build_article


def _resolve_dialect(text: str, name: str | None, source: str | None) -> Dialect:
    if name is not None:
        return dialect(name)
    found = detect(text)
    if found is None:
        first = text.split("\n", 1)[0]
        signs = ", ".join(f"{n}: {dialect(n).signature.pattern!r}" for n in dialect_names())
        raise ArticleSyntaxError(
            f"not a KB article: the start matches no dialect ({signs})",
            source=source,
            expected="a dialect's first line",
            line_text=first,
        )
    return found


def _prepared(text: str | bytes, name: str | None, source: str | None) -> tuple[str, Dialect]:
    if isinstance(text, bytes):
        text = decode(text)
    elif "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text, _resolve_dialect(text, name, source)


def _run(d: Dialect, head: bool, text: str, source: str | None) -> pp.ParseResults:
    """The parse results of dialect d's article grammar (its head grammar when `head`)."""
    try:
        # No parse_all: every grammar ends at the text's end, and parse_all
        # builds new elements on every call (~25 us an article).
        try:
            return one_element_grammar(d.name, head).parse_string(text)
        except pp.ParseBaseException:
            # The element-wise grammar rejects the same texts, and tells where and why.
            return (head_grammar if head else article_grammar)(d.name).parse_string(text)
    except pp.ParseBaseException as exc:
        expected = exc.parser_element.name if exc.parser_element is not None else ""
        raise ArticleSyntaxError(
            f"{d.name} article: expected {expected or 'more'}" + ("" if exc.line else ", found end of text"),
            source=source,
            line=exc.lineno,
            column=exc.col,
            expected=expected,
            line_text=exc.line,
        ) from None
    except RecursionError:
        raise ArticleSyntaxError(f"{d.name} article too deeply nested to parse", source=source) from None


def parse_text(text: str | bytes, dialect: str | None = None, *, source: str | None = None) -> Article:
    """Parse one article. `dialect` is "txt" or "md"; detected from the text when None.

    Raises ArticleSyntaxError (with line, column, what was expected and the
    offending line) when the text is not a KB article.
    """
    text, d = _prepared(text, dialect, source)
    return build_article(_run(d, False, text, source), d, text, source)


def read_key(text: str | bytes, dialect: str | None = None, *, source: str | None = None) -> ArticleKey:
    """The article id, date and dialect of one article, at a fraction of
    parse_text's cost: the same grammar matches the whole text, but its
    sections are not cut out and no record is built. Raises exactly what
    parse_text raises on the same text, so a text read this way is known to
    parse."""
    text, d = _prepared(text, dialect, source)
    return article_key(_run(d, True, text, source), d, text, source)


def parse_file(path: str | os.PathLike[str], dialect: str | None = None) -> Article:
    """Read, decode and parse one article file; the record's source_path is `path`."""
    source = os.fspath(path)
    return parse_text(Path(path).read_bytes(), dialect, source=source)
