"""Language is a parameter of the rendering, not of the plan: the plan is the same data
(ids, numbers, dates, the data's own text and fixed keys) whatever language is active, and
the templates word it in each edition with the catalogs and Babel's formatters."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from briefing.assemble import assemble
from briefing.assemble.plan import NextStep
from briefing.build.pipeline import client_knowledge, load_knowledge
from briefing.project.knowledge import KnowledgeBase
from briefing.project.model import Briefing
from briefing.render.context import template_context
from briefing.render.html import render_html
from briefing.themes import i18n, templating
from briefing.themes.theme import Theme, resolve

from .conftest import REPO, SAMPLE_CLIENTS, TODAY, copy_project, settings_for

ZH = "zh-CN"
CLIENT = "nordlys-travel"


class Marked(i18n.Catalog):
    """A catalog that marks every message it is asked for: a plan that asked would show it."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("plan-language"))


def knowledge(root: Path, lang: str, client: str = CLIENT) -> KnowledgeBase:
    return client_knowledge(load_knowledge(settings_for(root, lang=lang), lang), client)


def chinese_catalog(root: Path) -> i18n.Catalog:
    return i18n.load_catalog(resolve("default", root).dirs, ZH, root)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_the_plan_is_the_same_whatever_language_is_active(root: Path, client: str) -> None:
    kb = knowledge(root, "en", client)
    plans = []
    for catalog in (i18n.ENGLISH, chinese_catalog(root), Marked("zh-CN"), Marked("en")):
        with i18n.language(catalog):
            briefing = assemble(kb, client, today=TODAY)
        plans.append(json.dumps(briefing.model_dump(mode="json"), ensure_ascii=False))
    assert plans[1:] == plans[:1] * 3  # the whole briefing, plan included
    assert "⟦" not in plans[2]  # nothing assembled asked a catalog for words


def test_the_plan_names_next_steps_by_kind_and_id(root: Path) -> None:
    kb = knowledge(root, "en")
    plan = assemble(kb, CLIENT, today=TODAY).plan
    assert plan is not None
    recommended = [p.id for p in plan.group("recommended")]
    kinds = [step.kind for step in plan.next_steps]
    assert kinds[:2] == ["approve", "confirm-budget"]
    assert plan.next_steps[0].platforms == recommended
    owner = next(step for step in plan.next_steps if step.kind == "name-owner")
    assert owner.tactic is not None and plan.tactic(owner.tactic).owner == "client"
    # every value is a key, an id, a number or a date: no sentence
    ids = {*plan.tactics, *(t.id for ts in plan.tactics.values() for t in ts)}
    for step in plan.next_steps:
        for value in step.model_dump().values():
            assert not isinstance(value, str) or value in ids or value == step.kind, value
    assert plan.closer is None or plan.closer in recommended
    assert {line.platform for line in plan.budget.lines} - {None} == set(recommended)
    assert plan.budget.step in (1000, 100) and plan.weight == 1.5
    watch_risks = [r for r in plan.risks if r.platform_id]
    assert all(r.mitigation is None for r in watch_risks)


def plain_goal_and_no_budget(kb: KnowledgeBase) -> None:
    """The two next steps no sample needs: a goal without a KPI, and a budget to set."""
    client = kb.clients[CLIENT]
    kb.clients[CLIENT] = client.model_copy(
        update={"budget": None, "goals": [*client.goals, "Be known for winter light"]}
    )


def deck_text(briefing: Briefing, theme: Theme) -> str:
    env = templating.environment(theme, "yaml")
    return templating.render_template(theme, env, "deck.yaml.j2", template_context(briefing, theme))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Approve the platforms we recommend: ",
                "Set a budget: the goals need at least ",
                "Set a KPI and a target for the goal 'Be known for winter light'.",
                "Name an owner on your side to ",
            ],
        ),
        (
            ZH,
            [
                "确认我们推荐的平台：",  # noqa: RUF001
                "请确定预算：实现这些目标每季度至少需要",  # noqa: RUF001
                "为目标“Be known for winter light”设定 KPI 和目标值。",
                "请指定一位贵司负责人牵头：",  # noqa: RUF001
            ],
        ),
    ],
)
def test_each_edition_words_every_kind_of_next_step(
    root: Path, lang: str, expected: list[str]
) -> None:
    kb = knowledge(root, lang)
    plain_goal_and_no_budget(kb)
    theme = resolve("default", root)
    catalog = chinese_catalog(root) if lang == ZH else i18n.ENGLISH
    briefing = assemble(kb, CLIENT, today=TODAY)  # outside any language
    with i18n.language(catalog):
        html = render_html(briefing, theme).replace("&#39;", "'")
        html = re.sub(r'<span class="nobr">(.*?)</span>', r"\1", html)  # line-breaking hints
        deck = deck_text(briefing, theme)
    for text in expected:
        assert text in html, text
        assert text in deck, text
    assert ("No budget was given." if lang == "en" else "尚未给出预算") in html  # the minimum


