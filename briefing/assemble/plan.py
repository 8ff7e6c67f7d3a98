"""The Plan: what this client should do, from its brief and its industry's playbook (pure).

Every active platform lands in exactly one group (recommended, considered, avoided, watched);
each structured goal gets its KPI, target, the platforms and tactics that serve its funnel
stage, and milestones at 30, 60 and 90 days; a budget, when given, is split by a stated rule.

The plan is data: ids, numbers, dates, the data's own text and fixed keys (a group, a note, a
next step's kind). It writes no sentence and reads no language: the templates word it in each
edition, so every edition gets the same plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from briefing.assemble import budget as budgets
from briefing.assemble import forecast as forecasts
from briefing.assemble import roadmap as roadmaps
from briefing.assemble import selection, timeline
from briefing.assemble.selection import Group, Placed
from briefing.project.fields import STAGES, Stage, Strict
from briefing.project.model import Baseline, Client, Competitor, Goal, Platform, Target
from briefing.project.playbook import Industry, Kpi, Risk, Role, Tactic
from briefing.project.reference import FxRate, Input, Moment, Reference

PRIORITY_WEIGHT = 1.5  # focus platforms and those a goal needs get this much more budget


class GoalPlan(Strict):
    goal: str
    kpi: Kpi | None = None  # None: a plain goal, "no KPI set"
    target: Target | None = None
    by: dt.date | None = None
    baseline: Baseline | None = None
    kpi_platforms: list[str] = []  # where the KPI is measured or moved
    platforms: list[str] = []  # the recommended ones among them
    tactics: list[Tactic] = []
    owner: Literal["agency", "client"] = "agency"  # who controls the KPI...
    owner_role: str | None = None  # ...and which team
    forecast: forecasts.Forecast | None = None
    milestones: list[forecasts.Milestone] = []
    needs_baseline: bool = False  # a % target the plan cannot compare without today's figure


class PlanRisk(Strict):
    risk: str
    likelihood: str
    mitigation: str | None  # None: a watch note's: keep the platform, review it every quarter
    owner: str
    platform_id: str | None = None  # a recommended platform's watch note


class NextStep(Strict):
    """A decision the plan needs from the client; the templates word each ``kind``."""

    kind: Literal[
        "approve", "confirm-budget", "set-budget", "set-kpi", "set-baseline", "name-owner"
    ]
    platforms: list[str] = []  # approve: the recommended platforms' ids
    goal: int | None = None  # set-kpi: the goal's index in Plan.goals
    tactic: str | None = None  # name-owner: the id of the first tactic the client runs
    more: int = 0  # name-owner: how many more tactics the client runs


class Plan(Strict):
    closer: str | None = None  # id of the recommended platform (after the first two) that converts
    segment: str | None  # the segment's name
    segment_summary: str | None
    placed: list[Placed]  # every active platform, once
    goals: list[GoalPlan]
    roles: dict[str, Role]  # recommended and considered platforms' roles, by id
    tactics: dict[str, list[Tactic]]  # recommended platform id -> its tactics for this client
    roadmap: dict[int, list[Tactic]]  # 30, 60, 90 -> tactics landing then
    start: dt.date  # the briefing's date
    end: dt.date  # the last deadline (a year on, without deadlines)
    quarters: list[str]  # '2027-Q1' ... to the last deadline
    budget: budgets.PlannedBudget
    weight: float = PRIORITY_WEIGHT
    steps: list[roadmaps.Step] = []  # the roadmap to the last deadline
    competitors: list[Competitor] = []
    inputs: dict[str, Input] = {}  # every benchmark and assumption the numbers use, by id
    moments: dict[str, Moment] = {}  # the calendar moments on the roadmap, by id
    rate: FxRate | None = None  # RMB per unit of the budget's currency (None: it is RMB)
    risks: list[PlanRisk]
    next_steps: list[NextStep]

    def later_steps(self) -> list[roadmaps.Step]:
        """The roadmap beyond the first 90 days' tactics: the calendar's moments, the
        quarterly reviews and the goals' deadlines, from the start (moments still to be dated
        last), and the tactics placed on a moment."""
        return [s for s in self.steps if s.moment or s.review or s.goal is not None]

    def group(self, name: Group) -> list[Placed]:
        return [p for p in self.placed if p.group == name]

    def platform(self, platform_id: str) -> Platform:
        """A placed platform by id (a closer, a budget line, a risk, a step name one)."""
        return next(p.platform for p in self.placed if p.id == platform_id)

    def tactic(self, tactic_id: str) -> Tactic:
        """One of this client's tactics by id."""
        return next(t for ts in self.tactics.values() for t in ts if t.id == tactic_id)


