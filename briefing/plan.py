"""The Plan: what this client should do, from its brief and its industry's playbook (pure).

Every active platform lands in exactly one group (recommended, considered, avoided, watched);
each structured goal gets its KPI, target, the platforms and tactics that serve its funnel
stage, and milestones at 30, 60 and 90 days; a budget, when given, is split by a stated rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from briefing import i18n
from briefing.i18n import _
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
    reason: str  # why it is in this group


class GoalPlan(Strict):
    goal: str
    kpi: Kpi | None = None  # None: a plain goal, "no KPI set"
    target: Target | None = None
    by: dt.date | None = None
    platforms: list[str] = []  # ids of recommended platforms that serve the KPI's stage
    tactics: list[Tactic] = []
    owner: Literal["agency", "client"] = "agency"


class BudgetLine(Strict):
    platform_id: str
    name: str
    amount: float


class PlanRisk(Strict):
    risk: str
    likelihood: str
    mitigation: str
    owner: str
    platform: str | None = None  # a recommended platform's watch note


class Plan(Strict):
    closer: str | None = None  # the recommended platform (after the first two) that converts
    segment: str | None  # the segment's name
    segment_summary: str | None
    placed: list[Placed]  # every active platform, once
    goals: list[GoalPlan]
    roles: dict[str, Role]  # recommended and considered platforms' roles, by id
    tactics: dict[str, list[Tactic]]  # recommended platform id -> its tactics for this client
    roadmap: dict[int, list[Tactic]]  # 30, 60, 90 -> tactics landing then
    budget: list[BudgetLine] = []
    budget_rule: str = ""
    risks: list[PlanRisk]
    next_steps: list[str]

    def group(self, name: Group) -> list[Placed]:
        return [p for p in self.placed if p.group == name]


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
    budget, rule = _budget(client, placed, industry)
    # The platform where most of this client's conversion tactics run; named in the answer
    # only when it is not one of the two it starts on.
    converting = {pid: sum(t.stage == "conversion" for t in mine[pid]) for pid in chosen}
    closer = max(converting, key=lambda pid: converting[pid], default=None)
    if closer in chosen[:2]:
        closer = None
    return Plan(
        closer=platforms[closer].name if closer and converting[closer] else None,
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
        budget_rule=rule,
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
        if focus or (fit.score >= RECOMMEND_MIN and recommended < MAX_RECOMMENDED):
            group, reason = "recommended", fit.rationale
            recommended += 1
        elif fit.score <= AVOID_MAX:
            group, reason = "avoided", fit.rationale
        elif platform.watch:
            group = "watched"
            reason = _("%(rationale)s Watch point: %(watch)s") % {
                "rationale": fit.rationale,
                "watch": _first_sentence(platform.watch),
            }
        elif fit.score >= RECOMMEND_MIN:
            group = "considered"
            reason = _("%(rationale)s (Left out only to keep the plan to five platforms.)") % {
                "rationale": fit.rationale
            }
        else:
            group = "considered"
            reason = fit.rationale
        placed.append(
            Placed(id=pid, platform=platform, fit=fit, focus=focus, group=group, reason=reason)
        )
    return placed


def _first_sentence(text: str) -> str:
    """Up to the first full stop: '. ' in English, '。' in Chinese."""
    head, dot, _rest = text.partition(". ")
    first = head + "." if dot else text
    stop = first.find("。")
    return first[: stop + 1] if 0 <= stop < len(first) - 1 else first


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


def _budget(client: Client, placed: list[Placed], industry: Industry) -> tuple[list, str]:
    if client.budget is None:
        return [], ""
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
    values = {
        "count": len(chosen),
        "industry": industry.name if i18n.is_chinese() else industry.name.lower(),
        "weight": f"{FOCUS_WEIGHT:g}",
        "step": i18n.number(step) if i18n.is_chinese() else f"{step:,}",
        "currency": client.budget.currency,
    }
    if client.focus_platforms:
        rule = _(
            "Split across the %(count)s recommended platforms in proportion to their fit for "
            "%(industry)s, focus platforms weighted %(weight)s times; rounded to the nearest "
            "%(step)s %(currency)s."
        )
    else:
        rule = _(
            "Split across the %(count)s recommended platforms in proportion to their fit for "
            "%(industry)s; rounded to the nearest %(step)s %(currency)s."
        )
    return lines, rule % values


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
                    mitigation=_("Keep %(platform)s in the plan and review this every quarter")
                    % {"platform": p.platform.name},
                    owner="agency",
                    platform=p.platform.name,
                )
            )
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(risks, key=lambda r: order.get(r.likelihood, 3))


def _next_steps(
    client: Client, goals: list[GoalPlan], placed: list[Placed], mine: dict[str, list[Tactic]]
) -> list[str]:
    names = [p.platform.name for p in placed if p.group == "recommended"]
    steps = [
        _("Approve the platforms we recommend: %(platforms)s.") % {"platforms": _(", ").join(names)}
    ]
    if client.budget:
        amount = client.budget.amount
        steps.append(
            _("Confirm the budget split of %(amount)s %(currency)s %(period)s.")
            % {
                "amount": i18n.number(amount) if i18n.is_chinese() else f"{amount:,.0f}",
                "currency": client.budget.currency,
                "period": i18n.word(client.budget.period),
            }
        )
    else:
        steps.append(_("Set a budget for the first 90 days, so we can split it across platforms."))
    steps += [
        _("Set a KPI and a target for the goal '%(goal)s'.") % {"goal": g.goal}
        for g in goals
        if g.kpi is None
    ]
    owned = [t for tactics in mine.values() for t in tactics if t.owner == "client"]
    if owned:
        text = owned[0].text
        first = text if i18n.is_chinese() else text[:1].lower() + text[1:]
        if len(owned) > 1:
            step = _("Name an owner on your side to %(task)s (plus %(count)s more in the roadmap).")
        else:
            step = _("Name an owner on your side to %(task)s.")
        steps.append(step % {"task": first, "count": len(owned) - 1})
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
