"""Low-level python-pptx work: runs with East Asian fonts, charts, tables, slide numbers."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from briefing.project import images
from briefing.render.breaks import is_cjk
from briefing.render.fit import FacePair
from briefing.render.pptx_theme import TABLE_STYLE_ID
from briefing.themes import i18n

INSET_X, INSET_Y = 7.2, 3.6  # text frame insets, pt (PowerPoint's defaults)
CELL_X, CELL_Y = 7.2, 3.6  # table cell margins, pt
BULLET_INDENT = 20.0  # pt between a bullet and its text
SPACE_BEFORE = 0.4  # paragraph spacing, in multiples of the font size


def set_run_fonts(run: Any, fonts: FacePair, size: float, bold: bool = False) -> None:
    """Latin and East Asian typefaces on the run itself, so Chinese never falls back."""
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._r.get_or_add_rPr()
    set_typefaces(r_pr, fonts)
    if i18n.is_chinese() or any(is_cjk(ch) for ch in run.text):
        r_pr.set("lang", "zh-CN")  # PowerPoint's proofing and line breaking follow it
        # No closing mark hangs past the margin (on by default in LibreOffice and PowerPoint):
        # a full-width comma moves to the next line with the character before it, as the
        # fitter measures it (qa-briefs 1:0, 1:9, 1:11: a comma drawn past a table's edge).
        run._r.getparent().get_or_add_pPr().set("hangingPunct", "0")


def add_runs(
    paragraph: Any, text: str, fonts: FacePair, size: float, bold: bool = False
) -> list[Any]:
    """``text`` as runs of ``paragraph``, with a line break where it holds '\v' (a break the
    fitter chose: render/deck_fit.py Fitter.drawn); the runs, for their colour."""
    runs = []
    for i, line in enumerate(text.split("\v")):
        if i:  # at the text's size: a default-sized break would make its line taller
            br_pr = paragraph._p.add_br().get_or_add_rPr()
            br_pr.set("sz", str(int(size * 100)))
            set_typefaces(br_pr, fonts)
        run = paragraph.add_run()
        run.text = line
        set_run_fonts(run, fonts, size, bold=bold)
        runs.append(run)
    return runs


def set_typefaces(r_pr: Any, fonts: FacePair) -> None:
    for tag in ("a:latin", "a:ea", "a:cs"):
        old = r_pr.find(qn(tag))
        if old is not None:
            r_pr.remove(old)
    # Schema order inside rPr: ln, fills, effects, highlight, uLn…, latin, ea, cs, sym, hlink…
    anchor = next(
        (
            r_pr.find(qn(t))
            for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")
            if r_pr.find(qn(t)) is not None
        ),
        None,
    )
    for tag, face in (("a:latin", fonts.latin), ("a:ea", fonts.cjk), ("a:cs", fonts.latin)):
        element = etree.SubElement(r_pr, qn(tag))
        element.set("typeface", face)
        if anchor is not None:
            anchor.addprevious(element)


def fill_text(
    placeholder: Any, lines: list[str], size: float, fonts: FacePair, bullets: bool = False
) -> None:
    """One paragraph per line, at a fixed size; autofit off (it only works when edited)."""
    frame = placeholder.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        add_runs(paragraph, line, fonts, size)
        if bullets:
            paragraph.space_before = Pt(size * SPACE_BEFORE)
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.set("marL", str(Emu(Pt(BULLET_INDENT))))
            p_pr.set("indent", str(-Emu(Pt(BULLET_INDENT))))


def remove_placeholders(slide: Any, keep: set[int]) -> None:
    """Drop empty placeholders so no 'Click to add text' prompt is left on a slide."""
    for placeholder in list(slide.placeholders):
        if placeholder.placeholder_format.idx not in keep:
            placeholder.element.getparent().remove(placeholder.element)


def add_slide_number(slide: Any, layout: Any, number: int, fonts: FacePair) -> None:
    """Copy the layout's slide-number placeholder and put a live slide-number field in it."""
    source = next(
        (
            p
            for p in layout.placeholders
            if p.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER
        ),
        None,
    )
    if source is None:
        return
    slide.shapes.clone_placeholder(source)
    shape = slide.placeholders[source.placeholder_format.idx]
    paragraph = shape.text_frame.paragraphs[0]._p
    field = etree.SubElement(paragraph, qn("a:fld"))
    # The schema wants an upper-case GUID (ST_Guid); a stable one keeps builds reproducible.
    guid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"slidenum-{number}")).upper()
    field.set("id", f"{{{guid}}}")
    field.set("type", "slidenum")
    r_pr = etree.SubElement(field, qn("a:rPr"))
    r_pr.set("lang", "en-US")
    set_typefaces(r_pr, fonts)
    etree.SubElement(field, qn("a:t")).text = str(number)


