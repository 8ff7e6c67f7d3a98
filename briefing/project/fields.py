"""The field types every model is made of: cleaned text, one-line text, slugs, e-mail
addresses, partial dates, scores, stages and routes to market; the date rules; Strict."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from briefing.project.rules import SLUG_PATTERN, SLUG_RULE, is_slug

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Unicode's control (Cc) and surrogate (Cs) code points but tab and newline, the two
# non-characters U+FFFE and U+FFFF, and the bidi overrides: one search, not a loop per
# character (every text field of every file is checked on each load).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def control_character(text: str) -> str | None:
    """The one control-character rule (data fields and article bodies): the first character
    that would corrupt a PDF, a deck or a mail header, print as a box or silently reorder
    text (bidi overrides), as the problem to report; newlines and tabs are fine."""
    found = _CONTROL.search(text)
    return f"contains the control character U+{ord(found.group()):04X}" if found else None


def clean_text(value: str) -> str:
    """Reject characters that corrupt PDFs, decks or mail headers."""
    problem = control_character(value)
    if problem:
        raise ValueError(problem)
    return value


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


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(clean_text)]
Line = Annotated[Text, AfterValidator(_one_line)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Goal_Text = Annotated[  # one slide bullet each: at most 300 characters
    str,
    StringConstraints(min_length=1, max_length=300),
    AfterValidator(clean_text),
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
