"""E-mailing the outputs through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import email
import json
import shutil
import ssl
from email import policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from briefing.build.pipeline import prepare
from briefing.cli import main
from briefing.deliver import compose, read_outputs, send
from briefing.errors import DeliveryError, UsageError
from briefing.settings import Settings
from briefing.state import ledger

from .conftest import settings_for
from .smtp_server import PASSWORD, Recorder, free_port

CLIENT = "maison-aurele"


@pytest.fixture
def sendable(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (data, templates, assets and out/)."""
    root = tmp_path / "project"
    shutil.copytree(built, root)
    return root


def plain(root: Path, port: int, **changes: Any) -> Settings:
    """Settings for an unencrypted server on 127.0.0.1 (tests only)."""
    defaults: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "mail_from": "briefings@example.com",
        "smtp_retry_delay": 0.01,
        "smtp_timeout": 10,
        "require_approval": False,  # the approval gate has its own tests (test_review.py)
    }
    return settings_for(root, **{**defaults, **changes})


def ledger_of(root: Path, client: str = CLIENT) -> Path:
    return root / "state" / client / "sent.jsonl"


def outgoing(root: Path, config: Settings):
    prepared = prepare(settings_for(root), CLIENT)
    attachments, record = read_outputs(root / "out" / CLIENT, prepared.inputs)
    return compose(prepared.briefing, prepared.theme, attachments, config, record)


def received(handler: Recorder) -> email.message.EmailMessage:
    [message] = handler.messages
    return email.message_from_bytes(message["data"], policy=policy.default)


