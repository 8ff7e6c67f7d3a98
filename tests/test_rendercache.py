"""Renders reused by what they were made from (build/rendercache.py): never a stale output.

Each test keeps its renders in its own folder. A renderer that must not run is replaced by
one that fails (forked children inherit the replacement), so a reuse that did not happen, or
one that should not have, turns the build red."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from briefing import render
from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import RenderError

from .conftest import RENDER_CACHE, copy_built, copy_project, settings_for

CLIENT = "lakeshore-business-school"


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project with CLIENT built, and the renders it kept (in a folder of its own)."""
    base = tmp_path_factory.mktemp("first")
    cache = base / "renders"
    root = copy_project(base / "project", [CLIENT])
    build(settings_for(root, render_cache=str(cache)), CLIENT)
    return root, cache


@pytest.fixture
def root(first: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's copy of the built project; its renders are in ``tmp_path / "renders"``."""
    cache = shutil.copytree(first[1], tmp_path / "renders")
    monkeypatch.setenv(RENDER_CACHE, str(cache))
    return copy_built(first[0], tmp_path / "project")


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
    first: tuple[Path, Path], root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(list((tmp_path / "renders").iterdir())) == len(render.RENDERERS)
    second = copy_project(tmp_path / "second", [CLIENT])
    refuse(monkeypatch)
    build(settings_for(second), CLIENT)
    assert outputs(second) == outputs(first[0])


def test_a_deck_template_edit_renders_the_deck_and_reuses_the_pdf(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    root: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    if edit == "data":  # the briefing itself changes: every output
        brief = root / f"data/clients/{CLIENT}.yaml"
        brief.write_text(brief.read_text("utf-8").replace("Lakeshore", "Lakeside", 1), "utf-8")
    else:
        css = root / "templates/default/report.css"
        css.write_text(css.read_text("utf-8") + "\nh1 { letter-spacing: 0.01em; }\n", "utf-8")
    refuse(monkeypatch, "pdf")
    with pytest.raises(RenderError, match="pdf was rendered again"):
        build(settings_for(root), CLIENT)


def test_a_damaged_entry_is_rendered_again_never_published(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = outputs(root)
    for entry in (tmp_path / "renders").iterdir():
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
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    monkeypatch.setenv("BRIEFING_ROOT", str(root))
    if how == "off":
        monkeypatch.setenv(RENDER_CACHE, "off")
        (root / "out").rename(root / "out.old")  # not up to date, so `build` builds
    refuse(monkeypatch, "deck")
    argv = ["build", CLIENT, "--lang", "en"] + (["--force"] if how == "--force" else [])
    assert main(argv) != 0
    assert "deck was rendered again" in capsys.readouterr().err


def test_a_new_file_in_assets_renders_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An image is read from assets/ by whatever names it (an article, a template): any
    change in assets/ is a new key, listed by the manifest or not."""
    image = root / "assets/images/campus.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"not yet an image")
    refuse(monkeypatch, "pdf")
    with pytest.raises(RenderError, match="pdf was rendered again"):
        build(settings_for(root), CLIENT)


def test_a_folder_another_user_may_write_to_is_not_used(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Whoever can write an entry chooses what is published and e-mailed."""
    (tmp_path / "renders").chmod(0o777)
    refuse(monkeypatch, "pdf")
    with pytest.raises(RenderError, match="pdf was rendered again"):
        build(settings_for(root), CLIENT)
    assert "another user may write to it" in caplog.text


def test_only_entries_are_ever_pruned(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BRIEFING_RENDER_CACHE may name a folder that holds other files: they stay."""
    from briefing.build import rendercache

    cache = tmp_path / "renders"
    (cache / "notes.txt").write_text("mine", "utf-8")
    (cache / "drafts").mkdir()
    monkeypatch.setattr(rendercache, "KEEP", 1)
    css = root / "templates/default/report.css"
    css.write_text(css.read_text("utf-8") + "\nh2 { letter-spacing: 0.01em; }\n", "utf-8")
    build(settings_for(root), CLIENT)
    kept = {p.name for p in cache.iterdir()}
    assert {"drafts", "notes.txt"} <= kept, kept
    assert len([n for n in kept if rendercache.ENTRY.fullmatch(n)]) == 1, kept


def test_a_file_saved_while_rendering_keeps_no_render(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key names the files as they were before rendering: a render that may have read
    the newer file is not kept under it (an undo would bring back the wrong pages)."""
    from briefing.render.pdf import PdfRenderer

    css = root / "templates/default/report.css"
    css.write_text(css.read_text("utf-8") + "\nh2 { letter-spacing: 0.01em; }\n", "utf-8")
    real = PdfRenderer.render

    def saved_meanwhile(self: PdfRenderer, *args: Any) -> render.Rendered:
        with css.open("a", encoding="utf-8") as handle:  # the designer saves again
            handle.write("\nh3 { letter-spacing: 0.01em; }\n")
        return real(self, *args)

    monkeypatch.setattr(PdfRenderer, "render", saved_meanwhile)
    before = {p.name for p in (tmp_path / "renders").iterdir()}
    build(settings_for(root), CLIENT)
    assert {p.name for p in (tmp_path / "renders").iterdir()} == before
