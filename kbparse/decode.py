"""Bytes to text: the one place that knows about encodings and line ends."""

from __future__ import annotations

import codecs

# Windows-1252 leaves five bytes undefined; keep them as the code point of the
# same value (as browsers do) instead of failing or dropping them.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _keep_undefined(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start : err.end]
    return "".join(chr(b) for b in bad), err.end


codecs.register_error("kbparse-keep", _keep_undefined)


def decode(data: bytes) -> str:
    """Decode an article file: UTF-16 when it says so with a BOM, UTF-8 where
    valid, else Windows-1252; CR, LF and CRLF all become LF; the text ends in LF."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="kbparse-keep")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text
