"""What a goal can expect by its deadline, low to high, from the budget's lines (pure).

Reach is each platform's working budget (media and creators) up to the deadline at its cost
per 1,000 impressions: creator content is assumed to reach people at about the cost of paid
media. The KPI is that reach times each conversion input of its path in turn (each at the
middle of its range, on a log scale), and a money KPI then times the value of one order. The
range around that middle combines the inputs' own ranges as independent errors: their widths
(on a log scale) add in quadrature, so the ends are not every input at its worst, or best, at
once. With the platforms fixed, more budget never lowers a forecast. A forecast counts what
the plan itself brings by the deadline; a baseline is shown beside it, not added to it. A
target in % of a count or money KPI ("30% more than last season") is compared only once the
goal has a baseline: it is then baseline x (1 + target / 100). Milestones run in a straight
line from the baseline (or zero) at the plan's start to the target at the deadline, one per
quarter end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

from briefing.assemble.budget import BudgetLine
from briefing.assemble.timeline import Quarter
from briefing.project.fields import Strict
from briefing.project.model import Goal
from briefing.project.playbook import Kpi
from briefing.project.reference import Input, Reference

NoForecast = Literal["no-path", "no-cost", "no-spend", "not-a-count"]


class Gap(Strict):
    """What would close a shortfall when even the high end misses the target."""

    budget_factor: float  # times the working budget to the deadline, at the high end
    quarters_needed: int | None  # at today's spend per quarter, at the high end
    platforms: list[str]  # KPI platforms the plan leaves out


class Forecast(Strict):
    low: float | None = None
    high: float | None = None
    central: float | None = None  # the middle of the range (on a log scale)
    reason: NoForecast | None = None  # why there is no number
    inputs: list[str] = []  # ids of every benchmark and assumption used
    sourced: list[str] = []  # those of them that are published benchmarks
    gap: Gap | None = None


class Milestone(Strict):
    date: dt.date
    value: float


def spend_to(lines: Sequence[BudgetLine], platform: str, deadline: dt.date) -> float:
    """A platform's working budget (media, creators) in quarters up to the deadline; the
    deadline's own quarter counts for the share of its days already past."""
    total = 0.0
    for line in lines:
        if line.platform != platform or line.type not in ("media", "creators"):
            continue
        quarter = _quarter(line.quarter)
        if quarter.end <= deadline:
            total += line.amount
        elif quarter.start <= deadline:
            days = (quarter.end - quarter.start).days + 1
            total += line.amount * ((deadline - quarter.start).days + 1) / days
    return total


def _quarter(ident: str) -> Quarter:
    year, number = ident.split("-Q")
    return Quarter(int(year), int(number))


def reach_cost(reference: Reference, platform: str, overrides: dict) -> Input | None:
    return reference.find("cpm", platform, None, overrides) or reference.find(
        "cost-per-view", platform, None, overrides
    )


def absolute_target(goal: Goal, kpi: Kpi) -> float | None:
    """The target in the KPI's own unit; None for a % target without a baseline."""
    if not is_relative(goal, kpi):
        return goal.target.value
    if goal.baseline is None:
        return None
    return goal.baseline.value * (1 + goal.target.value / 100)


def is_relative(goal: Goal, kpi: Kpi) -> bool:
    """A % target on a count or money KPI: a change against a figure the goal must give."""
    return goal.target.unit.lstrip().startswith("%") and kpi.kind in ("count", "money")


def forecast(
    goal: Goal,
    kpi: Kpi,
    platforms: Sequence[str],
    lines: Sequence[BudgetLine],
    rate: float,
    reference: Reference,
    overrides: dict,
    left_out: Sequence[str] = (),
) -> Forecast:
    """The KPI's low-high by the goal's deadline, or why there is none. ``rate``: RMB per unit
    of the budget's currency (costs are in RMB)."""
    if kpi.kind in ("rate", "score"):
        return Forecast(reason="not-a-count")
    if kpi.path is None:
        return Forecast(reason="no-path")
    steps = [reference.get(ident, overrides) for ident in kpi.path]
    value = reference.get(kpi.value, overrides) if kpi.value else None
    if any(step is None for step in steps) or (kpi.kind == "money" and value is None):
        return Forecast(reason="no-path")
    central, spreads = 0.0, []  # the middle of the range, and each input's half-width
    used: list[Input] = [s for s in steps if s]
    for platform in platforms:
        cost = reach_cost(reference, platform, overrides)
        spend = spend_to(lines, platform, goal.by) * rate  # in RMB
        if cost is None or spend <= 0:
            continue
        used.append(cost)
        central += spend / _middle(cost) * 1000
        spreads.append(_spread(cost))
    if central == 0:
        return Forecast(reason="no-cost" if platforms else "no-spend")
    reach_spread = max(spreads)  # the platforms' reach is summed: its widest range bounds it
    spreads = [reach_spread]
    for step in steps:
        assert step is not None
        central *= _middle(step) / 100
        spreads.append(_spread(step))
    if kpi.kind == "money" and value is not None:
        used.append(value)
        central *= _middle(value)
        spreads.append(_spread(value))
    width = math.exp(math.sqrt(sum(x * x for x in spreads)))
    low, high = central / width, central * width
    if kpi.kind == "cost-per":
        spent = sum(spend_to(lines, p, goal.by) for p in platforms)
        low, high = spent / high, spent / low
    ids = sorted({i.id for i in used})
    return Forecast(
        low=round(low),
        high=round(high),
        central=round(math.sqrt(low * high)),
        inputs=ids,
        sourced=sorted({i.id for i in used if i.sourced}),
        gap=_gap(goal, kpi, high, lines, platforms, left_out),
    )


def _middle(item: Input) -> float:
    """The geometric middle of a range (a zero low end counts as a tenth of the high)."""
    low = item.low if item.low > 0 else item.high / 10
    return math.sqrt(low * item.high) if item.high > 0 else 0.0


def _spread(item: Input) -> float:
    """Half the range's width on a log scale: ln(high / low) / 2."""
    low = item.low if item.low > 0 else item.high / 10
    return math.log(item.high / low) / 2 if low > 0 and item.high > 0 else 0.0


def _gap(
    goal: Goal,
    kpi: Kpi,
    high: float,
    lines: Sequence[BudgetLine],
    platforms: Sequence[str],
    left_out: Sequence[str],
) -> Gap | None:
    target = absolute_target(goal, kpi)
    if target is None or kpi.direction == "lower" or high >= target or high <= 0:
        return None
    quarters = {line.quarter for line in lines if line.platform in platforms}
    past = sum(1 for q in quarters if _quarter(q).start <= goal.by) or 1
    per_quarter = high / past
    return Gap(
        budget_factor=round(target / high, 1),
        quarters_needed=int(-(-target // per_quarter)) if per_quarter else None,
        platforms=[p for p in kpi.platforms if p in left_out],
    )


def milestones(goal: Goal, kpi: Kpi, start: dt.date) -> list[Milestone]:
    """Quarter ends from ``start`` to the deadline, and the deadline: a straight line from
    the baseline (or zero) to the target (none for a % target without a baseline)."""
    target = absolute_target(goal, kpi)
    if target is None:
        return []
    first = goal.baseline.value if goal.baseline else 0.0
    span = (goal.by - start).days or 1
    points, quarter = [], Quarter.of(start)
    while quarter.end < goal.by:
        share = (quarter.end - start).days / span
        points.append(Milestone(date=quarter.end, value=round(first + share * (target - first))))
        quarter = quarter.next()
    points.append(Milestone(date=goal.by, value=round(target)))
    return points
