"""Every mistake in one run, each with its place: nothing hides behind another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import DataError, RenderError

from .conftest import copy_project, settings_for

CLIENT = "maison-aurele"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT, "nordlys-travel"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def check_errors(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: object) -> list[str]:
    monkeypatch.chdir(project)
    assert main(["check"]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "Traceback" not in err
    return err.strip().splitlines()


def test_an_unknown_field_does_not_hide_an_unknown_industry_or_another_files_syntax_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = project / f"data/clients/{CLIENT}.yaml"
    edit(client, "industry: luxury", "industry: luxry")
    client.write_text(client.read_text("utf-8") + "sector: leather\n", "utf-8")
    edit(project / "data/clients/nordlys-travel.yaml", "name:", "name: [unclosed\nx:")
    lines = check_errors(project, monkeypatch, capsys)
    text = "\n".join(lines)
    assert "unknown field 'sector'" in text
    assert "industry: unknown industry 'luxry' (did you mean 'luxury'?)" in text
    assert "data/clients/nordlys-travel.yaml:" in text and "invalid YAML" in text
    assert lines[-1] == "Aborted: 3 errors in data/ (nothing was written)"


def with_goals(project: Path, goals: str) -> int:
    """Replace the client's goals with ``goals``; the line number where they start."""
    client = project / f"data/clients/{CLIENT}.yaml"
    text = client.read_text("utf-8")
    head = text.split("goals:")[0]
    rest = text.split("goals:")[1]
    tail = rest[rest.index("\ncities:") :] if "\ncities:" in rest else ""
    client.write_text(head + "goals:\n" + goals + tail, "utf-8")
    return head.count("\n") + 2


def test_a_list_item_that_folds_into_the_previous_one_is_reported_where_it_starts(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = with_goals(
        project,
        "  - Open two boutiques in Shanghai\n   - A second goal indented one space too far\n",
    )
    [error, _] = check_errors(project, monkeypatch, capsys)
    assert error.startswith(f"data/clients/{CLIENT}.yaml:{first + 1}:4: invalid YAML: ")
    assert "indent its '-' exactly like the one above" in error


def test_an_impossible_date_is_an_error_not_a_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    article = project / "data/articles/wechat-offline-to-online.md"
    text = article.read_text("utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("date:"))
    article.write_text(text.replace(date_line, "date: 2025-02-30"), "utf-8")
    [error, _] = check_errors(project, monkeypatch, capsys)
    assert "wechat-offline-to-online.md:" in error
    assert "'2025-02-30' is not valid: day is out of range for month" in error


def test_a_client_name_too_long_for_the_title_slide_fails_check_naming_the_field(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = "Maison Aurèle " + "Maroquinerie et Haute Joaillerie de Paris " * 3
    edit(project / f"data/clients/{CLIENT}.yaml", "name: Maison Aurèle", f"name: {long_name}")
    [error, _] = check_errors(project, monkeypatch, capsys)
    assert error.startswith(f"data/clients/{CLIENT}.yaml:2:7: name: too long for the title slide")
    assert re.search(r"it needs \d lines at 28 pt and 2 fit", error), error
    with pytest.raises(DataError, match="too long for the title slide"):
        build(settings_for(project), CLIENT)


def test_a_goal_longer_than_a_bullet_may_be_is_refused_at_check(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_goals(project, "  - " + "Grow awareness in tier-one cities " * 100 + "\n")
    [error, _] = check_errors(project, monkeypatch, capsys)
    assert "goals[0]: String should have at most 300 characters" in error


def test_a_bullet_taller_than_its_slide_is_an_error_not_an_overflow(project: Path) -> None:
    template = project / "templates/default/deck.yaml.j2"
    text = template.read_text("utf-8")
    anchor = "slides:\n"
    huge = "A very long point. " * 200
    slide = f'  - role: content\n    title: Long\n    bullets: ["{huge}"]\n'
    template.write_text(text.replace(anchor, anchor + slide, 1), "utf-8")
    with pytest.raises(RenderError, match=r"deck: slide 'Long': a bullet needs \d+ pt"):
        build(settings_for(project), CLIENT)
