"""The budget, built up from line items: per platform and type, per quarter (pure).

The plan runs from the briefing's date to its last deadline. Each budget period (a quarter, a
year of four quarters, a month, or the whole campaign) in that window gets the brief's amount,
or, where the window covers it only in part, its share by days; within a period each quarter
gets its share by the days it has in the window. A period's amount is split in this order,
every share the midpoint of its input (data/assumptions.yaml): the reserve; one-off set-up
costs, in the quarter the plan starts; agency fees and production as shares of the working
budget; the working budget across the recommended platforms by weight, each platform's part
into creators and media (a platform with no ads to buy, such as WeCom, gets content and
operations instead). Lines are rounded by largest remainder so that every period's lines add
up to its amount exactly. Costs published in RMB are turned into the budget's currency with
data/fx.yaml.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

from briefing.assemble.timeline import Quarter
from briefing.project.fields import Strict
from briefing.project.model import Budget
from briefing.project.reference import Input, Reference

LineType = Literal["media", "creators", "production", "setup", "agency-fees", "reserve"]
QUARTERS_PER_PERIOD = {"quarter": 1, "year": 4, "month": 1}  # a campaign is one period
MONTHS_PER_QUARTER = 3  # a monthly budget's lines are per quarter: three months each
CREATOR_LED = {"xiaohongshu", "douyin", "bilibili", "weibo", "kuaishou", "wechat-channels"}


class BudgetLine(Strict):
    platform: str | None  # None: agency fees and the reserve
    type: LineType
    quarter: str  # '2027-Q1'
    period: int  # which budget period (from 0) the line belongs to
    amount: int  # in the budget's currency


class PlannedBudget(Strict):
    currency: str
    amount: float | None  # per period, as the brief gives it; None: no budget in the brief
    period: str  # quarter, year, month, campaign
    periods: float  # how many periods the plan spans
    total: int  # the sum of the lines
    step: int  # each line is a whole multiple of it
    lines: list[BudgetLine]
    minimum: int  # the least per period that funds the platforms the goals need
    underfunded: list[str] = []  # platforms whose share is below their minimum workable spend
    inputs: list[str] = []  # ids of the benchmarks and assumptions it used
    spans: list[tuple[dt.date, dt.date]] = []  # each period's first and last day in the plan


class Shares(Strict):
    """The midpoints the split uses, as fractions; and the platforms' minimum per quarter."""

    reserve: float
    agency: float
    production: float
    creators: float
    min_spend_cny: float
    inputs: list[str]


def shares(reference: Reference, overrides: dict) -> Shares:
    def mid(item: Input | None, default: float) -> float:
        return (item.low + item.high) / 2 if item else default

    found = {
        "reserve": reference.get("reserve-share", overrides),
        "agency": reference.get("agency-fee-share", overrides),
        "production": reference.get("production-share", overrides),
        "creators": reference.get("creator-share", overrides),
        "min": reference.get("min-spend-per-quarter", overrides),
    }
    return Shares(
        reserve=mid(found["reserve"], 0) / 100,
        agency=mid(found["agency"], 0) / 100,
        production=mid(found["production"], 0) / 100,
        creators=mid(found["creators"], 50) / 100,
        min_spend_cny=found["min"].low if found["min"] else 0,
        inputs=sorted(item.id for item in found.values() if item),
    )


def groups(plan_quarters: Sequence[Quarter], period: str) -> list[list[Quarter]]:
    """The budget periods, as runs of quarters (a year is four; the last may be shorter)."""
    if period == "campaign":
        return [list(plan_quarters)]
    size = QUARTERS_PER_PERIOD[period]
    return [list(plan_quarters[i : i + size]) for i in range(0, len(plan_quarters), size)]


def in_window(quarter: Quarter, window: tuple[dt.date, dt.date]) -> float:
    """The share of the quarter's days that fall in the plan's window (0 to 1)."""
    start, end = max(quarter.start, window[0]), min(quarter.end, window[1])
    days = (quarter.end - quarter.start).days + 1
    return max((end - start).days + 1, 0) / days


