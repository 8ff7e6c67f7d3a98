"""The only place that renders the HTML report template."""

from __future__ import annotations

import re

from briefing.project.model import Briefing
from briefing.render.context import report_context
from briefing.themes import i18n, templating
from briefing.themes.theme import Theme

# Chinese breaks a line between any two ideographs. A date, a fixed word ('代理机构') and a
# block's last two characters are kept on one line (report.css: `.nobr`), so no date is split
# and no paragraph ends on a line holding one character.
DATE = r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
PUNCTUATION = "。！？；：，、）》”’"  # noqa: RUF001 (Chinese punctuation, on purpose)
LAST_TWO = re.compile(rf"([\u4e00-\u9fff]{{2}}[{PUNCTUATION}]*)(\s*)$")
BLOCK_END = re.compile(r"</(?:p|li|td|th|dd|figcaption|h[1-6])>")
TAG = re.compile(r"(<[^>]+>)")
CELL_START, CELL_END = re.compile(r"<t[dh][\s>]"), re.compile(r"</t[dh]>")
KEPT = '<span class="nobr">{}</span>'


def render_html(briefing: Briefing, theme: Theme) -> str:
    env = templating.environment(theme, "html")
    context = report_context(briefing, theme)
    html = templating.render_template(theme, env, "report.html.j2", context)
    return keep_chinese_together(html) if i18n.is_chinese() else html


def keep_chinese_together(html: str) -> str:
    """``html`` with dates, fixed words and each block's last two characters unbreakable;
    only text between tags changes, and only in the body."""
    head, found, body = html.partition("<body")
    if not found:
        return html
    parts, cells, unbreakable = TAG.split(body), 0, _unbreakable()
    for i in range(0, len(parts), 2):  # text, tag, text, tag...
        text = parts[i]
        if not cells:  # a table's columns are set: a kept date there would overrun its cell
            text = unbreakable.sub(lambda m: KEPT.format(m.group(0)), text)
        if i + 1 < len(parts):
            cells += bool(CELL_START.match(parts[i + 1])) - bool(CELL_END.match(parts[i + 1]))
        if i + 1 < len(parts) and BLOCK_END.fullmatch(parts[i + 1]):
            text = LAST_TWO.sub(lambda m: KEPT.format(m.group(1)) + m.group(2), text)
        parts[i] = text
    return head + found + "".join(parts)


def _unbreakable() -> re.Pattern[str]:
    chinese = (w for w in i18n.fixed_words() if len(w) > 1 and LAST_TWO.search(w[-2:]))
    words = sorted(chinese, key=len, reverse=True)
    return re.compile("|".join([DATE, *(re.escape(w) for w in words)]))
