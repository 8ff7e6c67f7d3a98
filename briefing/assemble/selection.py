"""Which platforms the plan recommends: the client's goals choose them first (pure).

Recommended are, in this order: the client's focus platforms; for every structured goal, one
of the platforms its KPI is measured or moved on, preferring those with a tactic for this
client (the best fit, unless a platform already chosen serves it); then good fits (4 or 5 out
of 5), best first, while the budget still gives each platform its minimum workable spend, or,
without a budget, up to three of them. A focus platform that fits poorly goes last: it never
leads the answer. No fixed count, but never none: a budget below every platform's minimum
still gets the best fit, marked underfunded. Every other active platform is considered,
watched or avoided, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from briefing.project.model import Client, Goal, Platform, RankedPlatform
from briefing.project.playbook import Fit, Kpi, Risk, Role, Tactic

RECOMMEND_MIN = 4  # a fit of 4 or 5 out of 5 earns a place when the budget allows
AVOID_MAX = 1
EXTRA_WITHOUT_BUDGET = 3  # good fits added to what the goals need when there is no budget
Group = Literal["recommended", "considered", "avoided", "watched"]
Why = Literal["focus", "goal", "fit"]


class Placed(RankedPlatform):
    """A ranked platform (a RankedPlatform) and the group the plan placed it in."""

    group: Group
    # what the template adds to the fit's rationale: the platform's watch point (watched), or
    # that the budget could not give it its minimum workable spend (a considered good fit)
    note: Literal["watch", "cut"] | None = None
    why: Why | None = None  # recommended: for the client's focus, a goal, or its fit

    @property
    def poor_focus(self) -> bool:
        """In the plan only because the client asked for it, and a poor fit: never leads."""
        return _poor_focus(self.why, self.fit)


def suits(item: Tactic | Role | Risk, client: Client) -> bool:
    """An item of the playbook declared for this client's segment and route to market."""
    return item.suits(client.segment, client.route_to_market)


def needed(
    client: Client,
    kpis: dict[str, Kpi],
    fits: dict[str, Fit],
    tactics: Sequence[Tactic],
    active: set[str],
) -> list[str]:
    """For each structured goal in order, a platform its KPI needs (none twice)."""
    chosen: list[str] = [p for p in client.focus_platforms if p in active]
    found: list[str] = []
    with_tactics = {t.platform for t in tactics}
    for goal in client.goals:
        if not isinstance(goal, Goal) or goal.kpi not in kpis:
            continue
        measured = [p for p in kpis[goal.kpi].platforms if p in active and p in fits]
        if not measured or any(p in chosen for p in measured):
            continue  # served already, or a KPI measured on no platform in use
        # Prefer a platform with a tactic for this client; where the playbook has none for its
        # segment and route, the goal still needs the platform its KPI is measured on.
        candidates = [p for p in measured if p in with_tactics] or measured
        best = min(candidates, key=lambda p: (-fits[p].score, p))
        chosen.append(best)
        found.append(best)
    return found


def place(
    client: Client,
    fits: dict[str, Fit],
    platforms: dict[str, Platform],
    for_goals: Sequence[str],
    affordable: Callable[[list[str]], bool] | None,
) -> list[Placed]:
    """Every active platform in exactly one group, recommended first, best fit first within
    each. ``affordable(ids)``: whether the budget gives each of those platforms its minimum
    (None: there is no budget)."""
    active = sorted(
        ((pid, p) for pid, p in platforms.items() if p.status == "active" and pid in fits),
        key=lambda item: (-fits[item[0]].score, item[0]),  # ties by id: every edition alike
    )
    recommended = {pid: "focus" for pid in client.focus_platforms if pid in fits}
    recommended |= {pid: "goal" for pid in for_goals if pid not in recommended}
    extra = 0
    for pid, _ in active:
        if pid in recommended or fits[pid].score < RECOMMEND_MIN:
            continue
        if affordable is None:
            if extra < EXTRA_WITHOUT_BUDGET:
                recommended[pid], extra = "fit", extra + 1
        elif affordable([*recommended, pid]) or _first_fit_despite_poor_focus(
            recommended, fits, pid, affordable
        ):
            recommended[pid] = "fit"
    leads = [pid for pid, why in recommended.items() if not _poor_focus(why, fits[pid])]
    best = next((pid for pid, _ in active if pid not in recommended), None)
    if not leads and best and fits[best].score > AVOID_MAX:
        # A plan has a platform to lead it: a budget below any platform's minimum still buys
        # the best fit, marked underfunded (qa-briefs 1:27: 8,000 AUD a year, no goals), as
        # does one that a poorly fitting focus platform would otherwise have to itself.
        recommended[best] = "fit"
    placed = []
    for pid, platform in active:
        fit = fits[pid]
        group, note = _group(pid, fit, platform, recommended)
        placed.append(
            Placed(
                id=pid,
                platform=platform,
                fit=fit,
                focus=pid in client.focus_platforms,
                group=group,
                note=note,
                why=recommended.get(pid),  # type: ignore[arg-type]
            )
        )
    return sorted(placed, key=lambda p: (p.group != "recommended", _lead_order(p)))


POOR_FIT = 2  # a focus platform scoring this or less stays in the plan but does not lead it


def _first_fit_despite_poor_focus(
    recommended: dict[str, str],
    fits: dict[str, Fit],
    pid: str,
    affordable: Callable[[list[str]], bool],
) -> bool:
    """The first good fit is measured against the budget without the focus platforms that
    fit poorly: they stay in the plan, underfunded if need be, but never keep out every
    platform that fits (qa-briefs 46:13: Kuaishou and DeepSeek asked for, a university's
    admissions left without Xiaohongshu, Bilibili or Zhihu)."""
    if "fit" in recommended.values():
        return False
    leads = [r for r, why in recommended.items() if not _poor_focus(why, fits[r])]
    return len(leads) < len(recommended) and affordable([*leads, pid])


def _poor_focus(why: str | None, fit: Fit) -> bool:
    return why == "focus" and fit.score <= POOR_FIT


def _lead_order(placed: Placed) -> int:
    """Focus platforms lead, then those a goal needs, then good fits; a focus platform that
    fits poorly comes last, so the answer never leads with it (the briefing says why)."""
    if placed.poor_focus:
        return 3
    return {"focus": 0, "goal": 1, "fit": 2}.get(placed.why or "", 4)


def _group(
    pid: str, fit: Fit, platform: Platform, recommended: dict[str, str]
) -> tuple[Group, Literal["watch", "cut"] | None]:
    if pid in recommended:
        return "recommended", None
    if fit.score <= AVOID_MAX:
        return "avoided", None
    if platform.watch:
        return "watched", "watch"
    if fit.score >= RECOMMEND_MIN:
        return "considered", "cut"
    return "considered", None
