"""The Plan: what this client should do, from its brief and its industry's playbook (pure).

Every active platform lands in exactly one group (recommended, considered, avoided, watched);
each structured goal gets its KPI, target, the platforms and tactics that serve its funnel
stage, and milestones at 30, 60 and 90 days; a budget, when given, is split by a stated rule.

The plan is data: ids, numbers, dates, the data's own text and fixed keys (a group, a note, a
next step's kind). It writes no sentence and reads no language: the templates word it in each
edition, so every edition gets the same plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from briefing.model import (
    STAGES,
    Client,
    Fit,
    Goal,
    Industry,
    Kpi,
    Platform,
    Risk,
    Role,
    Strict,
    Tactic,
    Target,
)

MAX_RECOMMENDED = 5
RECOMMEND_MIN = 4  # a fit of 4 or 5 out of 5 earns a place (focus platforms always do)
AVOID_MAX = 1
FOCUS_WEIGHT = 1.5
Group = Literal["recommended", "considered", "avoided", "watched"]


class Placed(Strict):
    id: str
    platform: Platform
    fit: Fit
    focus: bool
    group: Group
    # what the template adds to the fit's rationale: the platform's watch point (watched), or
    # that it was left out only to keep the plan to five platforms (a considered good fit)
    note: Literal["watch", "cut"] | None = None


class GoalPlan(Strict):
    goal: str
    kpi: Kpi | None = None  # None: a plain goal, "no KPI set"
    target: Target | None = None
    by: dt.date | None = None
    platforms: list[str] = []  # ids of recommended platforms that serve the KPI's stage
    tactics: list[Tactic] = []
    owner: Literal["agency", "client"] = "agency"


class BudgetLine(Strict):
    """A recommended platform's share of the budget (in the budget's currency)."""

    platform_id: str
    name: str
    amount: float


class PlanRisk(Strict):
    risk: str
    likelihood: str
    mitigation: str | None  # None: a watch note's: keep the platform, review it every quarter
    owner: str
    platform_id: str | None = None  # a recommended platform's watch note


class NextStep(Strict):
    """A decision the plan needs from the client; the templates word each ``kind``."""

    kind: Literal["approve", "confirm-budget", "set-budget", "set-kpi", "name-owner"]
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
    budget: list[BudgetLine] = []  # split in proportion to fit (focus platforms weighted)...
    budget_step: int | None = None  # ...and each line rounded to the nearest step
    focus_weight: float | None = None  # focus platforms' weight; None: no focus platform
    risks: list[PlanRisk]
    next_steps: list[NextStep]

    def group(self, name: Group) -> list[Placed]:
        return [p for p in self.placed if p.group == name]

    def platform(self, platform_id: str) -> Platform:
        """A placed platform by id (a closer, a budget line, a risk, a step name one)."""
        return next(p.platform for p in self.placed if p.id == platform_id)

    def tactic(self, tactic_id: str) -> Tactic:
        """One of this client's tactics by id."""
        return next(t for ts in self.tactics.values() for t in ts if t.id == tactic_id)


def build_plan(
    client: Client, industry: Industry, platforms: dict[str, Platform], today: dt.date
) -> Plan:
    segment = next((s for s in industry.segments if s.id == client.segment), None)
    fits = {**industry.fit, **(segment.fit if segment else {})}
    tactics = [
        t
        for t in [*industry.tactics, *(segment.tactics if segment else [])]
        if not t.routes or client.route_to_market in t.routes
    ]
    roles = {**industry.roles, **(segment.roles if segment else {})}
    placed = place(client, fits, platforms)
    chosen = [p.id for p in placed if p.group == "recommended"]
    mine = {pid: [t for t in tactics if t.platform == pid] for pid in chosen}
    goals = [_goal_plan(goal, industry, chosen, tactics) for goal in client.goals]
    shown = [p.id for p in placed if p.group in ("recommended", "considered")]
    budget, step = _budget(client, placed)
    # The platform where most of this client's conversion tactics run; named in the answer
    # only when it is not one of the two it starts on.
    converting = {pid: sum(t.stage == "conversion" for t in mine[pid]) for pid in chosen}
    closer = max(converting, key=lambda pid: converting[pid], default=None)
    if closer in chosen[:2]:
        closer = None
    return Plan(
        closer=closer if closer and converting[closer] else None,
        segment=segment.name if segment else None,
        segment_summary=segment.summary if segment else None,
        placed=placed,
        goals=goals,
        roles={pid: roles[pid] for pid in shown if pid in roles},
        tactics=mine,
        roadmap={
            day: [t for t in tactics if t.platform in chosen and t.day == day]
            for day in (30, 60, 90)
        },
        budget=budget,
        budget_step=step,
        focus_weight=FOCUS_WEIGHT if budget and client.focus_platforms else None,
        risks=_risks(industry, segment.risks if segment else [], placed),
        next_steps=_next_steps(client, goals, placed, mine),
    )


