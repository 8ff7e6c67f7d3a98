"""Language editions: message catalogs along the theme chain, the current language, and
numbers, dates and lists written the way that language writes them.

Template text (and the few words the renderers write: chart titles, deck properties) is
English in the source and translated through gettext catalogs: ``templates/<theme>/locale/
zh_CN/LC_MESSAGES/*.po`` (``deck.po`` for the slides, ``messages.po`` for the rest). A child
theme's catalogs hold only the strings it changes; the rest come from its parents. ``make
i18n`` extracts the strings and updates the catalogs (see babel.cfg).

A build renders ``with language(catalog):``; ``_()`` and the Jinja ``_`` then speak that
language (forked render children inherit it). Numbers, dates and lists are Babel's, in the
language a caller passes (``lang``; the template filters pass the context's ``lang``). The
plan never calls any of this: it is assembled once, whatever the language.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, get_currency_name
from markupsafe import Markup, escape

from briefing import files
from briefing.errors import Problem, TemplateError, relative


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
            try:
                entries = _read(path, files.stamp(path), root)
            except files.FileRefused as exc:
                raise TemplateError(f"catalog {exc}") from None
            for msgid, msgstr in entries.items():
                messages[msgid] = msgstr
                places[msgid] = relative(path, root)
    return Catalog(lang, messages, places)


@functools.lru_cache(maxsize=32)
def _read(path: Path, stamp: int, root: Path) -> dict[str, str]:
    """msgid -> translation; a plural entry gives its singular and its plural form (Chinese
    has one form, so both may be the same). Read like every theme file: a FIFO or a link to
    /dev/zero named *.po is refused, never opened."""
    data = files.read_bytes(path, root / "templates", root, files.LIMITS["template"])
    catalog = read_po(io.BytesIO(data))
    found: dict[str, str] = {}
    for m in catalog:
        if not m.id or m.fuzzy:
            continue
        _check_placeholders(m, relative(path, root))
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


PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _check_placeholders(message: Any, where: str) -> None:
    """A translation may use only the msgid's %(name)s placeholders: another name failed
    the build with a bare KeyError naming no file."""
    ids = message.id if isinstance(message.id, tuple | list) else [message.id]
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    allowed = {name for text in ids for name in PLACEHOLDER.findall(str(text))}
    for text in strings:
        for name in PLACEHOLDER.findall(str(text or "")):
            if name not in allowed:
                raise TemplateError(
                    f"{where}:{message.lineno}: msgstr uses %({name})s, not in msgid "
                    f"{str(ids[0])!r}"
                )


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
    """Translate Python's own text (chart titles, deck properties) into the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


def is_chinese(lang: str | None = None) -> bool:
    """Is ``lang`` (default: the current edition's language) Chinese?"""
    return (lang or current().lang).startswith("zh")


def babel_locale(lang: str | None = None) -> Locale:
    """The Babel locale of an edition (default: the current one): English is written the
    British way ('31 March 2025'), 'zh-CN' is zh_CN."""
    code = lang or current().lang
    return Locale.parse("en_GB" if code == "en" else locale_folder(code))


# Numbers, dates and lists: each takes the edition's language (``lang``); without it, the
# current edition's. -------------------------------------------------------------------------


def number(
    value: float, *, full: bool = False, exact: bool = False, lang: str | None = None
) -> str:
    """English: 1402000000 -> '1,402 million' (full=true: every digit); Chinese: 14.02亿, 8140万.

    English counts in millions below ten billion (a house rule); ``full`` writes a sum of money
    in a sentence ('2,500,000'). Chinese is Babel's short form; ``exact`` writes every digit in
    every language, for tables whose columns add up."""
    if exact:
        return format_decimal(round(value), locale=babel_locale(lang))
    if is_chinese(lang):
        if abs(value) < 10_000:
            return format_decimal(value, locale=babel_locale(lang))
        return format_compact_decimal(value, locale=babel_locale(lang), fraction_digits=2).replace(
            ".00", ""
        )
    if full:
        return f"{value:,.0f}"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            if word == "billion" and abs(value) < 1e10:
                size, word = 1e6, "million"
            scaled = value / size
            text = f"{scaled:,.1f}".removesuffix(".0") if scaled < 100 else f"{scaled:,.0f}"
            return f"{text} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


DATE_SKELETONS = {"month": "yMMM", "month-long": "yMMMM", "year": "y"}  # else: "long"
# The house abbreviates a month to three letters ('Sep 2025'), as CLDR's root English does;
# its British English writes 'Sept 2025'.
SHORT_MONTHS_FROM = {"en_GB": "en"}


