"""Typed models of the knowledge base and of one client's briefing; no I/O here."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"  # ids, theme names: file and folder names
SLUG_RULE = "lowercase letters, digits and '-'"
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _clean_text(value: str) -> str:
    """Reject characters that corrupt PDFs, decks or mail headers."""
    for ch in value:
        if ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff" or ch in BIDI_CONTROLS:
            raise ValueError(f"contains the control character U+{ord(ch):04X}")
    return value


def is_slug(text: str) -> bool:
    """The one slug check (``Slug`` fields use the same pattern): never a path."""
    return re.fullmatch(SLUG_PATTERN, text) is not None


def not_a_slug(text: str, what: str, hint: str = "") -> str | None:
    """None when ``text`` is a slug; else what to tell the user, in the one wording:
    "'Acme' is not a client id: use lowercase letters, digits and '-' (<hint>)"."""
    if is_slug(text):
        return None
    return f"'{text}' is not {what}: use {SLUG_RULE}" + (f" ({hint})" if hint else "")


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not a valid e-mail address")
    return value


def _partial_date(value: object) -> str:
    """Accept 2011, 2011-01 or 2011-01-21 (YAML may give an int or a date)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _PARTIAL_DATE.match(value):
        raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    return value


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_clean_text)]
Line = Annotated[Text, AfterValidator(_one_line)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Goal_Text = Annotated[  # one slide bullet each: at most 300 characters
    str,
    StringConstraints(min_length=1, max_length=300),
    AfterValidator(_clean_text),
    AfterValidator(_one_line),
]
Email = Annotated[str, AfterValidator(_one_line), AfterValidator(_email)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=500)]
AssetPath = Annotated[
    str, StringConstraints(pattern=r"^assets/[A-Za-z0-9_./-]+\.(png|jpg|jpeg|svg)$", max_length=200)
]
PartialDate = Annotated[str, BeforeValidator(_partial_date, json_schema_input_type=str | int)]
Score = Annotated[int, Field(ge=0, le=5)]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (clamped to the month's length)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_dated(as_of: dt.date, stale_before: dt.date) -> bool:
    """The one rule for "this figure is dated": the period it describes ended before
    ``stale_before`` (``stale_months`` before the briefing's date; see ``months_before``).
    The PDF, the deck, the charts, `data status` and the up-to-date check all ask here."""
    return as_of < stale_before


class Strict(BaseModel):
    """Unknown keys are errors, values are not coerced, instances are immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Contact(Strict):
    name: Line
    email: Email
    title: Line | None = None
    phone: Line | None = None


Stage = Literal["awareness", "consideration", "conversion", "loyalty"]
STAGES: tuple[Stage, ...] = ("awareness", "consideration", "conversion", "loyalty")
Route = Literal[
    "cross-border-ecommerce",  # Tmall Global, JD Worldwide, Douyin global shops
    "own-stores",  # the brand's own boutiques or flagship stores in China
    "distributors",  # an importer or distributor sells for the brand
    "dealers",  # car dealers and dealer groups
    "direct-b2b-sales",  # the brand's own sales team sells to companies
    "admissions",  # a school recruits students
    "bookings",  # travel and hospitality sold by booking
    "app-stores",  # games and apps distributed through Chinese app stores
]
Owner = Literal["agency", "client"]


class Target(Strict):
    value: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    unit: Line  # "% growth", "bookings", "leads"


class Goal(Strict):
    """A goal the plan is measured against."""

    id: Slug | None = None  # names the goal for its translations; default: its KPI
    goal: Goal_Text
    kpi: Slug  # an id from the industry's KPI catalogue
    target: Target
    by: dt.date
    baseline: Baseline | None = None  # where the KPI stands now (needed for "30% more than")


class Presence(Strict):
    """What a competitor does on one platform, as an account team's audit found it."""

    platform: Slug
    account: Line | None = None  # the account's name or handle
    followers: Annotated[int, Field(ge=0)] | None = None
    activity: Line  # what they do there: "weekly notes with mid-tier creators"
    as_of: dt.date
    source: Line  # "account audit by the agency's social team", or a publication


class Competitor(Strict):
    id: Slug | None = None  # names the competitor for its translations
    name: Line
    note: Line | None = None
    presence: list[Presence] = []  # none: the plan asks for an audit, never invents figures


class Baseline(Strict):
    value: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    as_of: dt.date  # the end of the period the value describes


class Override(Strict):
    """A client's own range for a plan input (its average order, its conversion rate)."""

    low: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    high: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    note: Line | None = None  # where the figure comes from


class Budget(Strict):
    amount: Annotated[float, Field(allow_inf_nan=False, gt=0)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]  # ISO 4217: EUR, USD
    period: Literal["month", "quarter", "year", "campaign"]


class Client(Strict):
    """A brand we advise: who they are, their industry and their brief."""

    name: Line
    short_name: Line | None = None  # how running text names the client; default: name
    industry: Slug
    segment: Slug | None = None  # a segment the industry file defines
    contact: Contact
    account_manager: Contact | None = None
    theme: Slug = "default"
    editions: list[Literal["en", "zh-CN"]] = Field(["en"], min_length=1)  # languages built
    goals: list[Goal | Goal_Text] = []  # a plain sentence is a goal with no KPI set
    focus_platforms: list[Slug] = []
    cities: list[Line] = []
    markets: list[Line] = []  # the old name of `cities` (accepted with a warning)
    competitors: list[Competitor] = []
    route_to_market: Route | None = None
    budget: Budget | None = None
    # the client's own figures for plan inputs, by id (data/assumptions.yaml, benchmarks)
    assumptions: dict[Slug, Override] = {}
    logo: AssetPath | None = None  # e.g. assets/clients/acme.png
    notes: Text | None = None

    @property
    def called(self) -> str:
        return self.short_name or self.name

    @property
    def all_cities(self) -> list[str]:
        return list(dict.fromkeys([*self.cities, *self.markets]))


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


Confidence = Literal["reported", "company claim", "estimate"]


class Metric(Strict):
    """One sourced figure, e.g. WeChat's combined MAU."""

    id: Slug | None = None  # translations refer to it (briefing data import makes one)
    name: Line  # "MAU", "DAU", "registered users"
    value: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    unit: Line  # "users", "accounts", "RMB"
    as_of: dt.date  # the end of the period the figure describes
    source: Line  # who published it, and where
    url: Url | None = None
    confidence: Confidence
    quote: Text | None = None  # the source's own words for the figure
    note: Line | None = None

    @property
    def audience(self) -> str | None:
        """'MAU' or 'DAU' for a platform's own monthly or daily users, else None (a feature's
        users, such as mini programs', are not the platform's audience). Read from the id,
        which keeps its English start in every edition (the Chinese name is 月活跃用户数…)."""
        key = (self.id or self.name).upper()
        if any(word in key for word in ("MINI", "INCAREER")) or "小程序" in self.name:
            return None
        return next((kind for kind in ("MAU", "DAU") if key.startswith(kind)), None)


def metric_id(name: str, as_of: object) -> str:
    """A new figure's id: 'MAU (Weixin and WeChat combined)', 2025-09-30 ->
    'mau-weixin-wechat-combined-2025-09'."""
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in ("and", "of", "the")]
    return "-".join([*words[:4], str(as_of)[:7]])


