"""Which dataset store an `--out` names: a local folder (or file:// URL), or an
object store URL. Apart from both stores so that neither imports the other's
module to choose (kbparse.object_store builds on kbparse.store)."""

from __future__ import annotations

import os

from .urls import is_url, local_path
from .store import DatasetStore


def open_store(out: str | os.PathLike[str]):
    """The store for `--out`: a local folder (or file:// URL), or an object store URL."""
    text = os.fspath(out)
    if text.startswith("file://"):
        return DatasetStore(local_path(text))
    if is_url(text):
        from .object_store import ObjectStore  # fsspec's filesystems load only for a URL

        return ObjectStore(text)
    return DatasetStore(text)
