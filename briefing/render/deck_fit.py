"""Fitting the slide plan to the master, with real font metrics: titles, sizes, page breaks.

Text is never left to PowerPoint's autofit (it only acts when someone edits the slide). Each
kind of content tries the theme's sizes from large to small (body, midway, table) and takes the
largest that fits on one slide; what fits at no size continues on slides titled "(2 of 3)".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pptx.util import Emu

from briefing import files
from briefing.errors import RenderError
from briefing.project import images
from briefing.render import pptx_parts as parts
from briefing.render.deck_model import Card, SlidePlan, TablePlan
from briefing.render.fit import FacePair, line_count, line_height, widest_word, wrap
from briefing.render.pptx_shapes import (
    ITEM_SPACE,
    PAD,
    Box,
    CardText,
    side_by_side,
    stacked,
)
from briefing.themes import i18n
from briefing.themes.theme import Theme

TITLE_IDX = 0
BODY_IDX = 1  # the subtitle of a title layout, the body of a content layout
RIGHT_IDX = 2  # the right-hand body of a two-content layout
CardLines = list[tuple[str, float, bool, str]]  # (text, size, bold, colour), as CardText holds
SAFETY = 0.95  # measured text may use 95% of a box: kerning and rounding differ a little
CHINESE_SAFETY = 0.9  # Chinese lines: LibreOffice's spacing beside Latin text and punctuation
# rules vary a little more than our measure of them
TITLE_SHRINK = 0.75  # a title may shrink to 75% of the theme's size (or to the body size, if
# smaller: a client's template may set 44 pt titles in a box one such line tall)


class Fitter:
    """Decides what fits each box of each layout; splits what does not."""

    def __init__(self, layouts: dict[str, Any], theme: Theme, master: Any = None) -> None:
        self.layouts = layouts
        self.master = master
        tokens = theme.tokens
        cjk = theme.deck_cjk  # measured with its metric twin where it is not installed
        self.fonts = FacePair(tokens.fonts.latin, cjk)
        self.title_fonts = FacePair(tokens.fonts.heading, cjk)
        self.across = SAFETY  # the share of a line's width measured text may use
        if i18n.is_chinese():  # the CJK font leads: Latin words in Chinese text use it too
            self.fonts = self.title_fonts = FacePair(cjk, cjk)
            self.across = CHINESE_SAFETY
        self.sizes = tokens.deck
        self.colours = tokens.colours
        self.colour = self.colours.primary
        self.logo = theme.deck_logo
        self.agency = tokens.agency.name
        self.root = theme.root
        self._areas: dict[tuple[str, int], Box] = {}

    def client_logo(self, rel: str) -> Path:
        """The client's logo for the deck, inside assets/ (checked at load for the PDF)."""
        path = files.contained(
            self.root / rel, self.root / "assets", self.root, files.LIMITS["asset"]
        )
        reason = images.problem(path, "deck")
        if reason:
            raise RenderError(f"client logo {rel}: {reason}")
        return path

    @property
    def ladder(self) -> list[int]:
        """Every whole size from the body size down to the table size: text takes the largest
        that fits (and slides of one `size_group` the smallest of their choices)."""
        body, table = self.sizes.body, self.sizes.table
        return list(range(body, table - 1, -1)) if body > table else [body]

    @property
    def midway(self) -> float:
        return round((self.sizes.body + self.sizes.table) / 2)

    def area(self, layout: str, idx: int) -> Box:
        """Where a layout's placeholder ``idx`` sits, in points; a layout without one (Title
        Only) lends the master's body area, so drawn content works on any master."""
        if (layout, idx) not in self._areas:  # asked for each size and text the fitter tries
            self._areas[layout, idx] = self._area(layout, idx)
        return self._areas[layout, idx]

    def _area(self, layout: str, idx: int) -> Box:
        found = {p.placeholder_format.idx: p for p in self.layouts[layout].placeholders}
        if idx not in found and self.master is not None:
            found = {p.placeholder_format.idx: p for p in self.master.placeholders}
            idx = BODY_IDX
        ph = found[idx]
        return Box(Emu(ph.left).pt, Emu(ph.top).pt, Emu(ph.width).pt, Emu(ph.height).pt)

    def box(self, layout: str, idx: int) -> tuple[float, float]:
        """Inner width and height (pt) of a layout's text box."""
        area = self.area(layout, idx)
        return (area.width - 2 * parts.INSET_X, area.height - 2 * parts.INSET_Y)

    def title_lines(self, layout: str, size: float | None = None) -> int:
        _, height = self.box(layout, TITLE_IDX)
        size = size or self.sizes.title
        return int(height * SAFETY // line_height(self.title_fonts, size)) or 1

    def title_width(self, layout: str) -> float:
        """The width a title's lines are measured and broken at."""
        return self.box(layout, TITLE_IDX)[0] * self.across

    def title_needs(self, layout: str, text: str, size: float | None = None) -> int:
        size = size or self.sizes.title
        return line_count(text, self.title_fonts, size, self.title_width(layout))

    def title_fits(self, layout: str, text: str, size: float | None = None) -> bool:
        """Within the lines the box holds at ``size``, and never more than it holds at the
        theme's size (or two): a smaller size does not buy a third line."""
        most = max(self.title_lines(layout), 2)
        return self.title_needs(layout, text, size) <= min(self.title_lines(layout, size), most)

    def title(self, number: int, slide: SlidePlan, suffix: str = "") -> SlidePlan:
        """The first candidate title that fits with ``suffix`` ('… (2 of 3)') at the theme's
        title size; in a smaller title box (a client's own master), the first that fits at a
        size down to TITLE_SHRINK of it (or the body size); '…' only where the template allows
        it."""
        candidates = slide.titles
        full = self.sizes.title
        floor = min(int(full * TITLE_SHRINK), self.sizes.body)
        for size in range(full, floor - 1, -1):
            for text in candidates:
                if self.title_fits(slide.layout, text + suffix, size):
                    update = {"title": text + suffix, "title_size": size}
                    return slide.model_copy(update=update)
        if not slide.shorten_title:
            fits = self.title_lines(slide.layout)
            raise RenderError(
                f"deck: slide {number} ({slide.layout}), field 'title': '{candidates[-1]}' "
                f"does not fit on {fits} line(s) at {self.sizes.title} pt; shorten it, add "
                "a shorter alternative, or set shorten_title: true in deck.yaml.j2"
            )
        text = candidates[-1]
        while text and not self.title_fits(slide.layout, text + "…" + suffix):
            text = text[:-1].rstrip()
        return slide.model_copy(update={"title": text + "…" + suffix})

    def body_width(self, layout: str, idx: int, bullets: bool) -> float:
        """The width a placeholder's lines (bullets, or the subtitle's) are measured at."""
        indent = parts.BULLET_INDENT if bullets else 0.0
        return (self.box(layout, idx)[0] - indent) * self.across

    def inner_width(self, box: Box) -> float:
        """The width a card's or a roadmap column's lines are measured at."""
        return (box.width - 2 * PAD) * self.across

    def cell_width(self, width: float) -> float:
        """The width a table cell's lines are measured at, in a column ``width`` wide."""
        return (width - 2 * parts.CELL_X) * self.across

    def drawn(
        self,
        text: str,
        width: float,
        size: float,
        fonts: FacePair | None = None,
        bold: bool = False,
    ) -> str:
        """``text`` as the deck draws it in lines ``width`` wide (as measured): in Chinese, with
        a line break ('\v') wherever the measure wraps it. LibreOffice and PowerPoint break
        Chinese between any two characters ('中国大|陆', '2028年3月31|日') and honour no
        joiner (U+2060 and eaLnBrk tried), but a break of our own they keep."""
        if not i18n.is_chinese():
            return text
        return "\v".join(wrap(text, fonts or self.fonts, size, width, bold))

    def whole(self, texts: list[str], width: float, size: float, bold: bool = False) -> bool:
        """No word of ``texts`` is wider than a line: the viewer would break it inside
        ('Novembe|r 2027' in a narrow column)."""
        return all(widest_word(t, self.fonts, size, bold) <= width for t in texts)

    def largest(
        self, fits: Callable[[float], bool], whole: Callable[[float], bool]
    ) -> float | None:
        """The largest size of the ladder at which the text fits and every word is whole;
        failing that, the largest at which it fits (a word too long at every size breaks)."""
        for size in self.ladder:
            if fits(size) and whole(size):
                return size
        return next((size for size in self.ladder if fits(size)), None)

    def text_height(self, lines: list[str], width: float, size: float) -> float:
        """Height of ``lines`` as paragraphs measured ``width`` wide (``body_width``)."""
        count = sum(line_count(t, self.fonts, size, width) for t in lines)
        return count * line_height(self.fonts, size) + len(lines) * size * parts.SPACE_BEFORE

    def subtitle_size(self, slide: SlidePlan) -> float:
        """The largest size at which the title slide's subtitle lines fit their box."""
        width = self.body_width(slide.layout, BODY_IDX, False)
        height = self.box(slide.layout, BODY_IDX)[1]
        lines = (slide.subtitle or "").split("\n")
        for size in self.ladder:
            if self.text_height(lines, width, size) <= height * SAFETY:
                return size
        raise RenderError(
            f"deck: the subtitle of '{slide.titles[0]}' does not fit at {self.ladder[-1]} pt; "
            "shorten it in deck.yaml.j2"
        )

    def right_size(self, slide: SlidePlan) -> float:
        width = self.body_width(slide.layout, RIGHT_IDX, True)
        height = self.box(slide.layout, RIGHT_IDX)[1]
        found = self.largest(
            lambda size: self.text_height(slide.right, width, size) <= height * SAFETY,
            lambda size: self.whole(slide.right, width, size),
        )
        if found is not None:
            return found
        raise RenderError(
            f"deck: slide '{slide.titles[0]}': the right-hand column does not fit at "
            f"{self.ladder[-1]} pt; shorten it in deck.yaml.j2"
        )

    def row_height(self, cells: list[str], widths: list[float], size: float, bold: bool) -> float:
        lines = max(
            line_count(text, self.fonts, size, self.cell_width(w), bold)
            for text, w in zip(cells, widths, strict=True)
        )
        return lines * line_height(self.fonts, size) + 2 * parts.CELL_Y

    def table_heights(self, table: TablePlan, widths: list[float], size: float) -> list[float]:
        """The header row's height, then each row's."""
        heights = [self.row_height(table.columns, widths, size, True)]
        return heights + [self.row_height(row, widths, size, False) for row in table.rows]

    def column_height(self, items: list[str], width: float, size: float) -> float:
        """Height of a roadmap column's items, measured ``width`` wide (``inner_width``)."""
        lines = sum(line_count(t, self.fonts, size, width) for t in items)
        return lines * line_height(self.fonts, size) + len(items) * size * ITEM_SPACE

    def cards(self, slide: SlidePlan) -> list[tuple[Box, CardText]]:
        """Each card's box and its lines at the largest sizes that fit the box."""
        has_right = RIGHT_IDX in {
            p.placeholder_format.idx for p in self.layouts[slide.layout].placeholders
        }
        area = self.area(slide.layout, RIGHT_IDX if has_right else BODY_IDX)
        boxes = (stacked if has_right else side_by_side)(area, len(slide.cards))
        pairs = list(zip(boxes, slide.cards, strict=True))
        # The cards of one slide share their figure size: the smallest any of them needs.
        big = min(self.card_text(card, box).lines[0][1] for box, card in pairs)
        return [(box, self.card_text(card, box, big)) for box, card in pairs]

    def card_text(self, card: Card, box: Box, largest: float | None = None) -> CardText:
        """The card's lines at the largest figure size at which they fit and no word is
        broken (failing that, the largest at which they fit), drawn as measured."""
        width, room = self.inner_width(box), (box.height - 1.2 * PAD) * SAFETY
        sizes = range(int(largest or self.sizes.title), self.ladder[-1] - 1, -1)

        def fits(lines: CardLines) -> bool:
            needed = sum(
                line_count(t, self.fonts, s, width, b) * line_height(self.fonts, s)
                for t, s, b, _ in lines
            )
            return needed <= room

        def whole(lines: CardLines) -> bool:
            return all(self.whole([t], width, s, b) for t, s, b, _ in lines)

        candidates = [self._card_lines(card, big) for big in sizes]
        chosen = next((c for c in candidates if fits(c) and whole(c)), None)
        chosen = chosen or next((c for c in candidates if fits(c)), None)
        if chosen is None:
            raise RenderError(
                f"deck: a card does not fit its box ({box.width:.0f} by {box.height:.0f} pt): "
                f"'{card.big}' / '{card.label}'; shorten it in deck.yaml.j2 or show fewer cards"
            )
        return CardText([(self.drawn(t, width, s, bold=b), s, b, c) for t, s, b, c in chosen])

    def _card_lines(self, card: Card, big: int) -> CardLines:
        """The figure at ``big``, its label at up to the midway size, its detail smallest."""
        muted, accent = self.colours.muted, self.colours.primary
        lines: CardLines = [(card.big, big, True, muted if card.muted else accent)]
        lines.append((card.label, min(self.midway, big), False, self.colours.text))
        if card.detail:
            lines.append((card.detail, self.ladder[-1], False, muted))
        return lines
