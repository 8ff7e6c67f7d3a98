"""Never twice, by protocol stage: `briefing email` against a server that fails at each SMTP
stage (tests/smtp_server.py FaultServer), counting the copies the server stored, reading the
ledger, the exit code and the message; then the rerun, which must send nothing more."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from briefing import deliver
from briefing.cli import main
from briefing.deliver import smtp
from briefing.errors import DeliveryError
from briefing.settings import Settings
from briefing.state import ledger

from .smtp_server import FaultServer, fault_servers, free_port

CLIENT = "maison-aurele"
# Bigger than any socket buffers (tcp_wmem max 4 MB): a reset while uploading it always
# reaches the sender before the terminator is out.
FILLER = (b"x" * 998 + b"\r\n") * 9000


class Case(NamedTuple):
    faults: dict[str, str]
    faulty: int | None  # how many connections get the faults (None: all)
    rc: int
    said: str  # in stderr (rc 1) or stdout (rc 0)
    copies: int  # stored by the server after the first run
    status: str  # the ledger's last line after the first run
    connections: int = 1
    security: str = "none"


DEFERRED = "kept deferring the message"
UNKNOWN = "may or may not have been delivered.*use --resend"
SENT = r"Sent via 127\.0\.0\.1: 250 2\.0\.0 queued as Q1"

CASES = {
    "connect: greeting never comes (closed)": Case(
        {"GREETING": "close"},
        None,
        1,
        r"cannot reach 127\.0\.0\.1:\d+ .*nothing was sent",
        0,
        "failed",
    ),
    "connect: 421 greeting, every time": Case(
        {"GREETING": "421 4.3.2 busy"}, None, 1, f"{DEFERRED} .*421 4.3.2 busy", 0, "failed", 3
    ),
    "EHLO: 554 (and to HELO)": Case(
        {"EHLO": "554 5.7.1 go away"}, None, 1, "refused the message at EHLO: 554", 0, "failed"
    ),
    "STARTTLS: 454, every time": Case(
        {"STARTTLS": "454 4.7.0 TLS not available"},
        None,
        1,
        f"{DEFERRED} .*454 4.7.0 TLS not available at STARTTLS",
        0,
        "failed",
        3,
        "starttls",
    ),
    "MAIL: 550": Case(
        {"MAIL": "550 5.7.1 sender rejected"},
        None,
        1,
        "refused the message at MAIL FROM: 550 5.7.1 sender rejected; nothing was sent",
        0,
        "failed",
    ),
    "MAIL: 451 once, then accepted": Case({"MAIL": "451 4.3.0 later"}, 1, 0, SENT, 1, "sent", 2),
    "RCPT: 550": Case(
        {"RCPT": "550 5.1.1 no such user"}, None, 1, "Nothing was sent, to anyone", 0, "failed"
    ),
    "DATA: 554": Case(
        {"DATA": "554 5.3.0 no data today"},
        None,
        1,
        "refused the message at DATA: 554 5.3.0 no data today",
        0,
        "failed",
    ),
    "upload: reset before the terminator, once": Case(
        {"UPLOAD": "reset"}, 1, 0, SENT, 1, "sent", 2
    ),
    "upload: reset before the terminator, every time": Case(
        {"UPLOAD": "reset"},
        None,
        1,
        f"{DEFERRED} .*during the upload.*nothing was sent",
        0,
        "failed",
        3,
    ),
    "after the terminator: stored, then closed without a reply": Case(
        {"END": "close"}, None, 1, UNKNOWN, 1, "unknown"
    ),
    "after the terminator: stored, then reset without a reply": Case(
        {"END": "reset"}, None, 1, UNKNOWN, 1, "unknown"
    ),
    "after the terminator: stored, then an unreadable reply": Case(
        {"END": "what?"}, None, 1, f"unreadable reply.*{UNKNOWN}", 1, "unknown"
    ),
    "end of data: 451 once, then accepted": Case(
        {"END": "451 4.3.0 try later"}, 1, 0, SENT, 1, "sent", 2
    ),
    "end of data: 554": Case(
        {"END": "554 5.6.0 spam"},
        None,
        1,
        "refused the message at the end of data: 554 5.6.0 spam; nothing was sent",
        0,
        "failed",
    ),
    "QUIT: 421 after the 250": Case({"QUIT": "421 4.4.2 closing"}, None, 0, SENT, 1, "sent"),
    "QUIT: 554 after the 250": Case({"QUIT": "554 5.0.0 whatever"}, None, 0, SENT, 1, "sent"),
    "QUIT: reset after the 250": Case({"QUIT": "reset"}, None, 0, SENT, 1, "sent"),
    "QUIT: closed after the 250": Case({"QUIT": "close"}, None, 0, SENT, 1, "sent"),
}


@pytest.fixture(scope="module")
def project(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private copy for the module: every test starts from an empty state/."""
    root = tmp_path_factory.mktemp("stages") / "project"
    shutil.copytree(built, root)
    return root


