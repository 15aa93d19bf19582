"""Coverage of the facts layer on an ingested dataset: the figures the README gives.

    python benchmarks/facts_coverage.py [DATASET]

DATASET defaults to an ingest of ../shared/kb-sample into a temporary folder
(the whole sample, 2,362 distinct articles). Prints the share of STATUS
sections classed other than `other` (the issue quotes 98 % for the whole
archive), the share naming a specific fix target (a service pack number or a
product version), and the share of articles with an error code, a quoted
message, a file row and a registry setting. Counts are of distinct articles:
the dataset holds one row per article, whichever dialect won.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kbparse  # noqa: E402

SQL = """
select
  (select count(*) from articles) as articles,
  (select count(*) from status) as status_sections,
  (select count(*) from status where status <> 'other') as classed,
  (select count(distinct article_id) from fixes
     where section = 'STATUS' and (service_pack is not null or version is not null)) as status_with_target,
  (select count(distinct article_id) from error_codes) as with_error_code,
  (select count(distinct article_id) from error_messages) as with_error_message,
  (select count(distinct article_id) from files) as with_file,
  (select count(distinct article_id) from registry_settings) as with_registry
"""


def main() -> None:
    if len(sys.argv) > 1:
        data = Path(sys.argv[1])
    else:
        data = Path(tempfile.mkdtemp()) / "kb-data"
        kbparse.ingest([ROOT.parent / "shared" / "kb-sample"], data)
    row = dict(zip(
        ["articles", "status", "classed", "target", "code", "message", "file", "registry"],
        kbparse.open_dataset(data).execute(SQL).fetchone(),
    ))
    n, s = row["articles"], row["status"]
    print(f"{n:,} articles, {s:,} with a STATUS section")
    print(f"STATUS classed other than 'other': {row['classed']:,} ({row['classed'] / s:.1%})")
    print(f"STATUS naming a specific fix target: {row['target']:,} ({row['target'] / s:.1%})")
    for key, what in [("code", "an error code"), ("message", "a quoted message"), ("file", "a file row"),
                      ("registry", "a registry setting")]:
        print(f"articles with {what}: {row[key]:,} ({row[key] / n:.1%})")


if __name__ == "__main__":
    main()
