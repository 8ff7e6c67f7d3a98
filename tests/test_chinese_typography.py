"""Chinese line breaking in the PDF: a date, a fixed word or a block's last character never
stands alone on a line (report.css keeps ``.nobr`` spans on one line)."""

from __future__ import annotations

import itertools
import re

import pytest

from briefing.render.html import keep_chinese_together
from briefing.themes import i18n
from briefing.themes.theme import resolve

from .conftest import REPO

KEPT = '<span class="nobr">{}</span>'


@pytest.fixture
def chinese() -> object:
    theme = resolve("default", REPO)
    with i18n.language(i18n.load_catalog(theme.dirs, "zh-CN", REPO)) as catalog:
        yield catalog


def test_dates_and_fixed_words_stay_on_one_line(chinese: object) -> None:
    html = (
        "<head><title>2028年3月31日</title></head>"
        "<body><p>负责方：我方，2028年3月31日前完成，此后每月复盘一次。</p></body>"  # noqa: RUF001
    )
    kept = keep_chinese_together(html)
    assert KEPT.format("2028年3月31日") in kept and KEPT.format("我方") in kept
    assert "<title>2028年3月31日</title>" in kept  # the head is text only


def test_a_block_never_ends_on_one_character(chinese: object) -> None:
    kept = keep_chinese_together("<body><p>其余输入均为假设。</p><li>详情见风险评估页</li></body>")
    assert KEPT.format("假设。") + "</p>" in kept
    assert KEPT.format("估页") + "</li>" in kept


def test_table_cells_keep_their_breaks_and_tags_their_attributes(chinese: object) -> None:
    """A table's columns are set: a whole date would overrun a narrow cell, so a cell may break
    a date after its month (never inside '3月' or '31日')."""
    html = (
        '<body><td class="by">2028年3月31日</td>'
        '<p><img alt="2027年10月31日">完成于2027年10月</p></body>'
    )
    kept = keep_chinese_together(html)
    assert f'<td class="by">{KEPT.format("2028年3月")}{KEPT.format("31日")}</td>' in kept
    assert 'alt="2027年10月31日"' in kept
    assert KEPT.format("2027年10月") in kept


def test_cells_keep_terms_and_numbers_with_their_units_whole(chinese: object) -> None:
    """The review of 2026-12-07 saw '极|光季', '6.28|万次收藏', '可退保|证金', '2027年9|月' in
    the PDF's table cells, where nothing was kept together."""
    html = (
        "<body><table><tr><th>2026年12月至2027年9月</th></tr><tr>"
        "<td>较2026/27极光季增长30%</td><td>1.07万至6.28万次收藏</td>"
        "<td>2,000至5万元/店（可退保证金）</td></tr></table></body>"  # noqa: RUF001
    )
    kept = keep_chinese_together(html)
    spans = re.findall(r'<span class="nobr">(.*?)</span>', kept)
    for whole in ("2027年9月", "2026/27极光季", "6.28万次收藏", "（可退保证金）"):  # noqa: RUF001
        assert any(whole in span for span in spans), (whole, spans)


def test_the_body_tags_attributes_are_left_alone(chinese: object) -> None:
    """The running header reads the client's name from the body tag: no markup in it."""
    html = '<body data-client="北极光旅行 Nordlys Travel"><p>北极光旅行</p></body>'
    assert keep_chinese_together(html).startswith('<body data-client="北极光旅行 Nordlys Travel">')


def test_english_is_left_alone() -> None:
    html = "<body><p>By 31 March 2028, the agency.</p></body>"
    assert keep_chinese_together(html) == html


def test_no_closing_mark_hangs_past_a_deck_box(chinese: object) -> None:
    """LibreOffice and PowerPoint hang a full-width comma past the margin by default; the
    fitter keeps it with the character before it, so the deck turns hanging off (qa-briefs
    1:0, 1:5, 1:9, 1:11: a comma drawn past a table's edge)."""

    from pptx import Presentation

    from briefing.render.fit import FacePair
    from briefing.render.pptx_parts import set_run_fonts

    deck = Presentation()
    box = deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_textbox(0, 0, 100, 100)
    run = box.text_frame.paragraphs[0].add_run()
    run.text = "触达庞大的日常用户，并把复购顾客沉淀到社群。"  # noqa: RUF001
    set_run_fonts(run, FacePair("DejaVu Sans", "Noto Sans CJK SC"), 12)
    assert box.text_frame.paragraphs[0]._p.pPr.get("hangingPunct") == "0"


def test_a_charts_labels_are_left_alone(chinese: object) -> None:
    """An inline SVG's <text> takes no HTML span: the review of 2026-12-07 found the audience
    chart gone from the Chinese PDF (a kept date, '2025年9月', in a bar's label broke the SVG)
    and the fit chart's labels spilled as one line of text under an empty box."""
    labels = "<text>14.14亿 2025年9月</text><text>适配度评分</text>"
    svg = f'<svg viewBox="0 0 10 10">{labels}</svg>'
    html = f"<body><figure>{svg}<figcaption>本计划推荐未列入计划的平台</figcaption></figure></body>"
    kept = keep_chinese_together(html)
    assert svg in kept
    assert "<figcaption>" in kept and "nobr" in kept.split("</svg>")[1]


