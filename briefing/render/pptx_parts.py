"""Low-level python-pptx work: runs with East Asian fonts, charts, tables, slide numbers."""

from __future__ import annotations

import contextlib
import functools
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from briefing.project import images
from briefing.render.charts import GREY, Bar, ChartSpec, style_text
from briefing.render.fit import Fonts, _is_cjk, text_width
from briefing.themes import i18n
from briefing.themes.i18n import _

if TYPE_CHECKING:
    from briefing.themes.theme import ThemeTokens

INSET_X, INSET_Y = 7.2, 3.6  # text frame insets, pt (PowerPoint's defaults)
CELL_X, CELL_Y = 7.2, 3.6  # table cell margins, pt
BULLET_INDENT = 20.0  # pt between a bullet and its text
SPACE_BEFORE = 0.4  # paragraph spacing, in multiples of the font size


def set_run_fonts(run: Any, fonts: Fonts, size: float, bold: bool = False) -> None:
    """Latin and East Asian typefaces on the run itself, so Chinese never falls back."""
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._r.get_or_add_rPr()
    _set_typefaces(r_pr, fonts)
    if i18n.is_chinese() or any(_is_cjk(ch) for ch in run.text):
        r_pr.set("lang", "zh-CN")  # PowerPoint's proofing and line breaking follow it
        # No closing mark hangs past the margin (on by default in LibreOffice and PowerPoint):
        # a full-width comma moves to the next line with the character before it, as the
        # fitter measures it (qa-briefs 1:0, 1:9, 1:11: a comma drawn past a table's edge).
        run._r.getparent().get_or_add_pPr().set("hangingPunct", "0")


def _set_typefaces(r_pr: Any, fonts: Fonts) -> None:
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
    placeholder: Any, lines: list[str], size: float, fonts: Fonts, bullets: bool = False
) -> None:
    """One paragraph per line, at a fixed size; autofit off (it only works when edited)."""
    frame = placeholder.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        set_run_fonts(run, fonts, size)
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


def add_slide_number(slide: Any, layout: Any, number: int, fonts: Fonts) -> None:
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
    _set_typefaces(r_pr, fonts)
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


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """python-pptx's writer of the chart's embedded workbook ("Edit Data" in PowerPoint), with
    xlsxwriter told that text is text: by default its ``write()`` turns a label starting with
    "=" into a live formula and one that looks like a web address into a hyperlink."""

    @contextlib.contextmanager
    def _open_worksheet(self, xlsx_file: IO[bytes]) -> Iterator[tuple[Any, Any]]:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = xlsxwriter.Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class TextChartData(CategoryChartData):
    """Category chart data whose labels and series names stay text in the embedded workbook."""

    @functools.cached_property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _TextWorkbookWriter(self)


def add_chart(
    slide: Any, box: Frame, spec: ChartSpec, fonts: Fonts, size: float, colour: str
) -> None:
    """A native, editable bar chart in the body placeholder's box: one series per bar style
    (so PowerPoint's own legend explains them), a gap between comparable groups, and each
    bar labelled with its period."""
    rows = _chart_rows(spec)
    styles = list(dict.fromkeys((bar.style, bar.dated) for bar in rows if bar is not None))
    data = TextChartData(number_format="#,##0.0" if spec.maximum is None else "0")
    data.categories = [bar.label if bar else " " * (i + 1) for i, bar in enumerate(rows)]
    scale, scaled = _display_scale(spec)
    for style, dated in styles:
        values = [
            bar.value / scale if bar and (bar.style, bar.dated) == (style, dated) else None
            for bar in rows
        ]
        name = style_text(style) + (_(", dated") if dated else "")
        data.add_series(name if spec.legend else spec.unit, values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, *box, data)
    frame._element.nvGraphicFramePr.cNvPr.set("descr", spec.alt)
    chart = frame.chart
    _unsigned_axis_ids(chart)
    chart.has_legend = bool(spec.legend)
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    chart.has_title = False  # the slide title names the chart
    chart.font.size = Pt(size)
    _chart_typefaces(chart, fonts)
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, 100  # one bar per row, whichever series holds it
    for series, (style, dated) in zip(plot.series, styles, strict=True):
        _style_series(series, style, GREY if dated else colour)
        for point, bar in zip(series.points, rows, strict=True):
            if bar is not None and (bar.style, bar.dated) == (style, dated):
                point.data_label.text_frame.text = spec.value_text(bar)
                point.data_label.position = XL_LABEL_POSITION.OUTSIDE_END
                _no_wrap(point.data_label)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = False
    value_axis.minimum_scale = 0
    if spec.maximum is not None:
        value_axis.maximum_scale = spec.maximum
        value_axis.major_unit = 1  # scores are whole numbers
    else:
        value_axis.maximum_scale = _room_for_labels(spec, box, fonts, size, scale)
    category_size = _category_size(len(rows), box, size)
    chart.category_axis.tick_labels.font.size = Pt(category_size)
    _every_category_label(chart)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = scaled


