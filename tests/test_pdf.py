"""The PDF a client reads: contents, bookmarks, metadata, fonts, validity, size, pixels."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.build.pipeline import build
from briefing.errors import DataError
from briefing.render.pdf import glyph_warnings
from briefing.themes.theme import resolve

from .conftest import REPO, SAMPLE_CLIENTS, settings_for

CLIENT = "maison-aurele"


@pytest.fixture(scope="module")
def pdf(built: Path) -> Path:
    return built / f"out/{CLIENT}/{CLIENT}-briefing.pdf"


def page_texts(pdf: Path) -> list[str]:
    """Each page's text in reading layout (poppler), one string per page."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def test_contents_page_numbers_match_the_headings(pdf: Path) -> None:
    pages = page_texts(pdf)
    assert 8 <= len(pages) <= 30  # with the sources appendix of every figure and fact
    contents = pages[1].split("Contents", 1)[1]
    entries = re.findall(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", contents, re.MULTILINE)
    assert len(entries) >= 8
    for title, number in entries:
        lines = [line.strip() for line in pages[int(number) - 1].splitlines() if line.strip()]
        assert title in lines[1:], (title, number)  # lines[0] is the running header


def test_bookmarks_follow_the_headings(pdf: Path) -> None:
    outline = PdfReader(pdf).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[:4] == [
        "The answer",
        "Your goals and how we will measure them",
        "The budget, line by line",
        "Where to play",
    ]
    assert "The first 90 days" in titles and "WeChat 微信" in titles
    assert titles[-1] == "Appendix"  # the appendix's sections nest below its bookmark
    appendix = [item.title for item in outline[-1] if not isinstance(item, list)]
    assert "Sources" in appendix and appendix[-1] == "How the numbers are built"


def test_metadata_and_language(pdf: Path) -> None:
    reader = PdfReader(pdf)
    meta = reader.metadata
    assert meta.title == "China social media briefing: Maison Aurèle"
    assert meta.author == "Bamboo Bridge Digital"
    assert "Luxury and fashion" in meta.subject
    assert "WeChat" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_qpdf_passes_and_size_is_within_budget(all_built: Path, client: str) -> None:
    pdf = all_built / f"out/{client}/{client}-briefing.pdf"
    assert 8 <= len(PdfReader(pdf).pages) <= 30
    result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert pdf.stat().st_size < 2 * 2**20


def test_every_page_has_ink_and_no_text_leaves_the_page(pdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(PdfReader(pdf).pages)
    for png in pngs:
        with Image.open(png) as image:
            low, _ = image.convert("L").getextrema()
        assert low < 200, f"{png.name} is blank"
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
        width, height = float(page[1]), float(page[2])
        for box in re.finditer(
            r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" '
            r'yMax="([\d.-]+)">([^<]*)<',
            page[3],
        ):
            x0, y0, x1, y1 = map(float, box.groups()[:4])
            assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, box[5]


def test_two_builds_a_minute_apart_are_identical_manifest_included(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_renders: None,
) -> None:
    """The manifest's time follows SOURCE_DATE_EPOCH, never the wall clock."""
    import datetime as dt

    settings = settings_for(project)
    build(settings, CLIENT)
    folder = project / "out" / CLIENT
    first = {p.name: p.read_bytes() for p in folder.iterdir()}

    class OneMinuteLater(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> OneMinuteLater:
            return cls.fromtimestamp(dt.datetime.now(tz).timestamp() + 61, tz)

    monkeypatch.setattr(dt, "datetime", OneMinuteLater)  # the clock moves on; the epoch not
    build(settings, CLIENT)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first


def test_a_character_no_font_can_draw_warns_or_fails_when_strict() -> None:
    theme = resolve("default", REPO)
    html = "<p>Maison 𓀀 Aurèle</p>"  # an Egyptian hieroglyph: in no theme font
    [message] = glyph_warnings(html, theme, strict=False)
    assert "no glyph for 𓀀 (U+13000)" in message
    with pytest.raises(DataError, match="U\\+13000"):
        glyph_warnings(html, theme, strict=True)
    assert glyph_warnings("<p>微信 小红书 抖音 Café</p>", theme, strict=False) == []
