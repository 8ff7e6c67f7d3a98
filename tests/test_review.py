"""Review before it goes out: approval, the history of sent briefings, "what changed", status."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from briefing.build.pipeline import build, prepare
from briefing.deliver import email
from briefing.errors import DeliveryError
from briefing.review import status
from briefing.review.approval import approve
from briefing.settings import Settings
from briefing.state import history

from .conftest import SOURCE_DATE_EPOCH, copy_built, settings_for, shared_build
from .test_editions import pdf_text
from .test_email import plain

CLIENT = "maison-aurele"
NEXT_DAY = int(SOURCE_DATE_EPOCH) + 86400


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """The client built (once per run), in this test's own copy."""
    root = copy_built(shared_build(tmp_path_factory, [CLIENT], CLIENT), tmp_path / "project")
    return root


def gated(root: Path, port: int, **changes: object) -> Settings:
    return plain(root, port, require_approval=True, **changes)


def send(config: Settings) -> str:
    return email(config, prepare(config, CLIENT), dry_run=False)


def approve_current(root: Path, by: str = "Lin Wei") -> None:
    approve(root / "state", root / "out" / CLIENT, CLIENT, "en", by, "checked the figures")


def test_approve_then_email_works_and_is_archived(project: Path, smtp) -> None:
    handler, port = smtp()
    config = gated(project, port)
    with pytest.raises(DeliveryError, match=r"nobody has approved it.*briefing approve maison"):
        send(config)
    assert not handler.messages
    approve_current(project)
    assert send(config).startswith("Sent via 127.0.0.1: 250")
    [sent] = history.sent(project / "state", CLIENT, "en")
    assert sent.folder.name.startswith("2026-11-25-")
    assert {p.name for p in sent.folder.iterdir()} == {
        f"{CLIENT}-briefing.pdf", f"{CLIENT}-deck.pptx", "briefing.json", "sent.json"
    }  # fmt: skip
    assert sent.briefing()["client_id"] == CLIENT


def change_a_figure(root: Path) -> None:
    """WeChat's newest MAU figure is replaced by a later one (the researcher's update)."""
    path = root / "data/platforms/wechat.yaml"
    text = path.read_text("utf-8")
    text = text.replace("value: 1414000000", "value: 1418000000", 1)
    text = text.replace("as_of: 2025-09-30", "as_of: 2025-12-31", 1)
    path.write_text(text, "utf-8")


def test_changed_inputs_void_the_approval_and_the_same_inputs_next_day_keep_it(
    project: Path, smtp
) -> None:
    handler, port = smtp()
    approve_current(project)
    brief = project / f"data/clients/{CLIENT}.yaml"
    original = brief.read_text("utf-8")
    # (A brief changed and then restored is new content for the reader, dated the day it came
    # back: the approval follows the bytes, tested in test_identity.py.)
    # A change to the brief alone that the reader sees (no option moves with it): new bytes,
    # so a briefing nobody approved.
    brief.write_text(original.replace("Shanghai", "Chengdu"), "utf-8")  # the bytes change
    build(settings_for(project), CLIENT)
    with pytest.raises(DeliveryError, match=r"not the ones approved .*approved by Lin Wei"):
        send(gated(project, port))
    assert not handler.messages
    # Approved again, then rebuilt the next day from the same inputs: the content keeps its
    # date, so the same bytes, still approved.
    approve_current(project)
    next_day = gated(project, port, SOURCE_DATE_EPOCH=NEXT_DAY)
    build(next_day, CLIENT)
    assert send(next_day).startswith("Sent via")
    assert len(handler.messages) == 1


def test_after_make_clean_the_previous_send_is_still_known(project: Path, smtp) -> None:
    handler, port = smtp()
    config = gated(project, port)
    approve_current(project)
    send(config)
    shutil.rmtree(project / "out")  # make clean
    build(settings_for(project), CLIENT)
    with pytest.raises(DeliveryError, match="already sent at"):
        send(config)  # the duplicate check comes first, and state/ kept the ledger
    assert len(handler.messages) == 1


def test_a_dry_run_needs_no_approval_and_says_whether_there_is_one(project: Path) -> None:
    config = settings_for(project)
    assert "not approved yet" in email(config, prepare(config, CLIENT), dry_run=True)
    approve_current(project)
    assert "approved by Lin Wei" in email(config, prepare(config, CLIENT), dry_run=True)


def test_what_changed_between_two_sent_briefings(project: Path, smtp) -> None:
    _, port = smtp()
    config = gated(project, port)
    assert prepare(config, CLIENT).briefing.changes is None  # nothing sent yet: no page
    approve_current(project)
    send(config)
    change_a_figure(project)
    build(settings_for(project), CLIENT)
    changes = prepare(config, CLIENT).briefing.changes
    [figure] = [f for f in changes.figures if f.platform == "WeChat"]
    assert (figure.old_value, str(figure.old_as_of)) == (1414000000, "2025-09-30")
    assert (figure.new_value, str(figure.new_as_of)) == (1418000000, "2025-12-31")
    lines = status.diff(settings_for(project), CLIENT)
    assert lines[0] == "What changed since the briefing of 2026-11-25:"
    assert any(re.search(r"WeChat MAU.*1,414 million \(2025-09-30\) -> 1,418 million", ln)
               for ln in lines), lines  # fmt: skip
    text = re.sub(r"\s+", " ", pdf_text(project / "out" / CLIENT / f"{CLIENT}-briefing.pdf"))
    assert "What changed since your briefing of 25 November 2026" in text
    assert "1,414 million" in text and "1,418 million" in text
    from pptx import Presentation

    deck = Presentation(str(project / "out" / CLIENT / f"{CLIENT}-deck.pptx"))
    [slide] = [
        s for s in deck.slides
        if s.shapes.title is not None and s.shapes.title.text.startswith("Since your briefing of")
    ]  # fmt: skip
    assert slide.shapes.title.text.startswith(
        "Since your briefing of 25 November 2026, one of its figures has a newer value"
    )
    words = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    table = [sh.table for sh in slide.shapes if sh.has_table]
    cells = " ".join(c.text for t in table for row in t.rows for c in row.cells)
    assert "1,414 million" in words + cells and "1,418 million" in words + cells


