"""The deck: render the slide plan (deck.yaml.j2), fit it, then build it with python-pptx."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pptx.util import Emu, Pt
from pydantic import ValidationError

from briefing import files
from briefing.errors import TemplateError, relative
from briefing.project.load import Document, parse_yaml
from briefing.project.model import Briefing
from briefing.project.validate import model_problems
from briefing.render import breaks, pptx_chart, pptx_theme
from briefing.render import pptx_parts as parts
from briefing.render import pptx_shapes as shapes
from briefing.render.base import Preview, Rendered, Template
from briefing.render.charts import ChartSpec
from briefing.render.context import template_context
from briefing.render.deck_fit import (
    BODY_IDX,
    RIGHT_IDX,
    TITLE_IDX,
    Fitter,
)
from briefing.render.deck_model import DeckPlan, SlidePlan
from briefing.render.deck_pages import column_widths, paginate
from briefing.render.fit import line_count, line_height
from briefing.themes import i18n, templating
from briefing.themes.i18n import _
from briefing.themes.theme import SlideRole, Theme

if TYPE_CHECKING:
    from briefing.settings import Settings

# The roles whose slides are titled by a message.
CONTENT_ROLES: tuple[SlideRole, ...] = ("content", "two-content", "title-only", "comparison")


def plan_deck(briefing: Briefing, theme: Theme, context: dict[str, Any]) -> DeckPlan:
    """Render deck.yaml.j2 and validate the plan it describes."""
    env = templating.environment(theme, "yaml")
    text = templating.render_template(theme, env, "deck.yaml.j2", context)
    path = theme.find("deck.yaml.j2")
    doc = Document(path=path, rel=f"{theme.name}/deck.yaml.j2 (rendered)")
    parse_yaml(text, doc)
    where = relative(path, theme.root)  # the template: the rendered plan is in no file
    if doc.problem:
        line = text.splitlines()[(doc.problem.line or 1) - 1].strip() if text else ""
        message = f"the slide plan it renders is not valid YAML near '{line[:60]}': "
        raise TemplateError(f"{where}: {message}{doc.problem.message}")
    try:
        plan = DeckPlan.model_validate(doc.data)
    except ValidationError as exc:
        problems = model_problems(doc, exc, DeckPlan)
        raise TemplateError(
            "\n".join(f"{where}: {_slide_problem(doc.data, p)}" for p in problems)
        ) from None
    return resolve_layouts(plan, theme)


def _slide_problem(data: Any, problem: Any) -> str:
    """'slide 10 ("The first 90 days…"), columns[1].items: …' for a problem in the rendered
    plan, named by what the template makes: its slide number and title, never a line of a
    file nobody can open."""
    field = problem.field or ""
    found = re.match(r"slides\[(\d+)\]\.?(.*)", field)
    if not found:
        return f"the slide plan it renders: {field + ': ' if field else ''}{problem.message}"
    index, rest = int(found[1]), found[2]
    slides = data.get("slides") if isinstance(data, dict) else None
    slide = slides[index] if isinstance(slides, list) and index < len(slides) else {}
    title = slide.get("title") if isinstance(slide, dict) else None
    if isinstance(title, list):  # a title with shorter alternatives: the first names it
        title = title[0] if title else None
    named = f" ('{str(title)[:50]}')" if title else ""
    return f"slide {index + 1}{named}, {rest or 'the slide'}: {problem.message}"


def resolve_layouts(plan: DeckPlan, theme: Theme) -> DeckPlan:
    """Each slide's role becomes the layout the theme maps it to (inherited along `extends`)."""
    layouts = theme.tokens.layouts
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
        if slide.subtitle or slide.bullets:
            needed.add(BODY_IDX)  # text goes into the placeholder; drawn content does not
        if slide.right:
            needed.add(RIGHT_IDX)
        for idx in sorted(needed - indexes):
            problems.append(
                f"slide {number}: layout '{slide.layout}' in {master_name} has no "
                f"placeholder idx {idx} (it has: {sorted(indexes)})"
            )
    if problems:
        raise TemplateError("\n".join(problems))


def title_slide_problem(theme: Theme, text: str) -> str | None:
    """Why ``text`` cannot be the title of the title slide in ``theme`` (measured), or None."""
    from pptx import Presentation

    presentation = Presentation(str(theme.find("master.pptx", "asset")))
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    title_layout = theme.tokens.layouts.get("title")
    if title_layout not in layouts:
        return None  # the master check reports the missing layout
    fitter = Fitter(layouts, theme)
    if fitter.title_fits(title_layout, text):
        return None
    size = fitter.sizes.title
    needed = fitter.title_needs(title_layout, text)
    return (
        f"too long for the title slide of theme '{theme.name}': it needs {needed} lines at "
        f"{size} pt and {fitter.title_lines(title_layout)} fit; shorten it"
    )


@dataclass(frozen=True)
class RenderedDeck:
    data: bytes
    slides: int
    outline: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each slide's title and body lines


