"""The project's plain rules, without pydantic: what a slug is and when a figure is dated.
The models use them (``project.fields``), and so does the up-to-date check, which must decide
without loading any model (a no-op build stays fast)."""

from __future__ import annotations

import datetime as dt
import re

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # ids, theme names: file and folder names
SLUG_RULE = "lowercase letters, digits and '-'"


def is_slug(text: str) -> bool:
    """The one slug check (``Slug`` fields use the same pattern): never a path."""
    return re.fullmatch(SLUG_PATTERN, text) is not None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (clamped to the month's length)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_dated(as_of: dt.date, stale_before: dt.date) -> bool:
    """The one rule for "this figure is dated": the period it describes ended before
    ``stale_before`` (``stale_months`` before the briefing's date; see ``months_before``).
    The PDF, the deck, the charts, `data status` and the up-to-date check all ask here."""
    return as_of < stale_before