def _display_scale(spec: ChartSpec) -> tuple[float, str]:
    """What the chart's values are divided by, and the axis title that says so: number
    formats cannot scale by 10,000, so values are pre-scaled (millions; Chinese 亿, 10^8)."""
    if spec.maximum is not None:
        return 1, spec.unit
    if i18n.is_chinese():
        return 1e8, _("%(unit)s, hundred millions") % {"unit": spec.unit}
    return 1e6, _("%(unit)s, millions") % {"unit": spec.unit}


def _no_wrap(label: Any) -> None:
    """Data labels stay on one line (viewers otherwise wrap them at a width of their own)."""
    body = label._dLbl.find(".//" + qn("a:bodyPr"))
    if body is not None:
        body.set("wrap", "none")


LABEL_GAP = 6.0  # pt between a bar's end and its label
PLOT_PADDING = 24.0  # pt the chart keeps around its plot area (both sides together)


def _room_for_labels(spec: ChartSpec, box: Frame, fonts: Fonts, size: float, scale: float) -> float:
    """The value axis's end, so that every bar's label, measured, fits beside its bar."""
    labels = [bar.label for bar in spec.bars]
    category_width = max(text_width(label, fonts, size) for label in labels) + LABEL_GAP
    plot = Emu(box[2]).pt - category_width - PLOT_PADDING
    top = max(bar.value for bar in spec.bars) / scale
    needed = top
    for bar in spec.bars:
        room = plot - text_width(spec.value_text(bar), fonts, size) - LABEL_GAP
        needed = max(needed, bar.value / scale * plot / max(room, plot * 0.2))
    return _nice_ceiling(needed)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _category_size(rows: int, box: Frame, size: float) -> float:
    """Category labels small enough that every one has its own line (none is skipped)."""
    plot_height = Emu(box[3]).pt * 0.8  # less the legend and the axis title
    return max(7.0, min(size, math.floor(plot_height / rows / 1.5)))


def _unsigned_axis_ids(chart: Any) -> None:
    """python-pptx writes negative axis ids; the schema wants unsigned ints (PowerPoint may
    otherwise repair the file). Mapped the same way everywhere, so references stay paired."""
    for element in chart._chartSpace.iter(qn("c:axId"), qn("c:crossAx")):
        element.set("val", str(int(element.get("val")) % 2**31))


def _every_category_label(chart: Any) -> None:
    """Name every bar: viewers skip category labels on a crowded axis unless told not to."""
    axis = chart._chartSpace.find(".//" + qn("c:catAx"))
    skip = etree.Element(qn("c:tickLblSkip"))
    skip.set("val", "1")
    anchor = axis.find(qn("c:tickMarkSkip"))
    if anchor is None:
        anchor = axis.find(qn("c:noMultiLvlLbl"))
    if anchor is not None:
        anchor.addprevious(skip)
    else:
        axis.append(skip)


