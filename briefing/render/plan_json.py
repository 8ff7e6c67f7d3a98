"""The plan as data: ``out/<id>/<id>-plan.json`` (schemas/plan.schema.json).

Ids, numbers and ISO dates only, the same in every edition: words come from the data and the
templates when a briefing is rendered. Checks, tests and other tools read this file.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from briefing.render.base import Preview, Rendered, Template

if TYPE_CHECKING:
    from briefing.assemble.forecast import Forecast
    from briefing.assemble.plan import GoalPlan, Plan
    from briefing.project.model import Briefing
    from briefing.settings import Settings
    from briefing.themes.theme import Theme


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlatformData(Data):
    id: str
    group: Literal["recommended", "considered", "avoided", "watched"]
    reason: str | None  # recommended: focus, goal or fit; else watch, cut or null
    fit: int


class Range(Data):
    low: float
    high: float


class ForecastData(Range):
    inputs: list[str]  # benchmark and assumption ids
    sourced: list[str]  # the published benchmarks among them
    gap: dict[str, Any] | None  # budget_factor, quarters_needed, platforms


class GoalData(Data):
    goal: str  # the goal's id (its KPI's id unless it has its own)
    kpi: str | None
    kpi_platforms: list[str]
    platforms: list[str]
    target: float | None  # in the KPI's unit
    by: dt.date | None
    baseline: dict[str, Any] | None  # value, as_of
    forecast: ForecastData | None
    no_forecast: str | None  # why not: no-path, no-cost, no-spend, not-a-count
    milestones: list[dict[str, Any]]  # date, value
    owner: str  # agency or client (the team's name is text: in the briefing)


class LineData(Data):
    platform: str | None
    type: str
    quarter: str
    period: int
    amount: int


class BudgetData(Data):
    currency: str
    amount: float | None
    period: str
    periods: float
    total: int
    minimum: int
    underfunded: list[str]
    lines: list[LineData]


class StepData(Data):
    date: dt.date | None
    year: int
    platform: str | None
    tactic: str | None
    moment: str | None
    review: str | None
    goal: int | None
    status: str


class CompetitorData(Data):
    id: str | None
    platforms: list[str]  # where an audit found them; empty: not audited yet
    audited: bool


class AssumptionData(Data):
    id: str
    low: float
    high: float
    overridden: bool


class PlanData(Data):
    """One client's plan: what `briefing` decided and computed, language-neutral."""

    client: str
    date: dt.date
    end: dt.date
    quarters: list[str]
    platforms: list[PlatformData]
    goals: list[GoalData]
    budget: BudgetData
    roadmap: list[StepData]
    competitors: list[CompetitorData]
    assumptions: list[AssumptionData]


def plan_data(briefing: Briefing) -> PlanData:
    plan = briefing.plan
    assert plan is not None
    used = sorted(
        {i for g in plan.goals if g.forecast for i in g.forecast.inputs} | set(plan.budget.inputs)
    )
    overrides = briefing.client.assumptions
    return PlanData(
        client=briefing.client_id,
        date=briefing.date,
        end=plan.end,
        quarters=plan.quarters,
        platforms=[
            PlatformData(id=p.id, group=p.group, reason=p.why or p.note, fit=p.fit.score)
            for p in plan.placed
        ],
        goals=[_goal(g) for g in plan.goals],
        budget=BudgetData.model_validate(
            plan.budget.model_dump(exclude={"step", "inputs", "spans"})
        ),
        roadmap=[StepData.model_validate(s.model_dump()) for s in plan.steps],
        competitors=[
            CompetitorData(
                id=c.id, platforms=[p.platform for p in c.presence], audited=bool(c.presence)
            )
            for c in plan.competitors
        ],
        assumptions=_assumptions(plan, used, overrides),
    )


def _forecast(forecast: Forecast | None) -> ForecastData | None:
    """The forecast's figures, when it has a range (else the goal says why not)."""
    if forecast is None or forecast.low is None or forecast.high is None:
        return None
    return ForecastData(
        low=forecast.low,
        high=forecast.high,
        inputs=forecast.inputs,
        sourced=forecast.sourced,
        gap=forecast.gap.model_dump() if forecast.gap else None,
    )


def _goal(goal: GoalPlan) -> GoalData:
    forecast = goal.forecast
    return GoalData(
        goal=goal.kpi.id if goal.kpi else "",
        kpi=goal.kpi.id if goal.kpi else None,
        kpi_platforms=goal.kpi_platforms,
        platforms=goal.platforms,
        target=goal.target.value if goal.target else None,
        by=goal.by,
        baseline=goal.baseline.model_dump() if goal.baseline else None,
        forecast=_forecast(forecast),
        no_forecast=forecast.reason if forecast else None,
        milestones=[m.model_dump() for m in goal.milestones],
        owner=goal.owner,
    )


def _assumptions(plan: Plan, used: list[str], overrides: dict) -> list[AssumptionData]:
    """The stated assumptions among the inputs, with the range the plan used."""
    return [
        AssumptionData(id=i, low=o.low, high=o.high, overridden=i in overrides)
        for i, o in plan.inputs.items()
        if i in used and not o.sourced
    ]


class PlanJsonRenderer:
    """The plan as JSON, for checks and other tools; never e-mailed, not previewed."""

    name = "plan"
    label = "plan data"
    kind = "plan"
    suffix = ".json"
    mime = "application/json"
    unit = "goals"
    attach = False
    preview: Preview = ""
    templates: tuple[Template, ...] = ()
    theme_files: tuple[str, ...] = ()

    def context(self, briefing: Briefing, theme: Theme) -> dict[str, Any]:
        return {}

    def render(self, briefing: Briefing, theme: Theme, settings: Settings) -> Rendered:
        data = plan_data(briefing).model_dump(mode="json")
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return Rendered(text.encode("utf-8"), {"goals": len(data["goals"])})


PLAN_JSON = PlanJsonRenderer()
