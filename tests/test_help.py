"""`kbparse --help` and every command's: real defaults, no markup eaten, no type tags."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys

import pytest
import typer

from kbparse.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)


@functools.cache
def help_of(*args: str, columns: int = 200) -> str:
    """The help as a terminal of `columns` shows it. (The installed command, not
    CliRunner, which fixes the width at 80 columns.)"""
    env = dict(os.environ, COLUMNS=str(columns), TERM="dumb")
    done = subprocess.run([sys.executable, "-m", "kbparse", *args, "--help"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def test_the_command_list_gives_whole_sentences():
    text = help_of()
    listed = re.findall(r"^  (\w+) +(.+)$", text.split("Commands:")[1], re.M)
    assert sorted(name for name, _ in listed) == COMMANDS
    for name, line in listed:
        assert line.endswith(".") and not line.endswith("..."), (name, line)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_type_tags_or_eaten_defaults(command):
    text = help_of(command)
    assert not re.search(r"<(str|bool|int|path|list)[^>]*>", text), text
    assert "{" not in text.split("\n", 1)[0], text  # the usage line: PATH..., not {paths}...
    assert not re.search(r"\w \.(\s|$)", text) and "[]" not in text, text  # what is left when markup is eaten
    assert "Example: kbparse " + command in text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_that_takes_a_value_shows_its_default(command):
    cmd = typer.main.get_command(app).commands[command]
    ctx = cmd.make_context(command, ["--help"], resilient_parsing=True)
    for param in cmd.get_params(ctx):
        if param.param_type_name != "option" or param.is_flag:
            continue
        name, text = param.get_help_record(ctx)
        assert "[default: " in text, (command, name, text)
        assert "<" not in name, (command, name)


def test_the_defaults_that_typer_cannot_know_are_written_out():
    data_default = "[default: $KBPARSE_DATA, then ./kb-data]"
    for command in ("query", "validate", "stats"):
        assert data_default in help_of(command), command
    ingest = help_of("ingest")
    assert "-o, --out DIR|URL" in ingest and data_default in ingest
    assert f"[default: the number of cores ({os.cpu_count()} here)]" in ingest
    assert "[default: 0" not in ingest


def test_a_narrow_terminal_wraps_between_words():
    text = help_of("query", columns=60)
    assert "$KBPARSE_DATA," in text and "./kb-data]" in text
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "[default: $KBPARSE_DATA," in text  # a break at a space, not inside the default
