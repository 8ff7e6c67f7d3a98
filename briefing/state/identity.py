"""Is this the same briefing? One rule, in one place (README: "When is it the same briefing?").

A build records per edition its **inputs** (every file it read -> digest) and its **options**
(the settings that shape it, the tool's version and code, the printed date, the figures the date
marks as dated). Three questions are asked of those records, and each has one answer here:

- **Is the content unchanged?** (``content_key``) When the inputs and the options that choose
  content are the same as the last build's, the briefing keeps the last build's printed date,
  so a rebuild on a later day, or by a newer tool, writes the same bytes (if the tool renders
  them the same). The tool's version and code are not content; the figures marked dated are:
  a figure turning dated changes what the reader sees, so it starts a new date.
- **Is this send a repeat?** (``send_key``) When the same recipients already received a build
  of the same inputs and content options. The tool is not an input, and neither is the date
  nor the figures it marks dated: the same briefing rebuilt later or by a newer tool is still
  the briefing they have.
- **Is this build approved?** (``approved``) An approval covers the bytes a person reviewed:
  it holds while the outputs' hashes are the approved ones, however they were rebuilt, and is
  void as soon as any output differs (``approval_void_reason`` says which).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

TOOL = ("version", "code")  # the tool that built it: never what makes a briefing different
WHEN = ("date",)  # the printed date: kept while the content is unchanged
DATED = ("dated",)  # which figures the date marks as dated (content, but not a new send)
# What a send recorded before editions and the "What changed" page means by their absence.
AS_BEFORE = {"lang": "en", "since": None}


def digest(value: Any) -> str:
    """The sha256 of a JSON value, keys sorted: the same value, the same digest."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_digest(inputs: Mapping[str, str]) -> str:
    """One hash for what a briefing was built from (its files' digests)."""
    return digest(dict(inputs))


def _options(edition: Mapping[str, Any], leave_out: Iterable[str]) -> dict[str, Any]:
    dropped = set(leave_out)
    return {k: v for k, v in edition.get("options", {}).items() if k not in dropped}


def content_key(edition: Mapping[str, Any]) -> str:
    """What the reader sees is made of: the inputs and the options but the tool and the date."""
    return digest({"inputs": edition.get("inputs", {}), "options": _options(edition, TOOL + WHEN)})


def content_date(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dt.date | None:
    """The date the previous build printed, if the content is unchanged since (else None:
    the briefing is dated today)."""
    if previous is None or content_key(previous) != content_key(current):
        return None
    try:
        return dt.date.fromisoformat(previous["options"]["date"])
    except (KeyError, TypeError, ValueError):  # a manifest from before dates were recorded
        return None


def send_key(client_id: str, recipients: Iterable[str], edition: Mapping[str, Any]) -> str:
    """Two sends are the same when the same people get the same inputs and content options."""
    return _send_key(client_id, recipients, edition, TOOL + WHEN + DATED)


def send_key_before_0_2(
    client_id: str, recipients: Iterable[str], edition: Mapping[str, Any]
) -> str:
    """The send key of versions up to 0.1, which counted the tool's version in, so that a send
    they recorded is still found. Deprecated: remove once no ledger holds a send before 0.2."""
    return _send_key(client_id, recipients, edition, ("code", *WHEN, *DATED))


def _send_key(
    client_id: str, recipients: Iterable[str], edition: Mapping[str, Any], leave_out: tuple
) -> str:
    options = {
        k: v
        for k, v in _options(edition, leave_out).items()
        if k not in AS_BEFORE or AS_BEFORE[k] != v
    }
    return digest(
        {
            "client": client_id,
            "recipients": sorted(r.lower() for r in recipients),
            "inputs": edition.get("inputs", {}),
            "options": options,
        }
    )


def approved(approved_outputs: Mapping[str, str], edition: Mapping[str, Any]) -> bool:
    """An approval holds while every output is byte for byte the one approved."""
    outputs = edition.get("outputs", {})
    return bool(outputs) and dict(approved_outputs) == dict(outputs)


def approval_void_reason(approved_outputs: Mapping[str, str], edition: Mapping[str, Any]) -> str:
    """Which outputs differ from the approved ones, for `briefing status` and refusals."""
    outputs = edition.get("outputs", {})
    changed = sorted(
        name
        for name in set(approved_outputs) | set(outputs)
        if approved_outputs.get(name) != outputs.get(name)
    )
    return "changed since: " + ", ".join(changed) if changed else ""
