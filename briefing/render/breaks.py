"""Where a line may break: the pieces ``fit.wrap`` lays out and the PDF's table cells keep
whole. Chinese breaks between words (jieba's dictionary and model of unknown words), never
inside a date, a fixed word or a number with its unit, never before closing punctuation or
after opening punctuation (kinsoku), and never leaves one ideograph alone on a line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# Chinese line-breaking rules (kinsoku), as OOXML's zh-CN defaults and LibreOffice apply them:
# no line starts with closing punctuation, none ends with opening punctuation.
NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’…—·～％")  # noqa: RUF001
NO_LINE_END = frozenset("（「『【《〈“‘")  # noqa: RUF001


HAN_RANGE = "\u4e00-\u9fff"  # the ideographs (the PDF's rules in html.py use it too)
_NAMES: tuple[str, ...] = ()  # the briefing's proper names (keep_names), longest first
_GENERATION = 0  # counts the changes of the names kept (each adds words to the dictionary)


def keep_names(names: Iterable[str]) -> tuple[str, ...]:
    """Keep the briefing's names whole from now on ('北极光旅行', 'Voltera Motors', '字节跳动'):
    a dictionary does not know a client, and a line must not split one. The renderers call
    this before laying out a Chinese edition; it returns the names kept."""
    global _NAMES, _GENERATION
    short = {n.strip() for n in names if n and 1 < _ems(n.strip()) <= LONGEST_NAME}
    kept = tuple(sorted(short, key=len, reverse=True))
    if kept != _NAMES:
        _NAMES, _GENERATION = kept, _GENERATION + 1
        for name in kept:
            if all(_is_han(ch) for ch in name):
                _segmenter().add_word(name)
        _dictionary_words.cache_clear()
    return kept


# A name longer than this (in ems: an ideograph is one, a Latin letter half) may break: kept
# whole, it could run past a narrow column or the page (a generated brief's 24-ideograph name).
LONGEST_NAME = 8


def rules(text: str) -> tuple[Any, ...]:
    """What ``break_units(text)`` depends on besides ``text`` (a key for its results): for
    text with ideographs, the edition's language, its fixed words and names kept (one
    pattern) and the dictionary's additions so far; other text breaks the same everywhere."""
    from briefing.themes import i18n

    if not _has_cjk(text):
        return ()
    return (_kept_words(), _GENERATION, i18n.is_chinese())


def _ems(text: str) -> float:
    return sum(1.0 if is_cjk(ch) else 0.5 for ch in text)


def names_in(briefing: Any) -> list[str]:
    """The names a Chinese edition must never split: the client's, its competitors' and the
    platforms'."""
    client = briefing.client
    return [client.name, client.short_name or "", *(c.name for c in client.competitors),
            *(r.platform.name for r in briefing.fits)]  # fmt: skip


def _kept_words() -> re.Pattern[str]:
    """A Chinese date, a fixed word ('代理机构'), a name, a number with its unit and a short
    term between punctuation: one token, as the PDF's table cells keep them on one line."""
    from briefing.themes import i18n

    catalog = i18n.current()  # held below, so its id names no other catalog while cached
    key = (id(catalog), _NAMES)
    if key not in _KEPT:
        _KEPT[key] = (catalog, _kept_with(tuple(i18n.fixed_words()), _NAMES))
    return _KEPT[key][1]


_KEPT: dict[tuple[int, tuple[str, ...]], tuple[Any, re.Pattern[str]]] = {}  # by catalog, names


@functools.cache
def _kept_with(words: tuple[str, ...], names: tuple[str, ...]) -> re.Pattern[str]:
    """``_kept_words`` for one catalog's fixed ``words`` (``unbreakable`` reads them again)."""
    from briefing.render.html import CELL_DATE, unbreakable  # the PDF's rules

    # a slide's boxes are narrow: a date may break after its month, as in a cell
    return re.compile(unbreakable(CELL_DATE, 6, names).pattern)


