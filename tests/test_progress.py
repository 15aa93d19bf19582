"""Progress output: log lines when the output is not a terminal."""

import io

from kbparse import progress


def test_plain_log_lines_in_a_pipe(monkeypatch):
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0.0)
    stream = io.StringIO()  # not a TTY
    with progress.progress_reporter(stream=stream) as report:
        report(1000, None)
        report(2000, 4000)
        report(4000, 4000)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("kbparse: parsed 1000 files,") and "still finding files" in lines[0]
    assert lines[1].startswith("kbparse: parsed 2000/4000 files,") and "s left" in lines[1]
    assert lines[-1].startswith("kbparse: parsed 4000/4000 files")
    assert "\x1b" not in stream.getvalue()  # no terminal control codes in a log


def test_quiet_reports_nothing():
    with progress.progress_reporter(enabled=False) as report:
        assert report is None
