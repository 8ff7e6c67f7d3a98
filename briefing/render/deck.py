"""The deck: render the slide plan (deck.yaml.j2), fit it, then build it with python-pptx."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from pptx.enum.shapes import PP_PLACEHOLDER
from pydantic import ValidationError

from briefing import theme as themes
from briefing.charts import ChartSpec
from briefing.errors import DataError, RenderError, TemplateError, relative
from briefing.load import Document, parse_yaml
from briefing.model import Briefing, Line, Strict, Text
from briefing.render import pptx_parts as parts
from briefing.render.fit import Fonts, line_count, line_height
from briefing.render.html import template_context
from briefing.theme import Theme
from briefing.validate import model_problems

TITLE_IDX = 0
BODY_IDX = 1  # the subtitle of a title layout, the body of a content layout
SAFETY = 0.95  # measured text may use 95% of a box: kerning and rounding differ a little
CONTINUED = " (cont.)"


class TablePlan(Strict):
    columns: list[Line]
    widths: list[float] = []  # relative column widths; equal when empty
    rows: list[list[Text]]


class SlidePlan(Strict):
    """One slide as the template describes it."""

    role: Line  # a slide role; theme.yaml `layouts:` names its layout in master.pptx
    layout: str = ""  # resolved from the role by plan_deck
    title: Line | None = None
    shorten_title: bool = False  # allow '…' when the title cannot fit
    logo: bool = False  # the theme's deck logo, in the layout's picture placeholder
    subtitle: Text | None = None
    bullets: list[Line] = []
    chart: Line | None = None  # the id of a chart spec
    table: TablePlan | None = None
    notes: Text | None = None


class DeckPlan(Strict):
    slides: list[SlidePlan]


def plan_deck(briefing: Briefing, theme: Theme, context: dict[str, Any]) -> DeckPlan:
    """Render deck.yaml.j2 and validate the plan it describes."""
    env = themes.environment(theme, "yaml")
    text = themes.render_template(theme, env, "deck.yaml.j2", context)
    doc = Document(path=theme.find("deck.yaml.j2"), rel=f"{theme.name}/deck.yaml.j2 (rendered)")
    parse_yaml(text, doc)
    if doc.problem:
        raise DataError([doc.problem], what="the slide plan")
    try:
        plan = DeckPlan.model_validate(doc.data)
    except ValidationError as exc:
        raise DataError(model_problems(doc, exc, DeckPlan), what="the slide plan") from None
    return resolve_layouts(plan, theme)


def resolve_layouts(plan: DeckPlan, theme: Theme) -> DeckPlan:
    """Each slide's role becomes the layout the theme maps it to (inherited along `extends`)."""
    layouts = theme.tokens.get("layouts", {})
    slides = []
    for number, slide in enumerate(plan.slides, 1):
        if slide.role not in layouts:
            raise TemplateError(
                f"deck.yaml.j2: slide {number} has role '{slide.role}', which theme "
                f"'{theme.name}' maps to no layout (layouts: in theme.yaml maps "
                f"{', '.join(sorted(layouts)) or 'nothing'})"
            )
        slides.append(slide.model_copy(update={"layout": layouts[slide.role]}))
    return plan.model_copy(update={"slides": slides})


def check_master(presentation: Any, plan: DeckPlan, master_name: str) -> None:
    """Every layout and placeholder the plan uses must exist in the master."""
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    problems = []
    for number, slide in enumerate(plan.slides, 1):
        layout = layouts.get(slide.layout)
        if layout is None:
            problems.append(
                f"slide {number}: layout '{slide.layout}' is not in {master_name} "
                f"(it has: {', '.join(layouts)})"
            )
            continue
        indexes = {ph.placeholder_format.idx for ph in layout.placeholders}
        needed = {TITLE_IDX} if slide.title else set()
        if slide.subtitle or slide.bullets or slide.chart or slide.table:
            needed.add(BODY_IDX)
        if slide.logo and not any(
            ph.placeholder_format.type == PP_PLACEHOLDER.PICTURE for ph in layout.placeholders
        ):
            problems.append(
                f"slide {number}: layout '{slide.layout}' in {master_name} has no "
                "picture placeholder for the logo"
            )
        for idx in sorted(needed - indexes):
            problems.append(
                f"slide {number}: layout '{slide.layout}' in {master_name} has no "
                f"placeholder idx {idx} (it has: {sorted(indexes)})"
            )
    if problems:
        raise TemplateError("\n".join(problems))


TITLE_LAYOUT = "Title Slide"  # where the client's name is the title


