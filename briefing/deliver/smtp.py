"""SMTP transport: one message to its recipients, all or none, and never twice.

What a failure means depends on the protocol stage it happened at (``Stage``):
- before the end-of-data terminator went out (connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA,
  uploading the message): the server cannot have the message. 4xx replies and a drop while
  uploading are retried with backoff; everything else raises DeliveryError ("nothing was sent");
- after the terminator went out and before a readable reply: ``Unknown``. The server may have
  stored the message (a reset, a close or a timeout says nothing either way: RFC 1047), so it is
  never retried;
- the reply to the terminator decides: 2xx sent, 5xx refused, 4xx deferred (retried: the server
  said it does not have the message);
- after a 2xx to the terminator the message is sent, whatever QUIT or the connection then does.

A refused recipient stops the whole send: the account manager in Cc sees what the client sees,
and the ledger's idea of "sent to these people" stays true. The error names the address, its
role and the server's code.
"""

from __future__ import annotations

import contextlib
import enum
import re
import smtplib
import ssl
import time
from dataclasses import dataclass

from briefing.constants import MB
from briefing.errors import DeliveryError
from briefing.log import LOGGER
from briefing.settings import Settings

CRLF = b"\r\n"


class Stage(enum.IntEnum):
    """How far one attempt got, in protocol order."""

    CONNECT = 1
    EHLO = 2
    STARTTLS = 3
    AUTH = 4
    MAIL = 5
    RCPT = 6
    DATA = 7
    UPLOAD = 8  # the message itself, up to and including the terminator
    END_OF_DATA = 9  # the terminator is out: from here on the server may have the message

    @property
    def label(self) -> str:
        """The stage as an error message names it."""
        special = {"MAIL": "MAIL FROM", "RCPT": "RCPT TO", "CONNECT": "the greeting"}
        special |= {"UPLOAD": "the upload of the message", "END_OF_DATA": "the end of data"}
        return special.get(self.name, self.name)


class Unknown(Exception):
    """The server may have accepted the message."""


class _Transient(Exception):
    """Worth another try after a pause: a 4xx reply, or a drop before the message was whole."""


@dataclass
class _Progress:
    stage: Stage = Stage.CONNECT


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
    """One connection: the conversation up to the reply to the terminator, then QUIT."""
    progress = _Progress()
    context = _tls_context(config)
    smtp = None
    try:
        smtp = _connect(config, context)
        _hello(smtp, config, context, progress)
        if config.smtp_user:
            progress.stage = Stage.AUTH
            _login(smtp, config)
        _check_size(smtp, data, config)
        _envelope(smtp, sender, recipients, len(data), progress)
        code, reply = _data(smtp, data, progress)
    except (Unknown, _Transient, DeliveryError):
        raise
    except Exception as exc:
        if progress.stage >= Stage.END_OF_DATA:  # the stage rule: it may be stored, never retry
            raise Unknown(f"no reply to the end of data: {_describe(exc)}") from None
        raise _failure(exc, progress.stage, config, len(data)) from exc
    finally:
        if smtp is not None:
            _quit(smtp)
    return _verdict(code, reply, config, len(data))


def _data(smtp: smtplib.SMTP, data: bytes, progress: _Progress) -> tuple[int, bytes]:
    """DATA, the message, the terminator, the reply: smtplib's ``data()`` in steps, so a drop
    while uploading (retry) is told apart from one after the terminator went out (unknown)."""
    progress.stage = Stage.DATA
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    progress.stage = Stage.UPLOAD
    payload = re.sub(rb"(?m)^\.", b"..", data)
    if not payload.endswith(CRLF):
        payload += CRLF
    smtp.send(payload)
    # sendall() raising means the terminator's bytes were not all queued: the server cannot
    # have seen it. Once it returns, only the server's reply can say what happened.
    smtp.send(b"." + CRLF)
    progress.stage = Stage.END_OF_DATA
    return smtp.getreply()


def _verdict(code: int, reply: bytes, config: Settings, size: int) -> str:
    """The server's answer to the terminator: the only thing that says whether it has it."""
    text = _text(reply)
    if 200 <= code < 300:
        return f"{code} {text}"
    if 400 <= code < 500:  # an explicit "not now": the server does not have the message
        raise _Transient(f"{code} {text} at the end of data")
    if code == 552:
        raise DeliveryError(_too_large(config.smtp_host, size, None, text))
    if 500 <= code < 600:
        raise DeliveryError(
            f"{config.smtp_host} refused the message at the end of data: {code} {text}; "
            "nothing was sent"
        )
    raise Unknown(f"an unreadable reply to the end of data: {text or '(empty)'}")


def _quit(smtp: smtplib.SMTP) -> None:
    """QUIT and close. Whatever happens here changes nothing: after a 2xx to the terminator the
    message is sent (a 421 or 554 to QUIT, or a reset, is no reason to send it again), and
    after a failure the outcome is already known."""
    try:
        code, reply = smtp.docmd("quit")
        if code != 221:
            LOGGER.debug("QUIT answered %s %s (ignored)", code, _text(reply))
    except Exception as exc:  # see the docstring: nothing here changes the outcome
        LOGGER.debug("QUIT failed: %s (ignored)", _describe(exc))
    finally:
        smtp.close()


