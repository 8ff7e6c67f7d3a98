"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): the `smtp` fixture starts one on
demand, optionally with STARTTLS and authentication, and records what it receives."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PASSWORD = "s3cret-Pa55"


class Recorder:
    """An SMTP handler that keeps what it receives and fails on request."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.data_replies: list[str] = []
        self.refuse: set[str] = set()
        self.drop_after_data = False
        self.auth_attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.original_content,
            }
        )
        if self.drop_after_data:
            server.transport.close()
        return "250 2.0.0 queued as 42"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.auth_attempts += 1
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # let the server reply 535


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Any:
    """Start servers on demand: smtp(tls=..., auth=...) -> (handler, port)."""
    started = []

    def start(tls: ssl.SSLContext | None = None, auth: bool = False):
        handler = Recorder()
        options: dict[str, Any] = {}
        if tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        if auth:
            options.update(
                authenticator=handler.authenticate,
                auth_required=True,
                auth_require_tls=tls is not None,
            )
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return handler, controller.port

    yield start
    for controller in started:
        controller.stop()
