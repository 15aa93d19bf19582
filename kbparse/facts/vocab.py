"""Load a facts vocabulary file (grammars/facts/<name>.toml), strictly.

Each recognizer declares the keys its file may hold and their kinds; an
unknown or missing key, or a value of the wrong kind, is a DialectError at
load time, as for the dialect files: a misspelt phrase list must not silently
turn a recognizer off.
"""

from __future__ import annotations

import tomllib
from typing import Any

from ..dialects import grammar_dir
from ..errors import DialectError

# Kinds a key may have: a string, a list of strings, a table of string -> string,
# a table of string -> list of strings, or a nested spec (a dict of key -> kind).
STR, STRS, STR_MAP, STRS_MAP = "str", "strs", "str_map", "strs_map"


def _is_strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check(data: dict, spec: dict, where: str, path) -> None:
    for key in data:
        if key not in spec:
            raise DialectError(f"{path}: unknown key {where}{key} (allowed: {', '.join(sorted(spec))})")
    for key, kind in spec.items():
        if key not in data:
            raise DialectError(f"{path}: missing key {where}{key}")
        value = data[key]
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise DialectError(f"{path}: {where}{key} must be a table")
            _check(value, kind, f"{where}{key}.", path)
            continue
        ok = {
            STR: isinstance(value, str),
            STRS: _is_strs(value),
            STR_MAP: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
            STRS_MAP: isinstance(value, dict) and all(_is_strs(v) for v in value.values()),
        }[kind]
        if not ok:
            raise DialectError(f"{path}: {where}{key} must be of kind {kind}")


def load_vocabulary(name: str, spec: dict, directory=None) -> dict:
    """The parsed grammars/facts/<name>.toml, checked against `spec`."""
    path = (directory or grammar_dir() / "facts") / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DialectError(f"no facts vocabulary {name!r}: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DialectError(f"{path}: {exc}") from None
    _check(data, spec, "", path)
    return data