def title_slide_problem(theme: Theme, text: str) -> str | None:
    """Why ``text`` cannot be the title of the title slide in ``theme`` (measured), or None."""
    from pptx import Presentation

    presentation = Presentation(str(theme.find("master.pptx", "asset")))
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    if TITLE_LAYOUT not in layouts:
        return None  # the master check reports the missing layout
    fitter = Fitter(layouts, theme)
    width, height = fitter.box(TITLE_LAYOUT, TITLE_IDX)
    size = fitter.sizes["title"]
    fits = int(height * SAFETY // line_height(fitter.fonts, size)) or 1
    needed = line_count(text, fitter.fonts, size, width * SAFETY)
    if needed <= fits:
        return None
    return (
        f"too long for the title slide of theme '{theme.name}': it needs {needed} lines at "
        f"{size} pt and {fits} fit; shorten it"
    )


class Fitter:
    """Decides, with real font metrics, what fits each placeholder; splits what does not."""

    def __init__(self, layouts: dict[str, Any], theme: Theme) -> None:
        self.layouts = layouts
        self.fonts = Fonts(theme.tokens["fonts"]["latin"], theme.tokens["fonts"]["cjk"])
        self.sizes = theme.tokens["deck"]
        self.colour = theme.tokens["colours"]["primary"]
        self.logo = theme.deck_logo
        self.agency = theme.tokens["agency"]["name"]

    def box(self, layout: str, idx: int) -> tuple[float, float]:
        """Inner width and height (pt) of a layout's placeholder."""
        ph = {p.placeholder_format.idx: p for p in self.layouts[layout].placeholders}[idx]
        return (ph.width / 12700 - 2 * parts.INSET_X, ph.height / 12700 - 2 * parts.INSET_Y)

    def title(self, number: int, slide: SlidePlan) -> SlidePlan:
        width, height = self.box(slide.layout, TITLE_IDX)
        size = self.sizes["title"]
        fits = int(height * SAFETY // line_height(self.fonts, size)) or 1
        text = slide.title or ""
        if line_count(text, self.fonts, size, width * SAFETY) <= fits:
            return slide
        if not slide.shorten_title:
            raise RenderError(
                f"deck: slide {number} ({slide.layout}), field 'title': "
                f"'{text}' does not fit on {fits} line(s) at {size} pt; shorten it "
                "or set shorten_title: true in deck.yaml.j2"
            )
        while text and line_count(text + "…", self.fonts, size, width * SAFETY) > fits:
            text = text[:-1].rstrip()
        return slide.model_copy(update={"title": text + "…"})

    def bullet_height(self, text: str, width: float) -> float:
        size = self.sizes["body"]
        lines = line_count(text, self.fonts, size, (width - parts.BULLET_INDENT) * SAFETY)
        return lines * line_height(self.fonts, size) + size * parts.SPACE_BEFORE

    def split_bullets(self, slide: SlidePlan) -> list[SlidePlan]:
        width, height = self.box(slide.layout, BODY_IDX)
        heights = [self.bullet_height(b, width) for b in slide.bullets]
        for bullet, needed in zip(slide.bullets, heights, strict=True):
            if needed > height * SAFETY:  # no page break can save it
                raise RenderError(
                    f"deck: slide '{slide.title}': a bullet needs {needed:.0f} pt of height "
                    f"and the box holds {height * SAFETY:.0f} pt: '{bullet[:60]}…'; shorten "
                    "the text it comes from"
                )
        pages = balanced(slide.bullets, heights, height * SAFETY)
        return self._continued(slide, [{"bullets": page} for page in pages])

    def row_height(self, cells: list[str], widths: list[float], bold: bool = False) -> float:
        size = self.sizes["table"]
        lines = max(
            line_count(text, self.fonts, size, (w - 2 * parts.CELL_X) * SAFETY, bold)
            for text, w in zip(cells, widths, strict=True)
        )
        return lines * line_height(self.fonts, size) + 2 * parts.CELL_Y

    def split_table(self, slide: SlidePlan) -> list[SlidePlan]:
        table = slide.table
        width, height = self.box(slide.layout, BODY_IDX)
        widths = column_widths(table, width)
        room = height * SAFETY - self.row_height(table.columns, widths, bold=True)
        heights = [self.row_height(row, widths) for row in table.rows]
        pages = balanced(table.rows, heights, room)
        return self._continued(
            slide, [{"table": table.model_copy(update={"rows": rows})} for rows in pages]
        )

    def _continued(self, slide: SlidePlan, updates: list[dict[str, Any]]) -> list[SlidePlan]:
        out = []
        for i, update in enumerate(updates):
            if i:
                update["title"] = (slide.title or "") + CONTINUED
            out.append(slide.model_copy(update=update))
        return out

    def paginate(self, plan: DeckPlan) -> list[SlidePlan]:
        slides: list[SlidePlan] = []
        for slide in plan.slides:
            pages = [slide]
            if slide.bullets:
                pages = self.split_bullets(slide)
            elif slide.table and slide.table.rows:
                pages = self.split_table(slide)
            slides += [
                self.title(len(slides) + i + 1, p) if p.title else p for i, p in enumerate(pages)
            ]
        return slides


def balanced(items: list[Any], heights: list[float], room: float) -> list[list[Any]]:
    """Split items into as few pages as fit, then even out the pages (no lonely last row)."""

    def fill(cap: int) -> list[list[Any]]:
        pages: list[list[Any]] = [[]]
        used = 0.0
        for item, needed in zip(items, heights, strict=True):
            if pages[-1] and (used + needed > room or len(pages[-1]) >= cap):
                pages.append([])
                used = 0.0
            pages[-1].append(item)
            used += needed
        return pages

    greedy = fill(len(items))
    even = fill(-(-len(items) // len(greedy)))
    return even if len(even) == len(greedy) else greedy


def column_widths(table: TablePlan, total: float) -> list[float]:
    weights = table.widths or [1.0] * len(table.columns)
    if len(weights) != len(table.columns) or any(len(r) != len(weights) for r in table.rows):
        raise TemplateError(
            "deck.yaml.j2: a table's widths and rows must have one entry per "
            f"column ({len(table.columns)})"
        )
    return [total * w / sum(weights) for w in weights]


@dataclass(frozen=True)
class RenderedDeck:
    data: bytes
    slides: int


def render_deck(briefing: Briefing, theme: Theme) -> RenderedDeck:
    from pptx import Presentation  # imported late: only the deck step needs it

    context = template_context(briefing, theme)
    charts = context["charts"]
    plan = plan_deck(briefing, theme, context)
    master = theme.find("master.pptx")
    presentation = Presentation(str(master))
    check_master(presentation, plan, relative(master, theme.root))
    parts.apply_theme_tokens(presentation, theme.tokens)
    parts.add_table_style(presentation, theme.tokens)
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    fitter = Fitter(layouts, theme)
    for number, slide_plan in enumerate(fitter.paginate(plan), 1):
        chart = _chart(charts, slide_plan, number)
        _add_slide(presentation, layouts[slide_plan.layout], slide_plan, fitter, chart, number)
    _set_properties(presentation, briefing, theme)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return RenderedDeck(fixed_zip_times(buffer.getvalue(), briefing.date), len(presentation.slides))


def _chart(charts: dict[str, ChartSpec], slide: SlidePlan, number: int) -> ChartSpec | None:
    if slide.chart is None:
        return None
    if slide.chart not in charts:
        raise TemplateError(
            f"deck.yaml.j2: slide {number} asks for chart '{slide.chart}' "
            f"(available: {', '.join(charts) or 'none'})"
        )
    return charts[slide.chart]


def _add_slide(
    presentation: Any,
    layout: Any,
    plan: SlidePlan,
    fitter: Fitter,
    chart: ChartSpec | None,
    number: int,
) -> None:
    slide = presentation.slides.add_slide(layout)
    sizes, fonts = fitter.sizes, fitter.fonts
    keep = {TITLE_IDX} if plan.title else set()
    if plan.title:
        parts.fill_text(slide.placeholders[TITLE_IDX], [plan.title], sizes["title"], fonts)
    body = slide.placeholders[BODY_IDX] if BODY_IDX in _indexes(slide) else None
    if plan.subtitle:
        parts.fill_text(body, plan.subtitle.split("\n"), sizes["body"], fonts)
        keep.add(BODY_IDX)
    elif plan.bullets:
        parts.fill_text(body, plan.bullets, sizes["body"], fonts, bullets=True)
        keep.add(BODY_IDX)
    elif chart is not None:
        parts.add_chart(slide, body, chart, fonts, sizes["table"], fitter.colour)
    elif plan.table is not None:
        widths = column_widths(plan.table, body.width / 12700)
        heights = [fitter.row_height(plan.table.columns, widths, bold=True)]
        heights += [fitter.row_height(row, widths) for row in plan.table.rows]
        parts.add_table(
            slide, body, plan.table.columns, plan.table.rows, widths, heights, fonts, sizes["table"]
        )
    if plan.logo and fitter.logo is not None:
        parts.add_logo(slide, fitter.logo, fitter.agency)
    parts.remove_placeholders(slide, keep)
    parts.add_slide_number(slide, layout, number, fonts)
    if plan.notes:
        slide.notes_slide.notes_text_frame.text = plan.notes


def _indexes(slide: Any) -> set[int]:
    return {ph.placeholder_format.idx for ph in slide.placeholders}


def _set_properties(presentation: Any, briefing: Briefing, theme: Theme) -> None:
    props = presentation.core_properties
    props.title = f"China social media briefing: {briefing.client.name}"
    props.author = theme.tokens["agency"]["name"]
    props.subject = f"{briefing.industry.name} on Chinese social platforms"
    props.keywords = ", ".join(r.platform.name for r in briefing.recommended)
    stamp = dt.datetime.combine(briefing.date, dt.time())
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.last_modified_by = theme.tokens["agency"]["name"]


def fixed_zip_times(data: bytes, day: dt.date) -> bytes:
    """Rewrite the zip (and the chart workbooks inside it) with one timestamp, so that
    identical inputs give identical bytes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                member = fixed_zip_times(member, day)
            elif info.filename == "docProps/core.xml":
                member = _W3CDTF.sub(f">{day.isoformat()}T00:00:00Z<".encode(), member)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, member)
    return out.getvalue()


_W3CDTF = re.compile(rb">\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z<")
