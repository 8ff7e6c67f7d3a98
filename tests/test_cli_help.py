"""The command line as an account manager meets it: every command's --help says what it does
and shows an example, and the exit code tells done (0), failed (1), typed wrong (2) and not
ready yet (3) apart."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing import cli
from briefing.cli import main

from .conftest import copy_built, copy_project, shared_build
from .smtp_server import send_through

CLIENT = "maison-aurele"


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and sub-command of ``parser``, found by walking it (no list to forget)."""
    yield path, parser
    for action in parser._actions:  # argparse offers no public walk of its sub-commands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


EVERY = [" ".join(path) for path, _ in commands(cli.parser())]


def test_the_walk_finds_the_nested_commands() -> None:
    assert {"", "build", "email", "theme check", "data import", "industry new"} <= set(EVERY)


@pytest.mark.parametrize("command", EVERY)
def test_every_help_says_what_it_does_and_shows_an_example(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the terminal an account manager opens
    path, parser = next((p, c) for p, c in commands(cli.parser()) if " ".join(p) == command)
    assert parser.description and parser.epilog, command
    assert main([*path, "--help"]) == 0
    shown = capsys.readouterr().out
    assert " ".join(parser.description.split()) in " ".join(shown.split())  # all of it
    assert "example" in shown and f"briefing {command}".rstrip() in shown
    assert "exit codes:" in shown and "3  not ready" in shown
    assert "``" not in shown and ":func:" not in shown and '"""' not in shown  # no docstrings
    lacking = [a.dest for a in parser._actions if not a.option_strings and not a.help]
    assert not lacking, f"briefing {command}: positionals without help: {lacking}"
    assert shown.count("\n") < 60, "a help a person reads at once"
    assert max(len(line) for line in shown.splitlines()) <= 80, shown


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    top = {path[0] for path, _ in commands(cli.parser()) if len(path) == 1}
    assert all(f"    {name} " in shown for name in top), shown


def test_exit_codes_done_failed_and_usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    monkeypatch.chdir(root)
    assert main(["list"]) == 0
    assert main(["no-such-command"]) == 2  # argparse's own
    assert main(["build"]) == 2  # neither a client nor --all
    assert main(["build", "no-such-client"]) == 2
    assert main(["build", "Not A Slug"]) == 2
    assert main(["data", "import", "missing.csv"]) == 2
    client = root / f"data/clients/{CLIENT}.yaml"
    client.write_text(client.read_text("utf-8") + "platforms: [tiktk]\n", "utf-8")
    assert main(["check"]) == 1  # a problem in data/
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, said",
    [
        (["email", CLIENT, "--dry-run"], "refusing to send: no build found"),
        (["approve", CLIENT, "--by", "Lin Wei"], "is not up to date with its data or theme"),
        (["diff", CLIENT], "has been sent yet: nothing to compare"),
    ],
)
def test_not_built_or_never_sent_is_not_ready(
    args: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(copy_project(tmp_path / "project", [CLIENT]))
    assert main(args) == 3
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and "Aborted" not in err


def test_not_approved_and_already_sent_are_not_ready(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    smtp,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = copy_built(shared_build(tmp_path_factory, [CLIENT], CLIENT), tmp_path / "project")
    _, port = smtp()
    send_through(monkeypatch, port, require_approval=True)
    monkeypatch.chdir(root)
    assert main(["email", CLIENT]) == 3
    assert "nobody has approved it" in capsys.readouterr().err
    assert main(["approve", CLIENT, "--by", "Lin Wei"]) == 0
    assert main(["email", CLIENT]) == 0
    assert main(["email", CLIENT]) == 3
    assert "already sent at" in capsys.readouterr().err