def build_plan(
    client: Client,
    industry: Industry,
    platforms: dict[str, Platform],
    today: dt.date,
    reference: Reference | None = None,
) -> Plan:
    reference = reference or Reference()
    # a benchmark more than three years old describes another market: use an assumption
    reference = dataclasses.replace(reference, not_before=_years_before(today, 3).isoformat())
    segment = next((s for s in industry.segments if s.id == client.segment), None)
    fits = {**industry.fit, **(segment.fit if segment else {})}
    tactics = [
        t
        for t in [*industry.tactics, *(segment.tactics if segment else [])]
        if selection.suits(t, client)
    ]
    roles = {
        pid: role
        for pid, role in {**industry.roles, **(segment.roles if segment else {})}.items()
        if selection.suits(role, client)
    }
    kpis = {k.id: k for k in industry.kpis}
    active = {pid for pid, p in platforms.items() if p.status == "active"}
    for_goals = selection.needed(client, kpis, fits, tactics, active)
    deadlines = [g.by for g in client.goals if isinstance(g, Goal)]
    end = max(deadlines, default=None)
    quarters = timeline.quarters(today, end)
    overrides = dict(client.assumptions)

    def money(chosen: list[str]) -> budgets.PlannedBudget:
        weights = {
            pid: fits[pid].score * (PRIORITY_WEIGHT if pid in priority else 1) for pid in chosen
        }
        setups = _setups([t for t in tactics if t.platform in chosen], reference, overrides)
        media = {p for p in chosen if forecasts.reach_cost(reference, p, overrides)}
        window = (today, end or quarters[-1].end)
        return budgets.plan_budget(
            client.budget, quarters, weights, setups, reference, overrides, window, media
        )

    priority = {*client.focus_platforms, *for_goals}
    affordable = (lambda ids: not money(ids).underfunded) if client.budget else None
    placed = selection.place(client, fits, platforms, for_goals, affordable)
    chosen = [p.id for p in placed if p.group == "recommended"]
    planned = money(chosen)
    mine = {pid: [t for t in tactics if t.platform == pid] for pid in chosen}
    left_out = [p.id for p in placed if p.group != "recommended"]
    rate = reference.fx[planned.currency].cny_per_unit if planned.currency in reference.fx else 1.0
    goals = [
        _goal_plan(
            goal, kpis, chosen, tactics, planned, (today, rate), reference, overrides, left_out
        )
        for goal in client.goals
    ]
    shown = [p.id for p in placed if p.group in ("recommended", "considered")]
    # The platform where most of this client's conversion tactics run; named in the answer
    # only when it is not one of the two it starts on.
    converting = {pid: sum(t.stage == "conversion" for t in mine[pid]) for pid in chosen}
    closer = max(converting, key=lambda pid: converting[pid], default=None)
    if closer in chosen[:2]:
        closer = None
    own = [t for t in tactics if t.platform in chosen]
    last = end or quarters[-1].end
    steps = roadmaps.roadmap(
        today, last, own, reference.moments, client.industry, [g.by for g in goals]
    )
    return Plan(
        closer=closer if closer and converting[closer] else None,
        segment=segment.name if segment else None,
        segment_summary=segment.summary if segment else None,
        placed=placed,
        goals=goals,
        roles={pid: roles[pid] for pid in shown if pid in roles},
        tactics=mine,
        roadmap={day: [t for t in own if t.day == day and not t.moment] for day in (30, 60, 90)},
        start=today,
        end=last,
        quarters=[q.id for q in quarters],
        budget=planned,
        steps=steps,
        moments={m.id: m for m in reference.moments if m.id in {s.moment for s in steps}},
        competitors=list(client.competitors),
        inputs=_inputs(planned, goals, reference, overrides, [i for t in own for i in t.setup]),
        rate=reference.fx.get(planned.currency) if planned.currency != "CNY" else None,
        risks=_risks(
            [
                r
                for r in [*(segment.risks if segment else []), *industry.risks]
                if selection.suits(r, client)
            ],
            placed,
        ),
        next_steps=_next_steps(client, goals, placed, mine),
    )


def _inputs(
    planned: budgets.PlannedBudget,
    goals: list[GoalPlan],
    reference: Reference,
    overrides: dict,
    setup_ids: list[str],
) -> dict[str, Input]:
    ids = set(planned.inputs) | {i for g in goals if g.forecast for i in g.forecast.inputs}
    ids |= set(setup_ids)
    found = {ident: reference.get(ident, overrides) for ident in sorted(ids)}
    return {ident: item for ident, item in found.items() if item is not None}


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _setups(tactics: list[Tactic], reference: Reference, overrides: dict) -> dict[str, float]:
    """Each platform's one-off set-up costs in RMB (the midpoint of each input, once)."""
    costs: dict[str, float] = {}
    seen: set[str] = set()
    for tactic in tactics:
        for ident in tactic.setup:
            item = reference.get(ident, overrides)
            if item is None or ident in seen:
                continue
            seen.add(ident)
            costs[tactic.platform] = costs.get(tactic.platform, 0) + (item.low + item.high) / 2
    return costs