def test_status_has_a_row_per_edition(project: Path) -> None:
    approve_current(project)
    [row] = status.rows(settings_for(project))
    assert (row.client, row.lang, row.current) == (CLIENT, "en", "up to date")
    assert row.approved.startswith("Lin Wei, ") and row.sent == "never"
    change_a_figure(project)
    [row] = status.rows(settings_for(project))
    assert row.current.startswith("changed: data/platforms/wechat.yaml")


def test_a_damaged_history_entry_costs_the_page_not_the_build(project: Path, smtp) -> None:
    _, port = smtp()
    approve_current(project)
    send(gated(project, port))
    change_a_figure(project)
    [sent] = history.sent(project / "state", CLIENT, "en")
    (sent.folder / "briefing.json").write_text("{}", "utf-8")
    result = build(settings_for(project), CLIENT)
    assert any("not a briefing this version can compare" in w for w in result.warnings)


def test_only_an_up_to_date_build_can_be_approved(project: Path, monkeypatch, capsys) -> None:
    from briefing.cli import main

    change_a_figure(project)
    monkeypatch.chdir(project)
    assert main(["approve", CLIENT, "--by", "Lin Wei"]) == 3  # not ready: build it first
    assert "is not up to date with its data or theme" in capsys.readouterr().err
    build(settings_for(project), CLIENT)
    assert main(["approve", CLIENT, "--by", "Lin Wei"]) == 0


def _reword_first_goal(root: Path, target: str | None = None) -> None:
    path = root / f"data/clients/{CLIENT}.yaml"
    text = path.read_text("utf-8").replace(
        "before it reaches the boutiques", "before it reaches the boutiques in March", 1
    )
    if target:
        text = text.replace("target: {value: 50000, unit: saves}", target, 1)
    path.write_text(text, "utf-8")


def _has_changes_page(root: Path) -> tuple[bool, bool]:
    from pptx import Presentation

    text = re.sub(r"\s+", " ", pdf_text(root / "out" / CLIENT / f"{CLIENT}-briefing.pdf"))
    deck = Presentation(str(root / "out" / CLIENT / f"{CLIENT}-deck.pptx"))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    return "What changed since" in text, any("your briefing of" in t for t in titles)


def test_new_inputs_with_the_same_advice_add_no_what_changed_page(project: Path, smtp) -> None:
    """A reworded goal changes the inputs, not the advice: no 'nothing changed' page to send."""
    _, port = smtp()
    config = gated(project, port)
    approve_current(project)
    send(config)
    _reword_first_goal(project)
    build(settings_for(project), CLIENT)
    assert prepare(config, CLIENT).briefing.changes is None
    assert _has_changes_page(project) == (False, False)
    assert status.diff(settings_for(project), CLIENT)[1].startswith("  nothing in platforms")


def test_a_new_goal_target_is_what_changed(project: Path, smtp) -> None:
    _, port = smtp()
    config = gated(project, port)
    approve_current(project)
    send(config)
    _reword_first_goal(project, target="target: {value: 80000, unit: saves}")
    build(settings_for(project), CLIENT)
    [goal] = prepare(config, CLIENT).briefing.changes.goals
    assert (goal.old_target, goal.new_target) == (50000, 80000)
    assert _has_changes_page(project) == (True, True)
    assert any("50,000 by 2027-04-30 -> 80,000 saves" in line
               for line in status.diff(settings_for(project), CLIENT))  # fmt: skip


def _archive_sent(state: Path, date: str, key: str, time: str) -> None:
    meta = {"date": date, "lang": "en", "key": key, "inputs_key": key, "time": time}
    history.archive(state, CLIENT, {}, "{}", meta)


def test_what_changed_follows_the_order_of_sending_not_the_printed_dates(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """S-07: A dated 2026-11-25 is sent, then B dated 2026-11-20 (a clock set back): B is the
    last briefing the client got, so the next "what changed" compares with B, and sending B
    says that its date is before A's."""
    state = tmp_path / "state"
    _archive_sent(state, "2026-11-25", "a" * 12, "2026-11-25T09:00:00+00:00")
    with caplog.at_level("WARNING"):
        _archive_sent(state, "2026-11-20", "b" * 12, "2026-11-26T09:00:00+00:00")
    assert "is dated 2026-11-20, before the one of 2026-11-25 sent earlier" in caplog.text
    sent = history.sent(state, CLIENT, "en")
    assert [s.folder.name for s in sent] == ["2026-11-25-aaaaaaaaaa", "2026-11-20-bbbbbbbbbb"]
    assert history.previous(state, CLIENT, "en", "c" * 12).inputs_key == "b" * 12
    assert history.previous(state, CLIENT, "en", "b" * 12).inputs_key == "a" * 12
    since = history.previous(state, CLIENT, "en", "c" * 12, dt.date(2026, 11, 22))
    assert since.inputs_key == "b" * 12  # the only one dated by then
    caplog.clear()
    with caplog.at_level("WARNING"):
        _archive_sent(state, "2026-11-27", "d" * 12, "2026-11-27T09:00:00+00:00")
    assert "before the one" not in caplog.text  # dates moving forward: nothing to say
