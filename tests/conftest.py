from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The sample archive the README's tour ingests (data/make_sample.py writes it).
SAMPLE_ARCHIVE = ROOT / "data" / "kb-sample.tar.gz"


def _examples_only() -> Path:
    """data/ as the tests use it: the seed and the hand-made examples, without
    the sample archive, so that ingesting DATA gives those few articles in a
    fraction of a second. A copy (file times kept), removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="kbparse-data-")) / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns(SAMPLE_ARCHIVE.name, "__pycache__"))
    atexit.register(shutil.rmtree, folder.parent, True)
    return folder


DATA = _examples_only()
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "kb-sample"

needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/kb-sample is absent")


def sample_files() -> list[Path]:
    if not SAMPLE.is_dir():
        return []
    return sorted(SAMPLE.glob("txt/*/*.TXT")) + sorted(SAMPLE.glob("kb/*/*/README.md"))


@pytest.fixture(scope="session")
def sample_records():
    """Every sample article parsed once per test session: path -> Article."""
    import kbparse

    return {path: kbparse.parse_file(path) for path in sample_files()}


@pytest.fixture(scope="session")
def sample_archive_dataset(tmp_path_factory):
    """data/kb-sample.tar.gz ingested once per session, as the README's first command does."""
    import kbparse

    out = tmp_path_factory.mktemp("tour") / "kb-data"
    result = kbparse.ingest([SAMPLE_ARCHIVE], out, workers=2)
    assert result.rejected == 0
    return out
