"""A bar chart on a slide, drawn from the same ChartSpec as the PDF's SVG: native PowerPoint
bars with their workbook (labels as text, never formulas), scaled, labelled and styled by look."""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator
from typing import IO, Any

import xlsxwriter
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from briefing.render.charts import GREY, Bar, ChartSpec, style_text
from briefing.render.fit import FacePair, text_width
from briefing.render.pptx_parts import Frame, set_typefaces, tint
from briefing.themes import i18n
from briefing.themes.i18n import _


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
    slide: Any, box: Frame, spec: ChartSpec, fonts: FacePair, size: float, colour: str
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


def _room_for_labels(
    spec: ChartSpec, box: Frame, fonts: FacePair, size: float, scale: float
) -> float:
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


def _chart_typefaces(chart: Any, fonts: FacePair) -> None:
    def_r_pr = chart.font._rPr
    set_typefaces(def_r_pr, fonts)
