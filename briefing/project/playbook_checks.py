"""Checks of an industry's playbook as a whole, each problem at its file, line and field.

Every tactic, role and risk declares the segments and routes to market it suits; those must
be the industry's own. Every segment x route the industry supports must give the plan a
tactic for each stage of the funnel it needs; a client sells through one of its industry's
routes; every KPI names platforms that exist.
"""

from __future__ import annotations

from typing import Any

from briefing.errors import Problem
from briefing.project.fields import STAGES
from briefing.project.knowledge import KnowledgeBase
from briefing.project.load import Document, KeyPath, field_name
from briefing.project.playbook import ALL, Industry

# The stages a plan cannot do without: something makes buyers aware, helps them decide and
# turns them into a sale, lead or booking. Loyalty tactics are welcome but optional.
NEEDED_STAGES = STAGES[:3]


def check(kb: KnowledgeBase, docs: dict[str, dict[str, Document]]) -> list[Problem]:
    problems: list[Problem] = []
    for iid, industry in kb.industries.items():
        doc = docs["industries"][iid]
        problems += _scopes(doc, industry)
        problems += _complete(doc, industry)
        problems += _kpi_platforms(doc, industry, set(docs.get("platforms", {})))
    for cid, client in kb.clients.items():
        chosen = kb.industries.get(client.industry)
        route = client.route_to_market
        if chosen is None or route is None:
            continue
        routes = _routes(chosen, client.segment)
        if route not in routes:
            whose = f"segment '{client.segment}' of " if routes != chosen.routes else ""
            message = (
                f"'{route}' is not a route to market of {whose}data/industries/"
                f"{client.industry}.yaml (expected one of: {', '.join(routes)})"
            )
            problems.append(_at(docs["clients"][cid], ("route_to_market",), message))
    return problems


def _routes(industry: Industry, segment_id: str | None) -> list[str]:
    """The routes a segment's clients sell through: its own list, or the industry's."""
    segment = next((s for s in industry.segments if s.id == segment_id), None)
    return list(segment.routes) if segment and segment.routes else list(industry.routes)


def _at(doc: Document, loc: KeyPath, message: str) -> Problem:
    line, col = doc.where(loc)
    return Problem(doc.rel, message, line, col, field_name(loc))


def _scoped(industry: Industry) -> list[tuple[KeyPath, Any]]:
    """Every item that declares its scope, with its key path."""
    found: list[tuple[KeyPath, Any]] = [(("roles", pid), r) for pid, r in industry.roles.items()]
    for key in ("tactics", "risks"):
        found += [((key, i), item) for i, item in enumerate(getattr(industry, key))]
    for s, segment in enumerate(industry.segments):
        found += [(("segments", s, "roles", pid), r) for pid, r in segment.roles.items()]
        for key in ("tactics", "risks"):
            items = getattr(segment, key)
            found += [(("segments", s, key, i), item) for i, item in enumerate(items)]
    return found


def _scopes(doc: Document, industry: Industry) -> list[Problem]:
    """Declared segments are the industry's segments; declared routes are its routes."""
    segments = [s.id for s in industry.segments]
    problems = []
    for s, segment in enumerate(industry.segments):
        for i, route in enumerate(segment.routes or []):
            if route not in industry.routes:
                message = (
                    f"'{route}' is not one of the industry's routes ({', '.join(industry.routes)})"
                )
                problems.append(_at(doc, ("segments", s, "routes", i), message))
    for loc, item in _scoped(industry):
        declared = getattr(item, "segments", ALL)
        for i, sid in enumerate([] if declared == ALL else declared):
            if sid not in segments:
                known = ", ".join(segments) or "none"
                message = f"unknown segment '{sid}' (expected 'all' or some of: {known})"
                problems.append(_at(doc, (*loc, "segments", i), message))
        for i, route in enumerate([] if item.routes == ALL else item.routes):
            if route not in industry.routes:
                message = (
                    f"'{route}' is not one of the industry's routes (expected 'all' or some"
                    f" of: {', '.join(industry.routes)}; or add it to `routes:` at the top)"
                )
                problems.append(_at(doc, (*loc, "routes", i), message))
    return problems


def _complete(doc: Document, industry: Industry) -> list[Problem]:
    """Each segment x route gets a tactic for every stage the plan needs."""
    cases: list[tuple[str | None, KeyPath]] = [
        (s.id, ("segments", i)) for i, s in enumerate(industry.segments)
    ] or [(None, ("tactics",))]
    problems = []
    for segment_id, loc in cases:
        segment = next((s for s in industry.segments if s.id == segment_id), None)
        tactics = [*industry.tactics, *(segment.tactics if segment else [])]
        for route in _routes(industry, segment_id):
            stages = {t.stage for t in tactics if t.suits(segment_id, route)}
            for stage in (s for s in NEEDED_STAGES if s not in stages):
                who = f"segment '{segment_id}'" if segment_id else "the industry"
                message = (
                    f"no {stage} tactic for {who} selling through '{route}': expected at least"
                    f" one tactic of stage {stage} whose segments and routes include them"
                    " (or 'all')"
                )
                problems.append(_at(doc, loc, message))
    return problems


def _kpi_platforms(doc: Document, industry: Industry, platforms: set[str]) -> list[Problem]:
    problems = []
    for k, kpi in enumerate(industry.kpis):
        for i, pid in enumerate(kpi.platforms):
            if pid not in platforms:
                message = f"unknown platform '{pid}' (expected a file in data/platforms/)"
                problems.append(_at(doc, ("kpis", k, "platforms", i), message))
    return problems
