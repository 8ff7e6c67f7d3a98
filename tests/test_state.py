"""state/: the send ledger survives `make clean`, a rebuild the next day is not a new briefing,
an email never attaches a mixed set, and the settings read .env the way the README says."""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from briefing import deliver
from briefing.build.pipeline import build, prepare
from briefing.cli import main
from briefing.errors import DeliveryError, UsageError
from briefing.settings import Settings
from briefing.state import ledger

from .conftest import REPO, settings_for
from .smtp_server import send_through
from .test_email import Recorder, free_port

CLIENT = "maison-aurele"
NEXT_DAY = "1795651200"  # 2026-11-26
FORK = multiprocessing.get_context("fork")


@pytest.fixture
def sendable(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    shutil.copy(REPO / "Makefile", root / "Makefile")
    return root


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A real SMTP server on 127.0.0.1, and the environment that points the CLI at it."""
    from aiosmtpd.controller import Controller

    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    send_through(monkeypatch, controller.port)  # the approval gate has its own tests
    yield handler
    controller.stop()


def test_make_clean_and_a_rebuild_the_next_day_are_not_a_reason_to_send_again(
    sendable: Path, server: Recorder, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT]) == 0
    assert len(server.messages) == 1
    subprocess.run(["make", "-s", "clean"], cwd=sendable, check=True)
    assert not (sendable / "out").exists()

    assert main(["email", CLIENT, "--build"]) == 3
    assert "already sent at" in capsys.readouterr().err
    subprocess.run(["make", "-s", "clean"], cwd=sendable, check=True)
    # No earlier build to keep the date from: the rebuild is dated a day later, same briefing.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEXT_DAY)
    assert main(["email", CLIENT, "--build"]) == 3
    assert "already sent at" in capsys.readouterr().err
    record = json.loads((sendable / f"out/{CLIENT}/manifest.json").read_text("utf-8"))
    assert record["editions"]["en"]["options"]["date"] != "2026-11-25"  # it moved
    assert len(server.messages) == 1
    assert main(["email", CLIENT, "--resend"]) == 0
    assert len(server.messages) == 2


def test_a_rebuild_by_a_newer_tool_is_not_a_reason_to_send_again(
    sendable: Path, server: Recorder, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The tool's own code makes a build out of date (it is rebuilt), not a new briefing."""
    from briefing.build import manifest

    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT]) == 0
    monkeypatch.setattr(manifest, "code_digest", lambda: "a-newer-briefing-tool")
    assert main(["email", CLIENT, "--build"]) == 3
    assert "already sent at" in capsys.readouterr().err
    record = json.loads((sendable / f"out/{CLIENT}/manifest.json").read_text("utf-8"))
    assert record["editions"]["en"]["options"]["code"] == "a-newer-briefing-tool"  # it was rebuilt
    assert len(server.messages) == 1


def test_a_changed_input_is_a_new_briefing(
    sendable: Path, server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT]) == 0
    client = sendable / f"data/clients/{CLIENT}.yaml"
    client.write_text(client.read_text("utf-8").replace("Shanghai", "Chengdu"), "utf-8")
    assert main(["email", CLIENT, "--build"]) == 0
    assert len(server.messages) == 2


def test_a_ledger_in_out_is_moved_to_state_and_still_counts(
    sendable: Path, server: Recorder, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Ledgers written before state/ existed keyed a send by its attachments' hashes."""
    settings = settings_for(sendable)
    prepared = prepare(settings, CLIENT)
    attachments, record = deliver.read_outputs(prepared.folder, prepared.inputs)
    message = deliver.compose(prepared.briefing, prepared.theme, attachments, settings, record)
    old = {"time": "2026-11-20T10:00:00+00:00", "status": "sent", "recipients": ["x"]}
    legacy = sendable / "out" / CLIENT / "sent.jsonl"
    legacy.write_text(json.dumps({**old, "message_id": message.legacy_message_id}) + "\n")

    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT]) == 3
    err = capsys.readouterr().err
    assert "moved the send ledger" in err and "already sent at 2026-11-20" in err
    assert not legacy.exists()
    assert ledger.entries(ledger.path(sendable / "state", CLIENT))[0]["status"] == "sent"
    assert server.messages == []


def test_a_torn_last_ledger_line_is_repaired_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.log import configure

    configure()
    path = tmp_path / "sent.jsonl"
    whole = {"key": "k1", "status": "sent", "time": "t", "recipients": ["a@example.com"]}
    path.write_text(json.dumps(whole) + "\n" + '{"key": "k2", "status": "pen', encoding="utf-8")
    assert ledger.previous_send(path, "k1")["status"] == "sent"
    assert "the last line was cut short" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == json.dumps(whole) + "\n"
    ledger.record(path, {"key": "k2", "status": "sent"})
    assert [e["key"] for e in ledger.entries(path)] == ["k1", "k2"]


def _email_pausing(root: str, report: str, paused: Any, resume: Any) -> None:
    """Dry-run email that reads its first attachment, says so, and waits to be resumed."""
    real = Path.read_bytes

    def pausing(path: Path) -> bytes:
        data = real(path)
        if path.suffix == ".pdf" and not paused.is_set():
            paused.set()
            resume.wait(300)  # resumed by the test; the bound only keeps a broken run finite
        return data

    def record(outgoing: deliver.Outgoing) -> None:
        hashes = {a.name: a.sha256 for a in outgoing.attachments}
        Path(report).write_text(json.dumps(hashes), encoding="utf-8")

    Path.read_bytes = pausing  # type: ignore[method-assign]
    settings = settings_for(Path(root))
    deliver.email(settings, prepare(settings, CLIENT), dry_run=True, announce=record)


