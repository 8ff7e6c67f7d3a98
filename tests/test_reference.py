"""The figures a plan computes from (data/benchmarks/, assumptions.yaml, calendar.yaml, fx.yaml):
loaded in both editions, every mistake reported at its file, line and field, all at once."""

from __future__ import annotations

from pathlib import Path

from briefing.build.pipeline import load_knowledge

from .conftest import settings_for, write

BROKEN_BENCHMARKS = """
benchmarks:
  - id: douyin-feed-cpm-2026
    platform: douyin
    measure: cpm
    name: In-feed ads
    low: 90
    high: 30
    unit: CNY per 1,000 impressions
    as_of: 2026-06-30
    source: Ocean Engine rate card
    url: https://www.oceanengine.com/
    confidence: medium
  - id: xiaohongshu-feed-cpm
    platform: xiaohongsu
    measure: cpm
    name: Feed ads
    low: 30
    high: 80
    unit: CNY per 1,000 impressions
    as_of: 2026-06-30
    source: Juguang
    confidence: low
"""


def problems_of(root: Path, lang: str = "en") -> list[str]:
    knowledge = load_knowledge(settings_for(root), lang)
    return [str(p) for p in [*knowledge.problems, *knowledge.translation]]


def test_the_reference_data_loads_in_both_editions(project: Path) -> None:
    for lang in ("en", "zh-CN"):
        knowledge = load_knowledge(settings_for(project), lang)
        reference = knowledge.kb.reference
        assert reference.benchmarks and reference.assumptions and reference.moments
        assert {"CNY", "EUR", "USD"} <= set(reference.fx)
    new_year = knowledge.kb.reference.moments[0]
    assert new_year.on(2027).start.isoformat() == "2027-02-06"  # type: ignore[union-attr]
    assert "春节" in new_year.name


def test_every_benchmark_mistake_is_located(project: Path) -> None:
    write(project / "data/benchmarks/douyin.yaml", BROKEN_BENCHMARKS)
    found = problems_of(project)
    path = "data/benchmarks/douyin.yaml"
    assert any(p.startswith(f"{path}:2:") and "low (90) is above high (30)" in p for p in found)
    assert any(p.startswith(f"{path}:14:") and "unknown platform 'xiaohongsu'" in p for p in found)
    assert f"{path}:13:5: benchmarks[1].url: required field is missing" in found
    assert any("id 'xiaohongshu-feed-cpm' is used again" in p for p in found)


def test_a_budget_currency_without_a_rate_is_refused_at_the_brief(project: Path) -> None:
    brief = project / "data/clients/maison-aurele.yaml"
    brief.write_text(brief.read_text("utf-8").replace("currency: EUR", "currency: SEK"), "utf-8")
    [problem] = [p for p in problems_of(project) if "exchange rate" in p]
    assert problem.startswith("data/clients/maison-aurele.yaml:")
    assert "budget.currency: no exchange rate for SEK in data/fx.yaml" in problem


def test_a_missing_calendar_translation_is_reported(project: Path) -> None:
    sibling = project / "data/calendar.zh-CN.yaml"
    text = sibling.read_text("utf-8")
    start = text.index("- id: chinese-new-year")
    end = text.index("- id:", start + 5)
    sibling.write_text(text[:start] + text[end:], "utf-8")
    found = problems_of(project, "zh-CN")
    assert "data/calendar.yaml:10:11: moments[0].name: no zh-CN translation in " in "\n".join(found)
