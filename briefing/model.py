"""Typed models of the knowledge base and of one client's briefing; no I/O here."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
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
Goal = Annotated[  # one slide bullet each: at most 300 characters
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


class Strict(BaseModel):
    """Unknown keys are errors, values are not coerced, instances are immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Contact(Strict):
    name: Line
    email: Email
    title: Line | None = None
    phone: Line | None = None


class Client(Strict):
    """A brand we advise: who they are, their industry and what they want."""

    name: Line
    industry: Slug
    contact: Contact
    account_manager: Contact | None = None
    theme: Slug = "default"
    goals: list[Goal] = []
    focus_platforms: list[Slug] = []
    markets: list[Line] = []
    logo: AssetPath | None = None  # e.g. assets/clients/acme.png
    notes: Text | None = None


class Fit(Strict):
    """How well one platform serves one industry."""

    score: Score
    rationale: Line


class Industry(Strict):
    """A playbook: how an industry should use each platform."""

    name: Line
    summary: Text
    fit: dict[Slug, Fit]
    tactics: list[Line] = Field(min_length=1)
    kpis: list[Line] = Field(min_length=1)
    risks: list[Line] = []


Confidence = Literal["reported", "company claim", "estimate"]


class Metric(Strict):
    """One sourced figure, e.g. WeChat's combined MAU."""

    name: Line  # "MAU", "DAU", "registered users"
    value: Annotated[float, Field(allow_inf_nan=False, ge=0)]
    unit: Line  # "users", "accounts", "RMB"
    as_of: dt.date  # the end of the period the figure describes
    source: Line  # who published it, and where
    url: Url | None = None
    confidence: Confidence
    quote: Text | None = None  # the source's own words for the figure
    note: Line | None = None


class Fact(Strict):
    """A sourced statement that is not a figure: a launch, an owner, a company statement."""

    statement: Line  # in our words, e.g. "Tencent launched Channels in beta in January 2020"
    quote: Text  # the source's own words that carry the claim
    source: Line  # who published it, and where
    url: Url  # the page the quote is on
    as_of: PartialDate  # when the source said it


class Feature(Strict):
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
    status: Literal["active", "discontinued"]
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
    reason: Text


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
