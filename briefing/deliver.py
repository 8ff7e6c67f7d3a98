"""E-mail a client's built briefing: compose, check it is current, send once; never renders."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from pathlib import Path
from typing import Any, Literal

from briefing import manifest, output
from briefing import theme as themes
from briefing.errors import DeliveryError, TemplateError, UsageError, relative
from briefing.log import LOGGER
from briefing.model import Briefing, Contact
from briefing.theme import Theme

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".pptx": ("application", "vnd.openxmlformats-officedocument.presentationml.presentation"),
}
LEDGER = "sent.jsonl"
Security = Literal["starttls", "ssl", "none"]


@dataclass(frozen=True)
class SmtpConfig:
    """SMTP settings from BRIEFING_* variables (the environment wins over .env)."""

    host: str | None
    port: int
    security: Security
    user: str | None
    password: str | None = field(repr=False)
    mail_from: str | None
    cafile: str | None = None
    max_bytes: int = 20 * 10**6
    timeout: float = 60.0
    retries: int = 3
    retry_delay: float = 2.0

    @classmethod
    def from_env(cls, root: Path, environ: dict[str, str] | None = None) -> SmtpConfig:
        env = {**read_env_file(root / ".env"), **(os.environ if environ is None else environ)}
        security = env.get("BRIEFING_SMTP_SECURITY", "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise UsageError(
                f"BRIEFING_SMTP_SECURITY must be starttls, ssl or none, got '{security}'"
            )
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        return cls(
            host=env.get("BRIEFING_SMTP_HOST") or None,
            port=_number(env, "BRIEFING_SMTP_PORT", default_port),
            security=security,  # type: ignore[arg-type]
            user=env.get("BRIEFING_SMTP_USER") or None,
            password=env.get("BRIEFING_SMTP_PASSWORD") or None,
            mail_from=env.get("BRIEFING_MAIL_FROM") or None,
            cafile=env.get("BRIEFING_SMTP_CAFILE") or None,
            max_bytes=int(float(env.get("BRIEFING_MAIL_MAX_MB", "20")) * 10**6),
            timeout=float(env.get("BRIEFING_SMTP_TIMEOUT", "60")),
            retries=_number(env, "BRIEFING_SMTP_RETRIES", 3),
            retry_delay=float(env.get("BRIEFING_SMTP_RETRY_DELAY", "2")),
        )


def _number(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name, str(default))
    if not value.isdigit():
        raise UsageError(f"{name} must be a whole number, got '{value}'")
    return int(value)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; blank lines and # comments are skipped."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


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
            f"{len(self.data) / 10**6:.1f} MB"
            if len(self.data) >= 10**5
            else (f"{len(self.data) / 1000:.0f} kB")
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

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


def current_outputs(folder: Path, current_inputs: dict[str, str]) -> list[Attachment]:
    """The built PDF and PPTX, provided they are complete and built from today's inputs."""
    record = manifest.read(folder)
    verdict = manifest.check_outputs(folder, record)
    if not verdict.ok:
        raise DeliveryError(
            f"refusing to send: {verdict.reason}. Build first "
            "(make briefing CLIENT=...) or add --build."
        )
    changed = manifest.changed_inputs(record, current_inputs)
    if changed:
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise DeliveryError(
            f"refusing to send: the outputs are stale; changed since the build: "
            f"{shown}. Rebuild first or add --build."
        )
    return [
        Attachment(name, (folder / name).read_bytes())
        for name in sorted(record["outputs"])
        if Path(name).suffix in MIME_TYPES
    ]


def compose(
    briefing: Briefing, theme: Theme, attachments: list[Attachment], config: SmtpConfig
) -> Outgoing:
    """The message: text and HTML bodies from the theme's templates, outputs attached."""
    client = briefing.client
    context = {
        "b": briefing,
        "client": client,
        "theme": theme.context(),
        "attachments": attachments,
    }
    text = themes.render_template(theme, themes.environment(theme, "text"), "email.txt.j2", context)
    subject, body = _split_subject(text, theme)
    html = themes.render_template(
        theme, themes.environment(theme, "html"), "email.html.j2", context
    )
    sender = config.mail_from or theme.tokens["agency"].get("email")
    if not sender:
        raise UsageError("no sender: set BRIEFING_MAIL_FROM or agency.email in theme.yaml")
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = Address(theme.tokens["agency"]["name"], addr_spec=sender)
    message["To"] = _address(client.contact)
    recipients = [client.contact.email]
    if client.account_manager:
        message["Cc"] = _address(client.account_manager)
        recipients.append(client.account_manager.email)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    key = "|".join([briefing.client_id, *recipients, *(a.sha256 for a in attachments)])
    message_id = f"<{output.sha256(key.encode())[:32]}@{sender.split('@')[1]}>"
    message["Message-ID"] = message_id
    message.set_content(body)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, subtype = MIME_TYPES[Path(attachment.name).suffix]
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name
        )
    data = message.as_bytes()
    return Outgoing(message, data, sender, recipients, message_id, attachments)


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


def check_size(outgoing: Outgoing, config: SmtpConfig) -> None:
    size = len(outgoing.data)
    if size > config.max_bytes:
        over = (size - config.max_bytes) / 10**6
        raise DeliveryError(
            f"refusing to send: the message is {size / 10**6:.1f} MB encoded, "
            f"{over:.1f} MB over the {config.max_bytes / 10**6:g} MB budget "
            "(BRIEFING_MAIL_MAX_MB)"
        )


def write_eml(outgoing: Outgoing, folder: Path, client_id: str) -> Path:
    path = folder / f"{client_id}-briefing.eml"
    output.write_atomic(path, outgoing.data)
    return path


