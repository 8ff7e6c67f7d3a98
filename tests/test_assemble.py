"""Tailoring: ranking by fit and focus, exclusions, articles and freshness, on the frozen sample
data (tests/roots/sample); what the shipped data/ must hold is in test_shipped_data.py."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pytest

from briefing.assemble import assemble, rank_platforms
from briefing.build.pipeline import stale_warnings
from briefing.errors import DataError
from briefing.project.knowledge import KnowledgeBase
from briefing.project.load import load_project
from briefing.project.validate import validate
from briefing.render.html import render_html
from briefing.themes.theme import resolve

from .conftest import REPO, SAMPLE, TODAY, settings_for, write


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    knowledge, problems = validate(load_project(SAMPLE))
    assert problems == []
    return knowledge


def top3(kb: KnowledgeBase, client_id: str) -> list[str]:
    return [r.id for r in rank_platforms(kb, client_id, TODAY)[:3]]


def test_luxury_puts_wechat_and_xiaohongshu_in_its_top_three(kb: KnowledgeBase) -> None:
    assert {"wechat", "xiaohongshu"} <= set(top3(kb, "maison-aurele"))


def test_focus_platforms_come_first(kb: KnowledgeBase) -> None:
    assert top3(kb, "maison-aurele")[0] == "xiaohongshu"
    assert top3(kb, "stormglass-studios")[0] == "bilibili"


def test_discontinued_platforms_are_never_recommended(project: Path) -> None:
    write(
        project / "data/clients/retro.yaml",
        """
        name: Retro Co
        industry: b2b-tech
        contact: {name: Ann, email: ann@example.com}
        focus_platforms: [linkedin-china, tencent-weibo]
    """,
    )
    kb, problems = validate(load_project(project))
    assert problems == []
    briefing = assemble(kb, "retro", today=TODAY)
    assert {r.id for r in briefing.recommended}.isdisjoint({"linkedin-china", "tencent-weibo"})
    closed = {a.id for a in briefing.avoid if a.kind == "closed"}
    assert {"linkedin-china", "tencent-weibo", "netease-weibo"} <= closed


def test_b2b_briefing_explains_linkedin_and_the_alternatives(kb: KnowledgeBase) -> None:
    briefing = assemble(kb, "northwind-robotics", today=TODAY)
    html = render_html(briefing, resolve("default", REPO))
    footnote = html[html.index('<p class="footnote">Closed: ') :]
    footnote = footnote[: footnote.index("</p>")]
    assert "LinkedIn China (9 August 2023; use instead: WeCom and Maimai" in footnote
    # Sohu Weibo is dormant: nothing sources a closure, so it is not listed as closed at all
    assert "Sohu Weibo" not in footnote


def test_a_closure_without_a_date_says_so(kb: KnowledgeBase) -> None:
    """A discontinued platform without a closure date is footnoted 'date unconfirmed'."""
    undated = kb.platforms["netease-weibo"].model_copy(update={"discontinued": None})
    changed = dataclasses.replace(kb, platforms={**kb.platforms, "netease-weibo": undated})
    html = render_html(
        assemble(changed, "northwind-robotics", today=TODAY), resolve("default", REPO)
    )
    footnote = html[html.index('<p class="footnote">Closed: ') :]
    assert "NetEase Weibo (date unconfirmed" in footnote[: footnote.index("</p>")]


def test_a_changed_fit_score_changes_the_ranking(project: Path) -> None:
    path = project / "data/industries/gaming.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  zhihu:\n    score: 2", "  zhihu:\n    score: 5"), encoding="utf-8"
    )
    kb, _ = validate(load_project(project))
    assert top3(kb, "stormglass-studios") == ["bilibili", "douyin", "zhihu"]


def test_articles_are_chosen_by_industry(kb: KnowledgeBase) -> None:
    b2b = [a.slug for a in assemble(kb, "northwind-robotics", today=TODAY).articles]
    luxury = [a.slug for a in assemble(kb, "maison-aurele", today=TODAY).articles]
    assert "professional-networking-in-china" in b2b
    assert "xiaohongshu-seeding" not in b2b
    assert "professional-networking-in-china" not in luxury
    [article] = assemble(kb, "maison-aurele", today=TODAY).articles
    assert "xiaohongshu" in article.meta.platforms  # the luxury plan starts there


def test_stale_figures_warn_and_strict_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fixture figures with fixed dates: the real data's ages never decide a test."""
    root = tmp_path / "figures"
    shutil.copytree(Path(__file__).parent / "roots/figures", root)
    kb, problems = validate(load_project(root))
    assert problems == []
    briefing = assemble(kb, "tester", today=TODAY)  # the default limit: 12 months
    with caplog.at_level(logging.WARNING, logger="briefing"):
        messages = stale_warnings(briefing, settings_for(root))
    assert messages == [
        "data/platforms/alpha.yaml: DAU as of 2024-06-30 is older than 12 months (shown as dated)",
        "data/platforms/beta.yaml: MAU as of 2020-08-31 is older than 12 months (shown as dated)",
    ]
    assert messages == [r.getMessage() for r in caplog.records]
    fresh = [s for s in briefing.sources if not s.stale]
    assert [s.metric.as_of.isoformat() for s in fresh] == ["2026-06-30"]
    with pytest.raises(DataError, match=r"alpha\.yaml"):
        stale_warnings(briefing, settings_for(root, strict=True))


def test_stale_figures_are_marked_in_the_outputs(kb: KnowledgeBase) -> None:
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck

    briefing = assemble(kb, "northwind-robotics", today=TODAY)
    theme = resolve("default", REPO)
    html = render_html(briefing, theme)
    # every dated figure is marked where the sources are listed; elsewhere only the one
    # audience figure a platform's evidence shows is (issue 30: "dated" is the exception)
    sources_part = html[html.index('<section id="sources"') :]
    sources_part = sources_part[: sources_part.index("</section>")]
    stale = sum(s.stale for s in briefing.sources)
    assert stale > 0
    assert sources_part.count('class="dated"') == 1 + stale  # and the mark in its legend
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    sources = next(s for s in plan.slides if s.table and "Confidence" in s.table.columns)
    assert any("(dated)" in row[2] for row in sources.table.rows)
