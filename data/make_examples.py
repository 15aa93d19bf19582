"""Write the hand-made example articles in data/examples/.

They are invented articles in the KB house style, one per shape the grammar
must handle, written here so the bytes (CRLF, a Windows-1252 character) are
exact. Run `python data/make_examples.py` after editing; the files are committed.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "examples"

LEGAL = """\
=============================================================================

THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS
PROVIDED "AS IS" WITHOUT WARRANTY OF ANY KIND.  MICROSOFT DISCLAIMS
ALL WARRANTIES, EITHER EXPRESS OR IMPLIED.

Copyright Microsoft Corporation {year}.
"""

# An old article: no 'applies to' block, KBCategory lines, reference words.
OLD_STYLE = """\
DOCUMENT:Q100001  03-NOV-1994  [dosword]
TITLE   :Word: Ruler Shifts When Style Bar Is Turned On
PRODUCT :Microsoft Word for MS-DOS
PROD/VER:5.00 5.50
OPER/SYS:MS-DOS
KEYWORDS:kbother kbdisplay

SUMMARY
=======

When the style bar is turned on in Word for MS-DOS, the ruler moves two
columns to the right. See Q100002 for the Windows version of this article.

   show style bar: (yes) no
   show ruler: (yes) no

KBCategory: kbother kbdisplay
KBSubcategory: wordmsdos
Additional reference words: 5.00 5.50 ruler

""" + LEGAL.format(year=1994)

# A modern article: nested 'applies to', several sections, a wrapped query
# words line, Hardware and Component in the trailer, one Windows-1252 byte.
MODERN = """\
DOCUMENT:Q100002  21-MAR-2001  [winnt]
TITLE   :Print Spooler Stops When Printing a Page with a Pilcrow
PRODUCT :Microsoft Windows NT
PROD/VER:WINDOWS:4.0
OPER/SYS:WINDOWS
KEYWORDS:kbprint kbbug kbfix

======================================================================
-------------------------------------------------------------------------------
The information in this article applies to:

 - Microsoft Windows NT Workstation version 4.0
 - Microsoft Windows NT Server version 4.0, on platform(s):
    - the operating system: Windows NT
-------------------------------------------------------------------------------

SYMPTOMS
========

The print spooler stops when you print a page that contains the paragraph
mark (\u00b6) in a TrueType font.

CAUSE
=====

The spooler reads past the end of the glyph table. For more information,
see the following article in the Microsoft Knowledge Base:

   Q100001 Word: Ruler Shifts When Style Bar Is Turned On

RESOLUTION
==========

Install the latest service pack, and then restart the computer:

1. Click Start, and then click Run.
2. Type the following line, and then click OK:

      update.exe -q

STATUS
======

Microsoft has confirmed this to be a problem in Windows NT 4.0. This problem
was first corrected in Windows NT 4.0 Service Pack 6.

MORE INFORMATION
================

Printer Notes
=============

Only TrueType fonts are affected; printer fonts print as expected.

REFERENCES
==========

Q100001 and Q100003 describe similar symptoms.

Additional query words: spooler pilcrow stop hang
crash truetype

======================================================================
Keywords          : kbprint kbbug kbfix kbSP6fix
Technology        : kbWinNTsearch kbWinNT400search
Version           : WINDOWS:4.0
Hardware          : x86 ALPHA
Issue type        : kbbug
Solution Type     : kbfix
Component         : spooler

""" + LEGAL.format(year=2001)


def md_page(article_id: str, title: str, header: dict[str, str], body: str) -> str:
    """A page of the public Markdown archive: front matter, then a raw block
    whose every line is indented by one tab."""
    escaped = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [f"\t{k}: {v}" for k, v in header.items()] + ["\t"] + [f"\t{line}" for line in body.split("\n")]
    return (
        f'---\nlayout: page\ntitle: "{article_id}: {escaped}"\n'
        f"permalink: /kb/{article_id[1:4]}/{article_id}/\n---\n\n"
        f"## {article_id}: {escaped}\n\n{{% raw %}}\n\n" + "\n".join(lines) + "\n\n{% endraw %}\n"
    )


def md_of_modern() -> str:
    body = MODERN.split("======================================================================\n", 1)[1]
    body = body.split("=============================================================================\n")[0]
    body = body.replace("\u00b6", "<B6>")  # the archive's escape for a non-ASCII byte
    return md_page(
        "Q100002",
        "Print Spooler Stops When Printing a Page with a Pilcrow",
        {
            "Article": "Q100002",
            "Product(s)": "Microsoft Windows NT",
            "Version(s)": "WINDOWS:4.0",
            "Operating System(s)": "WINDOWS",
            "Keyword(s)": "kbprint kbbug kbfix",
            "Last Modified": "21-MAR-2001",
        },
        body.rstrip("\n"),
    )


# A Programmer's Library page: no sections, '|' between keyword groups.
LIBRARY = md_page(
    "Q100003",
    'Spooler Reports "Out of Memory" <Printer> & Stops',
    {
        "Article": "Q100003",
        "Product(s)": "See article",
        "Version(s)": "3.00 3.10",
        "Operating System(s)": "MS-DOS",
        "Keyword(s)": "ENDUSER | B_Spool mspl13_print | kbprint",
        "Last Modified": "14-FEB-1991",
    },
    """Printing a very long document from the MS-DOS spooler may stop with the
message "Out of memory". Print the document in parts instead.

See also Q100002.""",
)


def write(path: Path, text: str, crlf: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode("cp1252"))


if __name__ == "__main__":
    write(HERE / "txt" / "Q100001.TXT", OLD_STYLE, crlf=True)
    write(HERE / "txt" / "Q100002.TXT", MODERN, crlf=True)
    write(HERE / "md" / "Q100002" / "README.md", md_of_modern(), crlf=False)
    write(HERE / "md" / "Q100003" / "README.md", LIBRARY, crlf=False)