# -- the send ledger --------------------------------------------------------------------------


def ledger_status(folder: Path, message_id: str) -> dict[str, Any] | None:
    """The latest ledger entry for this exact message (same recipients and attachments)."""
    path = folder / LEDGER
    if not path.is_file():
        return None
    latest = None
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("message_id") == message_id:
            latest = entry
    return latest


def _record(folder: Path, outgoing: Outgoing, status: str, reply: str = "") -> None:
    entry = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "message_id": outgoing.message_id,
        "status": status,
        "recipients": outgoing.recipients,
        "subject": outgoing.subject,
        "attachments": {a.name: a.sha256 for a in outgoing.attachments},
        "reply": reply,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LEDGER).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def send(outgoing: Outgoing, config: SmtpConfig, folder: Path, *, resend: bool = False) -> str:
    """Send once: refuse a repeat without ``resend``; record every attempt in the ledger."""
    previous = ledger_status(folder, outgoing.message_id)
    if previous and previous["status"] in ("sent", "unknown", "pending") and not resend:
        raise DeliveryError(_repeat_message(previous))
    _record(folder, outgoing, "pending")
    try:
        reply = _transmit(outgoing, config)
    except _Unknown as exc:
        _record(folder, outgoing, "unknown", str(exc))
        raise DeliveryError(
            f"the connection dropped after the message was handed to {config.host}: it may or "
            "may not have been delivered. Ask the recipient (or check the server's log for "
            f"Message-ID {outgoing.message_id}); to send again anyway, use --resend."
        ) from None
    except DeliveryError as exc:
        _record(folder, outgoing, "failed", str(exc))
        raise
    _record(folder, outgoing, "sent", reply)
    return reply


def _repeat_message(previous: dict[str, Any]) -> str:
    if previous["status"] == "sent":
        return (
            f"already sent at {previous['time']} to {', '.join(previous['recipients'])} "
            "with these same files; use --resend to send it again"
        )
    return (
        f"a send at {previous['time']} ended as '{previous['status']}': it may have been "
        "delivered. Check with the recipient, then use --resend to send it again"
    )


class _Unknown(Exception):
    """The server may have accepted the message."""


class _Transient(Exception):
    """A 4xx reply: worth another try after a pause."""


def _transmit(outgoing: Outgoing, config: SmtpConfig) -> str:
    if not config.host:
        raise UsageError("BRIEFING_SMTP_HOST is not set (use --dry-run to write the .eml)")
    delay = config.retry_delay
    for attempt in range(1, config.retries + 2):
        try:
            return _attempt(outgoing, config)
        except _Transient as exc:
            if attempt > config.retries:
                raise DeliveryError(f"{config.host} kept deferring the message: {exc}") from None
            LOGGER.warning(
                "%s deferred the message (%s); retrying in %.1f s", config.host, exc, delay
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _attempt(outgoing: Outgoing, config: SmtpConfig) -> str:
    try:
        with _connect(config) as smtp:
            if config.user:
                _login(smtp, config)
            _envelope(smtp, outgoing)
            try:
                code, reply = smtp.data(outgoing.data)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                raise _Unknown(str(exc) or type(exc).__name__) from None
            return _final_reply(code, reply)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{config.host} refused the login for user '{config.user}': "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"{config.host} does not offer STARTTLS; refusing to send "
            "unencrypted (set BRIEFING_SMTP_SECURITY)"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {config.host} failed: {exc}") from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Transient(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        raise DeliveryError(
            f"{config.host} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise DeliveryError(
            f"cannot reach {config.host}:{config.port} ({exc}); nothing was sent"
        ) from None


def _login(smtp: smtplib.SMTP, config: SmtpConfig) -> None:
    """One AUTH attempt with the best offered mechanism (smtplib.login would try them all)."""
    smtp.ehlo_or_helo_if_needed()
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        raise DeliveryError(
            f"{config.host} offers no PLAIN or LOGIN authentication "
            f"(offered: {' '.join(offered) or 'none'})"
        )
    smtp.user, smtp.password = config.user or "", config.password or ""
    method = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
    smtp.auth(mechanism, method, initial_response_ok=True)


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    host, port, timeout = config.host or "", config.port, config.timeout
    if config.security == "none":
        if not _is_loopback(host):
            raise UsageError(
                "BRIEFING_SMTP_SECURITY=none is allowed only for a server on this "
                f"machine (127.0.0.1, ::1, localhost), not '{host}'"
            )
        return smtplib.SMTP(host, port, timeout=timeout)
    context = ssl.create_default_context(cafile=config.cafile)
    if config.security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    smtp.ehlo()
    smtp.starttls(context=context)
    smtp.ehlo()
    return smtp


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _envelope(smtp: smtplib.SMTP, outgoing: Outgoing) -> None:
    """MAIL FROM and every RCPT TO; a refused recipient stops the send for all (no partial)."""
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(outgoing.sender)
    _final_reply(code, reply)
    refused = {}
    for recipient in outgoing.recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, _text(reply))
    if refused:
        smtp.rset()
        shown = "; ".join(f"{r}: {c} {t}" for r, (c, t) in refused.items())
        if all(400 <= c < 500 for c, _ in refused.values()):
            raise _Transient(shown)
        raise DeliveryError(f"the server refused recipient(s), nothing was sent: {shown}")


def _final_reply(code: int, reply: bytes) -> str:
    if 200 <= code < 300:
        return f"{code} {_text(reply)}"
    raise smtplib.SMTPResponseException(code, reply)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