def split(
    amount: float,
    group: Sequence[tuple[Quarter, float]],
    weights: dict[str, float],
    setups: dict[str, float],
    shares: Shares,
    index: int,
    media: set[str],
) -> list[tuple[BudgetLine, float]]:
    """One period's lines with their exact amounts (before rounding); each quarter gets its
    share by the days it has in the plan's window."""
    reserve = amount * shares.reserve
    setup_total = sum(setups.values())
    remaining = max(amount - reserve - setup_total, 0)
    working = remaining / (1 + shares.agency + shares.production)
    exact: list[tuple[BudgetLine, float]] = []

    def add(platform: str | None, kind: LineType, quarter: Quarter, value: float) -> None:
        line = BudgetLine(platform=platform, type=kind, quarter=quarter.id, period=index, amount=0)
        exact.append((line, value))

    total_weight = sum(weights.values()) or 1
    days = sum(share for _, share in group) or 1
    for quarter, share in group:
        for platform, weight in weights.items():
            part = working * weight / total_weight * share / days
            if platform in media:
                creators = part * shares.creators if platform in CREATOR_LED else 0.0
                add(platform, "creators", quarter, creators)
                add(platform, "media", quarter, part - creators)
                add(platform, "production", quarter, part * shares.production)
            else:  # no ads to buy (WeCom, a mini program): content and operations
                add(platform, "production", quarter, part * (1 + shares.production))
        add(None, "agency-fees", quarter, working * shares.agency * share / days)
        add(None, "reserve", quarter, reserve * share / days)
    for platform, cost in setups.items():
        add(platform, "setup", group[0][0], cost)
    return [(line, value) for line, value in exact if value > 0 or line.type == "reserve"]


def round_to(exact: list[tuple[BudgetLine, float]], amount: float, step: int) -> list[BudgetLine]:
    """Largest remainder: whole steps that add up to ``amount`` exactly."""
    units = round(amount / step)
    scale = units / (sum(v for _, v in exact) / step) if exact and sum(v for _, v in exact) else 0
    wanted = [v / step * scale for _, v in exact]
    floors = [math.floor(w) for w in wanted]
    short = units - sum(floors)
    order = sorted(range(len(wanted)), key=lambda i: (floors[i] - wanted[i], i))
    for i in order[:short]:
        floors[i] += 1
    return [
        line.model_copy(update={"amount": units_ * step})
        for (line, _), units_ in zip(exact, floors, strict=True)
    ]


def step_for(amount: float, lines: int = 1) -> int:
    """The rounding step: the largest of 1,000, 100, 10 and 1 that divides the amount and is
    small beside a typical line (a twentieth of it), so rounding never shows in a row."""
    typical = amount / max(lines, 1)
    for step in (1000, 100, 10, 1):
        if typical >= 20 * step and float(amount / step).is_integer():
            return step
    return 1


def plan_budget(
    budget: Budget | None,
    plan_quarters: Sequence[Quarter],
    weights: dict[str, float],
    setups_cny: dict[str, float],
    reference: Reference,
    overrides: dict,
    window: tuple[dt.date, dt.date] | None = None,
    media: set[str] | None = None,
) -> PlannedBudget:
    """The budget's lines from the plan's first day to its last deadline (``window``); a
    period only partly in the window gets its share of the amount by days. Without a budget,
    the lines of the minimum the platforms need. ``media``: the platforms with ads to buy."""
    split_shares = shares(reference, overrides)
    currency = budget.currency if budget else "CNY"
    rate = reference.fx[currency].cny_per_unit if currency in reference.fx else 1.0
    setups = {p: cost / rate for p, cost in setups_cny.items()}
    period = budget.period if budget else "quarter"
    window = window or (plan_quarters[0].start, plan_quarters[-1].end)
    media = set(weights) if media is None else media
    runs = [[(q, in_window(q, window)) for q in run] for run in groups(plan_quarters, period)]
    full = {"year": 4, "quarter": 1, "month": 1}.get(period)
    minimum = minimum_per_period(weights, setups, split_shares, rate, full or len(plan_quarters))
    if period == "month":
        minimum /= MONTHS_PER_QUARTER
    amount = budget.amount if budget else float(math.ceil(minimum / 1000) * 1000)
    per_full = amount * (MONTHS_PER_QUARTER if period == "month" else 1)
    shares_of = [1.0 if full is None else sum(s for _, s in run) / full for run in runs]
    step = step_for(per_full, len(weights) * 3 * (full or len(plan_quarters)) + 2)
    amounts = [round(per_full * share / step) * step for share in shares_of]
    lines = []
    for index, (run, run_amount) in enumerate(zip(runs, amounts, strict=True)):
        exact = split(run_amount, run, weights, setups if index == 0 else {}, split_shares,
                      index, media)  # fmt: skip
        lines += round_to(exact, run_amount, step)
    working_types = ("media", "creators", "production")
    quarter_days = sum(s for run in runs for _, s in run) or 1
    per_quarter = {
        p: sum(line.amount for line in lines if line.platform == p and line.type in working_types)
        / quarter_days
        for p in weights
    }
    floor = split_shares.min_spend_cny / rate
    total = sum(line.amount for line in lines)
    spans = [(max(run[0][0].start, window[0]), min(run[-1][0].end, window[1])) for run in runs]
    return PlannedBudget(
        spans=spans,
        currency=currency,
        amount=budget.amount if budget else None,
        period=period,
        periods=round(total / amount, 2) if amount else 0.0,
        total=total,
        step=step,
        lines=lines,
        minimum=math.ceil(minimum),
        underfunded=sorted(p for p, spend in per_quarter.items() if spend < floor),
        inputs=split_shares.inputs,
    )


