"""E-mail a client's built briefing: read one consistent set, compose, send once; never renders.

Everything from reading the outputs to recording the send happens under the client's lock
(briefing.state), so a build cannot swap the files between the check and the attachment, and
two sends cannot both find the ledger empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing import state
from briefing.deliver import smtp
from briefing.deliver.message import (
    Attachment,
    Outgoing,
    check_size,
    compose,
    read_outputs,
    write_eml,
)
from briefing.errors import DeliveryError, NotReadyToSend, SentUnrecorded, UsageError, relative
from briefing.log import LOGGER
from briefing.review import approval
from briefing.settings import Settings, is_loopback
from briefing.state import history, identity, ledger
from briefing.themes import i18n

if TYPE_CHECKING:
    from briefing.build.pipeline import Prepared

__all__ = [  # the e-mail's public face
    "Attachment",
    "Outgoing",
    "check_settings",
    "check_size",
    "compose",
    "email",
    "read_outputs",
    "recipients",
    "send",
    "write_eml",
]


def email(
    settings: Settings,
    prepared: Prepared,
    *,
    dry_run: bool,
    resend: bool = False,
    announce: Callable[[Outgoing], None] = lambda outgoing: None,
) -> str:
    """Send (or, dry, write) the client's own built briefing; returns what happened.

    ``announce`` sees the composed message before it goes (the CLI prints its summary).
    """
    client_id = prepared.briefing.client_id
    if prepared.theme.name != prepared.briefing.client.theme:
        raise UsageError(
            f"only the client's own theme '{prepared.briefing.client.theme}' is e-mailed; "
            f"pitch builds in '{prepared.theme.name}' stay in {prepared.folder.name}/"
        )
    if not dry_run:
        check_settings(settings)
    with state.client_lock(settings.state_dir, client_id):
        ledger.migrate(settings.out_dir, settings.state_dir, client_id)
        attachments, record = read_outputs(prepared.folder, prepared.inputs, prepared.lang)
        with i18n.language(prepared.catalog):
            outgoing = compose(prepared.briefing, prepared.theme, attachments, settings, record)
        check_size(outgoing, settings)
        announce(outgoing)
        approved = approval.current(settings.state_dir, client_id, record, prepared.lang)
        if dry_run:
            path = write_eml(outgoing, prepared.folder, client_id, prepared.lang)
            state_of = approved.describe() if approved else "not approved yet"
            return f"Dry run: wrote {relative(path, settings.root)} (nothing sent; {state_of})"

        def check_approval() -> None:  # after the duplicate check: a repeat is named as such
            if settings.require_approval:
                approval.require(settings.state_dir, client_id, record, prepared.lang)

        ledger_file = ledger.path(settings.state_dir, client_id)
        try:
            reply = send(outgoing, settings, ledger_file, resend=resend, check=check_approval)
        except SentUnrecorded:
            _archive(settings, prepared, outgoing, record)  # it was sent: keep it for history
            raise
        _archive(settings, prepared, outgoing, record)
        return f"Sent via {settings.smtp_host}: {reply}"


def _archive(
    settings: Settings, prepared: Prepared, outgoing: Outgoing, record: dict[str, Any]
) -> None:
    """Keep what was sent in state/<id>/history/ (a failure here is a warning: it was sent)."""
    briefing = prepared.briefing
    meta = {
        "date": record.get("options", {}).get("date", briefing.date.isoformat()),  # as built
        "lang": prepared.lang,
        "key": outgoing.key,
        "inputs_key": identity.inputs_digest(record.get("inputs", {})),
        "recipients": outgoing.recipients,
        "subject": outgoing.subject,
        "message_id": outgoing.message_id,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    files = {a.name: a.data for a in outgoing.attachments}
    try:
        history.archive(
            settings.state_dir,
            briefing.client_id,
            files,
            briefing.model_dump_json(exclude={"changes"}),
            meta,
        )
    except OSError as exc:
        LOGGER.warning(
            "sent, but not archived in state/%s/history/: %s", briefing.client_id, _reason(exc)
        )


def check_settings(settings: Settings) -> None:
    """Mistakes in the SMTP settings, found before anything is recorded or sent."""
    if not settings.smtp_host:
        raise UsageError("BRIEFING_SMTP_HOST is not set (use --dry-run to write the .eml)")
    if settings.smtp_security == "none" and not is_loopback(settings.smtp_host):
        raise UsageError(
            "BRIEFING_SMTP_SECURITY=none is allowed only for a server on this "
            f"machine (127.0.0.1, ::1, localhost), not '{settings.smtp_host}'"
        )


def send(
    outgoing: Outgoing,
    settings: Settings,
    ledger_file: Path,
    *,
    resend: bool = False,
    check: Callable[[], None] = lambda: None,
) -> str:
    """Send once: refuse a repeat without ``resend``, then whatever ``check`` refuses (an
    unapproved build); record every attempt in the ledger.

    The caller holds the client's lock, so no other send reads the ledger meanwhile.
    """
    check_settings(settings)
    previous = ledger.previous_send(
        ledger_file, (outgoing.key, outgoing.earlier_key), outgoing.legacy_message_id
    )
    if previous and previous["status"] in ledger.ACTIVE and not resend:
        raise NotReadyToSend(_repeat_message(previous, outgoing))
    check()
    where = relative(ledger_file, settings.root)
    try:
        _record(ledger_file, outgoing, "pending")
    except OSError as exc:  # a full or read-only state/: nothing may go out unrecorded
        raise DeliveryError(f"cannot write {where}: {_reason(exc)}; nothing was sent") from None
    try:
        reply = smtp.transmit(outgoing.data, outgoing.sender, recipients(outgoing), settings)
    except smtp.Unknown as exc:
        unrecorded = _outcome(ledger_file, outgoing, "unknown", str(exc))
        raise DeliveryError(
            f"the whole message went to {settings.smtp_host}, but no readable answer came back "
            f"({exc}): it may or may not have been delivered, so it is not sent "
            f"again by itself. Ask the recipient (or check the server's log for Message-ID "
            f"{outgoing.message_id}); to send it again anyway, use --resend.{unrecorded}"
        ) from None
    except DeliveryError as exc:
        unrecorded = _outcome(ledger_file, outgoing, "failed", str(exc))
        if unrecorded:
            raise DeliveryError(f"{exc}{unrecorded}") from None
        raise
    except Exception as exc:  # before the terminator: smtp.transmit turns any later one Unknown
        _outcome(ledger_file, outgoing, "failed", f"{type(exc).__name__}: {exc}")
        raise
    try:
        _record(ledger_file, outgoing, "sent", reply)
    except OSError as exc:
        raise SentUnrecorded(
            f"Sent via {settings.smtp_host}: {reply} (Message-ID {outgoing.message_id}), but "
            f"{where} could not be updated ({_reason(exc)}): it still says 'pending'. Do not "
            "use --resend: the message was delivered.",
            reply,
        ) from None
    return reply


def _outcome(ledger_file: Path, outgoing: Outgoing, status: str, reply: str) -> str:
    """Record how a send ended; "" or, when the ledger cannot be written, a sentence saying so
    (the error the user must see is the send's own, not the disk's)."""
    try:
        _record(ledger_file, outgoing, status, reply)
    except OSError as exc:
        LOGGER.debug("recording %r in %s failed", status, ledger_file, exc_info=True)
        after = "nothing was sent, so --resend is safe" if status == "failed" else "see above"
        return (
            f" ({ledger_file.name} could not record this ({_reason(exc)}): it still says "
            f"'pending', and the next send asks for --resend; {after})"
        )
    return ""


def _reason(exc: OSError) -> str:
    """'no space left on device', not '[Errno 28] No space left on device'."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def recipients(outgoing: Outgoing) -> dict[str, str]:
    """Each envelope recipient and its role, for messages about a refused address."""
    roles = ["To", *["Cc"] * (len(outgoing.recipients) - 1)]
    return dict(zip(outgoing.recipients, roles, strict=True))


def _record(ledger_file: Path, outgoing: Outgoing, status: str, reply: str = "") -> None:
    ledger.record(
        ledger_file,
        {
            "key": outgoing.key,
            "message_id": outgoing.message_id,
            "status": status,
            "recipients": outgoing.recipients,
            "subject": outgoing.subject,
            "attachments": {a.name: a.sha256 for a in outgoing.attachments},
            "lang": outgoing.lang,
            "reply": reply,
        },
    )


def _repeat_message(previous: dict[str, Any], outgoing: Outgoing) -> str:
    status, time = previous["status"], previous["time"]
    if status == "sent":
        to = previous.get("recipients")
        shown = ", ".join(map(str, to)) if isinstance(to, list) else "the same recipients"
        return (
            f"already sent at {time} to {shown}: a build of the same inputs and options (only "
            "the date may differ); use --resend to send it again"
        )
    why = {
        "unknown": "the whole message reached the server, but no readable answer came back",
        "pending": "it was interrupted before the server's answer was recorded",
    }[status]
    return (
        f"a send at {time} ended as '{status}' ({why}): it may have been delivered. Check with "
        f"the recipient (or the server's log for Message-ID {outgoing.message_id}), then use "
        "--resend to send it again"
    )
