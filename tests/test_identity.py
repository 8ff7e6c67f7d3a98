"""One sameness rule (briefing.state.identity) and one renderer face (briefing.render.RENDERERS).

An approval covers the bytes a person reviewed: it survives a rebuild by a changed tool or on
a later day that writes the same bytes, and is void once any output differs. A new output is a
renderer in the registry and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing import render
from briefing.build import manifest
from briefing.build.pipeline import build, prepare
from briefing.deliver import compose, read_outputs
from briefing.render import Rendered, Template
from briefing.review import status
from briefing.review.approval import approve, current
from briefing.state import identity

from .conftest import SOURCE_DATE_EPOCH, copy_built, copy_project, settings_for, shared_build

CLIENT = "maison-aurele"
NEXT_DAY = int(SOURCE_DATE_EPOCH) + 86400


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """The client built (once per run), in this test's own copy."""
    root = copy_built(shared_build(tmp_path_factory, [CLIENT], CLIENT), tmp_path / "project")
    approve(root / "state", root / "out" / CLIENT, CLIENT, "en", "Lin Wei")
    return root


def edition(root: Path) -> dict[str, Any]:
    found = manifest.edition(manifest.read(root / "out" / CLIENT), "en")
    assert found is not None
    return found


def approved(root: Path) -> bool:
    return current(root / "state", CLIENT, edition(root), "en") is not None


def test_an_approval_survives_a_rebuild_by_a_changed_tool_and_the_next_day(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_renders: None,
) -> None:
    outputs = edition(project)["outputs"]
    monkeypatch.setattr(manifest, "code_digest", lambda: "a-newer-briefing-tool")
    assert not prepare(settings_for(project), CLIENT).up_to_date()  # a new tool rebuilds
    build(settings_for(project), CLIENT)
    assert edition(project)["options"]["code"] == "a-newer-briefing-tool"
    assert edition(project)["outputs"] == outputs and approved(project)

    next_day = settings_for(project, SOURCE_DATE_EPOCH=NEXT_DAY)
    assert prepare(next_day, CLIENT).briefing.date.isoformat() == "2026-11-25"  # kept
    build(next_day, CLIENT)
    assert edition(project)["outputs"] == outputs and approved(project)


def test_an_approval_is_void_once_the_bytes_differ_and_status_says_why(project: Path) -> None:
    css = project / "templates/default/report.css"
    css.write_text(css.read_text("utf-8") + "\nh2 { letter-spacing: 0.01em; }\n", "utf-8")
    build(settings_for(project), CLIENT)
    assert not approved(project)
    [row] = status.rows(settings_for(project))
    assert row.approved.startswith("no (void: changed since: maison-aurele-briefing.pdf;")
    assert "approved by Lin Wei" in row.approved


def test_changed_content_is_dated_the_day_it_changed(project: Path) -> None:
    brief = project / f"data/clients/{CLIENT}.yaml"
    brief.write_text(brief.read_text("utf-8").replace("Shanghai", "Chengdu", 1), "utf-8")
    next_day = settings_for(project, SOURCE_DATE_EPOCH=NEXT_DAY)
    assert prepare(next_day, CLIENT).briefing.date.isoformat() == "2026-11-26"


def test_a_figure_turning_dated_is_new_content_but_not_a_new_send() -> None:
    inputs = {"data/clients/acme.yaml": "0" * 64}
    options = {"theme": "default", "lang": "en", "since": None, "date": "2026-11-25"}
    before = {"inputs": inputs, "options": {**options, "dated": [], "code": "a"}}
    later = {
        "inputs": inputs,
        "options": {**options, "date": "2027-03-01", "dated": ["wechat:mau"], "code": "b"},
    }
    assert identity.content_key(before) != identity.content_key(later)
    people = ["wang.fang@example.com"]
    assert identity.send_key("acme", people, before) == identity.send_key("acme", people, later)
    newer_tool = {"inputs": inputs, "options": {**before["options"], "version": "0.2.0"}}
    assert identity.content_key(newer_tool) == identity.content_key(before)
    assert identity.send_key("acme", people, newer_tool) == identity.send_key(
        "acme", people, before
    )


class PlainText:
    """A third output for the test: the client's name in a text file."""

    name = "txt"
    label = "text"
    kind = "summary"
    suffix = ".txt"
    mime = "text/plain"
    unit = "lines"
    attach = True
    preview = ""
    templates: tuple[Template, ...] = ()
    theme_files: tuple[str, ...] = ()

    def context(self, briefing: Any, theme: Any) -> dict[str, Any]:
        return {}

    def render(self, briefing: Any, theme: Any, settings: Any) -> Rendered:
        return Rendered(f"{briefing.client.name}\n".encode(), {"lines": 1})


def test_a_registered_renderer_is_built_listed_and_attached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "RENDERERS", [*render.RENDERERS, PlainText()])
    root = copy_project(tmp_path / "project", [CLIENT])
    result = build(settings_for(root), CLIENT)
    text = root / "out" / CLIENT / f"{CLIENT}-summary.txt"
    assert text.read_text("utf-8") == "Maison Aurèle\n"
    assert result.stats["txt"] == {"lines": 1}
    record = json.loads((root / "out" / CLIENT / "manifest.json").read_text("utf-8"))
    assert f"{CLIENT}-summary.txt" in record["editions"]["en"]["outputs"]
    settings = settings_for(root)
    prepared = prepare(settings, CLIENT)
    attachments, built = read_outputs(prepared.folder, prepared.inputs)
    assert [a.name for a in attachments][-1] == f"{CLIENT}-summary.txt"
    message = compose(prepared.briefing, prepared.theme, attachments, settings, built).message
    types = [part.get_content_type() for part in message.iter_attachments()]
    assert "text/plain" in types