def render_deck(briefing: Briefing, theme: Theme) -> RenderedDeck:
    from pptx import Presentation  # imported late: only the deck step needs it

    if i18n.is_chinese():  # a client's or platform's name is never split across lines
        breaks.keep_names(breaks.names_in(briefing))
    context = template_context(briefing, theme)
    charts = context["charts"]
    plan = plan_deck(briefing, theme, context)
    master = theme.find("master.pptx", "asset")
    presentation = Presentation(str(master))
    check_master(presentation, plan, relative(master, theme.root))
    pptx_theme.apply_theme_tokens(presentation, theme.tokens)
    pptx_theme.add_table_style(presentation, theme.tokens)
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    fitter = Fitter(layouts, theme, presentation.slide_master)
    fitted = paginate(fitter, plan)
    for number, slide_plan in enumerate(fitted, 1):
        chart = _chart(charts, slide_plan, number)
        _add_slide(presentation, layouts[slide_plan.layout], slide_plan, fitter, chart, number)
    _set_properties(presentation, briefing, theme)
    buffer = io.BytesIO()
    presentation.save(buffer)
    data = fixed_zip_times(buffer.getvalue(), briefing.date)
    return RenderedDeck(data, len(presentation.slides), tuple(map(_outline, fitted)))


def _outline(slide: SlidePlan) -> tuple[str, tuple[str, ...]]:
    """A slide as text (the preview shows it while LibreOffice renders the real one)."""
    lines = [*slide.bullets, *slide.right, *(f"{c.big}: {c.label}" for c in slide.cards)]
    if slide.subtitle:
        lines.insert(0, slide.subtitle)
    if slide.table:
        lines += [" · ".join(row) for row in slide.table.rows]
    if slide.chart:
        lines.append(f"[chart: {slide.chart}]")
    for column in slide.columns:
        lines += [f"{column.heading}: {item}" for item in column.items]
    return (str(slide.title or ""), tuple(lines))


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
    slide._element.cSld.set("name", plan.role)  # checks read each slide's role from here
    sizes, fonts = fitter.sizes, fitter.fonts
    keep = {TITLE_IDX} if plan.title else set()
    if plan.title:  # each text in the lines the fitter measured (Fitter.drawn)
        size = plan.title_size or sizes.title
        width = fitter.title_width(plan.layout)
        title = fitter.drawn(str(plan.title), width, size, fitter.title_fonts)
        parts.fill_text(slide.placeholders[TITLE_IDX], [title], size, fitter.title_fonts)
    if plan.subtitle or plan.bullets:
        lines = plan.subtitle.split("\n") if plan.subtitle else plan.bullets
        size = plan.size or sizes.body
        width = fitter.body_width(plan.layout, BODY_IDX, not plan.subtitle)
        lines = [fitter.drawn(line, width, size) for line in lines]
        parts.fill_text(slide.placeholders[BODY_IDX], lines, size, fonts, bullets=not plan.subtitle)
        keep.add(BODY_IDX)
    if plan.right:
        size = plan.right_size or sizes.body  # the fitter sets it for every right column
        width = fitter.body_width(plan.layout, RIGHT_IDX, True)
        lines = [fitter.drawn(line, width, size) for line in plan.right]
        parts.fill_text(slide.placeholders[RIGHT_IDX], lines, size, fonts, True)
        keep.add(RIGHT_IDX)
    _draw(slide, plan, fitter, chart)
    # The logos go into the layout's picture placeholder; a layout without one (a client's
    # own template) keeps the branding its master already carries.
    if plan.logo and fitter.logo is not None and parts.picture_placeholder(layout) is not None:
        if plan.client_logo:
            parts.add_client_logo(slide, layout, fitter.client_logo(plan.client_logo))
        parts.add_logo(slide, fitter.logo, fitter.agency)
    parts.remove_placeholders(slide, keep)
    parts.add_slide_number(slide, layout, number, fonts)
    if plan.notes:
        slide.notes_slide.notes_text_frame.text = plan.notes
    if plan.source:
        _add_source(slide, plan, fitter, Emu(presentation.slide_height).pt)


