"""Native shapes the deck draws inside a layout's body area: figure cards and roadmap columns.

Drawn as plain rectangles with text (no placeholders), so they work on any master that has a
Title Only layout, and a client can edit them in PowerPoint like anything else on the slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Pt

from briefing.render.fit import FacePair
from briefing.render.pptx_parts import add_runs, set_run_fonts, tint

if TYPE_CHECKING:
    from briefing.themes.theme import BrandColours

GAP = 12.0  # pt between cards and between columns
PAD = 10.0  # pt inside a card or column, each side
HEADING = 30.0  # pt: the height of a column's heading band
ITEM_SPACE = 0.5  # space before each item after the first, in multiples of its size


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in points."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class CardText:
    """One card's lines, each at its measured size: (text, size, bold, colour)."""

    lines: list[tuple[str, float, bool, str]]


def stacked(box: Box, count: int) -> list[Box]:
    """``count`` boxes of equal height filling ``box`` from top to bottom."""
    height = (box.height - GAP * (count - 1)) / count
    return [Box(box.left, box.top + i * (height + GAP), box.width, height) for i in range(count)]


def side_by_side(box: Box, count: int) -> list[Box]:
    """``count`` boxes of equal width filling ``box`` from left to right."""
    width = (box.width - GAP * (count - 1)) / count
    return [Box(box.left + i * (width + GAP), box.top, width, box.height) for i in range(count)]


def add_card(slide: Any, box: Box, card: CardText, fonts: FacePair, fill: str, name: str) -> None:
    """A tinted rectangle holding a big figure and its labels, top-aligned."""
    shape = _rectangle(slide, box, tint(fill, 0.10), name)
    frame = shape.text_frame
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for i, (text, size, bold, colour) in enumerate(card.lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        for run in add_runs(paragraph, text, fonts, size, bold):
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def add_column(
    slide: Any,
    box: Box,
    heading: str,
    items: list[str],
    fonts: FacePair,
    size: float,
    colours: BrandColours,
    name: str,
) -> None:
    """A heading band in the primary colour over a tinted panel of items."""
    band = _rectangle(slide, Box(box.left, box.top, box.width, HEADING), colours.primary, name)
    band.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    for run in add_runs(band.text_frame.paragraphs[0], heading, fonts, size, bold=True):
        run.font.color.rgb = RGBColor.from_string(colours.background.lstrip("#"))
    body = Box(box.left, box.top + HEADING, box.width, box.height - HEADING)
    panel = _rectangle(slide, body, tint(colours.primary, 0.06), f"{name} items")
    frame = panel.text_frame
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for i, item in enumerate(items):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        if i:
            paragraph.space_before = Pt(size * ITEM_SPACE)
        for run in add_runs(paragraph, item, fonts, size):
            run.font.color.rgb = RGBColor.from_string(colours.text.lstrip("#"))


SOURCE_SIZE = 8.0  # pt: the source line under a slide's body


def add_source_line(slide: Any, box: Box, text: str, fonts: FacePair, colour: str) -> None:
    """A small muted line under the body naming who published the slide's figures, and when
    (a reader who sees a figure sees its source on the same slide)."""
    shape = slide.shapes.add_textbox(Pt(box.left), Pt(box.top), Pt(box.width), Pt(box.height))
    shape.name = "Source"
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text
    set_run_fonts(run, fonts, SOURCE_SIZE)
    run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _rectangle(slide: Any, box: Box, fill: str, name: str) -> Any:
    shape = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, Pt(box.left), Pt(box.top), Pt(box.width), Pt(box.height)
    )
    shape.name = name
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(fill.lstrip("#"))
    shape.line.fill.background()
    shape.shadow.inherit = False  # no theme shadow: flat cards like the PDF's
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = Pt(PAD)
    frame.margin_top = frame.margin_bottom = Pt(PAD * 0.6)
    return shape
