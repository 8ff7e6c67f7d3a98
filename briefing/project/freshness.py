"""How current the figures are: per platform, the newest figure, its age and what is dated.

`briefing data status` prints this for the researcher who keeps the figures current. It reads
the knowledge base only; a build's "dated" marks use the same limit (BRIEFING_STALE_MONTHS).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from briefing.project.knowledge import KnowledgeBase
from briefing.project.model import Metric
from briefing.project.rules import is_dated, months_before


@dataclass(frozen=True)
class PlatformStatus:
    platform_id: str
    name: str
    status: str  # active or discontinued
    newest: Metric | None
    age_months: int | None  # how old the newest figure's period is
    dated: list[Metric] = field(default_factory=list)  # current figures past the limit
    without_url: list[str] = field(default_factory=list)  # metric or fact names
    confidence: Counter[str] = field(default_factory=Counter)


def platform_status(kb: KnowledgeBase, today: dt.date, stale_months: int) -> list[PlatformStatus]:
    """Every platform, active ones first, oldest newest-figure first: what needs work."""
    limit = months_before(today, stale_months)
    rows = []
    for pid, platform in kb.platforms.items():
        current = platform.current_metrics
        newest = max(current, key=lambda m: m.as_of, default=None)
        rows.append(
            PlatformStatus(
                platform_id=pid,
                name=platform.name,
                status=platform.status,
                newest=newest,
                age_months=_months_between(newest.as_of, today) if newest else None,
                dated=[m for m in current if is_dated(m.as_of, limit)],
                without_url=[m.name for m in platform.metrics if not m.url],
                confidence=Counter(m.confidence for m in current),
            )
        )
    return sorted(
        rows,
        key=lambda r: (r.status != "active", -(r.age_months or 0) if r.newest else 1, r.name),
    )


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def needs_attention(rows: list[PlatformStatus]) -> list[PlatformStatus]:
    """Active platforms with a dated figure or a source without a URL."""
    return [r for r in rows if r.status == "active" and (r.dated or r.without_url)]
