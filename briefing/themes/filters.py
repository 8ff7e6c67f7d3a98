"""Every Jinja filter the templates may use, registered in one place."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from briefing.project.articles import MARKDOWN
from briefing.project.model import Platform, Target
from briefing.project.translate import tidy_spacing
from briefing.themes import i18n


def markdown(text: str) -> Markup:
    """Article markdown to HTML; raw HTML in the source is escaped, not passed through."""
    return Markup(MARKDOWN.render(text))


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
    if isinstance(value, str) and i18n.is_chinese():
        value = tidy_spacing(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"a slide plan can only print text and numbers, not {type(value).__name__}")


ALWAYS_CAPITAL = frozenset({"China", "Chinese", "English", "Europe", "European", "I"})


def lowerfirst(text: str, keep: Iterable[str] = (), *, lang: str | None = None) -> str:
    """'Industrial automation' -> 'industrial automation', leaving 'B2B', 'WeChat', 'Chinese'
    and any name in ``keep`` (platforms, cities) alone: the text goes mid-sentence."""
    if i18n.is_chinese(lang):
        return text  # no capitals to lower
    word = text.split(" ", 1)[0].rstrip(",.:;")
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return text
    if word in ALWAYS_CAPITAL or any(word in name.split() for name in keep):
        return text
    return text[:1].lower() + text[1:]


@jinja2.pass_context
def _lowerfirst(context: jinja2.runtime.Context, text: str) -> str:
    """The template filter: names the template context lists (``proper_names``) keep capitals."""
    return lowerfirst(text, context.get("proper_names", ()), lang=_language(context))


# A Chinese % unit names, in full-width brackets, what it is measured against: 较 and a season
# (growth over it) or 占 and a total (a share of it). Chinese puts the comparison first,
# '较2026/27极光季增长30%', '占中国大陆预订的25%', where '30%增幅' and a bracket read as translated.
ZH_RELATIVE = re.compile(r"%(?:增幅|增长)?（(较|占)(.+)）")  # noqa: RUF001 (Chinese brackets)


def target(value: Target, *, lang: str | None = None) -> str:
    """A goal's target: '30% more than…', '40,000 saves'; Chinese growth: '较…增长30%'.

    30 '% more than…' -> '30% more than…'; 40000 saves -> '40,000 saves'; in Chinese, growth
    over a season reads '较2026/27极光季增长30%' and a share '占…的25%' (see ZH_RELATIVE)."""
    figure = i18n.number(value.value, lang=lang)
    relative = ZH_RELATIVE.fullmatch(value.unit.strip()) if i18n.is_chinese(lang) else None
    if relative:
        against, what = relative.groups()
        return f"较{what}增长{figure}%" if against == "较" else f"占{what}的{figure}%"
    glue = "" if value.unit.startswith("%") or i18n.is_chinese(lang) else " "
    return f"{figure}{glue}{value.unit}"


def reached(value: Target, *, lang: str | None = None) -> str:
    """The target ending a '… by <date>' sentence: as ``target``, with '达到' in Chinese.

    English needs no verb ('30% more than the 2026-27 season by 31 March 2028'); Chinese puts
    the date first and needs one ('2028年3月31日前达到4万次收藏'), unless the target carries
    its own ('较…增长30%')."""
    text = target(value, lang=lang)
    if not i18n.is_chinese(lang) or ZH_RELATIVE.fullmatch(value.unit.strip()):
        return text
    return i18n._("reach %(target)s") % {"target": text}


def closed(platform: Platform, *, lang: str | None = None) -> str:
    """A closed platform as every output names it: when it closed (or that the date is
    unconfirmed) and what replaced it. The PDF printed both while the deck's notes listed
    names only (code review §1.4)."""
    when = (
        i18n.date(platform.discontinued, lang=lang)
        if platform.discontinued
        else i18n._("date unconfirmed")
    )
    if platform.replaced_by:
        return i18n._("%(platform)s (%(date)s; use instead: %(replacement)s)") % {
            "platform": platform.name,
            "date": when,
            "replacement": platform.replaced_by,
        }
    return i18n._("%(text)s (%(detail)s)") % {"text": platform.name, "detail": when}


def no_widow(text: str) -> str:
    """The last two words joined by a no-break space: a wrapped line never holds the last
    word alone (a link's last line reading '2021' says nothing about where it goes)."""
    head, space, last = text.rpartition(" ")
    return f"{head}\u00a0{last}" if space and head else text


def first_sentence(text: str) -> str:
    """Up to the first full stop: '. ' in English, '。' in Chinese."""
    head, dot, _rest = text.partition(". ")
    first = head + "." if dot else text
    stop = first.find("。")
    return first[: stop + 1] if 0 <= stop < len(first) - 1 else first


def _language(context: jinja2.runtime.Context) -> str:
    """The edition's language, from the template context's ``lang`` (every renderer sets it;
    a bare render, as in a test, speaks the current edition's)."""
    return context.get("lang") or i18n.lang()


def _by_edition(function: Callable[..., str]) -> Callable[..., str]:
    """A filter whose result depends on the edition's catalog (``word``). Jinja computes a
    filter of a constant (`"considered" | word`) once, when it compiles the template; a filter
    that asks for the render context is never computed ahead, so each edition gets its own
    words."""

    @jinja2.pass_context
    @functools.wraps(function)
    def live(_context: object, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return live


def _in_language(function: Callable[..., str]) -> Callable[..., str]:
    """A filter that writes numbers, dates or lists the edition's way: it is given the
    edition's language (``lang``) from the render context, so it is never computed ahead
    either."""

    @jinja2.pass_context
    @functools.wraps(function)
    def live(context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, lang=_language(context), **kwargs)

    return live


def strong(text: object) -> Markup:
    """<strong>text</strong> (HTML templates), escaped; ``join_and`` keeps it HTML."""
    return Markup("<strong>%s</strong>") % text


FILTERS = {
    "strong": strong,
    "word": _by_edition(i18n.word),
    "markdown": markdown,
    "number": _in_language(i18n.number),
    "currency": _in_language(i18n.currency),
    "date": _in_language(i18n.date),
    "quarter": _in_language(i18n.quarter),
    "lowerfirst": _lowerfirst,
    "first_sentence": first_sentence,
    "no_widow": no_widow,
    "spell": _in_language(i18n.spell),
    "join_and": _in_language(i18n.join_and),
    "target": _in_language(target),
    "reached": _in_language(reached),
    "closed": _in_language(closed),
    "possessive": _in_language(i18n.possessive),
}
