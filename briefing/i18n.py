"""Language editions: message catalogs along the theme chain, the current language, and
numbers, dates and lists written the way that language writes them.

Template text (and the few sentences Python writes: chart titles, next steps) is English in the
source and translated through gettext catalogs: ``templates/<theme>/locale/zh_CN/LC_MESSAGES/
*.po`` (``deck.po`` for the slides, ``messages.po`` for the rest). A child theme's catalogs
hold only the strings it changes; the rest come from its parents. ``make i18n`` extracts the
strings and updates the catalogs (see babel.cfg).

A build runs ``with language(catalog):``; ``_()``, the Jinja ``_`` and every formatting
helper here then speak that language (forked render children inherit it).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal

from briefing.errors import Problem, relative


def locale_folder(lang: str) -> str:
    """'zh-CN' -> 'zh_CN' (gettext's folder names)."""
    return lang.replace("-", "_")


@dataclass(frozen=True)
class Catalog:
    """The merged messages of a theme chain for one language (child theme wins)."""

    lang: str
    messages: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # msgid -> the .po file it came from

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        text = self.messages.get(singular if n == 1 else plural)
        return text or (singular if n == 1 else plural)


ENGLISH = Catalog("en")
_current: contextvars.ContextVar[Catalog] = contextvars.ContextVar("catalog", default=ENGLISH)


def load_catalog(dirs: Iterable[Path], lang: str, root: Path) -> Catalog:
    """The catalogs of ``lang`` along the chain ``dirs`` (most specific first), merged."""
    if lang == "en":
        return ENGLISH
    messages: dict[str, str] = {}
    places: dict[str, str] = {}
    for folder in reversed(list(dirs)):  # parents first, so a child overrides
        for path in sorted((folder / "locale" / locale_folder(lang) / "LC_MESSAGES").glob("*.po")):
            for msgid, msgstr in _read(path, path.stat().st_mtime_ns).items():
                messages[msgid] = msgstr
                places[msgid] = relative(path, root)
    return Catalog(lang, messages, places)


@functools.lru_cache(maxsize=32)
def _read(path: Path, stamp: int) -> dict[str, str]:
    """msgid -> translation; a plural entry gives its singular and its plural form (Chinese
    has one form, so both may be the same)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found: dict[str, str] = {}
    for m in catalog:
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.id, tuple | list):
            forms = [
                str(f) for f in (m.string if isinstance(m.string, tuple | list) else [m.string])
            ]
            if forms and all(forms):
                found[str(m.id[0])] = forms[0]
                found[str(m.id[1])] = forms[min(1, len(forms) - 1)]
        elif m.string:
            found[str(m.id)] = str(m.string)
    return found


@contextlib.contextmanager
def language(catalog: Catalog) -> Iterator[Catalog]:
    """Everything inside speaks ``catalog``'s language."""
    token = _current.set(catalog)
    try:
        yield catalog
    finally:
        _current.reset(token)


def current() -> Catalog:
    return _current.get()


def lang() -> str:
    return current().lang


def _(message: str) -> str:
    """Translate Python's own text (chart titles, next steps) into the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


def is_chinese() -> bool:
    return lang().startswith("zh")


def babel_locale() -> Locale:
    return Locale.parse(locale_folder(lang()))


# Numbers, dates and lists -------------------------------------------------------------------


def number(value: float) -> str:
    """English: 1402000000 -> '1,402 million'; Chinese: 14.02亿, 8140万 (Babel's short form)."""
    if is_chinese():
        if abs(value) < 10_000:
            return format_decimal(value, locale=babel_locale())
        return format_compact_decimal(value, locale=babel_locale(), fraction_digits=2).replace(
            ".00", ""
        )
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            if word == "billion" and abs(value) < 1e10:
                size, word = 1e6, "million"
            scaled = value / size
            text = f"{scaled:,.1f}".removesuffix(".0") if scaled < 100 else f"{scaled:,.0f}"
            return f"{text} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def date(value: dt.date | str, fmt: str = "long") -> str:
    """English: '31 March 2025' (long), 'Mar 2025' (month); Chinese: 2025年3月31日, 2025年3月.
    A partial date ('2014-11') is a month."""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 3:
            value = dt.date.fromisoformat(value)
        elif len(parts) == 2:
            value, fmt = dt.date(int(parts[0]), int(parts[1]), 1), "month-long"
        else:
            return f"{value}年" if is_chinese() else value
    if is_chinese():
        return f"{value.year}年{value.month}月" + (
            "" if fmt.startswith("month") else f"{value.day}日"
        )
    if fmt == "month":
        return value.strftime("%b %Y")
    if fmt == "month-long":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def quarter(value: dt.date) -> str:
    """The quarter a date falls in: 'Q3 2025' / 2025年第3季度."""
    number_of = (value.month - 1) // 3 + 1
    return f"{value.year}年第{number_of}季度" if is_chinese() else f"Q{number_of} {value.year}"


def join_and(items: Iterable[object], conjunction: str = "and") -> str:
    """English: 'A, B and C'; Chinese: 'A、B和C' ('or' -> 或)."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    if is_chinese():
        glue = {"and": "和", "or": "或"}.get(conjunction, conjunction)
        return f"{'、'.join(words[:-1])}{glue}{words[-1]}"
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
CHINESE_NUMBERS = "零一二三四五六七八九十"


def spell(value: int) -> str:
    """3 -> 'three' / 三 (up to twelve in English, ten in Chinese, as prose does)."""
    if is_chinese():  # 两 before a measure word: 两个目标, not 二个目标
        return (
            "两" if value == 2 else (CHINESE_NUMBERS[value] if 0 <= value <= 10 else f"{value:,}")
        )
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else f"{value:,}"


def possessive(name: str) -> str:
    """ "Nordlys Travel's" / 北极光旅行的."""
    if is_chinese():
        return f"{name}的"
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _fixed_words() -> dict[str, str]:
    """The data's fixed values (owners, likelihoods, confidences, plan groups, funnel stages,
    budget periods) as words of the edition's language: one table for every output."""
    return {
        "agency": _("agency"),
        "client": _("client"),
        "low": _("low"),
        "medium": _("medium"),
        "high": _("high"),
        "reported": _("reported"),
        "company claim": _("company claim"),
        "estimate": _("estimate"),
        "recommended": _("recommended"),
        "considered": _("considered"),
        "watched": _("watched"),
        "avoided": _("avoided"),
        "awareness": _("awareness"),
        "consideration": _("consideration"),
        "conversion": _("conversion"),
        "loyalty": _("loyalty"),
        "month": _("per month"),
        "quarter": _("per quarter"),
        "year": _("per year"),
        "campaign": _("per campaign"),
    }


def word(value: str) -> str:
    """A fixed data value ('agency', 'high', 'reported', 'watched', 'year'…) in the edition's
    language; any other text as it is."""
    return _fixed_words().get(value, value)


# Checking a chain's catalogs ----------------------------------------------------------------


def missing_messages(catalog: Catalog, used: Iterable[tuple[str, str, int]]) -> list[Problem]:
    """Each message the templates and code use (msgid, file, line) with no translation."""
    if catalog.lang == "en":
        return []
    problems, seen = [], set()
    for msgid, path, line in used:
        if msgid not in catalog.messages and msgid not in seen:
            seen.add(msgid)
            problems.append(
                Problem(path, f"no {catalog.lang} translation for '{msgid}' (make i18n, then "
                        "fill it in the theme's messages.po)", line)
            )  # fmt: skip
    return problems