def test_the_budget_rule_and_notes_are_worded_where_rendered(root: Path) -> None:
    """The weighting, the watch point, the left-out note and the watch mitigation."""
    kb = knowledge(root, "en", "maison-aurele")
    briefing = assemble(kb, "maison-aurele", today=TODAY)
    plan = briefing.plan
    assert plan is not None and plan.weight == 1.5
    theme = resolve("default", root)
    html = render_html(briefing, theme)
    assert "those a goal needs weighted 1.5 times" in html
    assert {p.note for p in plan.placed} >= {None, "watch"}
    assert "Watch point: " in html
    if any(p.note == "cut" for p in plan.placed):
        assert "(Left out: the budget cannot also give it its minimum workable spend.)" in html
    watch_risks = [r for r in plan.risks if r.platform_id]
    assert watch_risks
    for risk in watch_risks:
        name = plan.platform(risk.platform_id).name
        assert f"Keep {name} in the plan and review this every quarter" in html


def test_an_industry_name_keeps_its_capitals_mid_sentence(root: Path) -> None:
    """'B2B and technology' mid-sentence, not 'b2b and technology' (str.lower() did that)."""
    kb = knowledge(root, "en", "northwind-robotics")
    briefing = assemble(kb, "northwind-robotics", today=TODAY)
    deck = deck_text(briefing, resolve("default", root))
    assert "from the B2B and technology playbook" in deck


def test_a_next_step_is_data() -> None:
    step = NextStep(kind="set-kpi", goal=2)
    assert step.model_dump() == {
        "kind": "set-kpi",
        "platforms": [],
        "goal": 2,
        "tactic": None,
        "more": 0,
    }


# Babel's formatters, in the language they are given ---------------------------------------


MARCH_31, SEPTEMBER_30 = dt.date(2025, 3, 31), dt.date(2025, 9, 30)
FORMATTED = [  # (formatter, its arguments, English, Chinese): the strings the house writes
    (i18n.date, (MARCH_31,), {}, "31 March 2025", "2025年3月31日"),
    (i18n.date, (MARCH_31, "month"), {}, "Mar 2025", "2025年3月"),
    (i18n.date, (SEPTEMBER_30, "month"), {}, "Sep 2025", "2025年9月"),  # not en_GB's 'Sept'
    (i18n.date, ("2014-11",), {}, "November 2014", "2014年11月"),
    (i18n.date, ("2014",), {}, "2014", "2014年"),
    (i18n.quarter, (MARCH_31,), {}, "Q1 2025", "2025年第一季度"),
    (i18n.join_and, ("ABC",), {}, "A, B and C", "A、B和C"),
    (i18n.join_and, ("ABC", "or"), {}, "A, B or C", "A、B或C"),
    (i18n.join_and, ("A",), {}, "A", "A"),
    (i18n.number, (1_402_000_000,), {}, "1,402 million", "14.02亿"),
    (i18n.number, (2_500_000,), {"full": True}, "2,500,000", "250万"),
    (i18n.spell, (2,), {}, "two", "两"),
    (i18n.possessive, ("Nordlys Travel",), {}, "Nordlys Travel's", "Nordlys Travel的"),
]


@pytest.mark.parametrize(("function", "args", "kwargs", "english", "chinese"), FORMATTED)
def test_formatters_write_the_language_they_are_given(
    function, args: tuple, kwargs: dict, english: str, chinese: str
) -> None:
    with i18n.language(Marked("zh-CN")):  # the active language does not matter
        assert function(*args, **kwargs, lang="en") == english
    assert function(*args, **kwargs, lang=ZH) == chinese


def test_a_filter_takes_the_edition_from_the_template_context() -> None:
    """The filters format in the context's ``lang``, whatever catalog is active."""
    template = templating.environment(resolve("default", REPO), "html").from_string(
        "{{ day | date }} · {{ day | quarter }} · {{ names | join_and }} · {{ 150000 | number }}"
    )
    values = {"day": dt.date(2025, 3, 31), "names": ["A", "B", "C"]}
    assert template.render(lang="en", **values) == "31 March 2025 · Q1 2025 · A, B and C · 150,000"
    assert template.render(lang=ZH, **values) == "2025年3月31日 · 2025年第一季度 · A、B和C · 15万"
