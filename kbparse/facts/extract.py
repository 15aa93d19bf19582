"""Run every facts recognizer over one article: table name -> rows.

Which text each recognizer reads is decided here, not in the recognizers:
the status and its fixes come from STATUS (and RESOLUTION, which often says
"obtain the latest service pack" while STATUS names its number); error codes,
messages, files and registry settings from every section and from the
preamble (the only text of a page with no sections), whose `section` is null.
Rows are numbered 0, 1, ... per table in article order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from .error_codes import find_error_codes
from .error_messages import find_error_messages
from .files import find_files
from .fixes import find_fixes
from .registry import find_registry_settings
from .status import classify_status

if TYPE_CHECKING:
    from ..record import Article

STATUS, RESOLUTION = "STATUS", "RESOLUTION"

# table -> (recognizer, the sections it reads; None: every section and the preamble)
_SCANNERS = {
    "fixes": (find_fixes, (STATUS, RESOLUTION)),
    "error_codes": (find_error_codes, None),
    "error_messages": (find_error_messages, None),
    "files": (find_files, None),
    "registry_settings": (find_registry_settings, None),
}

FACT_TABLES = ("status", *_SCANNERS)


def extract_facts(article: Article) -> dict[str, list[dict]]:
    """Every fact of the article, as rows of the facts tables (without article_id)."""
    return facts_of(article.preamble, [(s.heading, s.text) for s in article.sections])


def facts_of(preamble: str | None, sections: Sequence[tuple[str, str]]) -> dict[str, list[dict]]:
    """extract_facts from what it reads of an article: its preamble and its
    (heading, text) sections, as the `articles` and `sections` tables hold them."""
    return next(facts_of_many([(preamble, sections)]))


# Articles per batch of facts_of_many: enough for each recognizer's regexes and
# pyparsing objects to stay in the CPU caches through a run, few enough that a
# batch's texts and rows are a small fraction of what the caller already holds.
CHUNK = 256


def facts_of_many(
    sources: Iterable[tuple[str | None, Sequence[tuple[str, str]]]],
) -> Iterator[dict[str, list[dict]]]:
    """facts_of of each (preamble, sections) pair, in order.

    The recognizers are run one after the other over a batch of articles
    rather than all six per article: interleaving them evicts each one's
    compiled patterns from the CPU caches, which cost about a sixth of the
    whole on the sample. The rows are the same: each table's rows of an
    article come from its own recognizer, in the article's order.
    """
    it = iter(sources)
    while chunk := list(islice(it, CHUNK)):
        yield from _facts_of_chunk(chunk)


def _facts_of_chunk(chunk: list[tuple[str | None, Sequence[tuple[str, str]]]]) -> list[dict[str, list[dict]]]:
    outs, all_texts = [], []
    for preamble, sections in chunk:
        texts = [(None, preamble)] if preamble else []
        texts += [(heading, text) for heading, text in sections if text]
        out: dict[str, list[dict]] = {name: [] for name in FACT_TABLES}
        if any(heading == STATUS for heading, _ in sections):
            status_text = "\n\n".join(text for heading, text in texts if heading == STATUS)
            out["status"].append(classify_status(status_text))
        outs.append(out)
        all_texts.append(texts)
    for name, (scan, wanted) in _SCANNERS.items():
        for out, texts in zip(outs, all_texts):
            rows = out[name]
            for heading, text in texts:
                if wanted is not None and heading not in wanted:
                    continue
                for row in scan(text):
                    rows.append({"position": len(rows), "section": heading, **row})
    return outs
