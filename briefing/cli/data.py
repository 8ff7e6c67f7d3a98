"""`briefing data status` and `briefing data import`: thin shells over freshness and import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from briefing.errors import DataError, UsageError
from briefing.project import freshness, load, validate
from briefing.settings import Settings
from briefing.themes.i18n import number
from briefing.tools import dataimport


def run(args: argparse.Namespace, settings: Settings) -> int:
    kb, problems = validate.validate(load.load_project(settings.root))
    if problems:
        raise DataError(problems)
    if args.data_command == "status":
        return _status(kb, settings, strict=args.strict)
    return _import(
        Path(args.file), kb, settings, dry_run=args.dry_run, decimal_comma=args.decimal_comma
    )


def _status(kb: validate.KnowledgeBase, settings: Settings, *, strict: bool) -> int:
    rows = freshness.platform_status(kb, settings.today, settings.stale_months)
    table = Table(
        title=f"Figures on {settings.today:%d %B %Y} (dated: older than "
        f"{settings.stale_months} months, BRIEFING_STALE_MONTHS)",
        title_justify="left",
    )
    for column in (
        "platform",
        "status",
        "newest figure",
        "as of",
        "age",
        "dated",
        "no URL",
        "confidence",
    ):
        table.add_column(column)
    for row in rows:
        newest = row.newest
        table.add_row(
            row.platform_id,
            row.status,
            f"{newest.name}: {number(newest.value)} {newest.unit}" if newest else "none",
            str(newest.as_of) if newest else "",
            f"{row.age_months} months" if row.age_months is not None else "",
            ", ".join(m.name for m in row.dated) or "",
            ", ".join(row.without_url),
            ", ".join(f"{n} {c}" for c, n in sorted(row.confidence.items())),
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    attention = freshness.needs_attention(rows)
    dated = sum(len(r.dated) for r in attention)
    print(f"{dated} dated figure(s) on {sum(bool(r.dated) for r in attention)} active platform(s)")
    return 1 if strict and dated else 0


def _import(
    path: Path,
    kb: validate.KnowledgeBase,
    settings: Settings,
    *,
    dry_run: bool,
    decimal_comma: bool = False,
) -> int:
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    known = set(kb.platforms)
    rows = dataimport.read_rows(path, settings.root, known, settings.today, decimal_comma)
    changes, documents = dataimport.plan(rows, settings.root)
    siblings, notes = dataimport.translations(changes, settings.root)
    for change in changes:
        print(change)
    for note in notes:
        print(f"Translation: {note}")
    if dry_run:
        print(f"Dry run: {len(changes)} change(s), nothing written")
        return 0
    written = dataimport.write(documents, settings.root, siblings)
    print(f"Wrote {len(changes)} change(s) to {len(written)} file(s)")
    return 0
