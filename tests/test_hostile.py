"""What the world sends: one folder of hostile inputs, ingested in bounded time."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pyarrow.parquet as pq

from articles import md_article, txt_article, write_article
from conftest import DATA


def build_hostile_folder(root):
    root.mkdir()
    (root / "empty.TXT").write_bytes(b"")
    (root / "random.TXT").write_bytes(random.Random(7).randbytes(4096))
    full = txt_article("SUMMARY\n=======\n\nfine\n", article_id="Q900001")
    (root / "cut.TXT").write_bytes("\r\n".join(full.split("\n")[:2]).encode())
    nul = txt_article("SUMMARY\n=======\n\nbefore\x00after\n", article_id="Q900002")
    (root / "nul.TXT").write_bytes(nul.encode())
    utf16 = txt_article("SUMMARY\n=======\n\nwide \u00e9\n", article_id="Q900003")
    (root / "utf16.TXT").write_bytes(utf16.replace("\n", "\r\n").encode("utf-16"))
    huge_body = "SUMMARY\n=======\n\n" + ("A long line of text in a very large article, repeated.\n" * 750_000)
    write_article(root, "huge.TXT", txt_article(huge_body, article_id="Q900004"))
    write_article(root, "twice-a.TXT", txt_article("SUMMARY\n=======\n\nfirst copy\n", article_id="Q900005"))
    write_article(root, "twice-b.TXT", txt_article("SUMMARY\n=======\n\nsecond copy, other text\n", article_id="Q900005"))
    (root / "README.md").write_text("# My notes\n\nNot a KB article at all.\n")
    (root / "Q900006.TXT").mkdir()  # a folder named like an article
    write_article(root / "Q900006.TXT", "inner.TXT", txt_article("x\n", article_id="Q900006"))
    os.symlink(".", root / "loop")  # a link back to its own folder
    os.symlink("self.TXT", root / "self.TXT")  # a link to itself
    os.mkfifo(root / "fifo.TXT")  # a named pipe: opening it would block forever
    with open(root / "enormous.TXT", "wb") as fh:  # 200 MB, sparse: no disk, but no article either
        fh.truncate(200 * 2**20)
    write_article(root, "md/Q900007/README.md", md_article(["Body."], article_id="Q900007"))
    return root


def test_hostile_folder(tmp_path):
    src = build_hostile_folder(tmp_path / "hostile")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "kbparse", "ingest", str(src), str(DATA / "seed"), "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    articles = pq.read_table(out / "articles").to_pylist()
    ids = [a["article_id"] for a in articles]
    assert ids == ["Q283472", "Q900002", "Q900003", "Q900004", "Q900005", "Q900006", "Q900007"]
    by_id = {a["article_id"]: a for a in articles}
    assert by_id["Q900002"]["summary_text"] == "before\x00after"
    assert by_id["Q900003"]["summary_text"] == "wide \u00e9"
    assert by_id["Q900004"]["summary_text"].count("\n") == 749_999
    assert by_id["Q900005"]["summary_text"] == "first copy"  # same date and dialect: the first path wins
    rejects = {os.path.basename(r["source_path"]): r for r in pq.read_table(out / "rejects").to_pylist()}
    assert set(rejects) == {"empty.TXT", "random.TXT", "cut.TXT", "README.md", "self.TXT", "fifo.TXT", "enormous.TXT"}
    assert rejects["enormous.TXT"]["error_kind"] == "too_large"
    assert rejects["fifo.TXT"]["error_kind"] == "not_a_file"
    assert rejects["self.TXT"]["error_kind"] == "unreadable"
    assert rejects["cut.TXT"]["error_kind"] == "syntax" and rejects["cut.TXT"]["line"] == 3
    for name in ("empty.TXT", "random.TXT", "README.md"):
        assert "not a KB article" in rejects[name]["message"]
    assert "2 duplicates" in done.stdout  # the twice-pair and the seed article's two dialects
    assert done.stderr.count("rejected (") == 7
