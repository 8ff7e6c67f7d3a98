"""The only place that renders the HTML report template."""

from __future__ import annotations

import re

from briefing.project.model import Briefing
from briefing.render import breaks
from briefing.render.context import report_context
from briefing.themes import i18n, templating
from briefing.themes.theme import Theme

# Chinese breaks a line between any two ideographs. A date, a fixed word ('代理机构') and a
# block's last two characters are kept on one line (report.css: `.nobr`), so no date is split
# and no paragraph ends on a line holding one character. Short terms are kept too: a number with
# its unit ('6.28万次收藏', '2026/27极光季') and up to five ideographs between punctuation
# ('可退保证金' in brackets); without a dictionary, that is where a Chinese word is sure to be.
# A table's columns are set, so a cell keeps a date's year and month, and its day, apart.
DATE = r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
PUNCTUATION = "。！？；：，、）》”’"  # noqa: RUF001 (Chinese punctuation, on purpose)
OPENING = "（《“‘"  # noqa: RUF001 (as above)
HAN = breaks.HAN_RANGE
SHORT = (
    rf"(?:[{OPENING}]+|(?<![\d.,/%]))\d[\d.,/%]*[万亿]?[{HAN}]{{1,3}}[{PUNCTUATION}]*"
    rf"|(?:[{OPENING}]+|(?<![{HAN}]))[{HAN}]{{2,5}}[{PUNCTUATION}]*(?![{HAN}])"
)
DAY_AND_RANGE = rf"第\d+天前?|\d+[～–]\d+[{HAN}]{{0,2}}"  # noqa: RUF001, RUF003 ('第60天前', '6～8周')
CELL_DATE = r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{1,2}日"
LAST_TWO = re.compile(rf"([\u4e00-\u9fff]{{2}}[{PUNCTUATION}]*)(\s*)$")
BLOCK_END = re.compile(r"</(?:p|li|td|th|dd|figcaption|h[1-6])>")
TAG = re.compile(r"(<[^>]+>)")
CELL_START, CELL_END = re.compile(r"<t[dh][\s>]"), re.compile(r"</t[dh]>")
SVG_START = re.compile(r"<svg[\s>]")
KEPT = '<span class="nobr">{}</span>'
HAN_CHAR = re.compile(f"[{HAN}]")


def render_html(briefing: Briefing, theme: Theme) -> str:
    env = templating.environment(theme, "html")
    context = report_context(briefing, theme)
    html = templating.render_template(theme, env, "report.html.j2", context)
    if not i18n.is_chinese():
        return html
    return keep_chinese_together(html, breaks.keep_names(breaks.names_in(briefing)))


def keep_chinese_together(html: str, names: tuple[str, ...] = ()) -> str:
    """``html`` with dates, fixed words and each block's last two characters unbreakable;
    only text between tags changes, and only in the body."""
    head, found, body = html.partition("<body")
    if not found:
        return html
    attributes, closed, body = body.partition(">")  # the body's own attributes stay as they are
    head, found = head + found + attributes + closed, ""
    parts, cells, svg = TAG.split(body), 0, 0
    kept = unbreakable(DATE, 99, names)
    for i in range(0, len(parts), 2):  # text, tag, text, tag...
        text = parts[i]
        if not svg:  # an SVG's <text> takes no HTML span: the chart's labels would spill out
            text = _cell_words(text) if cells else kept.sub(lambda m: KEPT.format(m[0]), text)
        if i + 1 < len(parts):
            cells += bool(CELL_START.match(parts[i + 1])) - bool(CELL_END.match(parts[i + 1]))
            svg += bool(SVG_START.match(parts[i + 1])) - (parts[i + 1] == "</svg>")
        if not svg and i + 1 < len(parts) and BLOCK_END.fullmatch(parts[i + 1]):
            text = LAST_TWO.sub(lambda m: KEPT.format(m.group(1)) + m.group(2), text)
        parts[i] = text
    return head + found + "".join(parts)


def _cell_words(text: str) -> str:
    """A table cell's text with each Chinese word unbreakable: a column is narrow, and
    Chinese would break it anywhere ('中国大陆全渠道预|订量'). The words are the deck's
    (``breaks.break_units``: a dictionary's words, dates, terms, the last character held to the
    word before it); a longer piece may still break, so it never runs past its column."""
    return "".join(KEPT.format(u) if _a_word(u) else u for u in breaks.break_units(text))


def _a_word(unit: str) -> bool:
    """A piece worth keeping whole: Chinese, of two to twelve characters, without a space."""
    return HAN_CHAR.search(unit) is not None and 2 <= len(unit) <= 12 and " " not in unit


def unbreakable(date: str, longest: int, names: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Dates, the briefing's ``names``, the fixed words of at most ``longest`` characters,
    days and ranges ('第60天前', a number range with its unit) and short terms (the deck keeps
    what a table cell keeps: render/breaks.py)."""
    chinese = (w for w in i18n.fixed_words() if 1 < len(w) <= longest and LAST_TWO.search(w[-2:]))
    words = sorted(chinese, key=len, reverse=True)
    listed = (re.escape(w) for w in (*names, *words))
    return re.compile("|".join([date, *listed, DAY_AND_RANGE, SHORT]))
