"""Renders reused by what they were made from (build/rendercache.py): never a stale output.

Each test keeps its renders in its own folder. A renderer that must not run is replaced by
one that fails (forked children inherit the replacement), so a reuse that did not happen, or
one that should not have, turns the build red."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import render
from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import RenderError

from .conftest import RENDER_CACHE, copy_project, settings_for

CLIENT = "nordlys-travel"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "renders"
    monkeypatch.setenv(RENDER_CACHE, str(folder))
    return folder


def refuse(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """The named outputs (default: all) fail if they are rendered."""

    def refused(self: render.Renderer, *args: object) -> render.Rendered:
        raise RenderError(f"{self.name} was rendered again")

    for renderer in render.RENDERERS:
        if not names or renderer.name in names:
            monkeypatch.setattr(type(renderer), "render", refused)


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "out" / CLIENT).glob(f"{CLIENT}-*"))}


def test_another_project_with_the_same_inputs_reuses_every_render(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = copy_project(tmp_path / "first", [CLIENT])
    build(settings_for(first), CLIENT)
    assert len(list(cache.iterdir())) == len(render.RENDERERS)
    second = copy_project(tmp_path / "second", [CLIENT])
    refuse(monkeypatch)
    build(settings_for(second), CLIENT)
    assert outputs(second) == outputs(first)


def test_a_deck_template_edit_renders_the_deck_and_reuses_the_pdf(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    build(settings_for(root), CLIENT)
    before = outputs(root)
    plan = root / "templates/default/deck.yaml.j2"
    plan.write_text(plan.read_text("utf-8").replace("Thank you", "Thank you!"), "utf-8")
    refuse(monkeypatch, "pdf")
    build(settings_for(root), CLIENT)
    after = outputs(root)
    assert after[f"{CLIENT}-briefing.pdf"] == before[f"{CLIENT}-briefing.pdf"]
    assert after[f"{CLIENT}-deck.pptx"] != before[f"{CLIENT}-deck.pptx"]


@pytest.mark.parametrize("edit", ["data", "css"])
def test_a_changed_input_renders_again(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    build(settings_for(root), CLIENT)
    if edit == "data":  # the briefing itself changes: every output
        brief = root / f"data/clients/{CLIENT}.yaml"
        brief.write_text(brief.read_text("utf-8").replace("Nordlys", "Nordlyset", 1), "utf-8")
    else:
        css = root / "templates/default/report.css"
        css.write_text(css.read_text("utf-8") + "\nh1 { letter-spacing: 0.01em; }\n", "utf-8")
    refuse(monkeypatch, "pdf")
    with pytest.raises(RenderError, match="pdf was rendered again"):
        build(settings_for(root), CLIENT)


def test_a_damaged_entry_is_rendered_again_never_published(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    build(settings_for(root), CLIENT)
    good = outputs(root)
    for entry in cache.iterdir():
        data = bytearray(entry.read_bytes())
        data[-1] ^= 0xFF  # one flipped bit in the output's bytes
        entry.write_bytes(bytes(data))
    with monkeypatch.context() as patched:
        refuse(patched)
        with pytest.raises(RenderError, match="was rendered again"):
            build(settings_for(root), CLIENT)
    build(settings_for(root), CLIENT)
    assert outputs(root) == good


@pytest.mark.parametrize("how", ["--force", "off"])
def test_force_or_off_renders_every_output(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    build(settings_for(root), CLIENT)
    monkeypatch.setenv("BRIEFING_ROOT", str(root))
    if how == "off":
        monkeypatch.setenv(RENDER_CACHE, "off")
        (root / "out").rename(root / "out.old")  # not up to date, so `build` builds
    refuse(monkeypatch, "deck")
    argv = ["build", CLIENT, "--lang", "en"] + (["--force"] if how == "--force" else [])
    assert main(argv) != 0
