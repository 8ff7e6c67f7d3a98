"""state/<client>/sent.jsonl: one JSON line per send attempt, so nothing is sent twice.

Each entry carries the send's key (briefing.identity.send_key: what makes two sends the same).
Callers hold the client's lock (briefing.state) while they read and append.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from briefing.log import LOGGER
from briefing.state import client_dir

LEDGER = "sent.jsonl"
ACTIVE = ("sent", "unknown", "pending")  # statuses that block a send without --resend


def path(state_dir: Path, client_id: str) -> Path:
    return client_dir(state_dir, client_id) / LEDGER


def entries(ledger: Path) -> list[dict[str, Any]]:
    """Every readable entry; a torn last line (a crash mid-write) is cut off with a warning."""
    try:
        data = ledger.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    found = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            found.append(json.loads(line))
        except ValueError:
            if number == len(lines):  # no newline after it: the write never finished
                _cut_torn_tail(ledger, len(data) - len(line), number)
            else:
                LOGGER.warning("%s:%d: unreadable ledger line skipped", ledger, number)
    return found


def _cut_torn_tail(ledger: Path, keep: int, number: int) -> None:
    LOGGER.warning(
        "%s:%d: the last line was cut short (an interrupted write); removed it", ledger, number
    )
    with ledger.open("r+b") as handle:
        handle.truncate(keep)
        os.fsync(handle.fileno())


def previous_send(
    ledger: Path, keys: Collection[str], legacy_message_id: str | None = None
) -> dict[str, Any] | None:
    """The latest entry for the same briefing to the same people (any of its ``keys``: see
    briefing.identity.send_key), if any."""
    latest = None
    for entry in entries(ledger):
        if entry.get("key") in keys or (
            legacy_message_id
            and "key" not in entry
            and entry.get("message_id") == legacy_message_id
        ):
            latest = entry
    return latest


def record(ledger: Path, entry: dict[str, Any]) -> None:
    """Append one entry and force it to disk before anything else happens."""
    entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **entry}
    ledger.parent.mkdir(parents=True, exist_ok=True)
    with ledger.open("a+", encoding="utf-8") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() and not _ends_with_newline(ledger):
            handle.write("\n")  # a whole last entry whose newline was never written
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _ends_with_newline(ledger: Path) -> bool:
    with ledger.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def migrate(out_dir: Path, state_dir: Path, client_id: str) -> None:
    """Move a ledger an older version kept in out/<client>/ into state/ (once)."""
    legacy = out_dir / client_id / LEDGER
    if not legacy.is_file():
        return
    target = path(state_dir, client_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = legacy.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    with target.open("a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    legacy.unlink()
    LOGGER.warning(
        "moved the send ledger out/%s/%s to state/%s/%s, where `make clean` cannot delete it",
        client_id,
        LEDGER,
        client_id,
        LEDGER,
    )