def test_plain_send_delivers_both_parts_and_exact_attachments(sendable: Path, smtp) -> None:
    handler, port = smtp()
    config = plain(sendable, port)
    reply = send(outgoing(sendable, config), config, ledger_of(sendable))
    assert reply.startswith("250")
    assert handler.messages[0]["to"] == ["claire.fontaine@example.com", "lin.wei@example.com"]
    assert handler.messages[0]["from"] == "briefings@example.com"
    message = received(handler)
    assert message["Subject"].startswith("Your China social media briefing")
    assert message["Cc"] == "Lin Wei <lin.wei@example.com>"
    assert "Dear Claire Fontaine" in message.get_body(("plain",)).get_content()
    assert "<strong>Maison Aurèle</strong>" in message.get_body(("html",)).get_content()
    files = {
        part.get_filename(): (part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    }
    folder = sendable / "out" / CLIENT
    assert files == {
        f"{CLIENT}-briefing.pdf": (
            "application/pdf",
            (folder / f"{CLIENT}-briefing.pdf").read_bytes(),
        ),
        f"{CLIENT}-deck.pptx": (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (folder / f"{CLIENT}-deck.pptx").read_bytes(),
        ),
    }
    entry = ledger.previous_send(ledger_of(sendable), outgoing(sendable, config).key)
    assert entry["status"] == "sent" and entry["message_id"] == message["Message-ID"]


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a certificate from a throw-away CA, and that CA's file."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return server_context, str(tmp_path / "ca.pem")


def over_tls(root: Path, port: int, cafile: str, password: str) -> Settings:
    """STARTTLS with the test CA, logging in as 'agency'."""
    return plain(
        root,
        port,
        smtp_security="starttls",
        smtp_cafile=cafile,
        smtp_user="agency",
        smtp_password=password,
    )


def test_starttls_with_a_trusted_certificate_and_auth(sendable: Path, smtp, tls) -> None:
    handler, port = smtp(tls=tls[0], auth=True)
    config = over_tls(sendable, port, tls[1], PASSWORD)
    send(outgoing(sendable, config), config, ledger_of(sendable))
    assert len(handler.messages) == 1

    untrusted = config.model_copy(update={"smtp_cafile": None})  # the system's CAs lack it
    with pytest.raises(DeliveryError, match="certificate verify failed"):
        send(outgoing(sendable, untrusted), untrusted, ledger_of(sendable), resend=True)
    assert len(handler.messages) == 1


def test_auth_failure_is_not_retried_and_hides_the_password(sendable: Path, smtp, tls) -> None:
    handler, port = smtp(tls=tls[0], auth=True)
    config = over_tls(sendable, port, tls[1], "wrong-" + PASSWORD)
    with pytest.raises(DeliveryError, match="refused the login for user 'agency': 535") as caught:
        send(outgoing(sendable, config), config, ledger_of(sendable))
    assert handler.auth_attempts == 1
    assert PASSWORD not in str(caught.value)
    text = ledger_of(sendable).read_text(encoding="utf-8")
    assert PASSWORD not in text and json.loads(text.splitlines()[-1])["status"] == "failed"
    assert handler.messages == []


def test_server_down_is_a_clear_error_and_not_marked_sent(sendable: Path) -> None:
    config = plain(sendable, free_port())
    message = outgoing(sendable, config)
    with pytest.raises(DeliveryError, match=r"cannot reach 127\.0\.0\.1:\d+ .*nothing was sent"):
        send(message, config, ledger_of(sendable))
    assert ledger.previous_send(ledger_of(sendable), message.key)["status"] == "failed"


def test_a_451_is_retried_and_delivered_once(sendable: Path, smtp) -> None:
    handler, port = smtp()
    handler.data_replies = ["451 4.3.0 try again later"]
    config = plain(sendable, port)
    send(outgoing(sendable, config), config, ledger_of(sendable))
    assert len(handler.messages) == 1


def test_a_550_recipient_sends_nothing(sendable: Path, smtp) -> None:
    handler, port = smtp()
    handler.refuse = {"lin.wei@example.com"}
    config = plain(sendable, port)
    with pytest.raises(
        DeliveryError, match=r"refused Cc lin\.wei@example\.com: 550.*Nothing was sent, to anyone"
    ):
        send(outgoing(sendable, config), config, ledger_of(sendable))
    assert handler.messages == []


def test_a_second_send_needs_resend(sendable: Path, smtp) -> None:
    handler, port = smtp()
    config = plain(sendable, port)
    folder = ledger_of(sendable)
    send(outgoing(sendable, config), config, folder)
    with pytest.raises(DeliveryError, match=r"already sent at .* use --resend"):
        send(outgoing(sendable, config), config, folder)
    assert len(handler.messages) == 1
    send(outgoing(sendable, config), config, folder, resend=True)
    assert len(handler.messages) == 2


def test_a_drop_after_the_data_is_unknown_and_not_retried(sendable: Path, smtp) -> None:
    handler, port = smtp()
    handler.drop_after_data = True
    config = plain(sendable, port)
    folder = ledger_of(sendable)
    with pytest.raises(DeliveryError, match="may or may not have been delivered"):
        send(outgoing(sendable, config), config, folder)
    assert len(handler.messages) == 1
    with pytest.raises(DeliveryError, match="ended as 'unknown'"):
        send(outgoing(sendable, config), config, folder)


def test_stale_outputs_are_refused(sendable: Path) -> None:
    client = sendable / "data/clients/maison-aurele.yaml"
    client.write_text(
        client.read_text(encoding="utf-8").replace("Shanghai", "Chengdu"), encoding="utf-8"
    )
    with pytest.raises(
        DeliveryError,
        match=r"stale; changed since the build: "
        r"data/clients/maison-aurele\.yaml",
    ):
        outgoing(sendable, plain(sendable, 25))


def test_outputs_left_by_a_failed_build_are_refused(sendable: Path) -> None:
    (sendable / "out" / CLIENT / f"{CLIENT}-deck.pptx").write_bytes(b"half a deck")
    with pytest.raises(DeliveryError, match="left by a failed or interrupted build"):
        outgoing(sendable, plain(sendable, 25))


def test_an_oversized_message_is_refused_with_the_excess(
    sendable: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(sendable)
    monkeypatch.delenv("BRIEFING_SMTP_HOST", raising=False)
    assert main(["email", CLIENT, "--max-mb", "0.5"]) == 1
    err = capsys.readouterr().err
    assert "MB encoded" in err and "MB over the 0.5 MB budget" in err


def test_dry_run_writes_the_exact_message(
    sendable: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(sendable)
    monkeypatch.delenv("BRIEFING_SMTP_HOST", raising=False)
    assert main(["email", CLIENT]) == 0
    out = capsys.readouterr().out
    assert "To:      claire.fontaine@example.com, lin.wei@example.com" in out
    assert f"Attach:  {CLIENT}-briefing.pdf (" in out
    eml = sendable / "out" / CLIENT / f"{CLIENT}-briefing.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [p.get_filename() for p in message.iter_attachments()] == [
        f"{CLIENT}-briefing.pdf",
        f"{CLIENT}-deck.pptx",
    ]
    assert not ledger_of(sendable).exists()


def test_chinese_names_are_encoded_in_headers(built: Path, tmp_path: Path) -> None:
    from briefing.build.pipeline import build

    root = tmp_path / "p"
    shutil.copytree(built, root)
    build(settings_for(root), "nordlys-travel")
    prepared = prepare(settings_for(root), "nordlys-travel")
    attachments, record = read_outputs(root / "out/nordlys-travel", prepared.inputs)
    message = compose(prepared.briefing, prepared.theme, attachments, plain(root, 25), record)
    raw_to = next(line for line in message.data.split(b"\r\n") if line.startswith(b"To:"))
    assert raw_to == b"To: =?utf-8?b?546L6Iqz?= <wang.fang@example.com>"
    assert str(message.message["To"]) == "王芳 <wang.fang@example.com>"


def test_unencrypted_smtp_only_to_this_machine(sendable: Path) -> None:
    config = plain(sendable, 25, smtp_host="mail.example.com")
    with pytest.raises(UsageError, match="allowed only for a server on this machine"):
        send(outgoing(sendable, config), config, ledger_of(sendable))


def test_a_message_over_the_servers_size_is_refused_before_upload_with_figures(
    sendable: Path,
) -> None:
    handler = Recorder()
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), data_size_limit=300_000
    )
    controller.start()
    try:
        config = plain(sendable, controller.port)
        with pytest.raises(DeliveryError) as caught:
            send(outgoing(sendable, config), config, ledger_of(sendable))
    finally:
        controller.stop()
    message = str(caught.value)
    assert "refuses messages this large" in message
    assert "its limit is 0.29 MB and this message is" in message and "MB over" in message
    assert "BRIEFING_MAIL_MAX_MB" in message and "nothing was sent" in message
    assert handler.messages == []
