"""Every Jinja filter the templates may use, registered in one place."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from briefing.articles import MARKDOWN
from briefing.model import Target


def markdown(text: str) -> Markup:
    """Article markdown to HTML; raw HTML in the source is escaped, not passed through."""
    return Markup(MARKDOWN.render(text))


def number(value: float) -> str:
    """1402000000 -> '1,402 million'; 81400000 -> '81.4 million'; 8 -> '8'."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            if word == "billion" and abs(value) < 1e10:
                size, word = 1e6, "million"
            scaled = value / size
            text = f"{scaled:,.1f}".removesuffix(".0") if scaled < 100 else f"{scaled:,.0f}"
            return f"{text} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def date(value: dt.date | str, fmt: str = "long") -> str:
    """2025-03-31 -> '31 March 2025' (long) or 'Mar 2025' (month); '2014-11' -> 'November 2014'."""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 3:
            value = dt.date.fromisoformat(value)
        elif len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1).strftime("%B %Y")
        else:
            return value
    if fmt == "month":
        return value.strftime("%b %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


class SlidesText(str):
    """Text a template rendered (a block's slides, via ``{{ super() }}`` or
    ``{{ self.answer() }}``): written into the slide plan as it is, not quoted."""


def slides_text(parts: Iterable[str]) -> SlidesText:
    """The deck-plan environment's ``concat``: marks rendered template text as such."""
    return SlidesText("".join(parts))


def yaml_scalar(value: Any) -> str:
    """Finalizer of the deck-plan environment: every value becomes a JSON (so YAML) scalar,
    except template text already rendered (a block's slides)."""
    if isinstance(value, SlidesText):
        return value
    if isinstance(value, jinja2.Undefined):
        return json.dumps(str(value))  # strict: raises, naming the missing attribute
    if isinstance(value, Markup):
        value = str(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"a slide plan can only print text and numbers, not {type(value).__name__}")


ALWAYS_CAPITAL = frozenset({"China", "Chinese", "English", "Europe", "European", "I"})


def lowerfirst(text: str, keep: Iterable[str] = ()) -> str:
    """'Industrial automation' -> 'industrial automation', leaving 'B2B', 'WeChat', 'Chinese'
    and any name in ``keep`` (platforms, cities) alone: the text goes mid-sentence."""
    word = text.split(" ", 1)[0].rstrip(",.:;")
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return text
    if word in ALWAYS_CAPITAL or any(word in name.split() for name in keep):
        return text
    return text[:1].lower() + text[1:]


@jinja2.pass_context
def _lowerfirst(context: jinja2.runtime.Context, text: str) -> str:
    """The template filter: names the template context lists (``proper_names``) keep capitals."""
    return lowerfirst(text, context.get("proper_names", ()))


NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve").split()  # noqa: SIM905


def spell(value: int) -> str:
    """3 -> 'three' (up to twelve, as prose does), 25 -> '25'."""
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else f"{value:,}"


def join_and(items: Iterable[Any], conjunction: str = "and") -> str:
    """['A', 'B', 'C'] -> 'A, B and C'."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def possessive(name: str) -> str:
    """'Nordlys Travel' -> "Nordlys Travel's"; 'Northwind Robotics' -> "Northwind Robotics'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def target(value: Target) -> str:
    """A goal's target: 30 '% more than…' -> '30% more than…'; 40000 saves -> '40,000 saves'."""
    figure = number(value.value)
    glue = "" if value.unit.startswith("%") else " "
    return f"{figure}{glue}{value.unit}"


FILTERS = {
    "markdown": markdown,
    "number": number,
    "date": date,
    "lowerfirst": _lowerfirst,
    "spell": spell,
    "join_and": join_and,
    "target": target,
    "possessive": possessive,
}
