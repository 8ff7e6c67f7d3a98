"""state/<client>/sent.jsonl: one JSON line per send attempt, so nothing is sent twice.

Each entry carries the send's key (briefing.state.identity.send_key: what makes two sends the same).
Callers hold the client's lock (briefing.state) while they read and append.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from briefing.log import LOGGER
from briefing.state import client_dir

LEDGER = "sent.jsonl"
ACTIVE = ("sent", "unknown", "pending")  # statuses that block a send without --resend
STATUSES = (*ACTIVE, "failed")
SEND_FIELDS = {"status": str, "time": str}  # what a send entry needs to be read (entries())


def path(state_dir: Path, client_id: str) -> Path:
    return client_dir(state_dir, client_id) / LEDGER


def entries(
    ledger: Path, fields: Mapping[str, type] = MappingProxyType({})
) -> list[dict[str, Any]]:
    """Every readable entry: a JSON object holding ``fields`` (name -> type). A damaged line
    costs that line only, with a warning naming file:line; a torn last line (a crash
    mid-write) is cut off."""
    found = []
    for number, entry in _objects(ledger):
        missing = [name for name, kind in fields.items() if not isinstance(entry.get(name), kind)]
        if missing:
            LOGGER.warning(
                "%s:%d: entry without a valid %s skipped", ledger, number, " or ".join(missing)
            )
            continue
        found.append(entry)
    return found


def _objects(ledger: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line that is a JSON object; the rest are warned about."""
    try:
        data = ledger.read_bytes()
    except FileNotFoundError:
        return
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            if number == len(lines):  # no newline after it: the write never finished
                _cut_torn_tail(ledger, len(data) - len(line), number)
            else:
                LOGGER.warning("%s:%d: unreadable ledger line skipped", ledger, number)
            continue
        if not isinstance(entry, dict):
            shown = line.strip().decode("utf-8", "replace")
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            LOGGER.warning(
                "%s:%d: ledger line skipped: %s is not an entry (a JSON object)",
                ledger,
                number,
                shown,
            )
            continue
        yield number, entry


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
    briefing.state.identity.send_key), if any. One whose status or time is damaged still counts, as
    'unknown' (it may have been delivered): the safe side."""
    latest = None
    for number, entry in _objects(ledger):
        if entry.get("key") in keys or (
            legacy_message_id
            and "key" not in entry
            and entry.get("message_id") == legacy_message_id
        ):
            latest = _checked(ledger, number, entry)
    return latest


def _checked(ledger: Path, number: int, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry, or a copy that errs on the safe side: a damaged status counts as 'unknown'."""
    status, time = entry.get("status"), entry.get("time")
    if status in STATUSES and isinstance(time, str):
        return entry
    if status not in STATUSES:
        LOGGER.warning(
            "%s:%d: status %r is not one this tool writes; counted as 'unknown' (the briefing "
            "may have been delivered)",
            ledger,
            number,
            status,
        )
    return {
        **entry,
        "status": status if status in STATUSES else "unknown",
        "time": time if isinstance(time, str) else "an unknown time",
    }


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
