"""Every Jinja filter the templates may use, registered in one place."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jinja2
from markupsafe import Markup

from briefing.articles import MARKDOWN


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


def yaml_scalar(value: Any) -> str:
    """Finalizer of the deck-plan environment: every value becomes a JSON (so YAML) scalar."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # raises UndefinedError naming the missing attribute
    if isinstance(value, Markup):
        value = str(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"a slide plan can only print text and numbers, not {type(value).__name__}")


def lowerfirst(text: str) -> str:
    """'Industrial automation' -> 'industrial automation', leaving 'B2B' or 'WeChat' alone."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return text
    return text[:1].lower() + text[1:]


FILTERS = {"markdown": markdown, "number": number, "date": date, "lowerfirst": lowerfirst}
