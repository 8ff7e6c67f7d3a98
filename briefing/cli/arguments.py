"""The command line's grammar: every command, its arguments and their help (no command's
modules imported: `briefing --help` stays instant)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.cli import text as cli_text
from briefing.constants import PDF_VARIANTS


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="briefing",
        description=cli_text.PROGRAM.description,
        epilog=cli_text.epilog(cli_text.PROGRAM.examples),
        formatter_class=cli_text.Formatter,
    )
    main.add_argument("--version", action="version", version=f"briefing {__version__}")
    main.add_argument("--debug", action="store_true", help="show tracebacks")
    main.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    commands = _commands(main, "command")
    _build_parser(_command(commands, "build"))
    _email_parser(_command(commands, "email"))
    industry = _commands(_command(commands, "industry"), "industry_command")
    new_industry = _command(industry, "new", "industry new")
    new_industry.add_argument("name", help="the industry's id: lowercase letters, digits, '-'")
    _theme_parsers(_command(commands, "theme"))
    _data_parsers(_command(commands, "data"))
    _review_parsers(commands)
    check_data = _command(commands, "check")
    check_data.add_argument(
        "--lang", help="also check the translations of this edition (e.g. zh-CN)"
    )
    _command(commands, "schemas")
    _command(commands, "list")
    return main


CLIENT_HELP = "the client's id, as `briefing list` shows it (data/clients/<id>.yaml)"


def _commands(parent: argparse.ArgumentParser, dest: str) -> Any:
    return parent.add_subparsers(
        title="commands",
        dest=dest,
        required=True,
        metavar="COMMAND",
        help=f"each has its own help: {parent.prog} COMMAND --help",
    )


def _command(commands: Any, name: str, key: str | None = None) -> argparse.ArgumentParser:
    """A sub-command with its summary, description and examples from cli_text."""
    text = cli_text.COMMANDS[key or name]
    made: argparse.ArgumentParser = commands.add_parser(
        name,
        help=text.summary,
        description=text.description,
        epilog=cli_text.epilog(text.examples),
        formatter_class=cli_text.Formatter,
    )
    return made


def _build_parser(b: argparse.ArgumentParser) -> None:
    b.add_argument("client", nargs="?", help=CLIENT_HELP + "; or --all")
    b.add_argument("--all", action="store_true", help="build every client (in parallel)")
    b.add_argument("-j", "--jobs", type=int, help="worker processes for --all (default: cores)")
    b.add_argument(
        "--force",
        action="store_true",
        help="rebuild even when up to date, rendering every output again (no reused renders)",
    )
    b.add_argument("--theme", help="use this theme instead of the client's (for pitches)")
    _edition_flags(b)
    b.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="treat warnings (stale figures, missing glyphs) as errors",
    )
    b.add_argument(
        "--pdf-variant",
        choices=PDF_VARIANTS,
        default=None,
        help="PDF flavour (default: pdf/ua-1, a tagged, accessible PDF)",
    )


def _email_parser(e: argparse.ArgumentParser) -> None:
    e.add_argument("client", help=CLIENT_HELP)
    e.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="write out/<client>/<client>-briefing.eml instead of sending "
        "(the default while BRIEFING_SMTP_HOST is unset)",
    )
    e.add_argument("--build", action="store_true", help="rebuild the outputs first")
    e.add_argument("--lang", help="send only this edition (default: each of the client's)")
    e.add_argument(
        "--resend", action="store_true", help="send even though these same files were sent before"
    )
    e.add_argument("--max-mb", type=float, help="size budget of the encoded message (20)")


def _theme_parsers(t: argparse.ArgumentParser) -> None:
    theme_commands = _commands(t, "theme_command")
    new = _command(theme_commands, "new", "theme new")
    new.add_argument("name", help="the new theme's folder name under templates/ (e.g. pitch-blue)")
    new.add_argument("--extends", default="default", help="parent theme (default: default)")
    imp_theme = _command(theme_commands, "import", "theme import")
    imp_theme.add_argument("file", type=Path, help="the template, .pptx or .potx")
    imp_theme.add_argument("name", help="the new theme's folder name under templates/")
    imp_theme.add_argument("--extends", default="default", help="parent theme (default: default)")
    imp_theme.add_argument(
        "--master", type=int, help="which slide master to use, from 1, when there are several"
    )
    check = _command(theme_commands, "check", "theme check")
    check.add_argument("name", help="the theme's folder name under templates/")
    check.add_argument(
        "--client", help="render the templates for this client (default: one using the theme)"
    )


def _data_parsers(d: argparse.ArgumentParser) -> None:
    data_commands = _commands(d, "data_command")
    status = _command(data_commands, "status", "data status")
    status.add_argument(
        "--strict", action="store_true", help="exit 1 when any figure is past the freshness limit"
    )
    imp = _command(data_commands, "import", "data import")
    imp.add_argument("file", help="a CSV file, e.g. exported from a spreadsheet")
    imp.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    imp.add_argument(
        "--decimal-comma",
        action="store_true",
        help="read 3,5 as three and a half and 1.234.567 as a number (default: 1,234,567.5)",
    )


def _review_parsers(commands: Any) -> None:
    preview = _command(commands, "preview")
    preview.add_argument("client", help=CLIENT_HELP)
    preview.add_argument("--theme", help="preview in this theme instead of the client's")
    _edition_flags(preview)
    preview.add_argument("--port", type=int, default=8800, help="port to listen on (8800)")
    preview.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (127.0.0.1: this machine only; anything else is reachable "
        "by others, with a warning)",
    )
    approve = _command(commands, "approve")
    approve.add_argument("client", help=CLIENT_HELP)
    approve.add_argument("--by", help="who approves (default: $USER)")
    approve.add_argument("--note", default="", help="a note kept with the approval")
    approve.add_argument("--lang", help="the edition to approve (default: each of the client's)")
    diff = _command(commands, "diff")
    diff.add_argument("client", help=CLIENT_HELP)
    diff.add_argument("--since", type=_date, help="compare with the briefing sent by this date")
    diff.add_argument("--lang", help="the edition (default: en)")
    _command(commands, "status")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _edition_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--lang",
        help="build this language edition only (en, zh-CN); default: each of the client's "
        "`editions`",
    )
    command.add_argument(
        "--allow-missing-translations",
        action="store_true",
        help="use English where a translation is missing (with a warning) instead of failing",
    )
