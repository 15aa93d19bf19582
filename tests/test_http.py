"""Archives at http:// URLs, served by a real HTTP server on loopback.

The articles are real ones, from the sample archive shipped in data/, so these
tests need no ../shared.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

import kbparse
from conftest import DATA, SAMPLE_ARCHIVE
from kbparse.cli import app
from kbparse.ingestion.discover import Discovery, iter_sources
from kbparse.ingestion.pipeline import ingest
from test_ingest import snapshot

pytest.importorskip("aiohttp")
runner = CliRunner()


def _first_members(n: int) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(SAMPLE_ARCHIVE, "r:gz") as tf:
        out = []
        for member in tf:
            if member.isfile():
                out.append((member, tf.extractfile(member).read()))
            if len(out) == n:
                return out
    return out


def _tar_gz(members) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(zipfile.ZipInfo(info.name, date_time=(2002, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


class Server:
    """Serves `files` (name -> bytes). A name starting with "cut-" announces
    its whole length, sends half and closes the connection; a name starting
    with "slow-" sends half, then waits for `release` before the rest."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _head(self) -> bytes | None:
                data = server.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return None
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return data

            def do_HEAD(self):
                self._head()

            def do_GET(self):
                data = self._head()
                if data is None:
                    return
                name = self.path.lstrip("/")
                half = len(data) // 2
                if name.startswith("cut-"):
                    self.wfile.write(data[:half])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if name.startswith("slow-"):
                    self.wfile.write(data[:half])
                    self.wfile.flush()
                    server.release.wait(60)
                    data = data[half:]
                    half = 0
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def members():
    return _first_members(300)


@pytest.fixture
def server(members):
    tgz, zipped = _tar_gz(members), _zip(members)
    s = Server({"kb.tar.gz": tgz, "kb.zip": zipped, "cut-kb.tar.gz": tgz, "cut-kb.zip": zipped,
                "slow-kb.tar.gz": SAMPLE_ARCHIVE.read_bytes()})
    yield s
    s.close()


def _same_articles(a, b) -> None:
    for name in ("sections", "keywords", "cross_references", "applies_to", "issue_types"):
        assert a[name].equals(b[name]), name
    assert a["articles"].drop_columns(["source_path"]).equals(b["articles"].drop_columns(["source_path"]))


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_an_archive_at_a_url_gives_the_dataset_of_the_same_archive_on_disk(server, tmp_path, kind, members):
    local_archive = tmp_path / f"kb.{kind}"
    local_archive.write_bytes(server.files[f"kb.{kind}"])
    local = ingest([local_archive], tmp_path / "local", workers=1)
    url = server.url(f"kb.{kind}")
    result = runner.invoke(app, ["ingest", url, "--out", str(tmp_path / "web"), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert "300 inputs, 300 parsed" in result.stdout and f"{local.articles} articles" in result.stdout
    web = snapshot(tmp_path / "web")
    _same_articles(snapshot(tmp_path / "local"), web)
    assert all(p.startswith(url + "!kb-sample/") for p in web["articles"]["source_path"].to_pylist())
    # Nothing of the download is left behind, in the dataset's home or anywhere under it.
    assert not [p for p in (tmp_path / ".web.kbparse").rglob("*") if "download" in p.name]
    again = ingest([url], tmp_path / "web", workers=1)
    assert (again.parsed, again.unchanged, again.articles) == (0, 300, local.articles)


def test_a_tar_gz_at_a_url_is_read_as_it_arrives(server):
    """The first members reach the parser while the server still holds back half the archive."""
    found = Discovery()
    chunks = iter_sources([server.url("slow-kb.tar.gz")], found)
    first = next(chunks)
    assert not server.release.is_set() and len(first) >= 100
    assert all(src.data is not None and len(src.data) == src.size for src in first)
    server.release.set()
    total = len(first) + sum(len(c) for c in chunks)
    with tarfile.open(SAMPLE_ARCHIVE) as tf:
        assert total == sum(1 for m in tf if m.isfile())
    assert found.problems == []


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_a_dropped_connection_is_one_line_exit_2_and_leaves_the_dataset_as_it_was(server, tmp_path, kind):
    out = tmp_path / "kb-data"
    first = ingest([DATA], out, workers=1)
    before = snapshot(out)
    target = out.resolve()
    url = server.url(f"cut-kb.{kind}")
    done = subprocess.run([sys.executable, "-m", "kbparse", "ingest", url, "--out", str(out), "-q"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"kbparse: {url}: the download failed part-way (")
    assert "nothing was committed" in done.stderr
    assert out.resolve() == target  # the link still names the same version
    after = snapshot(out)
    assert set(after) == set(before) and all(after[n].equals(before[n]) for n in before)
    assert kbparse.validate(out) == []
    # The next run with a good input commits over it as usual.
    assert ingest([DATA], out, workers=1).version == first.version + 1


def test_a_missing_url_is_no_such_input(server, tmp_path):
    result = runner.invoke(app, ["ingest", server.url("nothing.tar.gz"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr == f"kbparse: no such input: {server.url('nothing.tar.gz')}\n"


def test_a_member_at_a_url_takes_over_when_the_winning_copy_elsewhere_breaks(server, tmp_path, members):
    """An unchanged member whose article changed elsewhere is read again from the URL."""
    info, data = members[0]  # kb-sample/kb/NNN/QNNNNN/README.md
    article_id = info.name.split("/")[-2]
    copy = tmp_path / "local" / article_id / "README.md"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(data)  # the same article, same date and dialect: the first path (this one) wins
    local = tmp_path / "local"
    out = tmp_path / "kb-data"
    url = server.url("kb.tar.gz")
    ingest([url, local], out, workers=1)
    winner = dict(zip(*(snapshot(out)["articles"][c].to_pylist() for c in ("article_id", "source_path"))))
    assert winner[article_id] == str(copy)
    copy.write_bytes(b"no longer an article\n")
    again = ingest([url, local], out, workers=1)
    assert again.rejected == 1
    winner = dict(zip(*(snapshot(out)["articles"][c].to_pylist() for c in ("article_id", "source_path"))))
    assert winner[article_id] == f"{url}!{info.name}"
    assert kbparse.validate(out) == []
