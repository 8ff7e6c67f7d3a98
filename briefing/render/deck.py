"""The deck: render the theme's slide plan (deck.yaml.j2), then execute it with python-pptx."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from pydantic import ValidationError

from briefing import theme as themes
from briefing.errors import DataError, RenderError, TemplateError, relative
from briefing.load import Document, parse_yaml
from briefing.model import Briefing, Line, Strict, Text
from briefing.render.html import template_context
from briefing.theme import Theme
from briefing.validate import model_problems

TITLE_IDX = 0
BODY_IDX = 1  # the subtitle of a title layout, the body of a content layout


class SlidePlan(Strict):
    """One slide as the template describes it."""

    layout: Line
    title: Line | None = None
    subtitle: Text | None = None
    bullets: list[Line] = []
    notes: Text | None = None


class DeckPlan(Strict):
    slides: list[SlidePlan]


def plan_deck(briefing: Briefing, theme: Theme) -> DeckPlan:
    """Render deck.yaml.j2 and validate the plan it describes."""
    env = themes.environment(theme, html=False)
    text = themes.render_template(theme, env, "deck.yaml.j2", template_context(briefing, theme))
    doc = Document(path=theme.find("deck.yaml.j2"), rel=f"{theme.name}/deck.yaml.j2 (rendered)")
    parse_yaml(text, doc)
    if doc.problem:
        raise DataError([doc.problem], what="the slide plan")
    try:
        return DeckPlan.model_validate(doc.data)
    except ValidationError as exc:
        raise DataError(model_problems(doc, exc, DeckPlan), what="the slide plan") from None


def check_master(presentation: object, plan: DeckPlan, master_name: str) -> None:
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
            needed.add(BODY_IDX)
        for idx in sorted(needed - indexes):
            problems.append(
                f"slide {number}: layout '{slide.layout}' in {master_name} has no "
                f"placeholder idx {idx} (it has: {sorted(indexes)})"
            )
    if problems:
        raise TemplateError("\n".join(problems))


def render_deck(briefing: Briefing, theme: Theme) -> bytes:
    from pptx import Presentation  # imported late: only the deck step needs it

    plan = plan_deck(briefing, theme)
    master = theme.find("master.pptx")
    presentation = Presentation(str(master))
    check_master(presentation, plan, relative(master, theme.root))
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    for slide_plan in plan.slides:
        _add_slide(presentation, layouts[slide_plan.layout], slide_plan)
    _set_properties(presentation, briefing, theme)
    buffer = io.BytesIO()
    try:
        presentation.save(buffer)
    except ValueError as exc:
        raise RenderError(f"deck: {exc}") from exc
    return fixed_zip_times(buffer.getvalue(), briefing.date)


def _add_slide(presentation: object, layout: object, plan: SlidePlan) -> None:
    slide = presentation.slides.add_slide(layout)
    filled = set()
    if plan.title:
        slide.placeholders[TITLE_IDX].text_frame.text = plan.title
        filled.add(TITLE_IDX)
    if plan.subtitle or plan.bullets:
        frame = slide.placeholders[BODY_IDX].text_frame
        lines = [plan.subtitle] if plan.subtitle else plan.bullets
        frame.text = lines[0]
        for line in lines[1:]:
            frame.add_paragraph().text = line
        filled.add(BODY_IDX)
    for placeholder in list(slide.placeholders):
        if placeholder.placeholder_format.idx not in filled:
            placeholder.element.getparent().remove(placeholder.element)  # no "Click to add"
    if plan.notes:
        slide.notes_slide.notes_text_frame.text = plan.notes


def _set_properties(presentation: object, briefing: Briefing, theme: Theme) -> None:
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
    """Rewrite the zip with one timestamp so identical inputs give identical bytes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
