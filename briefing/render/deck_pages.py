"""Page breaks in the deck: a slide whose content fits at no size continues on slides titled
"(2 of 3)", split so that no page is left with a lonely row (``balanced``), and slides of one
group share a size. The sizes themselves are measured by ``deck_fit.Fitter``.
"""

from __future__ import annotations

from typing import Any

from briefing.errors import RenderError, TemplateError
from briefing.render.deck_fit import BODY_IDX, SAFETY, Fitter
from briefing.render.deck_model import DeckPlan, SlidePlan, TablePlan
from briefing.render.pptx_shapes import HEADING, PAD, side_by_side
from briefing.themes import i18n
from briefing.themes.i18n import _


def paginate(fitter: Fitter, plan: DeckPlan) -> list[SlidePlan]:
    """The deck's slides as drawn: each at the largest size that fits, continued where none
    does, numbered and titled (a title's alternatives measured at its final size)."""
    slides: list[SlidePlan] = []
    for slide in plan.slides:
        pages = [slide]
        if slide.subtitle:
            pages = [slide.model_copy(update={"size": fitter.subtitle_size(slide)})]
        elif slide.bullets:
            pages = split_bullets(fitter, slide)
        elif slide.table and slide.table.rows:
            pages = split_table(fitter, slide)
        elif slide.columns:
            pages = split_columns(fitter, slide)
        for i, page in enumerate(pages):
            if i and page.cards:
                page = page.model_copy(update={"cards": []})  # figures once, on the first
            if page.right:
                page = page.model_copy(update={"right_size": fitter.right_size(page)})
            suffix = continuation(i + 1, len(pages)) if len(pages) > 1 else ""
            number = len(slides) + 1
            slides.append(fitter.title(number, page, suffix) if page.titles else page)
    return same_size_in_groups(slides)


def split_bullets(fitter: Fitter, slide: SlidePlan) -> list[SlidePlan]:
    width = fitter.body_width(slide.layout, BODY_IDX, True)
    room = fitter.box(slide.layout, BODY_IDX)[1] * SAFETY
    found = fitter.largest(
        lambda size: fitter.text_height(slide.bullets, width, size) <= room,
        lambda size: fitter.whole(slide.bullets, width, size),
    )
    if found is not None:
        return [slide.model_copy(update={"size": found})]
    size = fitter.ladder[-1]
    heights = [fitter.text_height([b], width, size) for b in slide.bullets]
    for bullet, needed in zip(slide.bullets, heights, strict=True):
        if needed > room:  # no page break can save it
            raise RenderError(
                f"deck: slide '{slide.titles[0]}': a bullet needs {needed:.0f} pt of height "
                f"and the box holds {room:.0f} pt: '{bullet[:60]}…'; shorten the text it "
                "comes from"
            )
    pages = balanced(slide.bullets, heights, room)
    return [slide.model_copy(update={"bullets": page, "size": size}) for page in pages]


def split_table(fitter: Fitter, slide: SlidePlan) -> list[SlidePlan]:
    table = slide.table
    if table is None:  # called for table slides only
        return [slide]
    area = fitter.area(slide.layout, BODY_IDX)
    widths = column_widths(table, area.width)
    room = area.height * SAFETY

    def whole(size: float) -> bool:
        cells = [(table.columns, True), *((row, False) for row in table.rows)]
        return all(
            fitter.whole([text], fitter.cell_width(w), size, bold)
            for row, bold in cells
            for text, w in zip(row, widths, strict=True)
        )

    found = fitter.largest(
        lambda size: sum(fitter.table_heights(table, widths, size)) <= room, whole
    )
    if found is not None:
        return [slide.model_copy(update={"size": found})]
    size = fitter.ladder[-1]
    header, *heights = fitter.table_heights(table, widths, size)
    pages = balanced(table.rows, heights, room - header)
    return [
        slide.model_copy(update={"table": table.model_copy(update={"rows": rows}), "size": size})
        for rows in pages
    ]