def _goal_plan(
    goal: Goal | str,
    kpis: dict[str, Kpi],
    chosen: list[str],
    tactics: list[Tactic],
    planned: budgets.PlannedBudget,
    start_and_rate: tuple[dt.date, float],
    reference: Reference,
    overrides: dict,
    left_out: list[str],
) -> GoalPlan:
    if isinstance(goal, str):
        return GoalPlan(goal=goal)
    kpi = kpis[goal.kpi]  # validated to exist
    start, rate = start_and_rate
    serving_platforms = [p for p in kpi.platforms if p in chosen]
    serving = [
        t
        for t in tactics
        if t.platform in serving_platforms
        and (goal.kpi in t.kpis if t.kpis else t.stage == kpi.stage)
    ]
    return GoalPlan(
        goal=goal.goal,
        kpi=kpi,
        target=goal.target,
        by=goal.by,
        baseline=goal.baseline,
        kpi_platforms=list(kpi.platforms),
        platforms=serving_platforms,
        tactics=serving,
        owner=kpi.owner,
        owner_role=kpi.owner_role,
        forecast=forecasts.forecast(
            goal, kpi, serving_platforms, planned.lines, rate, reference, overrides, left_out
        ),
        milestones=forecasts.milestones(goal, kpi, start),
        needs_baseline=forecasts.is_relative(goal, kpi) and goal.baseline is None,
    )


def _risks(suited: list[Risk], placed: list[Placed]) -> list[PlanRisk]:
    """The playbook's risks for this client, and the watch points of its platforms."""
    risks = [
        PlanRisk(risk=r.risk, likelihood=r.likelihood, mitigation=r.mitigation, owner=r.owner)
        for r in suited
    ]
    for p in placed:
        if p.group == "recommended" and p.platform.watch:
            risks.append(
                PlanRisk(
                    risk=p.platform.watch,
                    likelihood="medium",
                    mitigation=None,
                    owner="agency",
                    platform_id=p.id,
                )
            )
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(risks, key=lambda r: order.get(r.likelihood, 3))


def _next_steps(
    client: Client, goals: list[GoalPlan], placed: list[Placed], mine: dict[str, list[Tactic]]
) -> list[NextStep]:
    steps = [
        NextStep(kind="approve", platforms=[p.id for p in placed if p.group == "recommended"]),
        NextStep(kind="confirm-budget" if client.budget else "set-budget"),
    ]
    steps += [NextStep(kind="set-kpi", goal=i) for i, g in enumerate(goals) if g.kpi is None]
    steps += [
        NextStep(kind="set-baseline", goal=i) for i, g in enumerate(goals) if g.needs_baseline
    ]
    owned = [t for tactics in mine.values() for t in tactics if t.owner == "client"]
    if owned:
        steps.append(NextStep(kind="name-owner", tactic=owned[0].id, more=len(owned) - 1))
    return steps


def matrix(plan: Plan) -> list[tuple[Placed, dict[Stage, str | None]]]:
    """Recommended and considered platforms by funnel stage: the role each plays."""
    rows = []
    for p in plan.placed:
        if p.group in ("recommended", "considered") and p.id in plan.roles:
            rows.append((p, {stage: plan.roles[p.id].stage(stage) for stage in STAGES}))
    return rows


def leads(plan: Plan) -> dict[str, list[Placed]]:
    """Each recommended platform under the funnel stage it leads for this client: the stage
    most of its tactics serve (the earlier stage on a tie), else the first stage it has a role
    in. Stages no platform leads are left out; the order is the funnel's."""
    led: dict[str, list[Placed]] = {stage: [] for stage in STAGES}
    for placed in plan.group("recommended"):
        counts = {s: sum(t.stage == s for t in plan.tactics.get(placed.id, [])) for s in STAGES}
        role = plan.roles.get(placed.id)
        if any(counts.values()):
            stage = max(STAGES, key=lambda s: (counts[s], -STAGES.index(s)))
        elif role is not None and any(role.stage(s) for s in STAGES):
            stage = next(s for s in STAGES if role.stage(s))
        else:
            continue
        led[stage].append(placed)
    return {stage: placed for stage, placed in led.items() if placed}
