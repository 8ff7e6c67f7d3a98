"""Approval: nothing reaches a client that nobody approved.

``briefing approve CLIENT`` records, per language edition, in ``state/<id>/approvals.jsonl``
(never removed by `make clean`) who approved which build: its output hashes (the bytes that
were looked at) and its content key. An approval holds while the outputs are those bytes
(briefing.state.identity.approved): a rebuild on a later day or by a newer tool that writes the same
bytes is still approved; one whose bytes differ is not, until someone approves it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing import state
from briefing.build import manifest
from briefing.errors import NotReady, NotReadyToSend, UsageError
from briefing.state import identity, ledger

APPROVALS = "approvals.jsonl"


def path(state_dir: Path, client_id: str) -> Path:
    return state.client_dir(state_dir, client_id) / APPROVALS


@dataclass(frozen=True)
class Approval:
    by: str
    time: str
    note: str
    lang: str
    key: str
    outputs: dict[str, str]

    def describe(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"approved by {self.by} at {self.time}{note}"


def approve(
    state_dir: Path, folder: Path, client_id: str, lang: str, by: str, note: str = ""
) -> Approval:
    """Record that the current build of ``lang`` is approved. Call under the client's lock."""
    edition = manifest.edition(manifest.read(folder), lang)
    if edition is None:
        raise NotReady(
            f"nothing to approve: no {lang} build in {folder.name}/; build it first "
            f"(briefing build {client_id} --lang {lang})"
        )
    verdict = manifest.check_outputs(folder, edition)
    if not verdict.ok:
        raise NotReady(f"cannot approve: {verdict.reason}; build again, then approve")
    if not by.strip():
        raise UsageError("--by: name who approves (default: the USER of this machine)")
    entry = {
        "by": by.strip(),
        "note": note.strip(),
        "lang": lang,
        "key": identity.content_key(edition),
        "outputs": dict(edition.get("outputs", {})),
    }
    ledger.record(path(state_dir, client_id), entry)  # appended and synced, like sends
    return approvals(state_dir, client_id)[-1]


FIELDS = {"by": str, "time": str, "note": str, "lang": str, "key": str, "outputs": dict}


def approvals(state_dir: Path, client_id: str) -> list[Approval]:
    """Every readable approval; a damaged line approves nothing (ledger.entries warns)."""
    entries = ledger.entries(path(state_dir, client_id), FIELDS)
    return [Approval(**{name: entry[name] for name in FIELDS}) for entry in entries]


def current(state_dir: Path, client_id: str, edition: dict[str, Any], lang: str) -> Approval | None:
    """The newest approval of these very outputs, if any."""
    matching = [
        a
        for a in approvals(state_dir, client_id)
        if a.lang == lang and identity.approved(a.outputs, edition)
    ]
    return matching[-1] if matching else None


def void_reason(earlier: Approval, edition: dict[str, Any]) -> str:
    """Why an earlier approval does not cover this build: which outputs differ."""
    return f"{identity.approval_void_reason(earlier.outputs, edition)}; {earlier.describe()}"


def latest(state_dir: Path, client_id: str, lang: str) -> Approval | None:
    """The newest approval of any build of this edition (for status)."""
    matching = [a for a in approvals(state_dir, client_id) if a.lang == lang]
    return matching[-1] if matching else None


def require(state_dir: Path, client_id: str, edition: dict[str, Any], lang: str) -> Approval:
    """The approval of the build about to be sent, or a refusal saying who must run what."""
    found = current(state_dir, client_id, edition, lang)
    if found is not None:
        return found
    earlier = latest(state_dir, client_id, lang)
    why = (
        f"its outputs are not the ones approved ({void_reason(earlier, edition)})"
        if earlier
        else "nobody has approved it"
    )
    flag = "" if lang == "en" else f" --lang {lang}"
    raise NotReadyToSend(
        f"refusing to send the {lang} edition of {client_id}: {why}. The account manager "
        f"reviews out/{client_id}/ and runs `briefing approve {client_id}{flag} --by NAME`; "
        "then send again (BRIEFING_REQUIRE_APPROVAL=0 turns this check off)"
    )