def break_units(text: str, keep: bool = True) -> list[str]:
    """``text`` in the pieces a line may break between, in order (joined, they are ``text``):
    Latin words with their spaces, and with ``keep``, Chinese words, kept terms and dates
    (without it, every ideograph alone); punctuation held to its neighbour. The deck wraps with
    them; the PDF's table cells keep each one whole."""
    found: list[str] = []
    word = ""
    chinese = keep and _has_cjk(text)
    kept = {m.start(): m.end() for m in _kept_words().finditer(text)} if chinese else {}
    i = 0
    while i < len(text):
        ch = text[i]
        if i in kept:
            if word:
                found.append(word)
                word = ""
            found.append(text[i : kept[i]])
            i = kept[i]
            continue
        i += 1
        if chinese and _is_han(ch):  # a run of ideographs, in the words a dictionary finds
            if word:
                found.append(word)
                word = ""
            end = i
            while end < len(text) and _is_han(text[end]) and end not in kept:
                end += 1
            found += _words(text[i - 1 : end])
            i = end
        elif is_cjk(ch):
            if word:
                found.append(word)
                word = ""
            found.append(ch)
        else:
            word += ch
            if ch == " ":
                found.append(word)
                word = ""
    if word:
        found.append(word)
    found = _keep_together(found)
    return _no_lone_characters(found) if chinese else found


def dictionary_words(text: str) -> list[str]:
    """``text`` between the words of the dictionary only (no kept terms): where a kept term
    wider than its line may break ('提及量|占比' in brackets)."""
    found: list[str] = []
    for run in re.split(f"([{HAN_RANGE}]+)", text):
        if run and _is_han(run[0]):
            found += _words(run)
        elif run:  # other text: each wide character alone, the rest in runs ('20%')
            found += [g for g in re.split(r"([^\x00-\u2fff])", run) if g]
    return _keep_together(found)


def _no_lone_characters(tokens: list[str]) -> list[str]:
    """One ideograph never stands alone on a line: the last is held to the word before it
    ('…出发|前' -> '出发前'), and one before a short number to it ('至|5万元'; a longer pair
    would not fit a narrow table column, and the PDF cannot break inside it)."""

    def lone(token: str) -> bool:
        return sum(map(_is_han, token)) == 1 and not any(ch.isdigit() for ch in token)

    joined: list[str] = []
    for token in tokens:
        if joined and lone(joined[-1]) and token[:1].isdigit() and len(joined[-1] + token) <= 6:
            joined[-1] += token
        else:
            joined.append(token)
    if len(joined) > 1 and lone(joined[-1]):
        joined[-2:] = [joined[-2] + joined[-1]]
    return joined


# Words the dictionary splits that our readers see as one ('小|程序', '预订|量').
TRADE_TERMS = (
    *("小程序", "私域", "种草", "达人", "企业号", "视频号", "预订量", "收藏量", "曝光量"),
    *("字节跳动", "热搜", "提及量", "占比"),
)


def _words(run: str) -> tuple[str, ...]:
    """A run of ideographs in its words (jieba's dictionary and its model of unknown words,
    deterministic): a line breaks between '中国' and '大陆', never inside either. Outside a
    Chinese edition the dictionary is not loaded (~0.7 s in every process that does): a short
    run is a name in its own script, kept whole ('小红书' beside 'Xiaohongshu'), and a longer
    one (a source's Chinese title) breaks between any two ideographs, as in the PDF's text."""
    from briefing.themes import i18n

    if i18n.is_chinese():
        return _dictionary_words(run)
    return (run,) if len(run) <= LONGEST_NAME else tuple(run)


@functools.lru_cache(maxsize=4096)
def _dictionary_words(run: str) -> tuple[str, ...]:
    return tuple(_segmenter().cut(run, HMM=True))


def load_dictionary() -> None:
    """Load the word dictionary now (``render.warm_up``), not at the first Chinese word."""
    _segmenter()


@functools.cache
def _segmenter() -> Any:
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba imports setuptools' deprecated pkg_resources
        warnings.simplefilter("ignore")
        import jieba  # type: ignore[import-untyped]  # late: only Chinese breaks by words

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" lines on the terminal
    for term in TRADE_TERMS:
        jieba.add_word(term)
    return jieba


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _keep_together(tokens: list[str]) -> list[str]:
    """Closing punctuation joins the token before it; opening punctuation the one after."""
    joined: list[str] = []
    glue_next = False
    for token in tokens:
        if joined and (glue_next or token[0] in NO_LINE_START or token.startswith("的")):
            joined[-1] += token
        else:
            joined.append(token)
        glue_next = joined[-1][-1] in NO_LINE_END
    return joined


def is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _has_cjk(text: str) -> bool:
    return any(map(_is_han, text))
