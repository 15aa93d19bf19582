"""The `kbparse` command, called in-process and as the installed script."""

import json
import shutil
import subprocess
import sys

from typer.testing import CliRunner

from conftest import DATA
from kbparse.cli import app

runner = CliRunner()
SEED = DATA / "seed" / "Q283472.TXT"


def test_parse_prints_one_json_object_per_file():
    md = DATA / "seed" / "000_f0d020f7a89ed4e0.txt"
    result = runner.invoke(app, ["parse", str(SEED), str(md)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().split("\n")
    records = [json.loads(line) for line in lines]
    assert [r["source_format"] for r in records] == ["txt", "md"]
    assert records[0]["last_modified"] == "2001-02-17"
    assert records[0]["sections"][0]["heading"] == "SYMPTOMS"


def test_parse_text_format_is_readable():
    result = runner.invoke(app, ["parse", str(SEED), "--format", "text"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Q283472  SMS: Event ID 7031")
    assert "\nWORKAROUND\n    This event message can be safely ignored." in result.stdout


def test_parse_goes_on_past_a_bad_file_and_exits_1(tmp_path):
    bad = tmp_path / "Q1.TXT"
    bad.write_bytes(b"DOCUMENT:Q1  01-JAN-2000  [x]\nTITLE   :t\nJUNK\n")
    missing = tmp_path / "nope.TXT"
    result = runner.invoke(app, ["parse", str(bad), str(SEED), str(missing)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["article_id"] == "Q283472"
    errors = result.stderr.strip().split("\n")
    assert errors[0].startswith(f"kbparse: {bad}:3:1: txt article: expected")
    assert "'JUNK'" in errors[0]
    assert errors[1].startswith(f"kbparse: {missing}: cannot read")
    assert errors[2] == "kbparse: 2 of 3 file(s) could not be parsed"
    assert "Traceback" not in result.output


def test_installed_command_and_module_run():
    exe = shutil.which("kbparse") or str(__import__("pathlib").Path(sys.executable).parent / "kbparse")
    for cmd in ([exe, "parse", str(SEED)], [sys.executable, "-m", "kbparse", "parse", str(SEED)]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["kb_number"] == 283472


def test_installed_command_reports_garbage_without_traceback(tmp_path):
    junk = tmp_path / "junk.TXT"
    junk.write_bytes(bytes(range(256)) * 4)
    done = subprocess.run(
        [sys.executable, "-m", "kbparse", "parse", str(junk)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{junk}:1:1: not a KB article" in done.stderr


def test_every_command_has_help_ending_with_an_example():
    import typer

    commands = typer.main.get_command(app).commands
    assert {"parse", "ingest", "query", "schema", "validate", "stats"} <= set(commands)
    for name, command in commands.items():
        assert command.help and "Example: kbparse " + name in command.help.strip().splitlines()[-1], name


def test_an_unexpected_failure_is_one_line_and_exit_3(tmp_path):
    # A dataset folder whose sources table is not Parquet: nothing we raise on purpose.
    env = dict(__import__("os").environ, KBPARSE_DEBUG="")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "kbparse", "ingest", str(SEED), "--out", str(out), "-q"], check=True, env=env)
    target = next((out / "sources").glob("*.parquet"))
    target.unlink()
    target.write_bytes(b"not parquet")
    done = subprocess.run([sys.executable, "-m", "kbparse", "ingest", str(SEED), "--out", str(out), "-q"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("kbparse: internal error:") and done.stderr.count("\n") == 1


def test_ctrl_c_is_one_line_and_exit_130(tmp_path):
    import signal
    import time

    from articles import txt_article, write_article

    src = tmp_path / "in"
    for i in range(3000):  # a run of a second or more: interrupted part-way
        write_article(src, f"Q{730000 + i}.TXT", txt_article("SUMMARY\n=======\n\nx\n", article_id=f"Q{730000 + i}"))
    proc = subprocess.Popen([sys.executable, "-m", "kbparse", "ingest", str(src), "--out", str(tmp_path / "out"), "-q"],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    os = __import__("os")
    home = tmp_path / ".out.kbparse"
    deadline = time.monotonic() + 60
    # Not a fixed delay: on a loaded machine the imports alone can take a second.
    while not (home.is_dir() and any(p.name.startswith("spill-") for p in home.iterdir())) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        return  # finished before the signal: nothing to check on this machine
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err  # the workers too stay quiet
    assert [p.name for p in home.iterdir()] == ["lock"]  # its spill and staging are gone