class _OnWaiting(logging.Handler):
    """Resumes the paused email the moment the build reports that it waits for the lock; no
    clock decides anything (the email is resumed only by this, or after the build is done)."""

    def __init__(self, resume: Any) -> None:
        super().__init__(logging.INFO)
        self.resume, self.waited = resume, False

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(f"Waiting for another build or send of {CLIENT}"):
            self.waited = True
            self.resume.set()


def test_an_email_racing_a_build_attaches_one_builds_files(sendable: Path, tmp_path: Path) -> None:
    """The email pauses mid-read holding the client's lock; a build started only then must
    wait for it (and says so), and publishes after the email has read one build's files."""
    folder = sendable / "out" / CLIENT
    before = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    report = tmp_path / "attached.json"
    paused, resume = FORK.Event(), FORK.Event()
    child = FORK.Process(target=_email_pausing, args=(str(sendable), str(report), paused, resume))
    child.start()
    try:
        assert paused.wait(120), "the email never read its first attachment"
        client = sendable / f"data/clients/{CLIENT}.yaml"
        client.write_text(client.read_text("utf-8").replace("Shanghai", "Chengdu"), "utf-8")
        on_waiting = _OnWaiting(resume)
        logger = logging.getLogger("briefing")
        level = logger.level
        logger.addHandler(on_waiting)
        logger.setLevel(logging.INFO)
        try:
            build(settings_for(sendable), CLIENT)  # waits for the email's lock
        finally:
            logger.removeHandler(on_waiting)
            logger.setLevel(level)
    finally:
        resume.set()
        child.join(120)
    assert on_waiting.waited, "the build published while the email held its files half-read"
    assert child.exitcode == 0, "the email failed: the files changed while it read them"
    after = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert after != before  # the build did publish, after the email
    attached = json.loads(report.read_text(encoding="utf-8"))
    assert attached == {n: h for n, h in before.items() if n in attached}  # one build's files
    assert len(attached) == 2  # the PDF and the deck (the plan data is not e-mailed)


def test_a_pitch_build_is_never_emailed(sendable: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(settings_for(sendable, theme="meridian"), CLIENT)
    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT, "--dry-run"]) == 0  # the client's own files are not stale
    prepared = prepare(settings_for(sendable, theme="meridian"), CLIENT)
    with pytest.raises(UsageError, match="only the client's own theme 'default' is e-mailed"):
        deliver.email(settings_for(sendable), prepared, dry_run=True)


def test_the_env_example_works_when_copied_as_documented(
    sendable: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(REPO / ".env.example", sendable / ".env")
    monkeypatch.chdir(sendable)
    assert main(["email", CLIENT, "--dry-run"]) == 0
    assert "Dry run: wrote" in capsys.readouterr().out
    settings = Settings.load(sendable)
    assert settings.smtp_security == "starttls" and settings.smtp_port_or_default == 587
    assert settings.smtp_password.get_secret_value() == "change-me"


def test_settings_come_from_defaults_then_env_file_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "BRIEFING_STALE_MONTHS=9  # a comment\nBRIEFING_STRICT=1\nBRIEFING_SMTP_TIMEOUT=5\n"
    )
    assert Settings.load(tmp_path).stale_months == 9
    assert Settings.load(tmp_path).strict is True
    monkeypatch.setenv("BRIEFING_STALE_MONTHS", "6")
    assert Settings.load(tmp_path).stale_months == 6
    assert Settings.load(tmp_path, stale_months=3).stale_months == 3
    assert Settings.load(tmp_path).smtp_retries == 3  # the default
    assert str(Settings.load(tmp_path).today) == "2026-11-25"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BRIEFING_SMTP_TIMEOUT", "abc", "BRIEFING_SMTP_TIMEOUT (environment or .env): Input"),
        ("BRIEFING_MAIL_MAX_MB", "20MB", "BRIEFING_MAIL_MAX_MB (environment or .env): Input"),
        ("BRIEFING_SMTP_SECURITY", "tls", "BRIEFING_SMTP_SECURITY (environment or .env): Input"),
        ("SOURCE_DATE_EPOCH", "yesterday", "SOURCE_DATE_EPOCH (environment or .env): Input"),
    ],
)
def test_a_bad_setting_is_a_usage_error_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.load(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_config_mistake_is_not_recorded_as_a_pending_send(sendable: Path) -> None:
    settings = settings_for(sendable, smtp_host="mail.example.com", smtp_security="none")
    with pytest.raises(UsageError, match="allowed only for a server on this machine"):
        deliver.email(settings, prepare(settings, CLIENT), dry_run=False)
    assert not ledger.path(sendable / "state", CLIENT).exists()


def test_a_send_refused_for_a_mismatched_set_says_what_to_do(sendable: Path) -> None:
    (sendable / "out" / CLIENT / f"{CLIENT}-deck.pptx").write_bytes(b"half a deck")
    settings = settings_for(sendable)
    with pytest.raises(DeliveryError, match=r"does not match manifest.json.*Build again"):
        deliver.email(settings, prepare(settings, CLIENT), dry_run=True)