def _chart_rows(spec: ChartSpec) -> list[Bar | None]:
    """Bottom to top, as PowerPoint draws categories, with an empty row between groups."""
    rows: list[Bar | None] = []
    for i, bar in enumerate(spec.bars):
        if i and bar.group != spec.bars[i - 1].group:
            rows.append(None)
        rows.append(bar)
    return list(reversed(rows))


def _style_series(series: Any, style: str, colour: str) -> None:
    """The deck's version of charts.bar_style: solid, light, or outlined dashed."""
    primary = RGBColor.from_string(colour.lstrip("#"))
    fill, line = series.format.fill, series.format.line
    line.color.rgb, line.width = primary, Pt(0.75)
    if style == "company claim":
        fill.solid()
        fill.fore_color.rgb = RGBColor.from_string(tint(colour, 0.35))
    elif style == "estimate":
        fill.background()
        line.dash_style = MSO_LINE_DASH_STYLE.DASH
    elif style == "other":  # the fit chart's platforms outside the plan
        fill.solid()
        fill.fore_color.rgb = RGBColor.from_string(tint(colour, 0.25))
        line.fill.background()
    else:
        fill.solid()
        fill.fore_color.rgb = primary


def tint(colour: str, strength: float) -> str:
    """``colour`` mixed with white: ``strength`` 1 is the colour, 0 is white."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(255 - (255 - c) * strength):02X}" for c in channels)


def _chart_typefaces(chart: Any, fonts: Fonts) -> None:
    def_r_pr = chart.font._rPr
    _set_typefaces(def_r_pr, fonts)


def add_table(
    slide: Any,
    box: Frame,
    columns: list[str],
    rows: list[list[str]],
    widths: list[float],
    heights: list[float],
    fonts: Fonts,
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
            _set_typefaces(end, fonts)
            if not value:
                continue
            run = paragraph.add_run()
            run.text = value
            set_run_fonts(run, fonts, size, bold=r == 0)
            if r == 0:  # explicit too: LibreOffice ignores a table style's text colour
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


TABLE_STYLE_ID = "{B7E2A8C4-5D1F-4E3A-9C6B-2F8D0A1E7B35}"  # the deck's own, from theme tokens
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def add_table_style(presentation: Any, tokens: ThemeTokens) -> None:
    """A table style built from the theme (header in the primary colour, light banding, thin
    rules), written into ppt/tableStyles.xml and made the default, so no table relies on a
    stock style the file does not define."""
    part = _table_styles_part(presentation)
    primary = tokens.colours.primary.lstrip("#").upper()
    text = tokens.colours.text.lstrip("#").upper()
    rule = '<a:ln w="6350"><a:solidFill><a:srgbClr val="DDDDDD"/></a:solidFill></a:ln>'
    style = (
        f'<a:tblStyleLst xmlns:a="{_A}" def="{TABLE_STYLE_ID}">'
        f'<a:tblStyle styleId="{TABLE_STYLE_ID}" styleName="Briefing theme">'
        "<a:wholeTbl>"
        f'<a:tcTxStyle><a:fontRef idx="minor"/><a:srgbClr val="{text}"/></a:tcTxStyle>'
        f"<a:tcStyle><a:tcBdr><a:bottom>{rule}</a:bottom><a:insideH>{rule}</a:insideH>"
        "</a:tcBdr>"
        '<a:fill><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:fill></a:tcStyle>'
        "</a:wholeTbl>"
        '<a:band1H><a:tcStyle><a:tcBdr/><a:fill><a:solidFill><a:srgbClr val="F4F4F5"/>'
        "</a:solidFill></a:fill></a:tcStyle></a:band1H>"
        '<a:firstRow><a:tcTxStyle b="on"><a:fontRef idx="minor"/><a:srgbClr val="FFFFFF"/>'
        f'</a:tcTxStyle><a:tcStyle><a:tcBdr/><a:fill><a:solidFill><a:srgbClr val="{primary}"/>'
        "</a:solidFill></a:fill></a:tcStyle></a:firstRow>"
        "</a:tblStyle></a:tblStyleLst>"
    )
    part._blob = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + style).encode()


TABLE_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/tableStyles"


def _table_styles_part(presentation: Any) -> Any:
    """The deck's table-styles part; a master saved by LibreOffice has none, so add one."""
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    try:
        return presentation.part.part_related_by(TABLE_STYLES)
    except KeyError:
        part = Part(
            PackURI("/ppt/tableStyles.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml",
            presentation.part.package,
            b"",
        )
        presentation.part.relate_to(part, TABLE_STYLES)
        return part


def apply_theme_tokens(presentation: Any, tokens: ThemeTokens) -> None:
    """Brand colours and fonts into the master's theme, so new text and charts follow them."""
    theme_part = presentation.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
    )
    root = etree.fromstring(theme_part.blob)
    _scheme_colours(root, tokens)
    _scheme_fonts(root, tokens)
    if _unchanged(theme_part.blob, root):
        return  # an untouched import keeps the client's theme part byte for byte
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}


