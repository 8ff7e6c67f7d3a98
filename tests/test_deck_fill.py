"""Fill and overflow measured on LibreOffice's rendering, not on our own text fitter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Pt

from briefing.tools.deckcheck import SlideCheck, check_converted, check_deck

from .conftest import REPO, SAMPLE_CLIENTS

MASTER = REPO / "templates/default/master.pptx"
MIN_FILL = 0.35

pytestmark = [
    pytest.mark.skipif(
        shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
    ),
    pytest.mark.xdist_group("libreoffice"),
]


def test_every_sample_deck_is_full_enough_and_nothing_overflows(
    all_built: Path, sample_decks_as_pdf: dict[str, Path]
) -> None:
    failures = []
    for client in SAMPLE_CLIENTS:
        deck = all_built / f"out/{client}/{client}-deck.pptx"
        for check in check_converted(deck, sample_decks_as_pdf[client]):
            where = f"{client} slide {check.number} '{check.title}'"
            failures += [f"{where}: {entry}" for entry in check.overflow]
            if check.fill is not None and check.fill < MIN_FILL:
                failures.append(f"{where}: fill {check.fill:.3f} < {MIN_FILL}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> list[SlideCheck]:
    """One small deck on the project's master, converted once: an overflowing text box, one
    short line, a big table, a line off the slide's edge, a panel behind a card scaled by its
    group, and a title slide (no fill)."""
    folder = tmp_path_factory.mktemp("deckcheck")
    deck = Presentation(str(MASTER))
    layouts = {layout.name: layout for layout in deck.slide_layouts}

    slide = deck.slides.add_slide(layouts["Title Only"])
    slide.shapes.title.text = "Far too much text"
    box = slide.shapes.add_textbox(Pt(48), Pt(130), Pt(400), Pt(60))
    box.text_frame.word_wrap = True
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    for n in range(40):
        box.text_frame.add_paragraph().text = f"Line {n} of a paragraph that does not fit."

    slide = deck.slides.add_slide(layouts["Title and Content"])
    slide.shapes.title.text = "One short line"
    slide.placeholders[1].text_frame.text = "Short."

    slide = deck.slides.add_slide(layouts["Title Only"])
    slide.shapes.title.text = "A big table"
    table = slide.shapes.add_table(8, 4, Pt(48), Pt(126), Pt(864), Pt(340)).table
    for r, row in enumerate(table.rows):
        row.height = Pt(42)
        for c, cell in enumerate(row.cells):
            cell.text = f"Row {r} column {c}"

    slide = deck.slides.add_slide(layouts["Title Only"])
    slide.shapes.title.text = "Off the edge"
    box = slide.shapes.add_textbox(Pt(700), Pt(200), Pt(600), Pt(40))  # fits its box, not the slide
    box.text_frame.word_wrap = False
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    box.text_frame.text = "A long line that runs off the right edge of the slide"

    slide = deck.slides.add_slide(layouts["Title Only"])
    slide.shapes.title.text = "A panel behind a card"
    panel = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Pt(48), Pt(120), Pt(864), Pt(370))
    panel.name = "Panel behind"
    group = slide.shapes.add_group_shape()
    group.shapes.add_shape(MSO_SHAPE.RECTANGLE, Pt(48), Pt(120), Pt(200), Pt(100)).text = "Card"
    xfrm = group._element.grpSpPr.get_or_add_xfrm()
    xfrm.ext.cx, xfrm.ext.cy = xfrm.ext.cx * 2, xfrm.ext.cy * 2  # drawn at 400 x 200 pt

    slide = deck.slides.add_slide(layouts["Title Slide"])
    slide.shapes.title.text = "Cover"
    slide._element.cSld.set("name", "title")

    path = folder / "tiny.pptx"
    deck.save(str(path))
    return check_deck(path, folder / "work")


def test_text_drawn_beyond_its_box_is_an_overflow(checks: list[SlideCheck]) -> None:
    overflow = checks[0].overflow
    assert any("'Line 10 " in entry and "every text box" in entry for entry in overflow), overflow
    assert not any("'Line 0 " in entry for entry in overflow), overflow  # the first line fits


def test_text_drawn_beyond_the_slide_is_an_overflow(checks: list[SlideCheck]) -> None:
    assert len(checks[3].overflow) == 1, checks[3].overflow
    assert "A long line" in checks[3].overflow[0]
    assert checks[3].overflow[0].endswith("is outside the slide")


def test_one_short_line_is_a_nearly_empty_slide(checks: list[SlideCheck]) -> None:
    check = checks[1]
    assert check.title == "One short line" and check.role == "content"
    assert check.fill is not None and check.fill < 0.05, check.fill
    assert check.overflow == []


def test_a_big_table_fills_the_slide(checks: list[SlideCheck]) -> None:
    check = checks[2]
    assert check.fill is not None and check.fill > 0.8, check.fill
    assert check.overflow == []


def test_a_background_panel_is_not_fill_but_a_grouped_card_is(checks: list[SlideCheck]) -> None:
    layout = {lay.name: lay for lay in Presentation(str(MASTER)).slide_layouts}["Title Only"]
    title = layout.placeholders[0]  # the area: below the title, above the footer row
    footer = min(p.top for p in layout.placeholders if p.placeholder_format.idx >= 10)
    area = Emu(title.width).pt * Emu(footer - title.top - title.height).pt
    assert checks[4].fill == pytest.approx(400 * 200 / area, abs=0.005)
    assert checks[4].overflow == []


def test_a_title_slide_has_no_fill(checks: list[SlideCheck]) -> None:
    assert checks[5].role == "title" and checks[5].fill is None
    assert checks[5].overflow == []
