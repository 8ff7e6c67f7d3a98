"""`briefing approve`, `diff` and `status`: the review-and-send routine's commands."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from briefing import state
from briefing.build import pipeline as build
from briefing.errors import NotReady
from briefing.review import approval, status
from briefing.settings import Settings, check_language


def run(args: argparse.Namespace, settings: Settings) -> int:
    """approve, diff and status: the review-and-send routine."""
    if args.command == "status":
        _print_status(status.rows(settings))
        return 0
    settings = settings.with_flags(lang=check_language(args.lang))
    if args.command == "diff":
        edition = settings.model_copy(update={"lang": args.lang or "en"})
        print("\n".join(status.diff(edition, args.client, args.since)))
        return 0
    by = args.by or os.environ.get("USER") or ""
    own = settings.model_copy(update={"theme": None})
    for lang in build.editions(own, args.client):
        prepared = build.prepare(own.model_copy(update={"lang": lang}), args.client)
        if not prepared.up_to_date():  # approve what the data makes now, not an older build
            flag = "" if lang == "en" else f" --lang {lang}"
            raise NotReady(
                f"the {lang} build of {args.client} is not up to date with its data or theme: "
                f"build it (briefing build {args.client}{flag}), review it, then approve"
            )
        with state.client_lock(settings.state_dir, args.client):
            done = approval.approve(
                settings.state_dir, prepared.folder, args.client, lang, by, args.note
            )
        print(f"{args.client} ({lang}): {done.describe()}")
    return 0


def _print_status(rows: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Clients", title_justify="left")
    for column in ("client", "edition", "built", "up to date?", "dated figures", "approved",
                   "last sent"):  # fmt: skip
        table.add_column(column)
    for row in rows:
        table.add_row(row.client, row.lang, row.built, row.current, str(row.dated),
                      row.approved, row.sent)  # fmt: skip
    Console(width=None if sys.stdout.isatty() else 160).print(table)