@pytest.fixture
def email(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """email(port, *flags, security=...) -> (exit code, what it printed): the real CLI."""
    shutil.rmtree(project / "state", ignore_errors=True)
    monkeypatch.chdir(project)

    def run(port: int, *flags: str, security: str = "none") -> tuple[int, str]:
        for name, value in {
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "SECURITY": security,
            "RETRIES": "2",
            "RETRY_DELAY": "0",  # no pauses: the tests count attempts, not seconds
            "TIMEOUT": "10",  # an upper bound only: no case waits for it
        }.items():
            monkeypatch.setenv(f"BRIEFING_SMTP_{name}", value)
        monkeypatch.setenv("BRIEFING_MAIL_FROM", "briefings@example.com")
        monkeypatch.setenv("BRIEFING_REQUIRE_APPROVAL", "0")  # tested in test_review.py
        code = main(["email", CLIENT, *flags])
        printed = capsys.readouterr()
        return code, printed.out + printed.err

    return run


@pytest.fixture
def fault_server() -> Iterator[Callable[..., FaultServer]]:
    yield from fault_servers()


def statuses(project: Path) -> list[str]:
    path = project / "state" / CLIENT / "sent.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["status"] for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("name", CASES)
def test_each_stage_sends_at_most_once_and_the_ledger_says_what_happened(
    name: str, email: Any, project: Path, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    if "UPLOAD" in case.faults:
        real = deliver.compose
        monkeypatch.setattr(
            deliver,
            "compose",
            lambda *a, **k: dataclasses.replace(r := real(*a, **k), data=r.data + FILLER),
        )
    server: FaultServer = fault_server(case.faults, case.faulty)
    code, said = email(server.port, security=case.security)
    assert (code, len(server.messages)) == (case.rc, case.copies), said
    assert server.connections == case.connections, said
    assert statuses(project) == ["pending", case.status]
    assert _matches(case.said, said), said

    # The rerun: what is (or may be) delivered is refused and names --resend; what failed is
    # tried again and fails the same way. Either way no second copy.
    code, said = email(server.port, security=case.security)
    assert len(server.messages) == case.copies, said
    if case.status in ("sent", "unknown"):
        assert code == 3 and server.connections == case.connections  # a repeat: not ready
        assert "use --resend" in said
        assert statuses(project) == ["pending", case.status]


@pytest.mark.parametrize(
    "name", [n for n, c in CASES.items() if c.status == "unknown"] + ["QUIT: 421 after the 250"]
)
def test_resend_after_an_unknown_or_a_sent_sends_exactly_one_more(
    name: str, email: Any, project: Path, fault_server: Any
) -> None:
    case = CASES[name]
    server: FaultServer = fault_server(case.faults)
    email(server.port)
    refused = email(server.port)[1]
    assert f"ended as '{case.status}'" in refused or "already sent" in refused
    server.faults = {}
    code, said = email(server.port, "--resend")
    assert code == 0 and len(server.messages) == case.copies + 1, said
    assert statuses(project)[-2:] == ["pending", "sent"]


def test_nothing_listening_is_failed_with_no_copy(email: Any, project: Path) -> None:
    code, said = email(free_port())
    assert code == 1 and _matches(r"cannot reach 127\.0\.0\.1:\d+ .*nothing was sent", said)
    assert statuses(project) == ["pending", "failed"]


def _matches(pattern: str, text: str) -> bool:
    """``pattern`` found in ``text`` with its line breaks and runs of spaces made single."""
    return re.search(pattern, " ".join(text.split())) is not None


def test_a_missing_ca_file_is_named_before_connecting(tmp_path: Path) -> None:
    config = Settings.load(
        tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_cafile="/nonexistent/ca.pem"
    )
    with pytest.raises(DeliveryError, match=r"BRIEFING_SMTP_CAFILE: cannot use /nonexistent/ca"):
        smtp.transmit(b"x\r\n", "a@example.com", {"b@example.com": "To"}, config)


def _disk_full_at(status: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The ledger's disk fills up just when ``status`` is recorded (ENOSPC, as a full state/);
    returns what frees the space again."""
    real = ledger.record

    def record(path: Path, entry: dict[str, Any]) -> None:
        if entry["status"] == status:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, entry)

    monkeypatch.setattr(ledger, "record", record)
    return lambda: monkeypatch.setattr(ledger, "record", real)


def test_disk_full_after_the_250_says_it_was_sent_with_the_reply_and_not_to_resend(
    email: Any, project: Path, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server: FaultServer = fault_server({})
    free_space = _disk_full_at("sent", monkeypatch)
    code, said = email(server.port)
    assert code == 1 and len(server.messages) == 1, said
    assert _matches(
        f"{SENT} \\(Message-ID <[0-9a-f]+@example.com>\\), but state/{CLIENT}/sent.jsonl could "
        r"not be updated \(no space left on device\).*Do not use --resend: the message was "
        "delivered",
        said,
    ), said
    assert "OSError" not in said and "Not sent" not in said and "nothing was sent" not in said
    assert statuses(project) == ["pending"]
    assert len(list((project / "state" / CLIENT / "history").iterdir())) == 1  # archived
    free_space()
    code, said = email(server.port)  # the rerun is refused: it may have been delivered
    assert code == 3 and len(server.messages) == 1 and "ended as 'pending'" in said, said


def test_disk_full_before_sending_names_the_ledger_and_sends_nothing(
    email: Any, project: Path, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server: FaultServer = fault_server({})
    free_space = _disk_full_at("pending", monkeypatch)
    code, said = email(server.port)
    assert (code, len(server.messages), server.connections) == (1, 0, 0), said
    assert _matches(
        f"error: cannot write state/{CLIENT}/sent.jsonl: no space left on device; nothing was sent",
        said,
    ), said
    assert "OSError" not in said and statuses(project) == []
    free_space()
    code, said = email(server.port)  # space again: it goes, once
    assert code == 0 and len(server.messages) == 1, said


def test_disk_full_when_recording_a_failure_still_says_nothing_was_sent(
    email: Any, project: Path, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server: FaultServer = fault_server({"MAIL": "550 5.7.1 sender rejected"})
    _disk_full_at("failed", monkeypatch)
    code, said = email(server.port)
    assert code == 1 and len(server.messages) == 0, said
    assert _matches(
        r"refused the message at MAIL FROM: 550 5\.7\.1 sender rejected; nothing was sent "
        r"\(sent\.jsonl could not record this \(no space left on device\): it still says "
        "'pending'.*--resend is safe",
        said,
    ), said
    assert "OSError" not in said and statuses(project) == ["pending"]


def test_disk_full_for_both_ledger_and_history_still_says_sent_in_words(
    email: Any, project: Path, fault_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.state import history

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    server: FaultServer = fault_server({})
    _disk_full_at("sent", monkeypatch)
    monkeypatch.setattr(history, "archive", full)
    code, said = email(server.port)
    assert code == 1 and len(server.messages) == 1, said
    assert _matches(
        f"sent, but not archived in state/{CLIENT}/history/: no space left on device", said
    ), said
    assert _matches(f"{SENT} .*Do not use --resend", said) and "[Errno" not in said, said
