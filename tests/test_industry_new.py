"""`briefing industry new`: a scaffold that explains every field, which `briefing check` turns
into a to-do list, and which, filled in minimally, builds a briefing; docs/industries.md is
generated from the same field descriptions and is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pptx import Presentation

from briefing.cli import main
from briefing.project.industry_docs import render_reference
from briefing.project.playbook import Industry

from .conftest import REPO, copy_project, write

CLIENT = """\
    name: Lumi Skin
    industry: beauty
    contact: {name: Anna Berg, email: anna.berg@example.com}
    goals:
      - goal: Win 2,000 repeat buyers in our Tmall store
        kpi: repeat-buyers
        target: {value: 2000, unit: buyers}
        by: 2027-09-30
    cities: [Shanghai, Hangzhou]
    route_to_market: cross-border-ecommerce
    budget: {amount: 80000, currency: EUR, period: year}
"""
# The few lines a person writes into the scaffold: what a minimal playbook needs, with every
# tactic due by day 30 (so the roadmap's day-60 and day-90 columns are empty).
FILLED = {
    "summary: \n": "summary: Skincare buyers research on Xiaohongshu and buy on Tmall.\n",
    "routes: []\n": "routes: [cross-border-ecommerce]\n",
}
TACTICS = [
    ("xiaohongshu", "Seed notes on the serum with 30 skincare creators"),
    ("douyin", "Answer the most-asked ingredient questions in short videos"),
    ("taobao", "Open a Tmall Global store with a trial size"),
]
GOOD = {"xiaohongshu", "douyin", "taobao"}


def _fill(text: str) -> str:
    for old, new in FILLED.items():
        text = text.replace(old, new, 1)
    text = re.sub(
        r"^  ([a-z0-9-]+): \{score: , rationale: \}$",
        lambda m: (
            f"  {m[1]}: {{score: {5 if m[1] in GOOD else 1}, "
            f"rationale: {'Beauty buyers are here.' if m[1] in GOOD else 'Few beauty buyers.'}}}"
        ),
        text,
        flags=re.M,
    )
    for platform, tactic in TACTICS:
        for key, value in (("  - id", f"{platform}-first"), ("    platform", platform)):
            text = re.sub(rf"^{key}: *(#.*)?$", f"{key}: {value}", text, count=1, flags=re.M)
        text = re.sub(r"^    text: *(#.*)?$", f"    text: {tactic}", text, count=1, flags=re.M)
    text = re.sub(r"^    day: (60|90)$", "    day: 30", text, flags=re.M)
    return (
        text.replace("  - id:   #", "  - id: repeat-buyers  #", 1)
        .replace("    name:   #", "    name: Repeat buyers  #", 1)
        .replace("    unit:   #", "    unit: buyers  #", 1)
        .replace("    platforms: []  #", "    platforms: [taobao]  #", 1)
    )


def test_the_scaffold_explains_every_field_and_check_lists_what_to_fill(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["industry", "new", "beauty"]) == 0
    text = (project / "data/industries/beauty.yaml").read_text("utf-8")
    for name, info in Industry.model_fields.items():
        assert f"\n{name}:" in text and info.description in text, name
    assert main(["industry", "new", "beauty"]) == 2  # never over an existing file
    capsys.readouterr()
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"data/industries/beauty.yaml:\d+:\d+: summary: no value given", err)
    assert re.search(r"beauty.yaml:\d+:\d+: fit.douyin.score: no value given", err)


def test_a_minimal_new_industry_builds_a_briefing_with_empty_roadmap_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path / "project", clients=[])
    monkeypatch.chdir(project)
    assert main(["industry", "new", "beauty"]) == 0
    path = project / "data/industries/beauty.yaml"
    path.write_text(_fill(path.read_text("utf-8")), "utf-8")
    write(project / "data/clients/lumi-skin.yaml", CLIENT)
    assert main(["check"]) == 0, capsys.readouterr().err
    assert main(["build", "lumi-skin"]) == 0, capsys.readouterr().err
    out = project / "out/lumi-skin"
    assert (out / "lumi-skin-briefing.pdf").stat().st_size > 10_000
    deck = Presentation(str(out / "lumi-skin-deck.pptx"))
    texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    empty = [t for t in texts if re.search(r"No step is due by day (60|90)", t)]
    assert len(empty) == 2  # the day-60 and day-90 columns


def test_docs_industries_is_current() -> None:
    current = (REPO / "docs/industries.md").read_text(encoding="utf-8")
    assert current == render_reference(), "docs/industries.md is stale: run `make schemas`"
    for model in ("IndustryTactic", "Kpi", "Segment"):
        assert "| `routes` |" in current and model
