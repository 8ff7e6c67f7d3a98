"""The roadmap to the last deadline: dated steps, as data (pure).

The first 90 days are the tactics' own milestones (day 30, 60, 90 after the briefing's date).
After that the plan runs quarter by quarter to the latest deadline: each quarter opens with a
review of the platforms' results, the calendar moments that matter to the industry fall on
their dates, and a tactic tied to a moment is placed on the moment's date. A moment whose date
is not published yet is listed under its year as "date to confirm".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from briefing.assemble.timeline import Quarter
from briefing.project.fields import Strict
from briefing.project.playbook import Tactic
from briefing.project.reference import Moment

Status = Literal["published", "to-confirm"]


class Step(Strict):
    date: dt.date | None  # None: a moment whose date is not published yet
    year: int
    platform: str | None = None  # the tactic's platform
    tactic: str | None = None  # a tactic id (the client's playbook)
    moment: str | None = None  # a data/calendar.yaml moment id
    review: str | None = None  # a quarter id: the quarterly review that opens it
    goal: int | None = None  # a goal's deadline: its index in the plan's goals
    status: Status = "published"


def roadmap(
    today: dt.date,
    end: dt.date,
    tactics: Sequence[Tactic],
    moments: Sequence[Moment],
    industry: str,
    deadlines: Sequence[dt.date | None] = (),
) -> list[Step]:
    """Every step from ``today`` to ``end``, in date order (undated moments last in their
    year)."""
    steps: list[Step] = []
    tied = {t.moment: t for t in tactics if t.moment}
    for tactic in tactics:
        if not tactic.moment:
            day = today + dt.timedelta(days=tactic.day)
            steps.append(Step(date=day, year=day.year, platform=tactic.platform, tactic=tactic.id))
    quarter = _after_90(today)
    while quarter.start <= end:
        steps.append(Step(date=quarter.start, year=quarter.year, review=quarter.id))
        quarter = quarter.next()
    for index, deadline in enumerate(deadlines):
        if deadline is not None:
            steps.append(Step(date=deadline, year=deadline.year, goal=index))
    for moment in moments:
        if moment.applies_to(industry) or moment.id in tied:
            steps += _moment_steps(moment, today, end, tied.get(moment.id))
    return sorted(steps, key=_order)


def _after_90(today: dt.date) -> Quarter:
    """The first quarter that starts after the first 90 days."""
    quarter = Quarter.of(today).next()
    while quarter.start <= today + dt.timedelta(days=90):
        quarter = quarter.next()
    return quarter


def _moment_steps(
    moment: Moment, today: dt.date, end: dt.date, tactic: Tactic | None
) -> list[Step]:
    found = []
    for when in moment.dates:
        dated = when.start is not None and today <= when.start <= end
        undated = when.start is None and today.year <= when.year <= end.year
        if not (dated or undated):
            continue
        found.append(
            Step(
                date=when.start,
                year=when.year,
                platform=tactic.platform if tactic else None,
                tactic=tactic.id if tactic else None,
                moment=moment.id,
                status=when.status,
            )
        )
    return found


def _order(step: Step) -> tuple:
    return (
        step.year,
        step.date is None,
        step.date or dt.date.max,
        step.moment or "",
        step.tactic or "",
    )


def last_day(steps: Sequence[Step]) -> dt.date | None:
    dated = [s.date for s in steps if s.date is not None]
    return max(dated) if dated else None
