"""Images are checked when loaded, never silently dropped, and upright in the deck."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation

from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import DataError
from briefing.themes.theme import resolve

from .conftest import copy_project, settings_for, write

CLIENT = "maison-aurele"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT])


def pitch_theme(root: Path, **tokens: str) -> None:
    lines = "".join(f"{key}: {value}\n" for key, value in tokens.items())
    write(root / "templates/pitch/theme.yaml", "name: Pitch\nagency: {name: Pitch Co}\n" + lines)


def theme_problems(root: Path) -> str:
    with pytest.raises(DataError) as caught:
        resolve("pitch", root)
    return str(caught.value)


def test_an_svg_only_logo_is_refused_for_the_deck_with_the_conversion_to_do(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent's deck logo is the agency's: a white-label theme must not inherit it."""
    (project / "templates/pitch").mkdir()
    svg = (project / "templates/meridian/logo.svg").read_bytes()
    (project / "templates/pitch/logo.svg").write_bytes(svg)
    pitch_theme(project, logo="logo.svg")
    message = theme_problems(project)
    assert "templates/pitch/theme.yaml:3:7: deck_logo: 'logo.svg' is an SVG" in message
    assert "rsvg-convert -w 1200 logo.svg -o logo.png" in message
    assert "then set deck_logo: logo.png" in message
    monkeypatch.chdir(project)
    assert main(["theme", "check", "pitch"]) == 1


def test_webp_bytes_named_png_are_refused(project: Path) -> None:
    (project / "templates/pitch").mkdir()
    Image.new("RGB", (40, 20), "red").save(project / "templates/pitch/logo.png", "WEBP")
    pitch_theme(project, logo="logo.png")
    assert "logo: 'logo.png' is a WEBP image (named .png); use PNG or JPEG" in theme_problems(
        project
    )


def test_images_over_40_megapixels_are_refused_at_load(project: Path) -> None:
    big = project / "assets/logos/huge.png"
    Image.new("1", (10000, 9000)).save(big)  # 90 megapixels, a small file
    client = project / f"data/clients/{CLIENT}.yaml"
    client.write_text(client.read_text("utf-8") + "logo: assets/logos/huge.png\n", "utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(project), CLIENT)
    assert (
        "logo: 'assets/logos/huge.png': is 10000 x 9000 pixels (90 megapixels), over the "
        "40-megapixel limit" in str(caught.value)
    )


def rotated_jpeg() -> bytes:
    """Stored 400 x 200 (red left, blue right), tagged Orientation 6: seen as 200 x 400."""
    image = Image.new("RGB", (400, 200), "red")
    image.paste(Image.new("RGB", (200, 200), "blue"), (200, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_an_exif_rotated_deck_logo_is_upright_and_undistorted(project: Path) -> None:
    (project / "templates/pitch").mkdir()
    (project / "templates/pitch/logo.jpg").write_bytes(rotated_jpeg())
    pitch_theme(project, logo="logo.jpg")
    build(settings_for(project, theme="pitch"), CLIENT)
    deck = Presentation(str(project / f"out/{CLIENT}.pitch/{CLIENT}-deck.pptx"))
    [picture] = [s for s in deck.slides[0].shapes if s.shape_type == 13]
    embedded = Image.open(io.BytesIO(picture.image.blob))
    assert embedded.size == (200, 400)
    assert embedded.getpixel((100, 50))[2] < 100 < embedded.getpixel((100, 50))[0]  # red on top
    assert abs(picture.width / picture.height - 0.5) < 0.01


def test_outputs_over_the_mail_budget_are_a_build_warning(project: Path) -> None:
    result = build(settings_for(project, mail_max_mb=0.2), CLIENT)
    [warning] = [w for w in result.warnings if "BRIEFING_MAIL_MAX_MB" in w]
    assert "over the 0.2 MB budget" in warning and "`make email` will refuse" in warning
