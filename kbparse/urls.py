"""Telling URLs from local paths, and the fsspec filesystem of a URL: shared
by the inputs (kbparse.ingestion.discover) and the outputs (kbparse.output,
kbparse.object_store, kbparse.dataset)."""

from __future__ import annotations


def is_url(path: str) -> bool:
    return "://" in path


def local_path(url: str) -> str:
    """file:///a/b -> /a/b"""
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(url).path)


def url_filesystem(url: str, error: type[Exception]):
    """(fsspec filesystem, path without protocol) of a URL; a protocol whose
    package is missing or a malformed URL raises `error`, naming the URL."""
    try:
        import fsspec

        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise error(f"{url}: {exc}") from None
