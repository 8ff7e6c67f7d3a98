"""A client's build: what the PDF and deck say, and that failures never damage out/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from briefing.assemble import rank_platforms
from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import UsageError
from briefing.project.load import load_project
from briefing.project.validate import validate

from .conftest import REPO, TODAY, settings_for

CLIENT = "maison-aurele"


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def ranked(root: Path) -> list:
    kb, _ = validate(load_project(root))
    return rank_platforms(kb, CLIENT, TODAY)[:6]


def test_pdf_names_the_client_platforms_and_sources(built: Path) -> None:
    text = pdf_text(built / f"out/{CLIENT}/{CLIENT}-briefing.pdf")
    assert "Maison Aurèle" in text
    platforms = ranked(built)
    assert [r.id for r in platforms[:2]] == ["xiaohongshu", "wechat"]  # focus first
    for r in platforms:
        assert r.platform.name in text
        assert r.platform.name_zh in text  # real glyphs: extraction maps them back
        for metric in r.platform.current_metrics:  # history is kept, not shown
            assert re.sub(r"\s+", " ", metric.source) in text


def test_pdf_embeds_every_font(built: Path) -> None:
    out = subprocess.run(
        ["pdffonts", str(built / f"out/{CLIENT}/{CLIENT}-briefing.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = out.splitlines()[2:]
    assert any("CJK-SC" in row for row in rows)
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


def test_deck_uses_master_layouts_with_a_slide_per_platform(built: Path) -> None:
    deck = Presentation(str(built / f"out/{CLIENT}/{CLIENT}-deck.pptx"))
    master = Presentation(str(REPO / "templates/default/master.pptx"))
    master_layouts = {layout.name for layout in master.slide_layouts}
    slides = list(deck.slides)
    assert slides[0].slide_layout.name == "Title Slide"
    assert slides[0].shapes.title.text == "Maison Aurèle"
    assert all(s.slide_layout.name in master_layouts for s in slides)
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in slides]
    for r in ranked(built):
        [slide] = [s for s, n in zip(slides, notes, strict=True) if r.platform.summary[:40] in n]
        assert slide.shapes.title.text.startswith(r.platform.name)


def test_outputs_and_manifest_are_listed(built: Path) -> None:
    names = sorted(p.name for p in (built / f"out/{CLIENT}").iterdir())
    assert names == [
        f"{CLIENT}-briefing.pdf", f"{CLIENT}-deck.pptx", f"{CLIENT}-plan.json", "manifest.json"
    ]  # fmt: skip


def test_unknown_client_lists_the_known_ones(project: Path) -> None:
    with pytest.raises(UsageError, match=r"known clients: .*maison-aurele"):
        build(settings_for(project), "acme")


@pytest.mark.parametrize("client", ["../x", "Acme Co", "x'; rm -rf ~", "", "a/b"])
def test_client_id_must_be_a_slug_before_anything_is_read(
    client: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match="is not a client id"):
        build(settings_for(tmp_path / "does-not-exist"), client)
    assert main(["build", client]) == 2
    assert "is not a client id" in capsys.readouterr().err


def test_make_never_lets_the_shell_interpret_client(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    result = subprocess.run(
        ["make", "-s", "briefing", f'CLIENT=x"; touch {marker}; echo "'],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "is not a client id" in result.stderr
    assert not marker.exists()


def test_the_client_logo_is_on_the_title_slide_opposite_the_agency(project: Path) -> None:
    from PIL import Image

    (project / "assets/clients").mkdir(parents=True)
    Image.new("RGB", (400, 100), "#224466").save(project / "assets/clients/maison.png")
    path = project / f"data/clients/{CLIENT}.yaml"
    path.write_text(path.read_text("utf-8") + "logo: assets/clients/maison.png\n", "utf-8")
    build(settings_for(project), CLIENT)
    deck = Presentation(str(project / f"out/{CLIENT}/{CLIENT}-deck.pptx"))
    cover = deck.slides[0]
    pictures = {shape.name: shape for shape in cover.shapes if shape.shape_type == 13}
    client = pictures.pop("Client logo")
    [agency] = pictures.values()
    assert client.left > deck.slide_width / 2 > agency.left + agency.width
    assert abs(client.width / client.height - 4) < 0.05  # aspect kept
