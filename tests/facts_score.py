"""Precision and recall of a facts recognizer on its labelled cases.

tests/facts_cases/<table>.jsonl holds one case a line, drawn from the sample
and checked by hand:
    {"source": "txt/001/Q100001.TXT", "section": "STATUS", "text": "...",
     "rows": [{...}, ...], "note": "optional: why"}
`rows` are the rows the text must give (an empty list: a snippet that must give
none). A predicted row matches an expected one when every column the expected
row names is equal; rows are matched as multisets, so a row found twice when
once was expected counts one false positive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CASES = Path(__file__).resolve().parent / "facts_cases"


def load_cases(table: str) -> list[dict]:
    lines = (CASES / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    cases: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __str__(self) -> str:
        return (f"{self.cases} cases, {self.tp + self.fn} expected rows: precision {self.precision:.1%} "
                f"recall {self.recall:.1%} (tp {self.tp}, fp {self.fp}, fn {self.fn})")


def _matches(expected: dict, got: dict) -> bool:
    return all(got.get(k) == v for k, v in expected.items())


def score(cases: list[dict], extract: Callable[[dict], list[dict]]) -> tuple[Score, list[str]]:
    """Score `extract(case) -> rows` over the cases; also returns one line per miss."""
    total = Score()
    misses: list[str] = []
    for case in cases:
        total.cases += 1
        got = list(extract(case))
        for want in case["rows"]:
            hit = next((g for g in got if _matches(want, g)), None)
            if hit is None:
                total.fn += 1
                misses.append(f"missed {want} in {case['source']} {case['section']}")
            else:
                total.tp += 1
                got.remove(hit)
        total.fp += len(got)
        misses += [f"spurious {g} in {case['source']} {case['section']}" for g in got]
    return total, misses
