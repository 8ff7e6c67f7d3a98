"""The message from a published build: its outputs re-read and re-hashed against the manifest,
the e-mail composed with its attachments, the .eml written beside them."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from pathlib import Path
from typing import Any

from briefing import render
from briefing.build import manifest
from briefing.build import publish as output
from briefing.constants import KB, MB
from briefing.errors import (
    DeliveryError,
    NotReadyToSend,
    TemplateError,
    UsageError,
    relative,
)
from briefing.project.model import Briefing, Contact
from briefing.render.context import email_context
from briefing.settings import Settings
from briefing.state import identity
from briefing.themes import i18n, templating
from briefing.themes.theme import Theme


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return output.sha256(self.data)

    @property
    def size(self) -> str:
        return (
            f"{len(self.data) / MB:.1f} MB"
            if len(self.data) >= MB / 10
            else (f"{len(self.data) / KB:.0f} kB")
        )


@dataclass(frozen=True)
class Outgoing:
    """A composed message, ready to write or send."""

    message: EmailMessage
    data: bytes
    sender: str
    recipients: list[str]
    message_id: str
    attachments: list[Attachment]
    key: str  # the ledger's identity of this send (briefing.state.identity.send_key)
    earlier_key: str  # the same send as versions before 0.2 recorded it
    lang: str  # the edition
    legacy_message_id: str  # how versions before the state/ folder named the same send

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


def read_outputs(
    folder: Path, current_inputs: dict[str, str], lang: str = "en"
) -> tuple[list[Attachment], dict]:
    """One edition's built files, each read once and hashed: exactly the bytes the manifest
    vouches for, built from today's inputs. Call it under the client's lock."""
    record = manifest.edition(manifest.read(folder), lang)
    if record is None:
        edition = "" if lang == "en" else f"{lang} "
        raise NotReadyToSend(
            f"refusing to send: no {edition}build found in out/{folder.name}/. Build first "
            f"(make briefing CLIENT=...{'' if lang == 'en' else ' or --lang ' + lang}) or add "
            "--build."
        )
    attachments = []
    for name, digest in sorted(record.get("outputs", {}).items()):
        renderer = render.for_file(name)
        if renderer is None or not renderer.attach:
            continue  # an output the client is not sent (or one this version no longer makes)
        try:
            data = (folder / name).read_bytes()
        except FileNotFoundError:
            raise NotReadyToSend(f"refusing to send: {name} is missing; build again") from None
        if output.sha256(data) != digest:
            raise NotReadyToSend(
                f"refusing to send: {name} does not match {manifest.MANIFEST}: it was left by a "
                "failed or interrupted build, or edited by hand. Build again (or add --build)."
            )
        attachments.append(Attachment(name, data))
    changed = manifest.changed_inputs(record, current_inputs)
    if changed:
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise NotReadyToSend(
            f"refusing to send: the outputs are stale; changed since the build: "
            f"{shown}. Rebuild first or add --build."
        )
    return attachments, record


def compose(
    briefing: Briefing,
    theme: Theme,
    attachments: list[Attachment],
    settings: Settings,
    build_manifest: dict[str, Any] | None = None,
) -> Outgoing:
    """The message: text and HTML bodies from the theme's templates, outputs attached."""
    client = briefing.client
    context = email_context(briefing, theme, attachments)
    text = templating.render_template(
        theme, templating.environment(theme, "text"), "email.txt.j2", context
    )
    subject, body = _split_subject(text, theme)
    html = templating.render_template(
        theme, templating.environment(theme, "html"), "email.html.j2", context
    )
    sender = settings.mail_from or theme.tokens.agency.email
    if not sender:
        raise UsageError("no sender: set BRIEFING_MAIL_FROM or agency.email in theme.yaml")
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = Address(theme.tokens.agency.name, addr_spec=sender)
    message["To"] = _address(client.contact)
    recipients = [client.contact.email]
    if client.account_manager:
        message["Cc"] = _address(client.account_manager)
        recipients.append(client.account_manager.email)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    # The same briefing to the same people has the same Message-ID, whatever day it was built.
    key = identity.send_key(briefing.client_id, recipients, build_manifest or {})
    domain = sender.split("@")[1]
    message_id = f"<{key[:32]}@{domain}>"
    legacy = "|".join([briefing.client_id, *recipients, *(a.sha256 for a in attachments)])
    message["Message-ID"] = message_id
    message.set_content(body)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        renderer = render.for_file(attachment.name)
        maintype, subtype = (renderer.mime if renderer else "application/octet-stream").split("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name
        )
    return Outgoing(
        message,
        message.as_bytes(),
        sender,
        recipients,
        message_id,
        attachments,
        key,
        identity.send_key_before_0_2(briefing.client_id, recipients, build_manifest or {}),
        i18n.lang(),
        f"<{output.sha256(legacy.encode())[:32]}@{domain}>",
    )


def _split_subject(text: str, theme: Theme) -> tuple[str, str]:
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise TemplateError(
            f"{relative(theme.find('email.txt.j2'), theme.root)}: the "
            "first line must be 'Subject: ...'"
        )
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def _address(contact: Contact) -> Address:
    return Address(contact.name, addr_spec=contact.email)


def check_size(outgoing: Outgoing, settings: Settings) -> None:
    size, budget = len(outgoing.data), settings.mail_max_bytes
    if size > budget:
        raise DeliveryError(
            f"refusing to send: the message is {size / MB:.1f} MB encoded, "
            f"{(size - budget) / MB:.1f} MB over the {budget / MB:g} MB budget "
            "(BRIEFING_MAIL_MAX_MB)"
        )


def write_eml(outgoing: Outgoing, folder: Path, client_id: str, lang: str = "en") -> Path:
    path = folder / manifest.output_name(client_id, "briefing", ".eml", lang)
    output.write_atomic(path, outgoing.data)
    return path
