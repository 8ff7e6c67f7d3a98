"""The plan with numbers, on the plan alone (no rendering): goals choose platforms, budget lines
add up exactly, forecasts never fall as the budget grows, the roadmap reaches the last
deadline, and the calendar's dates are the published ones."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from briefing.assemble import assemble, timeline
from briefing.assemble import budget as budgets
from briefing.assemble import forecast as forecasts
from briefing.assemble.plan import build_plan
from briefing.build.pipeline import build, load_knowledge
from briefing.project.model import Budget, Goal
from briefing.render.plan_json import PlanData

from .conftest import SAMPLE_CLIENTS, TODAY, copy_project, settings_for

# Chinese New Year (Hong Kong Observatory tables), and the fixed-date shopping festivals
CALENDAR = {
    ("chinese-new-year", 2027): dt.date(2027, 2, 6),
    ("chinese-new-year", 2028): dt.date(2028, 1, 26),
    ("five-twenty", 2027): dt.date(2027, 5, 20),
    ("five-twenty", 2028): dt.date(2028, 5, 20),
    ("six-eighteen", 2027): dt.date(2027, 6, 18),
    ("six-eighteen", 2028): dt.date(2028, 6, 18),
    ("double-eleven", 2027): dt.date(2027, 11, 11),
    ("double-eleven", 2028): dt.date(2028, 11, 11),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):
    root = copy_project(tmp_path_factory.mktemp("numbers") / "project")
    knowledge = load_knowledge(settings_for(root), "en")
    assert not knowledge.problems, knowledge.problems
    return knowledge.kb


def plan_of(kb, client_id: str, **changes: object):
    client = kb.clients[client_id].model_copy(update=changes)
    industry = kb.industries[client.industry]
    return build_plan(client, industry, kb.platforms, TODAY, kb.reference)


@pytest.mark.parametrize("client_id", SAMPLE_CLIENTS)
def test_every_goal_has_a_recommended_platform_where_its_kpi_is_measured(kb, client_id) -> None:
    plan = plan_of(kb, client_id)
    recommended = {p.id for p in plan.group("recommended")}
    for goal in plan.goals:
        if goal.kpi is None:
            continue
        assert goal.platforms, f"{client_id}: {goal.kpi.id} has no platform"
        assert set(goal.platforms) <= recommended & set(goal.kpi.platforms)


def period_amounts(plan) -> list[int]:
    return [
        sum(line.amount for line in plan.budget.lines if line.period == period)
        for period in sorted({line.period for line in plan.budget.lines})
    ]


def quarters_in(plan, period: int) -> int:
    return len({line.quarter for line in plan.budget.lines if line.period == period})


@pytest.mark.parametrize("client_id", SAMPLE_CLIENTS)
def test_each_budget_period_adds_up_to_the_brief_exactly(kb, client_id) -> None:
    """A whole period in the plan's window is the brief's amount exactly; one the window
    covers only in part, its share by days; the total is their sum, to the last deadline."""
    plan = plan_of(kb, client_id)
    money, brief = plan.budget, kb.clients[client_id].budget
    assert brief is not None
    per_period = brief.amount * (3 if brief.period == "month" else 1)
    amounts = period_amounts(plan)
    assert all(0 < amount <= per_period for amount in amounts), (client_id, amounts)
    if brief.period == "campaign":
        assert amounts == [per_period]
    assert money.total == sum(line.amount for line in money.lines) == sum(amounts)
    assert abs(money.total - brief.amount * money.periods) <= brief.amount * 0.01
    last = max(line.quarter for line in money.lines)
    assert last == timeline.Quarter.of(plan.end).id  # nothing is spent after the deadline


@pytest.mark.parametrize("period", ["month", "quarter", "year", "campaign"])
@pytest.mark.parametrize("amount", [9_999, 150_000, 2_500_001])
def test_any_budget_shape_adds_up(kb, period: str, amount: float) -> None:
    brief = Budget(amount=amount, currency="USD", period=period)
    plan = plan_of(kb, "nordlys-travel", budget=brief)
    per_period = amount * (3 if period == "month" else 1)
    amounts = period_amounts(plan)
    full = {"year": 4}.get(period, 1)
    for index, total in enumerate(amounts):
        if period == "campaign":
            assert total == per_period
        elif quarters_in(plan, index) == full and index not in (0, len(amounts) - 1):
            assert total == per_period  # a whole period inside the window
        else:
            assert total <= per_period
    assert plan.budget.total == sum(amounts)


@pytest.mark.parametrize("years", [1, 3])
def test_the_slides_budget_shows_years_once_quarters_are_too_many(kb, years: int) -> None:
    """qa-briefs 52:15: ten quarters to a deadline two years on made a twelve-column slide
    whose figures broke ('141,50|0'). Past six periods, a column per calendar year; every
    row still adds up to its total, and every column to the budget."""
    brief = Budget(amount=40_000, currency="EUR", period="quarter")
    first = next(g for g in kb.clients["nordlys-travel"].goals if isinstance(g, Goal))
    goal = first.model_copy(update={"by": TODAY + dt.timedelta(days=365 * years)})
    plan = plan_of(kb, "nordlys-travel", budget=brief, goals=[goal])
    quarters, _ = budgets.table(plan.budget)
    periods, rows = budgets.summary(plan.budget)
    if years == 1:
        assert len(quarters) <= 6 and periods == quarters
    else:
        assert len(quarters) > 6, quarters  # three years of quarters: one column per year
        assert [first.year for first, _ in periods] == sorted({f.year for f, _ in quarters})
        assert periods[0][0] == quarters[0][0] and periods[-1][1] == quarters[-1][1]
    assert all(sum(row.amounts) == row.total for row in rows)
    assert sum(row.total for row in rows) == plan.budget.total


@pytest.mark.parametrize("client_id", SAMPLE_CLIENTS)
def test_more_budget_never_lowers_a_forecast(kb, client_id) -> None:
    """The platform set and weights fixed, each count or money forecast grows with the budget."""
    client, reference = kb.clients[client_id], kb.reference
    plan = plan_of(kb, client_id)
    weights = {p.id: float(p.fit.score) for p in plan.group("recommended")}
    quarters = timeline.quarters(TODAY, plan.end)
    rate = reference.fx[client.budget.currency].cny_per_unit
    kpis = {k.id: k for k in kb.industries[client.industry].kpis}
    checked = 0
    for goal, planned in zip(client.goals, plan.goals, strict=True):
        if not isinstance(goal, Goal) or planned.forecast is None or planned.forecast.high is None:
            continue
        previous = (0.0, 0.0)
        for factor in (0.5, 1, 2, 5):
            brief = client.budget.model_copy(update={"amount": client.budget.amount * factor})
            money = budgets.plan_budget(brief, quarters, weights, {}, reference, {})
            found = forecasts.forecast(
                goal, kpis[goal.kpi], planned.platforms, money.lines, rate, reference, {}
            )
            assert found.low is not None and found.high is not None
            if kpis[goal.kpi].direction == "higher":
                assert (found.low, found.high) >= previous, (client_id, goal.kpi, factor)
            previous = (found.low, found.high)
            checked += 1
    assert checked or not any(g.forecast and g.forecast.high for g in plan.goals)


@pytest.mark.parametrize("client_id", SAMPLE_CLIENTS)
def test_the_roadmap_reaches_the_last_deadline(kb, client_id) -> None:
    plan = plan_of(kb, client_id)
    deadlines = [g.by for g in kb.clients[client_id].goals if isinstance(g, Goal)]
    last = max(deadlines)
    dated = [s.date for s in plan.steps if s.date]
    assert max(dated) >= last and plan.end == last
    assert any(s.goal is not None and s.date == last for s in plan.steps)


def test_the_calendar_dates_are_the_published_ones(kb) -> None:
    moments = {m.id: m for m in kb.reference.moments}
    for (moment, year), day in CALENDAR.items():
        assert moments[moment].on(year).start == day, (moment, year)  # type: ignore[union-attr]


def test_a_goal_chooses_its_platform_even_against_fit(kb) -> None:
    """A KPI measured only on WeChat brings WeChat in, whatever the ranking says."""
    client = kb.clients["maison-aurele"]
    plan = plan_of(kb, "maison-aurele")
    members = next(g for g in plan.goals if g.kpi and g.kpi.id == "registered-members")
    assert "wechat" in members.platforms
    assert client.budget is not None


def test_without_a_budget_the_plan_gives_the_minimum_its_goals_need(kb) -> None:
    plan = plan_of(kb, "maison-aurele", budget=None)
    assert plan.budget.amount is None and plan.budget.minimum > 0
    why = {p.why for p in plan.group("recommended")}
    assert sum(p.why == "fit" for p in plan.group("recommended")) <= 3 and why


def test_a_small_budget_keeps_what_the_goals_need_and_no_more(kb) -> None:
    small = Budget(amount=20_000, currency="EUR", period="year")
    plan = plan_of(kb, "maison-aurele", budget=small)
    assert all(p.why in ("focus", "goal") for p in plan.group("recommended"))
    assert plan.budget.underfunded  # said, not hidden


def test_the_largest_remainder_rounding_is_exact() -> None:
    line = budgets.BudgetLine(platform="x", type="media", quarter="2027-Q1", period=0, amount=0)
    exact = [(line, 1 / 3), (line, 1 / 3), (line, 1 / 3)]
    assert sum(item.amount for item in budgets.round_to(exact, 1000, 1)) == 1000


def test_every_build_publishes_the_plan_as_language_neutral_json(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", ["nordlys-travel"])
    build(settings_for(root), "nordlys-travel")
    build(settings_for(root, lang="zh-CN"), "nordlys-travel")
    folder = root / "out/nordlys-travel"
    english = json.loads((folder / "nordlys-travel-plan.json").read_text("utf-8"))
    chinese = json.loads((folder / "nordlys-travel-plan.zh-CN.json").read_text("utf-8"))
    assert english == chinese  # ids, numbers and dates only
    PlanData.model_validate(english)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert "nordlys-travel-plan.json" in manifest["editions"]["en"]["outputs"]
    lines = english["budget"]["lines"]
    assert sum(line["amount"] for line in lines) == english["budget"]["total"]


def test_assembled_briefings_of_two_clients_differ_in_their_numbers(kb) -> None:
    one = assemble(kb, "maison-aurele", today=TODAY).plan
    two = assemble(kb, "northwind-robotics", today=TODAY).plan
    assert one.budget.lines != two.budget.lines  # type: ignore[union-attr]
    assert [g.forecast for g in one.goals] != [g.forecast for g in two.goals]  # type: ignore[union-attr]
