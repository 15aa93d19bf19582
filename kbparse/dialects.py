"""Load the dialect descriptions in grammars/ and tell which dialect a text is in.

A dialect file extends another (usually `base`) and may override any table;
tables merge key by key. Unknown keys fail at load time, so a misspelt label
is an error and not a silently ignored line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import DialectError

# Every key a dialect file may use: table -> its keys, or None for a table
# whose keys are free labels (label -> record field).
_ALLOWED: dict[str, Any] = {
    "extends": None,
    "name": None,
    "signature": None,
    "line_prefix": None,
    "sections": {"names": None, "aliases": "strings"},
    "body": {"applies_to": None, "legal_notice": None, "meta": "labels", "placeholders": None},
    "trailer": "labels",
    "dates": {"format": None},
    "header": {"style": None, "document_label": None, "fields": "labels"},
}

HEADER_STYLES = ("document_line", "front_matter")

# Record fields that a label may feed; anything else is a typo in the file.
LABEL_FIELDS = frozenset(
    {
        "article_id", "title", "last_modified", "product_name", "versions",
        "operating_systems", "keywords", "technologies", "issue_types",
        "solution_types", "hardware", "components", "additional_query_words",
    }
)


@dataclass(frozen=True)
class Dialect:
    name: str
    signature: re.Pattern[str]
    line_prefix: str
    section_names: tuple[str, ...]
    section_aliases: dict[str, str]
    applies_to: str
    legal_notice: str
    meta: dict[str, str]
    trailer: dict[str, str]
    date_format: str
    header_style: str
    document_label: str
    header_fields: dict[str, str]
    # Header values that stand for "not given" (lower case), e.g. "see article".
    placeholders: frozenset[str] = frozenset()

    def canonical_heading(self, heading: str) -> str:
        heading = " ".join(heading.split())
        return self.section_aliases.get(heading, heading)


def grammar_dir() -> Path:
    """grammars/ as shipped in the wheel, else the source checkout's copy."""
    packaged = resources.files("kbparse") / "grammars"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "grammars"


def _check_keys(data: dict, allowed: Any, where: str, path: Path) -> None:
    for key, value in data.items():
        if allowed == "strings":
            if not isinstance(value, str):
                raise DialectError(f"{path}: [{where}] {key!r} must be a string")
            continue
        if allowed == "labels":
            if value not in LABEL_FIELDS:
                raise DialectError(
                    f"{path}: [{where}] {key!r} = {value!r}: value must be one of {sorted(LABEL_FIELDS)}"
                )
            continue
        if key not in allowed:
            raise DialectError(f"{path}: unknown key {where + '.' if where else ''}{key}")
        sub = allowed[key]
        if sub is not None:
            if not isinstance(value, dict):
                raise DialectError(f"{path}: {key} must be a table")
            _check_keys(value, sub, f"{where}.{key}" if where else key, path)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_raw(name: str, directory: Path, seen: tuple[str, ...] = ()) -> dict:
    path = directory / f"{name}.toml"
    if name in seen:
        raise DialectError(f"{path}: 'extends' loops back to {name!r}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DialectError(f"no dialect {name!r}: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DialectError(f"{path}: {exc}") from None
    _check_keys(data, _ALLOWED, "", path)
    parent = data.pop("extends", None)
    return _merge(_load_raw(parent, directory, seen + (name,)), data) if parent else data


def load_dialect(name: str, directory: Path | None = None) -> Dialect:
    directory = directory or grammar_dir()
    raw = _load_raw(name, directory)
    path = directory / f"{name}.toml"
    try:
        header = raw["header"]
        style = header["style"]
        if style not in HEADER_STYLES:
            raise DialectError(f"{path}: header.style must be one of {HEADER_STYLES}, not {style!r}")
        return Dialect(
            name=raw.get("name", name),
            signature=re.compile(raw["signature"]),
            line_prefix=raw.get("line_prefix", ""),
            section_names=tuple(raw["sections"]["names"]),
            section_aliases=dict(raw["sections"].get("aliases", {})),
            applies_to=raw["body"]["applies_to"],
            legal_notice=raw["body"]["legal_notice"],
            meta=dict(raw["body"]["meta"]),
            trailer=dict(raw["trailer"]),
            date_format=raw["dates"]["format"],
            header_style=style,
            document_label=header.get("document_label", ""),
            header_fields=dict(header["fields"]),
            placeholders=frozenset(v.lower() for v in raw["body"].get("placeholders", [])),
        )
    except KeyError as exc:
        raise DialectError(f"{path}: missing key {exc.args[0]!r}") from None


@cache
def dialect(name: str) -> Dialect:
    return load_dialect(name)


@cache
def dialect_names() -> tuple[str, ...]:
    """Dialects a text can be in: the files that give a signature (base gives none)."""
    return tuple(
        p.stem
        for p in sorted(grammar_dir().glob("*.toml"))
        if "signature" in tomllib.loads(p.read_text(encoding="utf-8"))
    )


def detect(text: str) -> Dialect | None:
    """The first dialect whose signature matches the start of the text."""
    for name in dialect_names():
        d = dialect(name)
        if d.signature.match(text):
            return d
    return None
