"""One typed settings object for builds and e-mail: defaults <- .env <- environment <- flags.

Every ``BRIEFING_*`` variable (and ``SOURCE_DATE_EPOCH``) is read here and nowhere else, by
pydantic-settings; ``.env`` in the project root is read with python-dotenv's rules, so the
inline comments of ``.env.example`` are comments, not values.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from briefing.constants import DEFAULT_PDF_VARIANT, MB, PdfVariant
from briefing.errors import UsageError

SENDER = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")

ENV_PREFIX = "BRIEFING_"
Language = Literal["en", "zh-CN"]  # every language an edition may be built in...
LANGUAGES: dict[Language, str] = {"en": "English", "zh-CN": "简体中文"}  # ...and its own name
MAX_SECONDS = 3600  # the longest wait a timeout may ask for (RFC 5321 asks 10 min at most)


class _Root(BaseSettings):
    """Only BRIEFING_ROOT: needed first, to find the .env file."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    root: Path | None = None


class Settings(BaseSettings):
    """What a build or a send may be told from outside its data."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        frozen=True,
        env_file_encoding="utf-8",
        validate_default=True,
    )

    root: Path
    # The build's "today": SOURCE_DATE_EPOCH (seconds) fixes it for reproducible builds.
    source_date_epoch: int | None = Field(None, validation_alias="SOURCE_DATE_EPOCH", ge=0)
    theme: str | None = None  # overrides the client's theme for one (pitch) build
    strict: bool = False  # warnings (stale figures, missing glyphs) become errors
    lang: str | None = None  # one language edition (en, zh-CN); unset: the client's editions
    allow_missing_translations: bool = False  # English text where a translation is missing
    require_approval: bool = True  # `email` sends only a build someone approved
    stale_months: int = Field(12, ge=1)  # figures older than this are marked dated
    pdf_variant: PdfVariant = DEFAULT_PDF_VARIANT
    # Every time and size below is finite and bounded: `inf` or `nan` would wait forever (or
    # overflow a timestamp after the send's 'pending' line was written).
    render_timeout: float = Field(120.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False)  # per render
    render_memory_mb: int = Field(2048, ge=64)  # resident memory per render
    # Renders reused when made from the same inputs (build/rendercache.py): a folder, or
    # "off"; unset: .cache/briefing/renders under the project (`build --force` sets "off").
    render_cache: str | None = None

    smtp_host: str | None = None  # unset: e-mail is a dry run
    smtp_port: int | None = Field(None, ge=1, le=65535)  # default by security: 587/465/25
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_cafile: str | None = None
    smtp_timeout: float = Field(60.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False)  # per reply
    smtp_retries: int = Field(3, ge=0, le=10)
    smtp_retry_delay: float = Field(2.0, ge=0, le=600, allow_inf_nan=False)  # doubles per retry
    mail_from: str | None = None
    mail_max_mb: float = Field(20.0, gt=0, allow_inf_nan=False)

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _lowercase(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("smtp_host", "smtp_user", "mail_from", "smtp_cafile", "theme", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("mail_from")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        """The sender is an ASCII address: 'agence@exämple.com' failed only at send time,
        with a UnicodeEncodeError."""
        if value is not None and not SENDER.match(value):
            raise ValueError(
                f"'{value}' is not an e-mail address in plain ASCII (name@example.com; an "
                "internationalised domain in its xn-- form)"
            )
        return value

    @field_validator("lang", mode="before")
    @classmethod
    def _supported(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if value not in LANGUAGES:
            raise ValueError(unsupported_language(value))
        return value

    @field_validator("strict", "allow_missing_translations", "require_approval", mode="before")
    @classmethod
    def _empty_is_false(cls, value: Any) -> Any:
        return False if value == "" else value

    @classmethod
    def load(cls, root: Path | None = None, **overrides: object) -> Settings:
        """Settings for the project at ``root`` (default: BRIEFING_ROOT, the current folder or
        the repository); ``overrides`` are command-line flags, ignored when None."""
        flags: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        try:
            root = (root or _Root().root or _default_root()).resolve()
            return cls(_env_file=root / ".env", root=root, **flags)
        except ValidationError as exc:
            raise UsageError(_explain(exc)) from None

    @property
    def today(self) -> dt.date:
        if self.source_date_epoch is not None:
            return dt.datetime.fromtimestamp(self.source_date_epoch, tz=dt.UTC).date()
        return dt.date.today()

    def now(self) -> dt.datetime:
        """The time a record is stamped with: SOURCE_DATE_EPOCH when set (reproducible
        builds: the same inputs give the same manifest), else the clock (UTC)."""
        if self.source_date_epoch is not None:
            return dt.datetime.fromtimestamp(self.source_date_epoch, tz=dt.UTC)
        return dt.datetime.now(dt.UTC)

    @property
    def out_dir(self) -> Path:
        """Generated outputs: `make clean` may delete it at any time."""
        return self.root / "out"

    @property
    def state_dir(self) -> Path:
        """What must survive `make clean`: the send ledger, locks, approvals, history."""
        return self.root / "state"

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.smtp_security]

    @property
    def mail_max_bytes(self) -> int:
        return int(self.mail_max_mb * MB)

    def with_flags(self, **flags: object) -> Settings:
        """A copy with the given flags set (None leaves a setting as it is)."""
        return self.model_copy(update={k: v for k, v in flags.items() if v is not None})


def unsupported_language(lang: object) -> str:
    """The one wording for a language the tool cannot build (a flag, a variable, a file)."""
    return f"'{lang}' is not a supported language ({', '.join(LANGUAGES)})"


def check_language(lang: str | None) -> str | None:
    """A --lang value: one of LANGUAGES (None: unset). Checked before Settings sees it, so
    the error names the flag the user typed, not BRIEFING_LANG."""
    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"--lang {lang}: {unsupported_language(lang)}")
    return lang


def _default_root() -> Path:
    cwd = Path.cwd()
    if (cwd / "data").is_dir():
        return cwd
    return Path(__file__).resolve().parent.parent


def _explain(exc: ValidationError) -> str:
    """One line per bad setting, named as the user wrote it (a variable or .env line)."""
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "settings"
        variable = name if name.isupper() else ENV_PREFIX + name.upper()
        given = error.get("input")
        shown = "" if "password" in name else f", got {given!r}"
        lines.append(f"{variable} (environment or .env): {error['msg']}{shown}")
    return "\n".join(lines)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine: ``localhost``, any of
    127.0.0.0/8, ``::1``, or an IPv4-mapped loopback (``::ffff:127.0.0.1``). The one rule
    for the SMTP "no encryption" check and the preview's "reachable by others" warning."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # Python < 3.13 calls it not loopback
    return (mapped or address).is_loopback
