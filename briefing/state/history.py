"""History of sent briefings: ``state/<id>/history/<date>-<short hash>/``, one folder per sent
edition with its PDF, deck, the assembled briefing as JSON and what was sent to whom. It lives
in state/, so `make clean` never removes it; the "what changed" page compares against it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing import state
from briefing.errors import BriefingError, UsageError
from briefing.log import LOGGER


class HistoryError(BriefingError):
    """A sent briefing in state/<id>/history/ that cannot be read or compared."""


BRIEFING_JSON = "briefing.json"
META_JSON = "sent.json"


@dataclass(frozen=True)
class Sent:
    """One archived send."""

    folder: Path
    date: dt.date  # the briefing's date (as printed on it)
    lang: str
    inputs_key: str  # what the briefing was built from (briefing.state.identity.inputs_digest)
    meta: dict[str, Any]

    def briefing(self) -> dict[str, Any]:
        path = self.folder / BRIEFING_JSON
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise HistoryError(f"{path}: unreadable ({exc})") from None
        if not isinstance(data, dict):
            raise HistoryError(f"{path}: not an assembled briefing")
        return data

    def compare(self, new: dict[str, Any]) -> Any:
        """What changed from this sent briefing to ``new`` (briefing.assemble.changes.Changes)."""
        from briefing.assemble.changes import compare  # late: a no-op build never loads it

        try:
            return compare(self.briefing(), new)
        except (KeyError, TypeError, ValueError) as exc:
            raise HistoryError(
                f"{self.folder / BRIEFING_JSON}: not a briefing this version can compare "
                f"(missing or odd field {exc})"
            ) from None


def folder(state_dir: Path, client_id: str) -> Path:
    return state.client_dir(state_dir, client_id) / "history"


def archive(
    state_dir: Path,
    client_id: str,
    files: dict[str, bytes],
    briefing_json: str,
    meta: dict[str, Any],
) -> Path:
    """Keep a sent edition: its files, the briefing as JSON, and ``meta`` (lang, date, key,
    recipients, time). Written whole into a temporary folder, then renamed into place."""
    root = folder(state_dir, client_id)
    root.mkdir(parents=True, exist_ok=True)
    name = f"{meta['date']}-{meta['key'][:10]}"
    target = root / name
    if target.exists():
        return target  # a --resend of the very same briefing: archived already
    _warn_if_dated_before_a_send(state_dir, client_id, meta)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}."))
    try:
        for file_name, data in files.items():
            (staging / file_name).write_bytes(data)
        (staging / BRIEFING_JSON).write_text(briefing_json, "utf-8")
        text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False)
        (staging / META_JSON).write_text(text + "\n", "utf-8")
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _warn_if_dated_before_a_send(state_dir: Path, client_id: str, meta: dict[str, Any]) -> None:
    """A briefing dated before one already sent (a clock or --date set back): allowed, but
    said, since "what changed" follows the order of sending, not the printed dates."""
    later = [s for s in sent(state_dir, client_id, meta["lang"]) if str(s.date) > meta["date"]]
    if later:
        LOGGER.warning(
            "this %s briefing of %s is dated %s, before the one of %s sent earlier; the next "
            "'what changed' compares with this one (the last sent), whatever the dates say",
            meta["lang"],
            client_id,
            meta["date"],
            max(s.date for s in later),
        )


def sent(state_dir: Path, client_id: str, lang: str) -> list[Sent]:
    """Every archived send of ``lang``, in the order they were sent (oldest first): the time
    in sent.json, not the briefing's date, which a clock or a --date set back can make
    earlier than a briefing sent before it."""
    found = []
    root = folder(state_dir, client_id)
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        meta_path = entry / META_JSON
        if entry.name.startswith(".") or not meta_path.is_file():
            continue
        item = _read(entry, meta_path)
        if item is not None and item.lang == lang:
            found.append(item)
    return sorted(found, key=_send_order)


def _send_order(item: Sent) -> tuple[str, str]:
    """When it was sent (sent.json's UTC time); a record without a time, by its date."""
    time = item.meta.get("time")
    return (time if isinstance(time, str) else item.date.isoformat(), item.folder.name)


def _read(entry: Path, meta_path: Path) -> Sent | None:
    """One archived send; a damaged sent.json costs that send only, with a warning."""
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        if not isinstance(meta, dict):
            raise TypeError(f"a {type(meta).__name__}, not an object")
        fields = (meta["date"], meta["lang"], meta["inputs_key"])
        if not all(isinstance(value, str) for value in fields):
            raise TypeError("date, lang and inputs_key must be text")
        return Sent(entry, dt.date.fromisoformat(meta["date"]), meta["lang"], fields[2], meta)
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        LOGGER.warning("%s: unreadable, skipped (%s)", meta_path, _why(exc))
        return None


def _why(exc: Exception) -> str:
    return f"no {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__


def previous(
    state_dir: Path, client_id: str, lang: str, inputs_key: str, since: dt.date | None = None
) -> Sent | None:
    """The last briefing of ``lang`` sent (in the order of sending) built from other inputs
    than ``inputs_key`` (one dated on or before ``since``, if given): what a "what changed"
    page compares against."""
    candidates = [
        s
        for s in sent(state_dir, client_id, lang)
        if s.inputs_key != inputs_key and (since is None or s.date <= since)
    ]
    if since is not None and not candidates:
        dates = ", ".join(str(s.date) for s in sent(state_dir, client_id, lang)) or "none"
        raise UsageError(
            f"no {lang} briefing of {client_id} built from other inputs was sent by {since} "
            f"(sent: {dates}; one built from today's inputs has nothing to compare)"
        )
    return candidates[-1] if candidates else None