def _failure(exc: Exception, stage: Stage, config: Settings, size: int) -> Exception:
    """What a failure before the terminator means: retry (_Transient) or DeliveryError."""
    host, port = config.smtp_host, config.smtp_port_or_default
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(
            f"{host} refused the login for user '{config.smtp_user}': "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(
            f"{host} does not offer STARTTLS; refusing to send unencrypted "
            "(set BRIEFING_SMTP_SECURITY)"
        )
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(f"TLS with {host} failed: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, _text(exc.smtp_error)
        if 400 <= code < 500:
            return _Transient(f"{code} {text} at {stage.label}")
        if code == 552:
            return DeliveryError(_too_large(host, size, None, text))
        return DeliveryError(
            f"{host} refused the message at {stage.label}: {code} {text}; nothing was sent"
        )
    if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
        if stage == Stage.UPLOAD:
            return _Transient(f"the connection dropped during the upload ({_describe(exc)})")
        if stage == Stage.CONNECT:
            return DeliveryError(f"cannot reach {host}:{port} ({exc}); nothing was sent")
        return DeliveryError(
            f"the connection to {host}:{port} dropped at {stage.label} ({_describe(exc)}); "
            "nothing was sent"
        )
    return DeliveryError(
        f"sending through {host} failed at {stage.label}: {_describe(exc)}; nothing was sent"
    )


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _check_size(smtp: smtplib.SMTP, data: bytes, config: Settings) -> None:
    """Refuse before uploading what the server says it will not take (RFC 1870 SIZE)."""
    advertised = smtp.esmtp_features.get("size", "").strip()
    if advertised.isdigit() and 0 < int(advertised) < len(data):
        raise DeliveryError(_too_large(config.smtp_host, len(data), int(advertised), ""))


def _too_large(host: str | None, size: int, limit: int | None, reply: str) -> str:
    said = f" ({reply})" if reply else ""
    if limit:
        over = f"its limit is {limit / MB:.2f} MB and this message is {size / MB:.2f} MB "
        over += f"encoded, {(size - limit) / MB:.2f} MB over"
    else:
        over = f"this message is {size / MB:.2f} MB encoded"
    return (
        f"{host} refuses messages this large{said}: {over}; nothing was sent. Make the outputs "
        "smaller (smaller images), or set BRIEFING_MAIL_MAX_MB to the server's limit so the "
        "check happens before sending"
    )


def _login(smtp: smtplib.SMTP, config: Settings) -> None:
    """One AUTH attempt with the best offered mechanism (smtplib.login would try them all)."""
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


def _tls_context(config: Settings) -> ssl.SSLContext | None:
    if config.smtp_security == "none":  # check_settings allowed it: a server on this machine
        return None
    try:
        return ssl.create_default_context(cafile=config.smtp_cafile)
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(
            f"BRIEFING_SMTP_CAFILE: cannot use {config.smtp_cafile} ({exc}); nothing was sent"
        ) from None


def _connect(config: Settings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    """The connection and the server's greeting (and, for "ssl", the TLS handshake)."""
    host, port, timeout = config.smtp_host or "", config.smtp_port_or_default, config.smtp_timeout
    if config.smtp_security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    return smtplib.SMTP(host, port, timeout=timeout)


def _hello(
    smtp: smtplib.SMTP, config: Settings, context: ssl.SSLContext | None, progress: _Progress
) -> None:
    """EHLO (HELO if refused), and STARTTLS then EHLO again when asked for."""
    progress.stage = Stage.EHLO
    smtp.ehlo_or_helo_if_needed()
    if config.smtp_security == "starttls":
        progress.stage = Stage.STARTTLS
        smtp.starttls(context=context)  # raises unless the server offers it and answers 220
        progress.stage = Stage.EHLO
        smtp.ehlo_or_helo_if_needed()


def _envelope(
    smtp: smtplib.SMTP, sender: str, recipients: dict[str, str], size: int, progress: _Progress
) -> None:
    """MAIL FROM and every RCPT TO; a refused recipient stops the send for all (no partial)."""
    progress.stage = Stage.MAIL
    options = [f"SIZE={size}"] if smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if not 200 <= code < 300:
        raise smtplib.SMTPResponseException(code, reply)
    progress.stage = Stage.RCPT
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, _text(reply))
    if refused:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()
        shown = "; ".join(f"{recipients[r]} {r}: {c} {t}" for r, (c, t) in refused.items())
        if all(400 <= c < 500 for c, _ in refused.values()):
            raise _Transient(shown)
        raise DeliveryError(
            f"the server refused {shown}. Nothing was sent, to anyone: fix the address in the "
            "client file (contact.email or account_manager.email), then send again"
        )


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
