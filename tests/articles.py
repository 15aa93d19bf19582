"""Small articles built in code for unit tests: a txt article from parts."""

from __future__ import annotations

from pathlib import Path


def txt_article(
    body: str,
    *,
    article_id: str = "Q123456",
    date: str = "17-FEB-2001",
    header_extra: str = "",
    trailer: str = "Keywords          : kbbug\nIssue type        : kbbug\n",
) -> str:
    head = (
        f"DOCUMENT:{article_id}  {date}  [sms]\n"
        "TITLE   :A Title\n"
        "PRODUCT :A Product\n"
        "PROD/VER::1.0\n"
        "OPER/SYS:\n"
        "KEYWORDS:kbone\n" + header_extra + "\n"
        "======================================================================\n"
    )
    tail = (
        "\n======================================================================\n"
        + trailer
        + "\n=============================================================================\n\n"
        "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS\nPROVIDED \"AS IS\".\n"
    )
    return head + body + tail


def md_article(
    body_lines: list[str], *, article_id: str = "Q123456", title: str = "A Title", date: str = "17-FEB-2001"
) -> str:
    header = [
        f"Article: {article_id}", "Product(s): A Product", "Version(s): 1.0",
        "Operating System(s): ", "Keyword(s): kbone", f"Last Modified: {date}", "",
    ]
    raw = "\n".join("\t" + line for line in header + body_lines)
    return (
        f'---\nlayout: page\ntitle: "{article_id}: {title}"\npermalink: /kb/123/{article_id}/\n---\n\n'
        f"## {article_id}: {title}\n\n{{% raw %}}\n\n{raw}\n\n{{% endraw %}}\n"
    )


def write_article(folder, name: str, text: str) -> Path:
    """Write an article file (CRLF for txt, as archived) and return its path."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", "\r\n") if name.upper().endswith(".TXT") else text
    path.write_bytes(data.encode("cp1252"))
    return path
