"""Chinese line breaking in the PDF: a date, a fixed word or a block's last character never
stands alone on a line (report.css keeps ``.nobr`` spans on one line)."""

from __future__ import annotations

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
        "<body><p>负责方：代理机构，2028年3月31日前完成，此后每月复盘一次。</p></body>"  # noqa: RUF001
    )
    kept = keep_chinese_together(html)
    assert KEPT.format("2028年3月31日") in kept and KEPT.format("代理机构") in kept
    assert "<title>2028年3月31日</title>" in kept  # the head is text only


def test_a_block_never_ends_on_one_character(chinese: object) -> None:
    kept = keep_chinese_together("<body><p>其余为假设。</p><li>见风险页</li></body>")
    assert KEPT.format("假设。") + "</p>" in kept
    assert KEPT.format("险页") + "</li>" in kept


def test_table_cells_keep_their_breaks_and_tags_their_attributes(chinese: object) -> None:
    """A table's columns are set: a date kept whole would overrun its cell."""
    html = (
        '<body><td class="by">2028年3月31日</td>'
        '<p><img alt="2027年10月31日">完成于2027年10月</p></body>'
    )
    kept = keep_chinese_together(html)
    assert '<td class="by">2028年3月31日</td>' in kept
    assert 'alt="2027年10月31日"' in kept
    assert KEPT.format("2027年10月") in kept


def test_english_is_left_alone() -> None:
    html = "<body><p>By 31 March 2028, the agency.</p></body>"
    assert keep_chinese_together(html) == html


def test_no_closing_mark_hangs_past_a_deck_box(chinese: object) -> None:
    """LibreOffice and PowerPoint hang a full-width comma past the margin by default; the
    fitter keeps it with the character before it, so the deck turns hanging off (qa-briefs
    1:0, 1:5, 1:9, 1:11: a comma drawn past a table's edge)."""

    from pptx import Presentation

    from briefing.render.fit import Fonts
    from briefing.render.pptx_parts import set_run_fonts

    deck = Presentation()
    box = deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_textbox(0, 0, 100, 100)
    run = box.text_frame.paragraphs[0].add_run()
    run.text = "触达庞大的日常用户，并把复购顾客沉淀到社群。"  # noqa: RUF001
    set_run_fonts(run, Fonts("DejaVu Sans", "Noto Sans CJK SC"), 12)
    assert box.text_frame.paragraphs[0]._p.pPr.get("hangingPunct") == "0"