def picture_placeholder(shapes: Any) -> Any | None:
    """The picture placeholder of a layout or slide (where logos go), or None."""
    return next(
        (p for p in shapes.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.PICTURE),
        None,
    )


def add_logo(slide: Any, path: Path, owner: str) -> None:
    """The logo, scaled to fit the picture placeholder's box without distortion."""
    left, top, width, height = _frame_box(picture_placeholder(slide))
    _add_fitted(slide, path, left, top, width, height, f"{owner} logo")


def add_client_logo(slide: Any, layout: Any, path: Path) -> None:
    """The client's logo mirrored opposite the agency's: same height band, right-aligned."""
    box = picture_placeholder(layout)
    if box is None:  # the caller checks; a layout without a picture placeholder gets no logo
        return
    right = slide.part.package.presentation_part.presentation.slide_width - box.left
    picture = _add_fitted(slide, path, right, box.top, box.width, box.height, "client logo", -1)
    picture.name = "Client logo"


def _add_fitted(
    slide: Any, path: Path, x: int, top: int, width: int, height: int, alt: str, align: int = 1
) -> Any:
    """The picture at its own aspect ratio inside the box, centred vertically; from ``x`` to
    the right (``align`` 1) or ending at ``x`` (-1)."""
    data, ratio = images.upright(path)
    fitted_w, fitted_h = (
        (width, int(width / ratio)) if width / height < ratio else (int(height * ratio), height)
    )
    left = x if align > 0 else x - fitted_w
    picture = slide.shapes.add_picture(
        data, left, top + (height - fitted_h) // 2, fitted_w, fitted_h
    )
    picture._element.nvPicPr.cNvPr.set("descr", alt)
    return picture


def _frame_box(placeholder: Any) -> tuple[int, int, int, int]:
    box = (placeholder.left, placeholder.top, placeholder.width, placeholder.height)
    placeholder.element.getparent().remove(placeholder.element)
    return box


Frame = tuple[int, int, int, int]  # left, top, width, height in EMU


def tint(colour: str, strength: float) -> str:
    """``colour`` mixed with white: ``strength`` 1 is the colour, 0 is white."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * strength):02X}" for c in channels)


def add_table(
    slide: Any,
    box: Frame,
    columns: list[str],
    rows: list[list[str]],
    widths: list[float],
    heights: list[float],
    fonts: FacePair,
    size: float,
) -> None:
    """A native table in the body area, with the measured row heights."""
    left, top, width, _ = box
    total = int(sum(Pt(h) for h in heights))
    frame = slide.shapes.add_table(len(rows) + 1, len(columns), left, top, width, total)
    table = frame.table
    table._tbl.tblPr.find(qn("a:tableStyleId")).text = TABLE_STYLE_ID  # see add_table_style
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(int(Pt(w)))
    for r, h in enumerate(heights):
        table.rows[r].height = Emu(int(Pt(h)))
    for r, values in enumerate([columns, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Pt(CELL_X)
            cell.margin_top = cell.margin_bottom = Pt(CELL_Y)
            paragraph = cell.text_frame.paragraphs[0]
            # An empty cell gets no run: LibreOffice sets an empty run's line taller than the
            # text's, and the row grew past its measured height (qa-briefs 1:6, 1:8: a funnel
            # table ran out of its frame). Its paragraph's end carries the size instead.
            end = paragraph._p.get_or_add_endParaRPr()
            end.set("sz", str(int(size * 100)))
            set_typefaces(end, fonts)
            if not value:
                continue
            for run in add_runs(paragraph, value, fonts, size, bold=r == 0):
                if r == 0:  # explicit too: LibreOffice ignores a table style's text colour
                    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
