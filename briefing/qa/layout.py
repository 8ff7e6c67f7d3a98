"""The PDF's layout rules, checked on WeasyPrint's own boxes (the layout the PDF is written
from): text inside the content area, fill per page, no table row alone on a continuation page.

Fill is the union of the text's line boxes (the inline content, not the full-width line),
images and charts (replaced boxes) and table rows (by their box, as `deck-fill` counts a
slide's tables), over the page's content area; the running header and
footer live in margin boxes and never count. A page that ends a chapter (the next one starts a
``.chapter`` section, or it is the last) may be short; the cover (the first page) is exempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from briefing.tools.deckcheck import Box, coverage

MIN_PAGE_FILL = 0.40
TOLERANCE = 1.5  # CSS px a glyph run may stick out of the content area (side bearings)
PX_PER_PT = 96 / 72


@dataclass
class PageLayout:
    number: int
    fill: float
    ends_chapter: bool
    outside: list[str] = field(default_factory=list)
    lone_rows: list[str] = field(default_factory=list)  # table parts with one body row
    text: int = 0  # body text runs on the page


def pages(document: Any) -> list[PageLayout]:
    """Every page's figures, from a laid-out WeasyPrint document."""
    from weasyprint.formatting_structure import boxes

    starts = [_chapter_starts(p._page_box, boxes) for p in document.pages]
    seen_tables: set[int] = set()
    result = []
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        area = Box(
            box.content_box_x(),
            box.content_box_y(),
            box.content_box_x() + box.width,
            box.content_box_y() + box.height,
        )
        ends = number == len(document.pages) or starts[number]
        layout = PageLayout(number, 0.0, ends)
        covered = []
        for child in _content(box, boxes):
            if isinstance(child, boxes.LineBox) and (line := _line(child, boxes)):
                covered.append(line)
            elif isinstance(child, boxes.TextBox) and child.text.strip():
                run = _box(child)
                layout.text += 1
                if not _inside(run, area):
                    shown = child.text.strip()[:40]
                    layout.outside.append(f"'{shown}' at {_pt(run)} is outside {_pt(area)}")
            elif isinstance(child, boxes.ReplacedBox | boxes.TableRowBox):
                covered.append(_box(child))
            elif isinstance(child, boxes.TableBox):
                layout.lone_rows += _lone_row(child, boxes, seen_tables)
        layout.fill = coverage(area, covered)
        result.append(layout)
    return result


def _content(page_box: Any, boxes: Any) -> Iterator[Any]:
    """Every box on the page except the margin boxes (running header and footer)."""
    for child in page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue
        yield from child.descendants()


def _chapter_starts(page_box: Any, boxes: Any) -> bool:
    """Whether a ``.chapter`` section starts on this page (not a continuation of one)."""
    for child in _content(page_box, boxes):
        element = getattr(child, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if "chapter" in classes and isinstance(child, boxes.BlockBox):
            return not getattr(child, "is_continuation", False) and _first_part(child)
    return False


def _first_part(box: Any) -> bool:
    """WeasyPrint drops the top decoration of a block's continuation on the next page."""
    return not getattr(box, "remove_decoration_sides", None) or "top" not in getattr(
        box, "remove_decoration_sides", set()
    )


def _lone_row(table: Any, boxes: Any, seen: set[int]) -> list[str]:
    """A table continued from an earlier page whose part here holds a single body row."""
    key = id(table.element)
    continued = key in seen
    seen.add(key)
    rows = [
        row
        for group in table.children
        if isinstance(group, boxes.TableRowGroupBox) and not group.is_header
        for row in group.children
        if isinstance(row, boxes.TableRowBox)
    ]
    if not continued or len(rows) != 1:
        return []
    text = " ".join(t.text.strip() for t in rows[0].descendants() if isinstance(t, boxes.TextBox))
    return [f"table '{(table.element.get('class') or 'table')}' continues with one row: "
            f"'{text[:50]}'"]  # fmt: skip


def _box(box: Any) -> Box:
    return Box(
        box.position_x,
        box.position_y,
        box.position_x + box.margin_width(),
        box.position_y + box.margin_height(),
    )


def _line(line: Any, boxes: Any) -> Box | None:
    """A line box as wide as the text on it (not the column) and as tall as the line."""
    runs = [_box(t) for t in line.descendants() if isinstance(t, boxes.TextBox) and t.text.strip()]
    if not runs:
        return None
    x0, x1 = min(r.x0 for r in runs), max(r.x1 for r in runs)
    return Box(x0, line.position_y, x1, line.position_y + line.margin_height())


def _inside(run: Box, area: Box) -> bool:
    return (
        run.x0 >= area.x0 - TOLERANCE
        and run.x1 <= area.x1 + TOLERANCE
        and run.y0 >= area.y0 - TOLERANCE
        and run.y1 <= area.y1 + TOLERANCE
    )


def _pt(box: Box) -> str:
    return (
        f"({box.x0 / PX_PER_PT:.0f},{box.y0 / PX_PER_PT:.0f})-"
        f"({box.x1 / PX_PER_PT:.0f},{box.y1 / PX_PER_PT:.0f}) pt"
    )