def split_columns(fitter: Fitter, slide: SlidePlan) -> list[SlidePlan]:
    """Roadmap columns: one size for all; items that do not fit continue on a next slide."""
    boxes = side_by_side(fitter.area(slide.layout, BODY_IDX), len(slide.columns))
    room = (boxes[0].height - HEADING - 1.2 * PAD) * SAFETY
    width = fitter.inner_width(boxes[0])
    found = fitter.largest(
        lambda size: all(fitter.column_height(c.items, width, size) <= room for c in slide.columns),
        lambda size: all(
            fitter.whole(c.items, width, size) and fitter.whole([c.heading], width, size, True)
            for c in slide.columns
        ),
    )
    if found is not None:
        return [slide.model_copy(update={"size": found})]
    size = fitter.ladder[-1]
    heights = [[fitter.column_height([i], width, size) for i in c.items] for c in slide.columns]
    count = max(
        len(balanced(c.items, h, room)) for c, h in zip(slide.columns, heights, strict=True)
    )
    per_column = [  # every column spread over the same number of slides
        spread(c.items, h, room, count) for c, h in zip(slide.columns, heights, strict=True)
    ]
    return [
        slide.model_copy(
            update={
                "size": size,
                "columns": [
                    c.model_copy(update={"items": pages[n] if n < len(pages) else []})
                    for c, pages in zip(slide.columns, per_column, strict=True)
                ],
            }
        )
        for n in range(count)
    ]


def continuation(page: int, pages: int) -> str:
    """' (2 of 3)' after a title (no-break spaces: it never splits across the title's two
    lines); Chinese: full-width brackets, '(2/3)' in them."""
    text = _("(%(page)s of %(pages)s)") % {"page": page, "pages": pages}
    return text if i18n.is_chinese() else "\u00a0" + text.replace(" ", "\u00a0")


def same_size_in_groups(slides: list[SlidePlan]) -> list[SlidePlan]:
    """Slides of one ``size_group`` (the platform slides, say) share the smallest size any of
    them needed, so a run of similar slides does not jump between sizes."""
    smallest: dict[str, float] = {}
    for slide in slides:
        if slide.size_group and slide.size is not None:
            smallest[slide.size_group] = min(slide.size, smallest.get(slide.size_group, slide.size))
    return [
        s.model_copy(update={"size": smallest[s.size_group]})
        if s.size_group in smallest and s.size is not None
        else s
        for s in slides
    ]


def balanced(items: list[Any], heights: list[float], room: float) -> list[list[Any]]:
    """Split items, in order, into as few pages as fit; of those, the splits whose smallest
    page holds two items or more (no lonely last row while any split avoids it), and of
    those the one whose emptiest page is fullest (a census of long rows, then short ones,
    no longer ends on a third-full slide); earlier pages fuller on a tie. An item taller
    than ``room`` gets a page of its own."""
    count = len(items)
    # (pages, -(fewest items on a page, capped at 2), -(least height on a page))
    best: list[tuple[int, int, float] | None] = [(0, -2, -float("inf"))] + [None] * count
    cut = [0] * (count + 1)
    for end in range(1, count + 1):
        used = 0.0
        for start in range(end - 1, -1, -1):
            used += heights[start]
            if used > room and start < end - 1:
                break
            if best[start] is None:
                continue
            pages, fewest, least = best[start]  # type: ignore[misc]
            key = (pages + 1, max(fewest, -min(end - start, 2)), max(least, -used))
            if best[end] is None or key < best[end]:  # type: ignore[operator]
                best[end], cut[end] = key, start
    split: list[list[Any]] = []
    end = count
    while end > 0:
        split.insert(0, items[cut[end] : end])
        end = cut[end]
    return split or [[]]


def spread(items: list[Any], heights: list[float], room: float, count: int) -> list[list[Any]]:
    """``items`` over ``count`` pages as evenly as they fit (by height, in order)."""
    target = sum(heights) / count
    pages: list[list[Any]] = [[]]
    used = 0.0
    for item, needed in zip(items, heights, strict=True):
        full = used + needed > room or (used >= target and len(pages) < count)
        if pages[-1] and full:
            pages.append([])
            used = 0.0
        pages[-1].append(item)
        used += needed
    return pages


def column_widths(table: TablePlan, total: float) -> list[float]:
    weights = table.widths or [1.0] * len(table.columns)
    if len(weights) != len(table.columns) or any(len(r) != len(weights) for r in table.rows):
        raise TemplateError(
            "deck.yaml.j2: a table's widths and rows must have one entry per "
            f"column ({len(table.columns)})"
        )
    return [total * w / sum(weights) for w in weights]