def place(client: Client, fits: dict[str, Fit], platforms: dict[str, Platform]) -> list[Placed]:
    """Every active platform in exactly one group, best fit first within each."""
    active = sorted(
        ((pid, p) for pid, p in platforms.items() if p.status == "active" and pid in fits),
        key=lambda item: (  # ties by id, not name: every edition ranks alike
            item[0] not in client.focus_platforms,
            -fits[item[0]].score,
            item[0],
        ),
    )
    placed, recommended = [], 0
    for pid, platform in active:
        fit, focus = fits[pid], pid in client.focus_platforms
        group: Group
        note: Literal["watch", "cut"] | None = None
        if focus or (fit.score >= RECOMMEND_MIN and recommended < MAX_RECOMMENDED):
            group = "recommended"
            recommended += 1
        elif fit.score <= AVOID_MAX:
            group = "avoided"
        elif platform.watch:
            group, note = "watched", "watch"
        elif fit.score >= RECOMMEND_MIN:
            group, note = "considered", "cut"
        else:
            group = "considered"
        placed.append(
            Placed(id=pid, platform=platform, fit=fit, focus=focus, group=group, note=note)
        )
    return placed


def _goal_plan(goal: Goal | str, industry: Industry, chosen: list[str], tactics: list[Tactic]):
    if isinstance(goal, str):
        return GoalPlan(goal=goal)
    kpi = next(k for k in industry.kpis if k.id == goal.kpi)  # validated to exist
    serving = [
        t
        for t in tactics
        if t.platform in chosen and (goal.kpi in t.kpis if t.kpis else t.stage == kpi.stage)
    ]
    platforms = list(dict.fromkeys(t.platform for t in serving))
    owners = {t.owner for t in serving}
    return GoalPlan(
        goal=goal.goal,
        kpi=kpi,
        target=goal.target,
        by=goal.by,
        platforms=platforms,
        tactics=serving,
        owner="client" if owners == {"client"} else "agency",
    )


def _budget(client: Client, placed: list[Placed]) -> tuple[list[BudgetLine], int | None]:
    """The lines of the split and the step each is rounded to."""
    if client.budget is None:
        return [], None
    chosen = [p for p in placed if p.group == "recommended"]
    weights = {p.id: p.fit.score * (FOCUS_WEIGHT if p.focus else 1) for p in chosen}
    total = sum(weights.values()) or 1
    step = 1000 if client.budget.amount >= 20000 else 100
    lines = [
        BudgetLine(
            platform_id=p.id,
            name=p.platform.name,
            amount=round(client.budget.amount * weights[p.id] / total / step) * step,
        )
        for p in chosen
    ]
    return lines, step


def _risks(industry: Industry, extra: list[Risk], placed: list[Placed]) -> list[PlanRisk]:
    risks = [
        PlanRisk(risk=r.risk, likelihood=r.likelihood, mitigation=r.mitigation, owner=r.owner)
        for r in [*extra, *industry.risks]
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
    owned = [t for tactics in mine.values() for t in tactics if t.owner == "client"]
    if owned:
        steps.append(NextStep(kind="name-owner", tactic=owned[0].id, more=len(owned) - 1))
    return steps


def matrix(plan: Plan) -> list[tuple[Placed, dict[str, str | None]]]:
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