def date(
    value: dt.date | str,
    fmt: Literal["long", "month", "month-long", "year"] = "long",
    *,
    lang: str | None = None,
) -> str:
    """'31 March 2025' / 2025年3月31日; "month": 'Mar 2025' / 2025年3月 (Babel, per edition).

    "month-long": 'March 2025'; "year": '2025' / 2025年. A partial ISO date is a month
    ('2014-11') or a year ('2014')."""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 3:
            value = dt.date.fromisoformat(value)
        elif len(parts) == 2:
            value, fmt = dt.date(int(parts[0]), int(parts[1]), 1), "month-long"
        elif value.isdigit():
            value, fmt = dt.date(int(value), 1, 1), "year"
        else:
            return value
    locale = babel_locale(lang)
    if fmt == "month":
        locale = Locale.parse(SHORT_MONTHS_FROM.get(str(locale), str(locale)))
    if fmt in DATE_SKELETONS:
        return format_skeleton(DATE_SKELETONS[fmt], value, locale=locale)
    return format_date(value, "long", locale=locale)


def quarter(value: dt.date, *, lang: str | None = None) -> str:
    """The quarter a date falls in: 'Q3 2025' / 2025年第三季度 (CLDR writes 第3季度; a Chinese
    business text, and our data, spell the quarter's number: the native review of 2026-12)."""
    text = format_skeleton("yQQQ", value, locale=babel_locale(lang))
    if is_chinese(lang):
        text = re.sub("第([1-4])季度", lambda m: f"第{'一二三四'[int(m[1]) - 1]}季度", text)
    return text


LIST_STYLES: dict[str, Literal["standard", "or"]] = {"and": "standard", "or": "or"}  # Babel's


def join_and(
    items: Iterable[object],
    conjunction: Literal["and", "or"] = "and",
    *,
    clauses: bool = False,
    lang: str | None = None,
) -> str:
    """English: 'A, B and C'; Chinese: 'A、B和C' ('or': 'A, B or C', A、B或C). When an item
    holds the conjunction itself, names ('Taobao and Tmall') are joined with 'as well as', so
    a list never reads 'Douyin and Taobao and Tmall', and ``clauses`` ('WeChat and WeCom
    convert') take a comma before the last 'and'."""
    items = list(items)
    if any(hasattr(item, "__html__") for item in items):  # HTML (bold names): stays HTML
        escaped = [str(escape(i)) for i in items]
        return Markup(join_and(escaped, conjunction, clauses=clauses, lang=lang))
    names = [str(item) for item in items]
    word = f" {conjunction} "
    if not is_chinese(lang) and len(names) > 1 and any(word in name for name in names):
        if clauses or conjunction == "or":
            return ", ".join(names[:-1]) + f", {conjunction} " + names[-1]
        # the plain names first ('Douyin and WeChat, as well as Taobao and Tmall'): a name
        # with 'and' in it, mid-list, would read as two items
        if len(names) == 2:
            return " as well as ".join(names)
        plain = [name for name in names if word not in name]
        paired = [name for name in names if word in name]
        # two paired names read 'Meituan and Dianping, and Taobao and Tmall', never a chain
        # of 'as well as'
        joined = ", ".join(paired[:-1]) + ", and " + paired[-1] if len(paired) > 1 else paired[0]
        if not plain:
            return joined
        return (
            join_and(plain, lang=lang) + ("," if len(plain) > 1 else "") + " as well as " + joined
        )
    return format_list(names, style=LIST_STYLES[conjunction], locale=babel_locale(lang))


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


def spell(value: int, *, lang: str | None = None) -> str:
    """3 -> 'three' / 三 (up to twelve in English, ten in Chinese, as prose does)."""
    if is_chinese(lang):  # 两 before a measure word: 两个目标, not 二个目标
        return (
            "两" if value == 2 else (CHINESE_NUMBERS[value] if 0 <= value <= 10 else f"{value:,}")
        )
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else f"{value:,}"


# CLDR names AUD and CAD formally (澳大利亚元, 加拿大元); mainland business prose writes the short
# forms, as it does 美元 and 欧元.
SHORT_CURRENCY_NAMES = {"zh": {"AUD": "澳元", "CAD": "加元"}}


def currency(code: str, *, lang: str | None = None) -> str:
    """'EUR' -> 'EUR' / 欧元: English business prose writes the ISO code, Chinese the name."""
    if not is_chinese(lang):
        return code
    short = SHORT_CURRENCY_NAMES["zh"].get(code)
    return short or get_currency_name(code, locale=babel_locale(lang))


def possessive(name: str, *, lang: str | None = None) -> str:
    """ "Nordlys Travel's" / 北极光旅行的."""
    if is_chinese(lang):
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
        "media": _("media"),
        "creators": _("creators"),
        "production": _("production"),
        "setup": _("set-up"),
        "agency-fees": _("agency fees"),
        "reserve": _("reserve"),
    }


def fixed_words() -> list[str]:
    """Every fixed value's word in the edition's language."""
    return list(_fixed_words().values())


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
