"""Pure: knowledge base + client -> Briefing (select, rank, merge); no Jinja, no I/O."""

from __future__ import annotations

import datetime as dt

from briefing.assemble import plan
from briefing.project.knowledge import KnowledgeBase
from briefing.project.model import Article, AvoidedPlatform, Briefing, RankedPlatform, SourceEntry
from briefing.project.rules import is_dated, months_before


def assemble(
    kb: KnowledgeBase,
    client_id: str,
    *,
    today: dt.date,
    stale_months: int = 12,
    max_articles: int = 1,
) -> Briefing:
    client = kb.clients[client_id]
    industry = kb.industries[client.industry]
    the_plan = plan.build_plan(client, industry, kb.platforms, today, kb.reference)
    recommended = [_ranked(p) for p in the_plan.group("recommended")]
    chosen = {r.id for r in recommended}
    stale_before = months_before(today, stale_months)
    sources = [
        SourceEntry(
            platform_id=r.id,
            platform=r.platform.name,
            metric=m,
            stale=is_dated(m.as_of, stale_before),
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
        fits=sorted(
            (_ranked(p) for p in the_plan.placed),
            key=lambda r: (-r.fit.score, r.id),  # ties by id: every edition ranks alike
        ),
        avoid=closed_platforms(kb, client.industry),
        articles=select_articles(kb, client.industry, chosen)[:max_articles],
        sources=sources,
        date=today,
        stale_before=stale_before,
        stale_months=stale_months,
        plan=the_plan,
    )


def _ranked(placed: plan.Placed) -> RankedPlatform:
    return RankedPlatform(
        id=placed.id, platform=placed.platform, fit=placed.fit, focus=placed.focus
    )


def rank_platforms(kb: KnowledgeBase, client_id: str, today: dt.date) -> list[RankedPlatform]:
    """The recommended platforms, in the Plan's order (focus, then what the goals need, then
    by fit)."""
    client = kb.clients[client_id]
    the_plan = plan.build_plan(
        client, kb.industries[client.industry], kb.platforms, today, kb.reference
    )
    return [_ranked(p) for p in the_plan.group("recommended")]


def closed_platforms(kb: KnowledgeBase, industry_id: str) -> list[AvoidedPlatform]:
    """Closed platforms, for a footnote: clients still ask about them (with the industry's
    rationale when it still scores them)."""
    fits = kb.industries[industry_id].fit
    return [
        AvoidedPlatform(
            id=pid,
            platform=platform,
            kind="closed",
            reason=fits[pid].rationale if pid in fits else None,
        )
        for pid, platform in sorted(kb.platforms.items())
        if platform.status == "discontinued"
    ]


def select_articles(kb: KnowledgeBase, industry_id: str, platform_ids: set[str]) -> list[Article]:
    """Articles for this client: tagged for its industry, then by how many of its recommended
    platforms they cover, newest first."""
    tagged = [
        a
        for a in kb.articles.values()
        if industry_id in a.meta.industries
        or (not a.meta.industries and platform_ids & set(a.meta.platforms))
    ]
    return sorted(
        tagged,
        key=lambda a: (
            industry_id in a.meta.industries,
            len(platform_ids & set(a.meta.platforms)),
            a.meta.date,
            a.slug,
        ),
        reverse=True,
    )