TOKEN_SLOT = {  # the scheme slot each colour token is read from when a template is imported
    "primary": "accent1",
    "accent": "accent2",
    "text": "dk1",
    "muted": "dk2",
    "background": "lt1",
}
TOKEN_SLOTS = {  # the slots each colour token is written to
    "text": ("dk1",),
    "background": ("lt1",),
    "primary": ("dk2", "accent1"),
    "accent": ("accent2", "hlink"),
    "muted": ("accent3",),
}


def _scheme_colours(root: Any, tokens: ThemeTokens) -> None:
    """Theme colours into the scheme's slots. On an imported master (``scheme:`` in the theme),
    a token that still has the value the import read leaves its slots as the template has them."""
    imported: dict[str, str] = {k: v.upper() for k, v in tokens.scheme.items()}
    for token, value in tokens.colours.model_dump().items():
        if imported and imported.get(TOKEN_SLOT[token]) == value.upper():
            continue
        for name in TOKEN_SLOTS[token]:
            slot = root.find(f".//a:clrScheme/a:{name}", NS)
            if slot is not None:
                slot.clear()
                etree.SubElement(slot, qn("a:srgbClr")).set("val", value.lstrip("#").upper())


def _scheme_fonts(root: Any, tokens: ThemeTokens) -> None:
    """Heading and body fonts (Latin and East Asian) into the font scheme. On an imported
    master, a font token still naming the template's own font leaves its entries as they are
    (the template's Simplified Chinese script font, say)."""
    own_faces = tokens.deck_fonts.model_dump(exclude_none=True)  # the deck's own faces win
    fonts = {**tokens.fonts.model_dump(), **own_faces}
    imported = bool(tokens.scheme)
    major = root.find(".//a:fontScheme/a:majorFont", NS)
    minor = root.find(".//a:fontScheme/a:minorFont", NS)
    east_asian = [group.find("a:ea", NS) for group in (major, minor)] + [
        script
        for group in (major, minor)
        for script in group.findall("a:font", NS)
        if script.get("script") in ("Hans", "Hant")
    ]
    for token, faces, own in (
        ("heading", [major.find("a:latin", NS)], major.find("a:latin", NS)),
        ("latin", [minor.find("a:latin", NS)], minor.find("a:latin", NS)),
        ("cjk", east_asian, minor.find("a:ea", NS)),
    ):
        if imported and own.get("typeface") == fonts[token]:
            continue
        for face in faces:
            face.set("typeface", fonts[token])


def _unchanged(blob: bytes, root: Any) -> bool:
    """Whether the edited theme says what the file already said (then its bytes stay)."""
    return etree.tostring(etree.fromstring(blob), method="c14n") == etree.tostring(
        root, method="c14n"
    )
