"""The slide plan deck.yaml.j2 describes: what a designer may write, validated like data."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, model_validator

from briefing.project.fields import Line, Strict, Text, clean_text
from briefing.themes.theme import SlideRole

Cell = Annotated[str, AfterValidator(clean_text)]  # a table cell may be empty


class TablePlan(Strict):
    columns: list[Line]
    widths: list[float] = []  # relative column widths; equal when empty
    rows: list[list[Cell]]


class Card(Strict):
    """A figure card: a big figure, what it is, and its period and confidence."""

    big: Line  # "600 million", "5/5"
    label: Line  # "daily active users"
    detail: Line | None = None  # "Aug 2020 · company claim"
    muted: bool = False  # grey: a dated figure


class Column(Strict):
    """One column of a roadmap: a heading band over its items."""

    heading: Line
    items: list[Line] = []


class SlidePlan(Strict):
    """One slide as the template describes it (and, once fitted, as it will be drawn)."""

    role: SlideRole  # theme.yaml `layouts:` names its layout in master.pptx
    layout: str = ""  # resolved from the role by plan_deck
    title: Line | list[Line] | None = None  # alternatives, best first: the first that fits
    shorten_title: bool = False  # allow '…' when no alternative fits
    logo: bool = False  # the theme's deck logo, in the layout's picture placeholder
    client_logo: Line | None = None  # a PNG or JPEG under assets/, mirrored on the right
    subtitle: Text | None = None
    bullets: list[Line] = []  # the body (the left column of a two-content slide)
    right: list[Line] = []  # the right column of a two-content slide, as bullets
    cards: list[Card] = []  # figure cards: the right column, or side by side in the body
    columns: list[Column] = []  # roadmap columns, side by side in the body
    chart: Line | None = None  # the id of a chart spec
    table: TablePlan | None = None
    notes: Text | None = None
    source: Line | None = None  # who published the slide's figures, and when: under the body
    size_group: Line | None = None  # slides naming one group share one body size
    title_size: float | None = None  # set by the fitter: the title's type size
    size: float | None = None  # set by the fitter: the body's type size
    right_size: float | None = None  # set by the fitter: the right column's type size

    @model_validator(mode="after")
    def _one_body(self) -> SlidePlan:
        bodies = [
            f for f in ("subtitle", "bullets", "chart", "table", "columns") if getattr(self, f)
        ]
        if len(bodies) > 1:
            raise ValueError(f"a slide has one body; this one sets {' and '.join(bodies)}")
        if self.right and self.cards:
            raise ValueError("a slide's right column holds either right (bullets) or cards")
        return self

    @property
    def titles(self) -> list[str]:
        if self.title is None:
            return []
        return [self.title] if isinstance(self.title, str) else list(self.title)


class DeckPlan(Strict):
    slides: list[SlidePlan]