class Fact(Strict):
    """A sourced statement that is not a figure: a launch, an owner, a company statement."""

    id: Slug | None = None  # translations refer to it
    statement: Line  # in our words, e.g. "Tencent launched Channels in beta in January 2020"
    quote: Text  # the source's own words that carry the claim
    source: Line  # who published it, and where
    url: Url  # the page the quote is on
    as_of: PartialDate  # when the source said it


class Feature(Strict):
    id: Slug  # stable: playbooks and translations refer to it
    name: Line
    description: Line
    since: PartialDate | None = None


Category = Literal[
    "social",
    "video",
    "commerce",
    "local services",
    "travel",
    "auto vertical",
    "recruitment",
    "search and AI",
]


class Platform(Strict):
    """A platform: profile, features, sourced facts and metrics."""

    name: Line
    name_zh: Line
    owner: Line
    category: Category
    tagline: Line  # what it is, in a few words: "Messaging super-app"
    launched: PartialDate
    # dormant: no longer active or promoted, but no sourced closure; never recommended, not "closed"
    status: Literal["active", "dormant", "discontinued"]
    discontinued: PartialDate | None = None  # None for a closure whose date is unconfirmed
    replaced_by: Line | None = None
    watch: Text | None = None  # a regulatory or reputational risk to flag
    summary: Text
    features: list[Feature] = []
    audience: Text
    facts: list[Fact] = []
    metrics: list[Metric] = []  # several of one name: the newest is shown, the rest is history

    @property
    def current_metrics(self) -> list[Metric]:
        """The newest figure of each name, in the order the names first appear."""
        newest: dict[str, Metric] = {}
        for metric in self.metrics:
            if metric.name not in newest or metric.as_of > newest[metric.name].as_of:
                newest[metric.name] = metric
        return list(newest.values())


class ArticleMeta(Strict):
    """An article's front matter."""

    title: Line
    date: dt.date
    author: Line
    summary: Line | None = None
    platforms: list[Slug] = []
    industries: list[Slug] = []


class Article(Strict):
    slug: str
    meta: ArticleMeta
    body: str  # markdown
    path: str  # relative to the project root, for error messages


class RankedPlatform(Strict):
    id: str
    platform: Platform
    fit: Fit
    focus: bool


class AvoidedPlatform(Strict):
    id: str
    platform: Platform
    kind: Literal["closed", "poor fit", "watch"]
    reason: Text | None = None  # the industry's rationale, when it has one for the platform


class SourceEntry(Strict):
    platform_id: str
    platform: str
    metric: Metric
    stale: bool


class Briefing(Strict):
    """Everything one client's outputs say, assembled and ranked."""

    client_id: str
    client: Client
    industry_id: str
    industry: Industry
    recommended: list[RankedPlatform]
    fits: list[RankedPlatform]  # every active platform, best fit first
    avoid: list[AvoidedPlatform]
    articles: list[Article]
    sources: list[SourceEntry]
    date: dt.date
    stale_before: dt.date
    stale_months: int
    plan: Any = None  # briefing.plan.Plan (defined there: it is built from these models)
    changes: Any = None  # briefing.assemble.changes.Changes since the last sent briefing, if any

    def dated(self, metric: Metric) -> bool:
        """Whether ``metric`` is marked dated in this briefing (templates: ``b.dated(m)``)."""
        return is_dated(metric.as_of, self.stale_before)