def minimum_per_period(
    weights: dict[str, float], setups: dict[str, float], shares: Shares, rate: float, quarters: int
) -> float:
    """The least one period of ``quarters`` can be: every platform at its minimum per quarter,
    plus set-ups, fees, production and the reserve on top."""
    working = len(weights) * shares.min_spend_cny / rate * quarters
    with_fees = working * (1 + shares.agency + shares.production) + sum(setups.values())
    return with_fees / (1 - shares.reserve) if shares.reserve < 1 else with_fees


class TableRow(Strict):
    platform: str | None
    type: LineType | None  # None: every line of the platform together
    amounts: list[int]  # one per budget period
    total: int


def table(planned: PlannedBudget) -> tuple[list[tuple[dt.date, dt.date]], list[TableRow]]:
    """The budget as the page shows it: each period's first and last day in the plan (its
    label), and one row per platform and type with its amount in each period, platforms in
    plan order, then fees and the reserve."""
    periods = sorted({line.period for line in planned.lines})
    firsts = [planned.spans[p] for p in periods] if planned.spans else []
    order = {"setup": 0, "media": 1, "creators": 2, "production": 3, "agency-fees": 4}
    keys: list[tuple[str | None, LineType]] = []
    for line in planned.lines:
        if (line.platform, line.type) not in keys:
            keys.append((line.platform, line.type))
    platforms = list(dict.fromkeys(p for p, _ in keys if p))
    keys.sort(key=lambda k: (k[0] is None, platforms.index(k[0]) if k[0] else 0,
                             order.get(k[1], 5)))  # fmt: skip
    rows = []
    for platform, kind in keys:
        amounts = [
            sum(
                line.amount
                for line in planned.lines
                if line.platform == platform and line.type == kind and line.period == p
            )
            for p in periods
        ]
        if any(amounts):
            rows.append(TableRow(platform=platform, type=kind, amounts=amounts, total=sum(amounts)))
    return firsts, rows


SLIDE_PERIODS = 6  # more periods than this, and the slide's table shows years instead


def summary(planned: PlannedBudget) -> tuple[list[tuple[dt.date, dt.date]], list[TableRow]]:
    """The budget per platform (all its lines together), then fees and the reserve: the
    slide's shorter table. Over ``SLIDE_PERIODS`` periods (ten quarters to a deadline two
    years on), each calendar year is one column: twelve columns broke its figures
    ('141,50|0') and its labels in a Chinese deck (qa-briefs 52:15)."""
    periods, rows = table(planned)
    merged: list[TableRow] = []
    for row in rows:
        if row.platform and merged and merged[-1].platform == row.platform:
            last = merged[-1]
            amounts = [a + b for a, b in zip(last.amounts, row.amounts, strict=True)]
            merged[-1] = last.model_copy(update={"amounts": amounts, "total": sum(amounts)})
        else:
            merged.append(row.model_copy(update={"type": None}) if row.platform else row)
    if len(periods) <= SLIDE_PERIODS:
        return periods, merged
    years = sorted({first.year for first, _ in periods})
    spans = [
        (min(f for f, _ in periods if f.year == y), max(last for f, last in periods if f.year == y))
        for y in years
    ]
    by_year = [
        row.model_copy(
            update={
                "amounts": [
                    sum(a for (f, _), a in zip(periods, row.amounts, strict=True) if f.year == y)
                    for y in years
                ]
            }
        )
        for row in merged
    ]
    return spans, by_year
