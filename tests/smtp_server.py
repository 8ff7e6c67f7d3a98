"""SMTP servers on 127.0.0.1 for the tests: the `smtp` fixture starts a real one (aiosmtpd) on
demand, optionally with STARTTLS and authentication, and records what it receives; the
raw-socket FaultServer fails at a chosen protocol stage (fault_servers() makes its fixture)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
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


def send_through(monkeypatch: Any, port: int, require_approval: bool = False) -> None:
    """Settings that send through the local server on ``port`` (plain SMTP, our sender); the
    approval gate is off unless a test is about it."""
    for name, value in {
        "BRIEFING_SMTP_HOST": "127.0.0.1",
        "BRIEFING_SMTP_PORT": str(port),
        "BRIEFING_SMTP_SECURITY": "none",
        "BRIEFING_MAIL_FROM": "briefings@example.com",
        "BRIEFING_REQUIRE_APPROVAL": "1" if require_approval else "0",
    }.items():
        monkeypatch.setenv(name, value)


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


class FaultServer:
    """A raw-socket SMTP server on 127.0.0.1 that fails at the protocol stage it is told to,
    including the stages aiosmtpd cannot reach: a reset right after the terminator, a 421 to
    QUIT after a 250. ``faults`` maps a stage to a reply line or an action:

    GREETING, EHLO (also HELO), STARTTLS, MAIL, RCPT, DATA, END (the reply to the terminator),
    QUIT: a reply such as "554 5.0.0 no", or "close" (FIN) or "reset" (RST) instead of replying;
    UPLOAD: "reset" after reading the first bytes of the message (it never sees the terminator).
    At END, "close" and "reset" come after the message was stored: the worst case for a client.

    The first ``faulty`` connections get the faults (all of them when None); the rest are
    served normally. ``messages`` holds every stored copy. Sessions are served one at a time.
    """

    def __init__(self, faults: dict[str, str], faulty: int | None = None) -> None:
        self.faults = faults
        self.faulty = faulty
        self.messages: list[bytes] = []
        self.connections = 0
        self._stopping = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fault-smtp", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
            pass  # wakes accept()
        self._thread.join(10)  # an upper bound: it ends as soon as accept() wakes
        self._listener.close()

    def _serve(self) -> None:
        while True:
            conn, _ = self._listener.accept()
            if self._stopping:
                conn.close()
                return
            self.connections += 1
            active = self.faults if self.faulty is None or self.connections <= self.faulty else {}
            reader = conn.makefile("rb")
            try:
                self._session(conn, reader, active)
            except OSError:
                pass  # the client hung up or reset: its side is what the tests look at
            finally:
                reader.close()
                conn.close()

    def _session(self, conn: socket.socket, reader: Any, faults: dict[str, str]) -> None:
        if not self._reply(conn, faults.get("GREETING", "220 fault.test ESMTP")):
            return
        while line := reader.readline():
            verb = (line.split() or [b""])[0].upper().decode("ascii", "replace")
            stage = "EHLO" if verb == "HELO" else verb
            default = "250 ok"
            if verb == "EHLO":
                default = "250-fault.test\r\n250-STARTTLS\r\n250 8BITMIME"
            elif verb == "QUIT":
                default = "221 bye"
            elif verb == "DATA":
                default = "354 go ahead"
            if not self._reply(conn, faults.get(stage, default)) or verb == "QUIT":
                return
            if verb == "DATA" and not self._message(conn, reader, faults):
                return

    def _message(self, conn: socket.socket, reader: Any, faults: dict[str, str]) -> bool:
        """Read the message up to the terminator, store it unless END refuses it, reply."""
        if faults.get("UPLOAD") == "reset":
            reader.read(1000)
            self._reset(conn)
            return False
        lines = []
        while (line := reader.readline()) != b".\r\n":
            if not line:
                return False
            lines.append(line)
        answer = faults.get("END", "250 2.0.0 queued as Q1")
        if answer[:1] not in ("4", "5"):  # a 4xx or 5xx to the terminator means "not taken"
            self.messages.append(b"".join(lines))
        return self._reply(conn, answer)

    def _reply(self, conn: socket.socket, answer: str) -> bool:
        """Send ``answer``, or hang up as it says; False when the session is over."""
        if answer == "close":
            conn.shutdown(socket.SHUT_RDWR)
            return False
        if answer == "reset":
            self._reset(conn)
            return False
        conn.sendall(answer.encode("ascii") + b"\r\n")
        return True

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        """Hang up with a TCP reset (RST), as a crashing server or a middlebox does."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()


def fault_servers() -> Iterator[Callable[..., FaultServer]]:
    """For a fixture: start(faults, faulty=None) -> FaultServer; all are stopped afterwards."""
    started: list[FaultServer] = []

    def start(faults: dict[str, str], faulty: int | None = None) -> FaultServer:
        server = FaultServer(faults, faulty)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
