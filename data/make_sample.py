"""Write data/kb-sample.tar.gz: real articles for the README's tour, from ../shared/kb-sample.

    python data/make_sample.py            # needs ../shared/kb-sample; rewrites the archive

A fresh clone has no ../shared, so the tour runs on this archive, which is
committed. It holds three articles in four of the shared sample, chosen by a
fixed rule on the article number (the first byte of its SHA-256 is not a
multiple of 4), so every kind of input the sample has keeps its share: txt/md
pairs of one article (the second copy is counted as a duplicate), md-only pages
from the Programmer's Library CD-ROM, and the one txt article without its md
page. Files are stored as they are (CRLF, Windows-1252 bytes).

The archive's bytes depend only on the chosen files' bytes: members sorted by
name, one fixed mtime, no owner names, and a gzip header without a name or a
time. Running the script again gives the same file; `git diff` shows whether
the shared sample changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent.parent / "shared" / "kb-sample"
OUT = HERE / "kb-sample.tar.gz"
# 2002-01-01 00:00 UTC, about when the FTP archive was taken: a fixed time, so
# the bytes do not depend on when the shared folder was copied.
MTIME = 1009843200
LIMIT = 10 * 1024 * 1024


def keep(article_id: str) -> bool:
    return hashlib.sha256(article_id.encode("ascii")).digest()[0] % 4 != 0


def article_id(path: Path) -> str:
    # txt/NNN/QNNNNNN.TXT or kb/NNN/QNNNNNN/README.md
    return path.stem if path.suffix.upper() == ".TXT" else path.parent.name


def chosen(sample: Path) -> list[Path]:
    files = sorted(sample.glob("txt/*/*.TXT")) + sorted(sample.glob("kb/*/*/README.md"))
    return sorted(p for p in files if keep(article_id(p)))


def write(files: list[Path], sample: Path, out: Path) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo("kb-sample/" + path.relative_to(sample).as_posix())
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=packed, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    out.write_bytes(packed.getvalue())
    return packed.getvalue()


def main() -> int:
    if not SAMPLE.is_dir():
        print(f"make_sample: {SAMPLE} is absent; the committed {OUT.name} stays as it is", file=sys.stderr)
        return 2
    files = chosen(SAMPLE)
    data = write(files, SAMPLE, OUT)
    ids = {article_id(p) for p in files}
    txt = {article_id(p) for p in files if p.suffix == ".TXT"}
    md = {article_id(p) for p in files if p.suffix == ".md"}
    print(
        f"wrote {OUT.relative_to(HERE.parent)}: {len(files)} files, {len(ids)} distinct articles "
        f"({len(txt & md)} txt/md pairs, {len(md - txt)} md only, {len(txt - md)} txt only), "
        f"{len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"
    )
    if len(data) > LIMIT:
        print(f"make_sample: the archive is over {LIMIT:,} bytes: choose fewer articles", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
