"""`briefing approve`, `diff` and `status`: the review-and-send routine's commands."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from briefing import approval, build, state, status, translate
from briefing.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """approve, diff and status: the review-and-send routine."""
    if args.command == "status":
        _print_status(status.rows(settings))
        return 0
    settings = settings.with_flags(lang=translate.check_language(args.lang))
    if args.command == "diff":
        found = status.diff(settings.model_copy(update={"lang": args.lang or "en"}), args.client,
                            args.since)  # fmt: skip
        print("\n".join(status.describe(found)))
        return 0
    by = args.by or os.environ.get("USER") or ""
    own = settings.model_copy(update={"theme": None})
    for lang in build.editions(own, args.client):
        prepared = build.prepare(own.model_copy(update={"lang": lang}), args.client)
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
