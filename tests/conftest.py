from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
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
