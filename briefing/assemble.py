"""Pure: knowledge base + client -> Briefing (select, rank, merge); no Jinja, no I/O."""

from __future__ import annotations

import datetime as dt

from briefing.model import (
    Article,
    AvoidedPlatform,
    Briefing,
    RankedPlatform,
    SourceEntry,
)
from briefing.validate import KnowledgeBase

RECOMMEND_MIN_SCORE = 3
AVOID_MAX_SCORE = 1


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


def assemble(
    kb: KnowledgeBase,
    client_id: str,
    *,
    today: dt.date,
    stale_months: int = 12,
    max_platforms: int = 6,
    max_articles: int = 4,
) -> Briefing:
    client = kb.clients[client_id]
    industry = kb.industries[client.industry]
    recommended = rank_platforms(kb, client_id)[:max_platforms]
    chosen = {r.id for r in recommended}
    stale_before = months_before(today, stale_months)
    sources = [
        SourceEntry(
            platform_id=r.id, platform=r.platform.name, metric=m, stale=m.as_of < stale_before
        )
        for r in recommended
        for m in r.platform.current_metrics
    ]
    return Briefing(
        client_id=client_id,
        client=client,
        industry_id=client.industry,
        industry=industry,
        recommended=recommended,
        fits=all_fits(kb, client_id),
        avoid=platforms_to_avoid(kb, client_id, chosen),
        articles=select_articles(kb, client.industry, chosen)[:max_articles],
        sources=sources,
        date=today,
        stale_before=stale_before,
        stale_months=stale_months,
    )


def rank_platforms(kb: KnowledgeBase, client_id: str) -> list[RankedPlatform]:
    """Active platforms worth recommending: the client's focus first, then by industry fit."""
    worth = [r for r in all_fits(kb, client_id) if r.focus or r.fit.score >= RECOMMEND_MIN_SCORE]
    return sorted(worth, key=lambda r: not r.focus)  # stable: fit order within each group


def all_fits(kb: KnowledgeBase, client_id: str) -> list[RankedPlatform]:
    """Every active platform with its fit for the client's industry, best first."""
    client = kb.clients[client_id]
    fits = kb.industries[client.industry].fit
    ranked = [
        RankedPlatform(id=pid, platform=p, fit=fits[pid], focus=pid in client.focus_platforms)
        for pid, p in kb.platforms.items()
        if p.status == "active" and pid in fits
    ]
    return sorted(ranked, key=lambda r: (-r.fit.score, r.platform.name.lower()))


def platforms_to_avoid(
    kb: KnowledgeBase, client_id: str, chosen: set[str]
) -> list[AvoidedPlatform]:
    """Closed, poorly fitting and risky platforms, each with the reason a client should know."""
    fits = kb.industries[kb.clients[client_id].industry].fit
    avoid = []
    for pid, platform in kb.platforms.items():
        if pid in chosen:
            continue
        fit = fits.get(pid)
        if platform.status == "discontinued":
            avoid.append(
                AvoidedPlatform(
                    id=pid,
                    platform=platform,
                    kind="closed",
                    reason=fit.rationale if fit else "Closed.",
                )
            )
        elif platform.watch:
            avoid.append(
                AvoidedPlatform(id=pid, platform=platform, kind="watch", reason=platform.watch)
            )
        elif fit and fit.score <= AVOID_MAX_SCORE:
            avoid.append(
                AvoidedPlatform(id=pid, platform=platform, kind="poor fit", reason=fit.rationale)
            )
    order = {"poor fit": 0, "watch": 1, "closed": 2}
    return sorted(avoid, key=lambda a: (order[a.kind], a.platform.name.lower()))


def select_articles(kb: KnowledgeBase, industry_id: str, platform_ids: set[str]) -> list[Article]:
    """Articles tagged for the industry (or, if untagged by industry, for a chosen platform)."""
    tagged = [
        a
        for a in kb.articles.values()
        if industry_id in a.meta.industries
        or (not a.meta.industries and platform_ids & set(a.meta.platforms))
    ]
    return sorted(tagged, key=lambda a: (a.meta.date, a.slug), reverse=True)