def test_the_deck_breaks_a_chinese_cell_between_words_with_breaks_it_writes(
    chinese: object,
) -> None:
    """LibreOffice and PowerPoint break Chinese between any two characters and honour no joiner
    (U+2060 and eaLnBrk=0 tried: '6.28|万次收藏', '2028年3月31|日' on deck slide 3), so the deck
    writes the lines its measure chose, with line breaks at the text's size."""
    from lxml import etree
    from pptx import Presentation
    from pptx.util import Pt

    from briefing.render.fit import FacePair, text_width, wrap
    from briefing.render.pptx_parts import add_table

    fonts = FacePair("DejaVu Sans", "Noto Sans CJK SC")
    width = text_width("1.07万至6.28万次", fonts, 14) + 1  # room to split '6.28万次|收藏'
    assert wrap("1.07万至6.28万次收藏", fonts, 14, width) == ["1.07万至", "6.28万次收藏"]
    narrow = text_width("2028年3月", fonts, 14) + 1
    assert wrap("2028年3月31日", fonts, 14, narrow) == ["2028年3月", "31日"]

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    box = (Pt(48), Pt(126), Pt(300), Pt(100))
    add_table(slide, box, ["期限"], [["2028年3月\v31日"]], [300], [26, 40], fonts, 14)
    cell = next(s for s in slide.shapes if s.has_table).table.cell(1, 0)
    paragraph = cell.text_frame.paragraphs[0]._p
    assert [r.text for r in paragraph.iterfind(".//{*}t")] == ["2028年3月", "31日"]
    br = paragraph.find("{*}br")
    assert br is not None and etree.QName(br.find("{*}rPr")).localname == "rPr"
    assert br.find("{*}rPr").get("sz") == "1400"


def test_a_term_wider_than_its_line_keeps_its_last_two_characters(chinese: object) -> None:
    """A kept term wider than a narrow cell breaks (the table is not shrunk for it), but not
    before its last character ('2.25万条线|索'); the fitter counts the lines the deck draws."""
    from briefing.render.fit import FacePair, line_count, text_width, widest_word, wrap

    fonts = FacePair("Noto Sans CJK SC", "Noto Sans CJK SC")
    narrow = text_width("2.25万条线", fonts, 14) + 1
    assert wrap("2.25万条线索", fonts, 14, narrow) == ["2.25万条", "线索"]
    assert line_count("2.25万条线索", fonts, 14, narrow) == 2
    assert widest_word("2.25万条线索", fonts, 14) == text_width("2.25", fonts, 14)
    for text in ("代理机构社交媒体团队负责", "2028年3月31日前完成 Orchard 冷压果汁的首发"):
        for width in (60.0, 90.0, 140.0):
            assert line_count(text, fonts, 14, width) == len(wrap(text, fonts, 14, width))


def test_the_deck_breaks_chinese_between_words_a_dictionary_finds(chinese: object) -> None:
    """The native review of the new deck (2026-12-07): our own breaks fell inside words
    ('现场扫|码', '中|国大陆', '客|源'); a line now breaks only between words."""
    from briefing.render.fit import FacePair, text_width, wrap

    fonts = FacePair("Noto Sans CJK SC", "Noto Sans CJK SC")
    text = "现场扫码即可打开中国大陆全渠道预订量其余时段客源不足"
    words = ("扫码", "中国", "大陆", "渠道", "预订量", "时段", "客源", "不足")
    for n in range(4, 12):  # boxes from four to eleven ideographs wide
        lines = wrap(text, fonts, 10.0, text_width("字" * n, fonts, 10.0) * 1.0001)
        assert "".join(lines) == text
        for left, right in itertools.pairwise(lines):
            assert not any(left.endswith(w[:k]) and right.startswith(w[k:])
                           for w in words for k in range(1, len(w))), (n, lines)  # fmt: skip


def test_a_cell_keeps_each_chinese_word_whole(chinese: object) -> None:
    """The native review of 2026-12-07 (second round) still saw '中国大陆全渠道预|订量' and
    '代理机构社交媒|体团队' in the PDF's goals table: a cell keeps every word whole."""
    kept = keep_chinese_together(
        "<body><table><tr><td>中国大陆全渠道预订量</td><td>代理机构社交媒体团队</td></tr></table>"
        "<p>中国大陆全渠道预订量</p></body>"
    )
    spans = re.findall(r'<span class="nobr">(.*?)</span>', kept)
    for word in ("中国", "大陆", "渠道", "预订量", "代理", "机构", "社交", "媒体", "团队"):
        assert word in spans, (word, spans)
    assert "<p>中国大陆全渠道预" in kept  # running text breaks as before: its lines are long


