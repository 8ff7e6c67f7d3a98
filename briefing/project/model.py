"""Typed models of a client, a platform, an article and one client's briefing; no I/O here (their
field types are in fields.py, an industry's playbook in playbook.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from briefing.project.fields import (
    AssetPath,
    Email,
    Goal_Text,
    Line,
    PartialDate,
    Route,
    Slug,
    Strict,
    Text,
    Url,
)
from briefing.project.playbook import Fit, Industry
from briefing.project.rules import is_dated
from briefing.settings import Language


class Contact(Strict):
    name: Line
    email: Email
    title: Line | None = None
    phone: Line | None = None


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
    editions: list[Language] = Field(["en"], min_length=1)  # languages built
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
    def other_name(self) -> str:
        """The name in the edition's other language, or "" where both are one (DeepSeek, QQ:
        Chinese users say the Latin name, and "QQ QQ" reads as a typo)."""
        return "" if self.name_zh == self.name else self.name_zh

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