def _draw(slide: Any, plan: SlidePlan, fitter: Fitter, chart: ChartSpec | None) -> None:
    """Content drawn as native shapes in the layout's body area: charts, tables, cards, columns."""
    area = fitter.area(plan.layout, BODY_IDX)
    box = (Pt(area.left), Pt(area.top), Pt(area.width), Pt(area.height))
    size = plan.size or fitter.sizes.table
    if chart is not None:
        pptx_chart.add_chart(slide, box, chart, fitter.fonts, fitter.sizes.table, fitter.colour)
    elif plan.table is not None:
        widths = column_widths(plan.table, area.width)
        heights = fitter.table_heights(plan.table, widths, size)
        columns, *rows = [  # each cell in the lines measured: no break inside a word
            [
                fitter.drawn(t, fitter.cell_width(w), size, bold=r == 0)
                for t, w in zip(row, widths, strict=True)
            ]
            for r, row in enumerate([plan.table.columns, *plan.table.rows])
        ]
        parts.add_table(slide, box, columns, rows, widths, heights, fitter.fonts, size)
    elif plan.columns:
        boxes = shapes.side_by_side(area, len(plan.columns))
        for i, (column, column_box) in enumerate(zip(plan.columns, boxes, strict=True), 1):
            width = fitter.inner_width(column_box)
            shapes.add_column(
                slide,
                column_box,
                fitter.drawn(column.heading, width, size, bold=True),
                [fitter.drawn(item, width, size) for item in column.items],
                fitter.fonts,
                size,
                fitter.colours,
                f"Column {i}",
            )
    for i, (card_box, text) in enumerate(fitter.cards(plan) if plan.cards else [], 1):
        shapes.add_card(slide, card_box, text, fitter.fonts, fitter.colour, f"Card {i}")


def _add_source(slide: Any, plan: SlidePlan, fitter: Fitter, slide_height: float) -> None:
    """The source line below the body, left of the slide number, where the footer would be."""
    area = fitter.area(plan.layout, BODY_IDX)
    full = fitter.area(plan.layout, TITLE_IDX)  # the slide's full text width
    top = area.top + area.height + 6
    box = shapes.Box(full.left, top, full.width * 0.7, slide_height - SOURCE_MARGIN - top)
    text = fitted_source(str(plan.source), fitter, box)
    shapes.add_source_line(slide, box, text, fitter.fonts, fitter.colours.muted)
    if text != plan.source:  # the whole list stays with the slide, in its notes
        frame = slide.notes_slide.notes_text_frame
        frame.text = f"{frame.text}\n\n{plan.source}".strip()


SOURCE_MARGIN = 14  # pt kept free under the source line, at the slide's bottom edge


def fitted_source(text: str, fitter: Fitter, box: shapes.Box) -> str:
    """The source line as it fits its box: whole sources from the start, then '…' (a chart of
    many platforms has a source per bar; the slide's notes carry the whole list)."""
    size = shapes.SOURCE_SIZE
    room = max(1, int(box.height // line_height(fitter.fonts, size)))

    def fits(candidate: str) -> bool:
        return line_count(candidate, fitter.fonts, size, box.width * fitter.across) <= room

    if fits(text):
        return text
    separator = "\uff1b" if "\uff1b" in text else "; "  # the Chinese semicolon, or ours
    parts_ = text.split(separator)
    while len(parts_) > 1:
        parts_.pop()
        shortened = separator.join(parts_) + "…"
        if fits(shortened):
            return shortened
    return parts_[0]


def _set_properties(presentation: Any, briefing: Briefing, theme: Theme) -> None:
    props = presentation.core_properties
    props.title = _("China social media briefing: %(client)s") % {"client": briefing.client.name}
    props.author = theme.tokens.agency.name
    props.subject = _("%(industry)s on Chinese social platforms") % {
        "industry": briefing.industry.name
    }
    props.language = i18n.lang()
    props.keywords = ", ".join(r.platform.name for r in briefing.recommended)
    stamp = dt.datetime.combine(briefing.date, dt.time())
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.last_modified_by = theme.tokens.agency.name


def fixed_zip_times(data: bytes, day: dt.date) -> bytes:
    """Rewrite the zip (and the chart workbooks inside it) with one timestamp, so that
    identical inputs give identical bytes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)

    def stamped(info: zipfile.ZipInfo) -> tuple[zipfile.ZipInfo, bytes]:
        member = source.read(info.filename)
        if info.filename.endswith(".xlsx"):
            member = fixed_zip_times(member, day)
        elif info.filename == "docProps/core.xml":
            member = _W3CDTF.sub(f">{day.isoformat()}T00:00:00Z<".encode(), member)
        fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
        fixed.compress_type = zipfile.ZIP_DEFLATED
        fixed.external_attr = info.external_attr
        return fixed, member

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return files.rewrite_zip(source, stamped)


_W3CDTF = re.compile(rb">\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z<")


class DeckRenderer:
    """The deck: deck.yaml.j2's slide plan, fitted and built on master.pptx by python-pptx."""

    name = "deck"
    label = "deck"
    kind = "deck"
    suffix = ".pptx"
    mime = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    unit = "slides"
    attach = True
    preview: Preview = "office"
    templates: tuple[Template, ...] = (Template("deck.yaml.j2", "yaml"),)
    theme_files: tuple[str, ...] = ("master.pptx",)

    def context(self, briefing: Briefing, theme: Theme) -> dict[str, Any]:
        return template_context(briefing, theme)

    def render(self, briefing: Briefing, theme: Theme, settings: Settings) -> Rendered:
        deck = render_deck(briefing, theme)
        return Rendered(deck.data, {"slides": deck.slides}, outline=deck.outline)


DECK = DeckRenderer()