def test_a_quarter_spells_its_number_in_chinese() -> None:
    """CLDR writes 2025年第3季度; the data and a Chinese business text write 第三季度."""
    import datetime as dt

    assert i18n.quarter(dt.date(2025, 9, 30), lang="zh-CN") == "2025年第三季度"
    assert i18n.quarter(dt.date(2026, 1, 2), lang="zh-CN") == "2026年第一季度"
    assert i18n.quarter(dt.date(2025, 9, 30), lang="en") == "Q3 2025"


def test_names_days_and_ranges_stay_whole_and_no_line_starts_with_de(chinese: object) -> None:
    """The second native review of 2026-12-07: '北极光|旅行', 'Voltera|Motors', '第|60天前',
    a range of weeks split at its tilde and a line starting with 的 in the deck's own breaks."""
    from briefing.render.breaks import keep_names
    from briefing.render.fit import FacePair, text_width, wrap

    fonts = FacePair("Noto Sans CJK SC", "Noto Sans CJK SC")
    long = "海风北雪松金华云海远新星雪北山石海德德山河德林北"  # make qa-briefs 27:1: past the page
    assert keep_names(["北极光旅行", "Voltera Motors", "", long]) == (
        "Voltera Motors",
        "北极光旅行",
    )
    text = (
        "其中三项由北极光旅行的团队牵头，Voltera Motors 在假期前6～8周发布"  # noqa: RUF001
        "（第60天前）应用上选定的。"  # noqa: RUF001
    )
    whole = ("北极光旅行", "Voltera Motors", "6～8周", "第60天前")  # noqa: RUF001
    try:
        for n in range(8, 16):  # from where the longest name fits a line
            lines = wrap(text, fonts, 10.0, text_width("字" * n, fonts, 10.0) * 1.0001)
            joined = "\n".join(lines)
            assert all(w in joined for w in whole), (n, lines)
            assert not any(line.startswith("的") for line in lines), (n, lines)
    finally:
        keep_names([])


def test_kept_wraps_follow_the_names_kept_and_the_language() -> None:
    """The deck's measurements are kept by text, size and width: the same Chinese line must
    wrap anew once a name is kept, and again once it is not, and in English by English
    rules (each wrap equals one made with nothing kept)."""
    from briefing.render import breaks, fit

    fonts = fit.FacePair("Noto Sans CJK SC", "Noto Sans CJK SC")
    text = "团队牵头，Voltera Motors 在假期前"  # noqa: RUF001
    width = fit.text_width("字" * 10, fonts, 10.0) * 1.0001

    def fresh(text: str = text, width: float = width) -> list[str]:
        fit._wrapped_by.cache_clear()
        return fit.wrap(text, fonts, 10.0, width)

    title = "企业微信接口开启收费模式"  # a source's title: by words in Chinese only
    narrow = fit.text_width("字" * 5, fonts, 10.0) * 1.0001

    theme = resolve("default", REPO)
    with i18n.language(i18n.load_catalog(theme.dirs, "zh-CN", REPO)):
        breaks.keep_names(())
        before = fit.wrap(text, fonts, 10.0, width)
        assert before == fresh()
        try:
            breaks.keep_names(["Voltera Motors"])
            kept = fit.wrap(text, fonts, 10.0, width)
            assert kept == fresh() and "Voltera Motors" in kept, kept
            assert "Voltera Motors" not in before, before  # broken when not kept
        finally:
            breaks.keep_names(())
        assert fit.wrap(text, fonts, 10.0, width) == before
        chinese = fit.wrap(title, fonts, 10.0, narrow)
        assert chinese == fresh(title, narrow)
    english = fit.wrap(title, fonts, 10.0, narrow)
    assert english == fresh(title, narrow) and english != chinese, (english, chinese)


def test_an_english_edition_reads_no_dictionary_and_keeps_a_chinese_name_whole() -> None:
    """An English deck names platforms in both scripts ('Xiaohongshu 小红书'): the name stays
    one piece, a longer Chinese title breaks anywhere, and jieba's dictionary (~0.7 s to load
    in every build process) is never consulted."""
    from briefing.render import breaks

    breaks.keep_names(())  # no names kept from a Chinese edition this worker laid out before
    asked = breaks._dictionary_words.cache_info()
    pieces = breaks.break_units("Xiaohongshu 小红书 and 企业微信接口开启收费模式")
    assert pieces == ["Xiaohongshu ", "小红书", " ", "and ", *"企业微信接口开启收费", "模式"]
    now = breaks._dictionary_words.cache_info()
    assert (now.hits, now.misses) == (asked.hits, asked.misses)


def test_only_a_chinese_edition_loads_the_dictionary_before_its_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``render.warm_up`` runs in the build process before its renders fork."""
    from briefing import render
    from briefing.render import breaks

    loaded: list[str] = []
    monkeypatch.setattr(breaks, "load_dictionary", lambda: loaded.append(i18n.lang()))
    render.warm_up()  # English, the default
    theme = resolve("default", REPO)
    with i18n.language(i18n.load_catalog(theme.dirs, "zh-CN", REPO)):
        render.warm_up()
    assert loaded == ["zh-CN"]
