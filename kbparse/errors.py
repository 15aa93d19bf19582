"""The project's exceptions: every error kbparse raises on purpose is a KbParseError."""

from __future__ import annotations


def printable(text: str) -> str:
    """Text safe to print on a terminal: every non-printable character (ESC,
    BEL, NUL, other controls) as its repr-style escape, so a binary input's
    bytes can neither garble nor drive the terminal. Idempotent."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


class KbParseError(Exception):
    """Base class: the CLI turns any of these into a short message and exits with `exit_code`."""

    # 1: the work found a problem (bad SQL, a bad article); 2: unusable arguments or setup.
    exit_code = 1


class UsageError(KbParseError):
    """What was asked for cannot be used: no such input, no dataset, an engine that cannot start."""

    exit_code = 2


class DialectError(UsageError):
    """A dialect description in grammars/ is malformed (a misspelt key, a missing table)."""


class ArticleSyntaxError(KbParseError):
    """Input that is not a KB article in any known dialect, with where and why.

    `line` and `column` are 1-based; `line_text` is the offending line as decoded.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int = 1,
        column: int = 1,
        expected: str = "",
        line_text: str = "",
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.expected = expected
        self.line_text = line_text
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source or '<text>'}:{self.line}:{self.column}"
        found = self.line_text if len(self.line_text) <= 80 else self.line_text[:77] + "..."
        return printable(f"{where}: {self.message}" + (f" (line: {found!r})" if found else ""))

    def with_source(self, source: str) -> "ArticleSyntaxError":
        self.source = source
        self.args = (str(self),)
        return self
