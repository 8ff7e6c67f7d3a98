"""Typed settings: defaults <- environment <- command-line flags."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from briefing.errors import UsageError


def project_root() -> Path:
    """The project folder: BRIEFING_ROOT, else the current folder if it has data/, else the repo."""
    if env := os.environ.get("BRIEFING_ROOT"):
        return Path(env).resolve()
    cwd = Path.cwd()
    if (cwd / "data").is_dir() and (cwd / "templates").is_dir():
        return cwd
    return Path(__file__).resolve().parent.parent


def build_date() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number, got '{epoch}'") from None
    return dt.date.today()


@dataclass(frozen=True)
class Settings:
    root: Path
    out_dir: Path
    today: dt.date
    theme: str | None = None  # overrides the client's theme for one build
    strict: bool = False  # warnings (stale figures, missing glyphs) become errors
    stale_months: int = 18
    pdf_variant: str = "pdf/ua-1"  # or "pdf/a-3b", or "none" (tagged, no variant)

    @classmethod
    def load(cls, root: Path | None = None, **overrides: object) -> Settings:
        root = (root or project_root()).resolve()
        stale = os.environ.get("BRIEFING_STALE_MONTHS", "18")
        if not stale.isdigit():
            raise UsageError(f"BRIEFING_STALE_MONTHS must be a whole number, got '{stale}'")
        settings = cls(
            root=root,
            out_dir=root / "out",
            today=build_date(),
            strict=os.environ.get("BRIEFING_STRICT", "") not in ("", "0"),
            stale_months=int(stale),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
