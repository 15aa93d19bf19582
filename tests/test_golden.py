"""Every example article in data/examples/ against its reviewed golden record."""

import json

import pytest

from regen_golden import GOLDEN, example_files, golden_path, record_json


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.name if p.name != "README.md" else p.parent.name)
def test_example_matches_golden(example):
    golden = golden_path(example)
    assert golden.exists(), f"no golden file for {example}: run python tests/regen_golden.py"
    assert record_json(example) == json.loads(golden.read_text(encoding="utf-8"))["record"]


def test_every_golden_file_has_its_example():
    expected = {golden_path(p) for p in example_files()}
    assert expected and set(GOLDEN.glob("*.json")) == expected


def test_txt_and_md_examples_agree_but_for_the_archive_escape():
    txt = record_json(next(p for p in example_files() if p.name == "Q100002.TXT"))
    md = record_json(next(p for p in example_files() if p.parent.name == "Q100002"))
    for key in ("product_code", "source_path", "source_format"):
        txt.pop(key), md.pop(key)
    assert json.dumps(txt).replace("\\u00b6", "<B6>") == json.dumps(md)
