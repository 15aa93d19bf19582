"""Find, show and cut snippets of ../shared/kb-sample for the labelled facts cases.

    python tests/facts_cases/labels.py grep REGEX [txt|kb]     # sections whose text matches
    python tests/facts_cases/labels.py show SOURCE SECTION     # a section's text, lines numbered
    python tests/facts_cases/labels.py build TABLE             # <table>.labels -> <table>.jsonl

A .labels file is written by hand, one case per block:

    @ txt/195/Q195823.TXT | RESOLUTION | 12:20 | both
    Audit32.exe | - | 188896 | 1998-11-11 | x86
    # note: why (optional)

The header names the source, the section, the line range (0-based, end
exclusive) of the section's text to cut, and `both` to add the same excerpt
from the other dialect's page of the article (found by its first line). Each
following line is one expected row, cells in the table's column order
separated by '|', '-' for None; no row lines: a snippet that must give none.
The snippet text always comes from the sample, verbatim; the rows are only
ever the ones typed in the .labels file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "kb-sample"

COLUMNS = {
    "files": ("file_name", "version", "size_bytes", "file_date", "platform"),
    "registry_settings": ("root", "key", "value_name", "value_type", "value_data"),
}


def sections(source: str) -> dict[str, str]:
    import kbparse

    out: dict[str, str] = {}
    for s in kbparse.parse_file(SAMPLE / source).sections:
        out.setdefault(s.heading, s.text)
        if out[s.heading] != s.text:
            out[f"{s.heading}#2"] = s.text
    return out


def twin(source: str) -> str:
    if source.startswith("txt/"):
        _, group, name = source.split("/")
        return f"kb/{group}/{name[:-4]}/README.md"
    _, group, qid, _ = source.split("/")
    return f"txt/{group}/{qid}.TXT"


def cut(source: str, section: str, start: int, end: int) -> str:
    lines = sections(source)[section].split("\n")
    return "\n".join(lines[start:end])


def twin_cut(text: str, source: str, section: str) -> tuple[str, str]:
    other = twin(source)
    lines = sections(other)[section].split("\n")
    want = [line.strip() for line in text.split("\n")]
    for i in range(len(lines)):
        if [line.strip() for line in lines[i : i + len(want)]] == want:
            return other, "\n".join(lines[i : i + len(want)])
    raise SystemExit(f"no twin of {source} {section} lines in {other}")


def cell(column: str, value: str):
    value = value.strip()
    if value == "-":
        return None
    if column == "size_bytes":
        return int(value)
    return value


def build(table: str) -> None:
    columns = COLUMNS[table]
    cases = []
    blocks = re.split(r"(?m)^@", (HERE / f"{table}.labels").read_text(encoding="utf-8"))
    for block in blocks[1:]:
        head, *body = block.strip("\n").split("\n")
        source, section, span, *flags = [p.strip() for p in head.split("|")]
        start, end = (int(x) for x in span.split(":"))
        rows, notes = [], []
        for line in body:
            if line.startswith("#"):
                notes.append(line.lstrip("# ").removeprefix("note:").strip())
            elif line.strip():
                cells = line.split("|")
                if len(cells) != len(columns):
                    raise SystemExit(f"{source}: row {line!r} has {len(cells)} cells, not {len(columns)}")
                rows.append({c: cell(c, v) for c, v in zip(columns, cells)})
        text = cut(source, section, start, end)
        where = [(source, text)]
        if "both" in flags:
            where.append(twin_cut(text, source, section))
        for src, snippet in where:
            case = {"source": src, "section": section.split("#")[0], "text": snippet, "rows": rows}
            if notes:
                case["note"] = " ".join(notes)
            cases.append(case)
    out = HERE / f"{table}.jsonl"
    out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    print(f"{len(cases)} cases, {sum(len(c['rows']) for c in cases)} rows -> {out}")


def main() -> None:
    cmd, *args = sys.argv[1:]
    if cmd == "show":
        for i, line in enumerate(sections(args[0])[args[1]].split("\n")):
            print(f"{i:4}|{line}")
    elif cmd == "grep":
        pattern = re.compile(args[0], re.M)
        files = sorted(SAMPLE.glob("txt/*/*.TXT")) if (args[1:] or ["txt"])[0] == "txt" else sorted(
            SAMPLE.glob("kb/*/*/README.md")
        )
        for path in files:
            source = str(path.relative_to(SAMPLE))
            for heading, text in sections(source).items():
                if pattern.search(text):
                    print(source, "|", heading)
    elif cmd == "build":
        build(args[0])


if __name__ == "__main__":
    main()
