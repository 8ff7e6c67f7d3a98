"""An industry's playbook: how well each platform fits it, the roles, tactics, KPIs and risks
it offers, and its segments; each item scoped to the segments and routes it suits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from briefing.project.fields import (
    Line,
    Owner,
    PartialDate,
    Route,
    Score,
    Slug,
    Stage,
    Strict,
    Text,
    Url,
)


class Fit(Strict):
    """How well one platform serves one industry."""

    score: Score = Field(description="0 (no use) to 5 (essential); 4-5 earns a place in the plan")
    rationale: Line = Field(description="Why, in one sentence the client reads")


ALL: Literal["all"] = "all"
# Which of the industry's segments, or routes to market, an item of a playbook suits: a
# list of ids, or "all". Every item declares both, so nothing reaches a client it does not fit.
Segments = Annotated[list[Slug], Field(min_length=1)] | Literal["all"]
Routes = Annotated[list[Route], Field(min_length=1)] | Literal["all"]


def _within(scope: list[str] | str, value: str | None) -> bool:
    """Whether ``value`` (a client's segment or route, None: unset) is in ``scope``."""
    return scope == ALL or (value is not None and value in scope)


class Scoped:
    """A playbook item (role, tactic, risk) that declares whom it suits: one rule for all.
    Items inside a segment declare routes only; industry-level ones add ``segments``."""

    def suits(self, segment: str | None, route: str | None) -> bool:
        """Whether this item fits a client of ``segment`` selling through ``route``."""
        scope = getattr(self, "segments", ALL)
        return _within(scope, segment) and _within(self.routes, route)  # type: ignore[attr-defined]


class Role(Scoped, Strict):
    """What one platform does for this industry at each stage of the funnel (blank: nothing)."""

    awareness: Line | None = Field(
        None,
        description="What the platform does to make buyers aware of the brand (blank: nothing)",
    )
    consideration: Line | None = Field(
        None, description="What it does while buyers compare and decide"
    )
    conversion: Line | None = Field(
        None, description="What it does to turn interest into a sale, lead or booking"
    )
    loyalty: Line | None = Field(
        None, description="What it does to keep customers and bring them back"
    )
    features: list[Slug] = Field(
        [],
        description="The platform's features that matter here (ids in data/platforms/<id>.yaml)",
    )
    routes: Routes = Field(ALL, description="The routes to market this role suits, or 'all'")

    def stage(self, stage: str) -> str | None:
        return getattr(self, stage)


class IndustryRole(Role):
    """A role at the industry level: it declares the segments and routes it suits."""

    segments: Segments = Field(
        description="The industry's segments this role suits (ids), or 'all'"
    )
    routes: Routes = Field(description="The routes to market this role suits, or 'all'")


class Tactic(Scoped, Strict):
    """One thing to do on one platform, for one stage of the funnel (in a segment: for it)."""

    id: Slug = Field(description="A unique id in the playbook, e.g. douyin-creator-first-drives")
    platform: Slug = Field(description="The platform it runs on (a file in data/platforms/)")
    stage: Stage = Field(
        description="The funnel stage it serves: awareness, consideration, conversion or loyalty"
    )
    text: Line = Field(
        description="The instruction the client reads: 'Brief 20 mid-tier travel creators to…'"
    )
    short: Annotated[Line, StringConstraints(max_length=70)] | None = Field(
        None, description="At most 70 characters, for the roadmap slide (default: the text)"
    )
    routes: Routes = Field(
        description="The routes to market it suits (route_to_market values), or 'all'"
    )
    kpis: list[Slug] = Field(
        [], description="The KPIs it moves (ids in kpis); empty: every KPI of its stage"
    )
    owner: Owner = Field("agency", description="Who does it: agency or client")
    day: Literal[30, 60, 90] = Field(
        30, description="The milestone it belongs to in the first 90 days: 30, 60 or 90"
    )
    moment: Slug | None = Field(
        None, description="A data/calendar.yaml moment: the roadmap puts it on its date"
    )
    setup: list[Slug] = Field(
        [], description="One-off set-up inputs it needs (ids in data/assumptions.yaml)"
    )


class IndustryTactic(Tactic):
    """A tactic at the industry level: it declares the segments it suits as well."""

    segments: Segments = Field(description="The industry's segments it suits (ids), or 'all'")


class Benchmark(Strict):
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Line
    source: Line
    url: Url
    as_of: PartialDate


KpiKind = Literal["count", "money", "rate", "cost-per", "score"]


class Kpi(Strict):
    """A measure a goal can be set on, and how the plan reaches and forecasts it."""

    id: Slug = Field(description="The id a client's goal names in `kpi:`")
    name: Line = Field(description="Its name: 'Bookings from China'")
    unit: Line = Field(description="What is counted: 'bookings', '% of sales'")
    stage: Stage = Field(description="The funnel stage it measures")
    benchmark: Benchmark | None = Field(None, description="A published figure to compare with")
    platforms: list[Slug] = Field(
        min_length=1, description="The platforms where it is measured or moved (at least one)"
    )
    kind: KpiKind = Field("count", description="count, money, rate, cost-per or score")
    direction: Literal["higher", "lower"] = Field("higher", description="Which way is better")
    owner: Owner = Field(
        "agency", description="Who controls it: client for sales, leads it qualifies, enrolments"
    )
    owner_role: Line | None = Field(
        None, description="Which team: 'boutique managers', 'social listening team'"
    )
    # How spend becomes this KPI: reach (impressions) times each conversion input in turn
    # (ids in data/benchmarks/ or data/assumptions.yaml); a money KPI then times `value`.
    # No path: the plan says "no forecast: no published benchmark".
    path: list[Slug] | None = Field(
        None,
        description="The conversion inputs (ids in data/benchmarks/ or data/assumptions.yaml) "
        "that turn reach into the KPI; none: no forecast",
    )
    value: Slug | None = Field(None, description="Money KPIs: the input for the value of one order")


class Risk(Scoped, Strict):
    """Something that can go wrong for a client of this industry (in a segment: of it)."""

    id: Slug = Field(description="A unique id in the playbook")
    risk: Line = Field(description="What can go wrong, in one sentence")
    likelihood: Literal["low", "medium", "high"] = Field(description="low, medium or high")
    mitigation: Line = Field(description="What the plan does about it")
    owner: Owner = Field(description="Who owns the mitigation: agency or client")
    routes: Routes = Field(description="The routes to market it concerns, or 'all'")


class IndustryRisk(Risk):
    """A risk at the industry level: it declares the segments it concerns as well."""

    segments: Segments = Field(description="The industry's segments it concerns (ids), or 'all'")


class Segment(Strict):
    """A sub-industry with its own advice (e.g. education -> postgraduate-business)."""

    id: Slug = Field(description="The segment's id, as clients name it in `segment:`")
    name: Line = Field(description="Its name, as the briefing shows it")
    summary: Text = Field(description="Who the segment's brands are and how their buyers decide")
    routes: list[Route] | None = Field(
        None,
        description="The routes to market its clients sell through, when only some of the "
        "industry's routes (default: all of them)",
    )
    fit: dict[Slug, Fit] = Field(
        {}, description="Overrides of the industry's fit, by platform id, with their rationale"
    )
    roles: dict[Slug, Role] = Field(
        {}, description="Replace the industry's role for these platforms"
    )
    tactics: list[Tactic] = Field(
        [], description="Added to the industry's tactics for this segment's clients"
    )
    risks: list[Risk] = Field(
        [], description="Added to the industry's risks for this segment's clients"
    )


class Industry(Strict):
    """A playbook: how an industry should use each platform, stage by stage."""

    name: Line = Field(description="The industry's name, as the briefing shows it")
    summary: Text = Field(
        description="How the industry's buyers use Chinese platforms, in a few sentences"
    )
    routes: list[Route] = Field(
        min_length=1,
        description="The routes to market its clients sell through (route_to_market values)",
    )
    fit: dict[Slug, Fit] = Field(
        description="How well each active platform serves the industry: a score 0-5 and why"
    )
    roles: dict[Slug, IndustryRole] = Field(
        {}, description="What each platform does at each funnel stage, by platform id"
    )
    tactics: list[IndustryTactic] = Field(
        min_length=1, description="The things to do, each on one platform and stage"
    )
    kpis: list[Kpi] = Field(min_length=1, description="The measures a client's goals can be set on")
    risks: list[IndustryRisk] = Field([], description="What can go wrong, with its mitigation")
    segments: list[Segment] = Field(
        [], description="Sub-industries with their own fit, roles, tactics and risks"
    )
