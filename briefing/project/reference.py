"""The figures a plan computes from, as typed models (no I/O here).

- ``data/benchmarks/*.yaml``: published ranges (unit costs, fees, commissions, rates), each
  with the source whose URL holds the claim.
- ``data/assumptions.yaml``: the stated defaults used where nothing is published, each with
  its rationale; a client file may override one by id (``assumptions:``).
- ``data/calendar.yaml``: moments (festivals, shopping days, holidays, fairs) with a date per
  year, or "to confirm" where none is published yet.
- ``data/fx.yaml``: how many RMB one unit of a budget's currency buys, dated and sourced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field, model_validator

from briefing.project.fields import Line, PartialDate, Slug, Strict, Text, Url

Measure = Literal[
    "cpm",  # media: currency per 1,000 impressions
    "cost-per-view",  # video media: currency per view
    "cpc",  # search: currency per click
    "creator-fee",  # one creator's post or video, by tier
    "commission",  # % of sales (livestream hosts, marketplaces)
    "conversion",  # % from one funnel step to the next
    "setup",  # one-off: a store, a mini program, an official account
    "fee-share",  # % of the budget: agency fees, reserve
    "production",  # currency per asset
    "min-spend",  # the least a platform needs per quarter to be worth running
    "order-value",  # what one order (or one qualified deal) is worth: a sales KPI's last step
]
Tier = Literal["nano", "micro", "mid", "top"]
Level = Literal["high", "medium", "low"]
Amount = Annotated[float, Field(allow_inf_nan=False, ge=0)]


class Range(Strict):
    """A low-high range: a plan never pretends to know a point."""

    low: Amount
    high: Amount

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        return self


class Benchmark(Range):
    """A published range: the URL holds the claim."""

    id: Slug
    platform: Slug | None = None  # a data/platforms id; None: any platform
    measure: Measure
    name: Line
    tier: Tier | None = None
    unit: Line
    as_of: PartialDate
    source: Line
    url: Url
    confidence: Level
    note: Text | None = None


class Assumption(Range):
    """A stated default where no public figure exists, and why it is what it is."""

    id: Slug
    platform: Slug | None = None
    measure: Measure
    name: Line
    tier: Tier | None = None
    unit: Line
    rationale: Text


class MomentDate(Strict):
    year: Annotated[int, Field(ge=2000, le=2100)]
    start: dt.date | None = None  # None: not published yet
    end: dt.date | None = None
    status: Literal["published", "to-confirm"]


class Moment(Strict):
    """A date that matters to some industries: Chinese New Year, 618, a trade fair."""

    id: Slug
    name: Line
    kind: Literal["festival", "shopping", "holiday", "fair"]
    industries: list[Slug] = Field(min_length=1)  # data/industries ids, or [all]
    dates: list[MomentDate] = Field(min_length=1)
    source: Line
    url: Url | None = None
    note: Text | None = None

    def applies_to(self, industry: str) -> bool:
        return "all" in self.industries or industry in self.industries

    def on(self, year: int) -> MomentDate | None:
        return next((d for d in self.dates if d.year == year), None)


class FxRate(Strict):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    cny_per_unit: Annotated[float, Field(allow_inf_nan=False, gt=0)]
    as_of: dt.date
    source: Line
    url: Url | None = None
    confidence: Level


class BenchmarkFile(Strict):
    benchmarks: list[Benchmark] = Field(min_length=1)


class AssumptionFile(Strict):
    assumptions: list[Assumption] = Field(min_length=1)


class CalendarFile(Strict):
    moments: list[Moment] = Field(min_length=1)


class FxFile(Strict):
    base: Literal["CNY"]
    rates: list[FxRate] = Field(min_length=1)


@dataclass(frozen=True)
class Input:
    """One number a plan computes from: a benchmark (sourced) or an assumption (stated)."""

    id: str
    measure: str
    low: float
    high: float
    unit: str
    sourced: bool
    platform: str | None = None
    tier: str | None = None
    overridden: bool = False  # the client's file set it
    name: str = ""
    source: str = ""  # a benchmark's publisher; an assumption's rationale
    url: str | None = None
    as_of: str | None = None


@dataclass
class Reference:
    """Every benchmark, assumption, moment and rate, flattened from their files."""

    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    assumptions: dict[str, Assumption] = field(default_factory=dict)
    moments: list[Moment] = field(default_factory=list)
    fx: dict[str, FxRate] = field(default_factory=dict)
    # A benchmark published before this ISO date describes another market: `find` passes over
    # it (to an assumption) though a path may still name it. Set by the plan from its date.
    not_before: str = ""

    def get(self, ident: str, overrides: dict[str, Range] | None = None) -> Input | None:
        """The input with this id (a benchmark or an assumption), a client's override applied."""
        overrides = overrides or {}
        item: Benchmark | Assumption | None = self.benchmarks.get(ident) or self.assumptions.get(
            ident
        )
        if item is None:
            return None
        chosen = overrides.get(ident, item)
        return Input(
            item.id,
            item.measure,
            chosen.low,
            chosen.high,
            item.unit,
            sourced=isinstance(item, Benchmark) and ident not in overrides,
            platform=item.platform,
            tier=item.tier,
            overridden=ident in overrides,
            name=item.name,
            source=item.source if isinstance(item, Benchmark) else item.rationale,
            url=item.url if isinstance(item, Benchmark) else None,
            as_of=item.as_of if isinstance(item, Benchmark) else None,
        )

    def find(
        self,
        measure: str,
        platform: str | None = None,
        tier: str | None = None,
        overrides: dict[str, Range] | None = None,
    ) -> Input | None:
        """The input for a measure on a platform (and tier): a benchmark for that platform,
        else an assumption for it, else the platform-independent ones; a client's override
        of an id replaces that id's range."""
        for scope in (platform, None) if platform else (None,):
            for items in (self.benchmarks, self.assumptions):
                for item in items.values():
                    if isinstance(item, Benchmark) and str(item.as_of) < self.not_before:
                        continue
                    if item.measure == measure and item.platform == scope and item.tier == tier:
                        return self.get(item.id, overrides)
        return None
