"""SMTP transport: one message to its recipients, all or none, with honest failure states.

What a failure means for the send ledger (briefing.deliver):
- refused before the end-of-data terminator went out (connection, TLS, login, MAIL, RCPT, a
  drop while uploading the message): the server cannot have it; 4xx replies and drops while
  uploading are retried with backoff, the rest raise DeliveryError;
- anything after the terminator was sent (a drop, a timeout waiting for the reply) raises
  ``Unknown``: the server may have accepted the message, so it is never retried by itself.

A refused recipient stops the whole send: the account manager in Cc sees what the client sees,
and the ledger's idea of "sent to these people" stays true. The error names the address, its
role and the server's code.
"""

from __future__ import annotations

import ipaddress
import re
import smtplib
import ssl
import time

from briefing.errors import DeliveryError
from briefing.log import LOGGER
from briefing.settings import Settings

CRLF = b"\r\n"


class Unknown(Exception):
    """The server may have accepted the message."""


class _Transient(Exception):
    """Worth another try after a pause: a 4xx reply, or a drop before the message was whole."""


def transmit(data: bytes, sender: str, recipients: dict[str, str], config: Settings) -> str:
    """Send ``data``; ``recipients`` maps each address to its role ("To", "Cc")."""
    delay = config.smtp_retry_delay
    for attempt in range(1, config.smtp_retries + 2):
        try:
            return _attempt(data, sender, recipients, config)
        except _Transient as exc:
            if attempt > config.smtp_retries:
                raise DeliveryError(
                    f"{config.smtp_host} kept deferring the message ({exc}); nothing was sent"
                ) from None
            LOGGER.warning(
                "%s deferred the message (%s); retrying in %.1f s", config.smtp_host, exc, delay
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _attempt(data: bytes, sender: str, recipients: dict[str, str], config: Settings) -> str:
    host = config.smtp_host
    try:
        with _connect(config) as smtp:
            if config.smtp_user:
                _login(smtp, config)
            _check_size(smtp, data, config)
            _envelope(smtp, sender, recipients, len(data))
            return _data(smtp, data)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{host} refused the login for user '{config.smtp_user}': "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            f"{host} does not offer STARTTLS; refusing to send unencrypted "
            "(set BRIEFING_SMTP_SECURITY)"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {host} failed: {exc}") from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise _Transient(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        if exc.smtp_code == 552:
            raise DeliveryError(_too_large(host, len(data), None, _text(exc.smtp_error))) from None
        raise DeliveryError(
            f"{host} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}; nothing was sent"
        ) from None
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise DeliveryError(
            f"cannot reach {host}:{config.smtp_port_or_default} ({exc}); nothing was sent"
        ) from None


def _data(smtp: smtplib.SMTP, data: bytes) -> str:
    """DATA, the message, the terminator, the reply: smtplib's ``data()`` in steps, so a drop
    while uploading (retry) is told apart from a drop after the terminator (unknown)."""
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    payload = re.sub(rb"(?m)^\.", b"..", data)
    if not payload.endswith(CRLF):
        payload += CRLF
    try:
        smtp.send(payload)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise _Transient(f"the connection dropped while uploading the message ({exc})") from None
    try:
        smtp.send(b"." + CRLF)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise _Transient(f"the connection dropped before the end of the message ({exc})") from None
    try:
        code, reply = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        # A reset (not a plain close) means the server left bytes we sent unread: the
        # terminator, which comes last, never reached it, so it cannot have the message.
        if isinstance(exc, ConnectionResetError) or isinstance(
            exc.__context__, ConnectionResetError
        ):
            raise _Transient(
                f"the server reset the connection before reading the end of the message ({exc})"
            ) from None
        raise Unknown(str(exc) or type(exc).__name__) from None
    return _final_reply(code, reply)


def _check_size(smtp: smtplib.SMTP, data: bytes, config: Settings) -> None:
    """Refuse before uploading what the server says it will not take (RFC 1870 SIZE)."""
    smtp.ehlo_or_helo_if_needed()
    advertised = smtp.esmtp_features.get("size", "").strip()
    if advertised.isdigit() and 0 < int(advertised) < len(data):
        raise DeliveryError(_too_large(config.smtp_host, len(data), int(advertised), ""))


def _too_large(host: str | None, size: int, limit: int | None, reply: str) -> str:
    said = f" ({reply})" if reply else ""
    if limit:
        over = f"its limit is {limit / 10**6:.2f} MB and this message is {size / 10**6:.2f} MB "
        over += f"encoded, {(size - limit) / 10**6:.2f} MB over"
    else:
        over = f"this message is {size / 10**6:.2f} MB encoded"
    return (
        f"{host} refuses messages this large{said}: {over}; nothing was sent. Make the outputs "
        "smaller (smaller images), or set BRIEFING_MAIL_MAX_MB to the server's limit so the "
        "check happens before sending"
    )


def _login(smtp: smtplib.SMTP, config: Settings) -> None:
    """One AUTH attempt with the best offered mechanism (smtplib.login would try them all)."""
    smtp.ehlo_or_helo_if_needed()
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        raise DeliveryError(
            f"{config.smtp_host} offers no PLAIN or LOGIN authentication "
            f"(offered: {' '.join(offered) or 'none'})"
        )
    password = config.smtp_password.get_secret_value() if config.smtp_password else ""
    smtp.user, smtp.password = config.smtp_user or "", password
    method = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
    smtp.auth(mechanism, method, initial_response_ok=True)


def _connect(config: Settings) -> smtplib.SMTP:
    host, port, timeout = config.smtp_host or "", config.smtp_port_or_default, config.smtp_timeout
    if config.smtp_security == "none":  # check_settings allowed it: a server on this machine
        return smtplib.SMTP(host, port, timeout=timeout)
    context = ssl.create_default_context(cafile=config.smtp_cafile)
    if config.smtp_security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    smtp.ehlo()
    smtp.starttls(context=context)
    smtp.ehlo()
    return smtp


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _envelope(smtp: smtplib.SMTP, sender: str, recipients: dict[str, str], size: int) -> None:
    """MAIL FROM and every RCPT TO; a refused recipient stops the send for all (no partial)."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"SIZE={size}"] if smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    _final_reply(code, reply)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, _text(reply))
    if refused:
        smtp.rset()
        shown = "; ".join(f"{recipients[r]} {r}: {c} {t}" for r, (c, t) in refused.items())
        if all(400 <= c < 500 for c, _ in refused.values()):
            raise _Transient(shown)
        raise DeliveryError(
            f"the server refused {shown}. Nothing was sent, to anyone: fix the address in the "
            "client file (contact.email or account_manager.email), then send again"
        )


def _final_reply(code: int, reply: bytes) -> str:
    if 200 <= code < 300:
        return f"{code} {_text(reply)}"
    raise smtplib.SMTPResponseException(code, reply)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
