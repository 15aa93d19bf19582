"""The seed article, KB Q283472, against a record written by hand from reading it."""

from datetime import date

import pytest

import kbparse
from kbparse.record import AppliesTo, ProductVersion
from conftest import DATA

SYMPTOMS = """\
When you install a secondary site server on a Windows 2000-based server that is
also running Terminal Services in Remote Administrator mode, an event ID 7031
message may be reported in the application event log on the computer immediately
after you install the server. The following event description is reported:

   The SMS_BOOTSTRAP service terminated unexpectedly. It has done this 1
   time(s). The following corrective action will be taken in 0 milliseconds. No
   action.

A second, similar event message is reported when you remove the secondary site.
These events are reported by the Service Control Manager."""

EXPECTED = {
    "article_id": "Q283472",
    "kb_number": 283472,
    "title": "SMS: Event ID 7031 Occurs When Installing Secondary Site Server",
    "last_modified": date(2001, 2, 17),
    "product_code": "sms",
    "product_name": "Microsoft Systems Management Server",
    "versions": "2.0 SP2",
    "operating_systems": None,
    "keywords": [
        "kberrmsg", "kbinterop", "kbtool", "kbServer", "kbsms200",
        "kbsms200bug", "kbsms200fix", "kbUpgrade",
    ],
    "technologies": ["kbSMSSearch", "kbSMS200SP2"],
    "issue_types": ["kbbug"],
    "solution_types": ["kbnofix"],
    "hardware": [],
    "components": [],
    "applies_to": [AppliesTo("Microsoft Systems Management Server version 2.0 SP2", None)],
    "product_versions": [ProductVersion(None, "2.0 SP2")],
    "cross_references": [],
    "additional_query_words": "prodsms",
    "sections": [
        kbparse.Section("SYMPTOMS", SYMPTOMS),
        kbparse.Section(
            "WORKAROUND",
            "This event message can be safely ignored. This message does not represent an\n"
            "error condition and does not impair secondary site server operation.",
        ),
        kbparse.Section(
            "STATUS",
            "Microsoft has confirmed this to be a problem in Systems Management Server\nversion 2.0.",
        ),
    ],
    "preamble": None,
    "other_fields": {},
}


def test_seed_txt_matches_hand_written_record():
    path = DATA / "seed" / "Q283472.TXT"
    article = kbparse.parse_file(path)
    got = vars(article)
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert article.source_format == "txt"
    assert article.source_path == str(path)


def test_seed_md_matches_hand_written_record():
    # The md archive drops one leading blank from indented lines and knows no
    # product code; everything else is the same record.
    path = DATA / "seed" / "000_f0d020f7a89ed4e0.txt"
    article = kbparse.parse_file(path)
    expected = dict(EXPECTED, product_code=None)
    expected["sections"] = [
        kbparse.Section("SYMPTOMS", SYMPTOMS.replace("\n   ", "\n  ")),
        *EXPECTED["sections"][1:],
    ]
    got = vars(article)
    assert {k: got[k] for k in expected} == expected
    assert article.source_format == "md"


@pytest.mark.parametrize("dialect", ["txt", "md"])
def test_forcing_the_wrong_dialect_is_a_parse_error(dialect):
    path = DATA / "seed" / ("000_f0d020f7a89ed4e0.txt" if dialect == "txt" else "Q283472.TXT")
    with pytest.raises(kbparse.ArticleSyntaxError) as info:
        kbparse.parse_text(path.read_bytes(), dialect)
    assert info.value.line == 1
