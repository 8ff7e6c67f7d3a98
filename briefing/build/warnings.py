"""Warnings a build prints and returns: an out-of-date brief, stale figures (fatal with
--strict), outputs too large to e-mail."""

from __future__ import annotations

from pathlib import Path

from briefing.constants import MB
from briefing.errors import DataError, Problem
from briefing.log import LOGGER
from briefing.project.layout import data_path
from briefing.project.model import Briefing
from briefing.settings import Settings


def brief_warnings(briefing: Briefing) -> list[str]:
    """A brief that still works but should be updated: old field names, past deadlines."""
    client, path = briefing.client, data_path("clients", briefing.client_id)
    messages = []
    if client.markets:
        messages.append(f"{path}: markets is the old name of cities; rename it (read as cities)")
    if client.logo and Path(client.logo).suffix.lower() == ".svg":
        messages.append(
            f"{path}: logo: {client.logo} is an SVG, which PowerPoint cannot embed: the deck's "
            "title slide shows no client logo; point logo at a PNG for both outputs"
        )
    for i, goal in enumerate(client.goals):
        if not isinstance(goal, str) and goal.by < briefing.date:
            messages.append(
                f"{path}: goals[{i}].by: {goal.by} is before the briefing's date {briefing.date}"
            )
    for message in messages:
        LOGGER.warning("%s", message)
    return messages


def mail_size_warnings(outputs: dict[str, bytes], settings: Settings) -> list[str]:
    """Outputs too large to e-mail are better known now than at `make email`."""
    encoded = sum(len(data) for data in outputs.values()) * 4 / 3  # base64 in the message
    if encoded <= settings.mail_max_bytes:
        return []
    sizes = ", ".join(f"{name} {len(data) / MB:.1f} MB" for name, data in outputs.items())
    message = (
        f"the outputs ({sizes}) come to about {encoded / MB:.1f} MB in an e-mail, over the "
        f"{settings.mail_max_mb:g} MB budget (BRIEFING_MAIL_MAX_MB): `make email` will refuse "
        "them; use smaller images (logos, article pictures)"
    )
    LOGGER.warning("%s", message)
    return [message]


def stale_warnings(briefing: Briefing, settings: Settings) -> list[str]:
    """Warn about figures older than the freshness limit; fatal with --strict."""
    problems = [
        Problem(
            data_path("platforms", s.platform_id),
            f"{s.metric.name} as of {s.metric.as_of} is older than "
            f"{settings.stale_months} months (shown as dated)",
        )
        for s in briefing.sources
        if s.stale
    ]
    if settings.strict and problems:
        raise DataError(problems, what="data/ (--strict: stale figures)")
    messages = [str(p) for p in problems]
    for message in messages:
        LOGGER.warning("%s", message)
    return messages
