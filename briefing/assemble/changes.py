"""What changed between a client's last sent briefing and this one: platforms newly
recommended or dropped, fit scores that moved, figures updated (old and new, with their
periods), new risks and new articles. Both sides are assembled briefings as JSON (the old one
from state/<id>/history/), so a comparison never depends on how the old one was built."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel


class FitChange(BaseModel):
    platform: str
    old: int
    new: int


class FigureChange(BaseModel):
    platform: str
    metric: str
    unit: str
    old_value: float | None  # None: a figure the last briefing did not have
    old_as_of: dt.date | None
    new_value: float
    new_as_of: dt.date
    source: str


class GoalChange(BaseModel):
    """A goal whose target or deadline moved, or that is new (``old_target`` None)."""

    kpi: str  # the KPI's name
    unit: str
    old_target: float | None
    old_by: dt.date | None
    new_target: float
    new_by: dt.date


class BudgetChange(BaseModel):
    currency: str
    old_total: float | None  # None: the last briefing had no budget
    new_total: float


class Changes(BaseModel):
    """The differences, each list in the new briefing's order; empty lists say 'no change'."""

    since: dt.date  # the date of the briefing compared against
    added: list[str] = []  # platforms now recommended
    dropped: list[str] = []  # platforms no longer recommended
    fits: list[FitChange] = []
    figures: list[FigureChange] = []
    risks: list[str] = []
    articles: list[str] = []
    goals: list[GoalChange] = []
    budget: BudgetChange | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.dropped
            or self.fits
            or self.figures
            or self.risks
            or self.articles
            or self.goals
            or self.budget
        )


def compare(old: dict[str, Any], new: dict[str, Any]) -> Changes:
    """``old`` and ``new``: ``Briefing.model_dump(mode="json")`` of the two briefings."""
    names = {f["id"]: f["platform"]["name"] for f in new["fits"] + old["fits"]}
    before = [r["id"] for r in old["recommended"]]
    after = [r["id"] for r in new["recommended"]]
    old_fit = {f["id"]: f["fit"]["score"] for f in old["fits"]}
    old_risks = {r["risk"] for r in (old.get("plan") or {}).get("risks", [])}
    old_articles = {a["slug"] for a in old["articles"]}
    return Changes(
        since=dt.date.fromisoformat(old["date"]),
        added=[names[i] for i in after if i not in before],
        dropped=[names[i] for i in before if i not in after],
        fits=[
            FitChange(platform=names[f["id"]], old=old_fit[f["id"]], new=f["fit"]["score"])
            for f in new["fits"]
            if f["id"] in old_fit and old_fit[f["id"]] != f["fit"]["score"]
        ],
        figures=_figures(old["sources"], new["sources"]),
        risks=[
            r["risk"]
            for r in (new.get("plan") or {}).get("risks", [])
            if r["risk"] not in old_risks
        ],
        articles=[a["meta"]["title"] for a in new["articles"] if a["slug"] not in old_articles],
        goals=_goals(old.get("plan") or {}, new.get("plan") or {}),
        budget=_budget(old.get("plan") or {}, new.get("plan") or {}),
    )


def _goals(old: dict, new: dict) -> list[GoalChange]:
    """Goals (by KPI) whose target or deadline is not what the last briefing said."""
    before = {g["kpi"]["id"]: g for g in old.get("goals", []) if g.get("kpi") and g.get("target")}
    changed = []
    for goal in new.get("goals", []):
        if not goal.get("kpi") or not goal.get("target"):
            continue
        was = before.get(goal["kpi"]["id"])
        target, by = goal["target"]["value"], dt.date.fromisoformat(goal["by"])
        if was and was["target"]["value"] == target and was["by"] == goal["by"]:
            continue
        changed.append(
            GoalChange(
                kpi=goal["kpi"]["name"],
                unit=goal["target"]["unit"],
                old_target=was["target"]["value"] if was else None,
                old_by=dt.date.fromisoformat(was["by"]) if was else None,
                new_target=target,
                new_by=by,
            )
        )
    return changed


def _budget(old: dict, new: dict) -> BudgetChange | None:
    """The plan's total, when it moved (a briefing before budgets by line had a list)."""
    now = new.get("budget")
    if not isinstance(now, dict) or now.get("amount") is None:
        return None
    was = old.get("budget")
    if isinstance(was, dict):
        old_total = was.get("total") if was.get("amount") is not None else None
    elif isinstance(was, list) and was:
        old_total = sum(line.get("amount", 0) for line in was)
    else:
        old_total = None
    if old_total == now["total"]:
        return None
    return BudgetChange(currency=now["currency"], old_total=old_total, new_total=now["total"])


def _figures(old: list[dict], new: list[dict]) -> list[FigureChange]:
    """Figures whose value or period moved, matched by platform and series: the metric's id
    without its period ('mau-2025-09' -> 'mau'), so a renamed translation is no new figure;
    a figure without an id by its name (the newest of each name is the one shown)."""

    def ident(source: dict) -> tuple[str, str]:
        metric = source["metric"]
        series = re.sub(r"-\d{4}-\d{2}$", "", metric["id"]) if metric.get("id") else None
        return source["platform_id"], series or metric["name"]

    previous = {ident(s): s["metric"] for s in old}
    changed = []
    for source in new:
        metric = source["metric"]
        was = previous.get(ident(source))
        if was and was["value"] == metric["value"] and was["as_of"] == metric["as_of"]:
            continue
        changed.append(
            FigureChange(
                platform=source["platform"],
                metric=metric["name"],
                unit=metric["unit"],
                old_value=was["value"] if was else None,
                old_as_of=was["as_of"] if was else None,
                new_value=metric["value"],
                new_as_of=metric["as_of"],
                source=metric["source"],
            )
        )
    return changed
