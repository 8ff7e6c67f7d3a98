"""A damaged line in a ledger, approvals or history file costs that line (a warning naming
file:line), never another client's commands; a send that fails in an unforeseen way before the
terminator is 'failed', not 'pending'; unbounded timeouts are refused."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from briefing import deliver
from briefing.cli import main
from briefing.deliver import smtp as transport
from briefing.errors import DeliveryError, UsageError
from briefing.log import configure
from briefing.review import approval
from briefing.settings import Settings
from briefing.state import history, ledger

from .smtp_server import send_through
from .test_email import outgoing, plain

CLIENT = "maison-aurele"
OTHER = "nordlys-travel"
# JSON that is not an entry, an entry without what it needs, and worse.
DAMAGED = ["42", "[1]", '"x"', "null", '{"key": "k9"}', '{"status": 5, "time": "t"}', "[" * 5000]


@pytest.fixture
def sendable(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    return root


@pytest.fixture
def warnings(capsys: pytest.CaptureFixture[str]) -> Any:
    """The warnings logged so far, one string (the CLI's logging set up as `main` does)."""
    configure()
    return lambda: capsys.readouterr().err


def _damage(path: Path, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    """``before``, then every DAMAGED line, then ``after``: one line each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e) for e in before] + DAMAGED + [json.dumps(e) for e in after]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_each_damaged_ledger_line_is_skipped_with_its_file_and_line(
    tmp_path: Path, warnings: Any
) -> None:
    path = tmp_path / "sent.jsonl"
    good = {"key": "k1", "status": "sent", "time": "2026-11-25T10:00:00+00:00"}
    _damage(path, [good], [{**good, "key": "k2"}])
    assert [e["key"] for e in ledger.entries(path, ledger.SEND_FIELDS)] == ["k1", "k2"]
    said = warnings()
    for number in range(2, 2 + len(DAMAGED)):
        assert f"{path}:{number}: " in said, number
    assert f"{path}:2: ledger line skipped: 42 is not an entry (a JSON object)" in said
    assert f"{path}:6: entry without a valid status or time skipped" in said


def test_a_damaged_entry_of_this_very_send_still_blocks_it(tmp_path: Path, warnings: Any) -> None:
    path = tmp_path / "sent.jsonl"
    path.write_text('{"key": "k1", "status": "sent", "time": "t"}\n{"key": "k1"}\n')
    entry = ledger.previous_send(path, "k1")
    assert entry is not None and entry["status"] == "unknown" and entry["time"]
    assert f"{path}:2: status None is not one this tool writes; counted as 'unknown'" in warnings()


def test_status_and_email_work_for_every_client_around_damaged_ledgers(
    sendable: Path,
    smtp: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler, port = smtp()
    monkeypatch.chdir(sendable)
    send_through(monkeypatch, port)
    assert main(["email", CLIENT]) == 0
    sent = ledger.path(sendable / "state", CLIENT)
    entries = [json.loads(line) for line in sent.read_text("utf-8").splitlines()]
    _damage(sent, entries, [])
    _damage(ledger.path(sendable / "state", OTHER), [], [])
    capsys.readouterr()

    assert main(["status"]) == 0
    printed = capsys.readouterr()
    assert f"{sent}:3: " in printed.err and "Traceback" not in printed.err
    assert "claire.fontaine" in printed.out  # the real send is still shown (Last sent)

    assert main(["email", CLIENT]) == 3  # the real send still counts: no second copy
    assert "already sent at" in capsys.readouterr().err
    assert len(handler.messages) == 1


def test_damaged_approval_lines_approve_nothing_and_are_named(
    tmp_path: Path, warnings: Any
) -> None:
    path = approval.path(tmp_path, CLIENT)
    good = {"by": "Ann", "time": "t", "note": "", "lang": "en", "key": "a", "outputs": {}}
    _damage(path, [good], [{**good, "by": None}, {**good, "key": "b"}])
    assert [a.key for a in approval.approvals(tmp_path, CLIENT)] == ["a", "b"]
    said = warnings()
    for number in range(2, 3 + len(DAMAGED)):
        assert f"{path}:{number}: " in said, number
    assert f"{path}:{2 + len(DAMAGED)}: entry without a valid by skipped" in said


@pytest.mark.parametrize(
    "text",
    ["[1]", '"x"', "3", "{}", '{"date": 5, "lang": "en", "inputs_key": "k"}', "{", "[" * 5000],
)
def test_a_damaged_history_record_costs_that_send_only(
    tmp_path: Path, warnings: Any, text: str
) -> None:
    root = history.folder(tmp_path, CLIENT)
    good = {"date": "2026-11-20", "lang": "en", "inputs_key": "k1", "time": "t"}
    for name, meta in {"2026-11-20-aaaa": json.dumps(good), "2026-11-21-bbbb": text}.items():
        (root / name).mkdir(parents=True)
        (root / name / history.META_JSON).write_text(meta, encoding="utf-8")
    assert [s.folder.name for s in history.sent(tmp_path, CLIENT, "en")] == ["2026-11-20-aaaa"]
    assert f"{root / '2026-11-21-bbbb' / history.META_JSON}: unreadable, skipped" in warnings()


def test_an_unforeseen_error_before_the_terminator_is_failed_not_pending(
    sendable: Path, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp()
    config = plain(sendable, port)
    path = ledger.path(sendable / "state", CLIENT)
    real = {"_connect": transport._connect, "transmit": transport.transmit}

    def broken(*args: Any) -> None:
        raise OverflowError("timestamp out of range for platform time_t")

    monkeypatch.setattr(transport, "_connect", broken)
    with pytest.raises(DeliveryError, match=r"failed at the greeting: timestamp out of range"):
        deliver.send(outgoing(sendable, config), config, path)
    monkeypatch.setattr(transport, "transmit", lambda *a: broken())
    with pytest.raises(OverflowError):
        deliver.send(outgoing(sendable, config), config, path)
    assert [e["status"] for e in ledger.entries(path)] == ["pending", "failed"] * 2
    for name, function in real.items():
        monkeypatch.setattr(transport, name, function)
    deliver.send(outgoing(sendable, config), config, path)  # nothing blocks the next send
    assert [e["status"] for e in ledger.entries(path)][-1] == "sent"
    assert len(handler.messages) == 1


def test_a_ledger_that_cannot_record_the_sent_says_do_not_resend(
    sendable: Path, smtp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp()
    config = plain(sendable, port)
    real = ledger.record

    def full(path: Path, entry: dict[str, Any]) -> None:
        if entry["status"] == "sent":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, entry)

    monkeypatch.setattr(ledger, "record", full)
    path = ledger.path(sendable / "state", CLIENT)
    with pytest.raises(DeliveryError, match=r"Sent via 127\.0\.0\.1: 250.*Do not use --resend"):
        deliver.send(outgoing(sendable, config), config, path)
    assert len(handler.messages) == 1
    with pytest.raises(DeliveryError, match="ended as 'pending'"):
        deliver.send(outgoing(sendable, config), config, path)


@pytest.mark.parametrize(
    "name", ["BRIEFING_SMTP_TIMEOUT", "BRIEFING_RENDER_TIMEOUT", "BRIEFING_SMTP_RETRY_DELAY"]
)
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("inf", "finite number"),
        ("nan", "finite number"),
        ("-1", "greater than"),
        ("1e9", "less than or equal to"),
    ],
)
def test_unbounded_or_negative_timeouts_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, why: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=f"{name} \\(environment or .env\\): Input should be"):
        Settings.load(tmp_path)
    with pytest.raises(UsageError, match=why):
        Settings.load(tmp_path)


@pytest.mark.parametrize("name", ["BRIEFING_SMTP_TIMEOUT", "BRIEFING_RENDER_TIMEOUT"])
def test_a_zero_timeout_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str):
    monkeypatch.setenv(name, "0")
    with pytest.raises(UsageError, match=f"{name} .*greater than 0"):
        Settings.load(tmp_path)
