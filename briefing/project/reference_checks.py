"""Cross-references of the figures a plan computes from (briefing.project.reference), each problem
at its file, line and field: ids unique across files, platforms and industries that exist, and an
exchange rate for every currency a client budgets in."""

from __future__ import annotations

from typing import Any

from briefing.errors import Problem
from briefing.project.knowledge import KnowledgeBase
from briefing.project.load import Document, KeyPath, Project, field_name

LISTS = {"benchmarks": "benchmarks", "assumptions": "assumptions"}  # kind -> its list's key


def check(kb: KnowledgeBase, project: Project) -> list[Problem]:
    docs = project.documents
    problems = _unique_ids(docs) + _platforms(docs)
    problems += _industries(docs)
    problems += _currencies(kb, docs)
    problems += _named_inputs(docs)
    return problems


def _at(doc: Document, loc: KeyPath, message: str) -> Problem:
    line, col = doc.where(loc)
    return Problem(doc.rel, message, line, col, field_name(loc))


def _items(docs: dict[str, dict[str, Document]], kind: str) -> list[tuple[Document, KeyPath, Any]]:
    """Every item of a reference list, with its document and key path."""
    key = LISTS.get(kind, "moments")
    found: list[tuple[Document, KeyPath, Any]] = []
    for doc in docs.get(kind, {}).values():
        items = doc.data.get(key) if isinstance(doc.data, dict) else None
        if isinstance(items, list):
            found += [
                (doc, (key, i), item) for i, item in enumerate(items) if isinstance(item, dict)
            ]
    return found


def _unique_ids(docs: dict[str, dict[str, Document]]) -> list[Problem]:
    """A benchmark or assumption id names one input, in all files together."""
    seen: dict[str, str] = {}
    problems = []
    for kind in ("benchmarks", "assumptions"):
        for doc, loc, item in _items(docs, kind):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                problems.append(
                    _at(doc, (*loc, "id"), f"id '{ident}' is used again ({seen[ident]})")
                )
            else:
                line, _ = doc.where((*loc, "id"))
                seen[ident] = f"first at {doc.rel}:{line}"
    return problems


def _platforms(docs: dict[str, dict[str, Document]]) -> list[Problem]:
    known = docs.get("platforms", {})
    problems = []
    for kind in ("benchmarks", "assumptions"):
        for doc, loc, item in _items(docs, kind):
            platform = item.get("platform")
            if isinstance(platform, str) and platform not in known:
                problems.append(
                    _at(doc, (*loc, "platform"), f"unknown platform '{platform}' (data/platforms/)")
                )
    return problems


def _industries(docs: dict[str, dict[str, Document]]) -> list[Problem]:
    known = docs.get("industries", {})
    problems = []
    for doc, loc, item in _items(docs, "calendar"):
        industries = item.get("industries")
        for i, iid in enumerate(industries if isinstance(industries, list) else []):
            if isinstance(iid, str) and iid != "all" and iid not in known:
                message = f"unknown industry '{iid}' (data/industries/, or 'all')"
                problems.append(_at(doc, (*loc, "industries", i), message))
    return problems


def _currencies(kb: KnowledgeBase, docs: dict[str, dict[str, Document]]) -> list[Problem]:
    """Costs are published in RMB: a budget in another currency needs its rate in fx.yaml."""
    rates = kb.reference.fx
    if not docs.get("fx"):
        return []  # a project without data/fx.yaml plans in RMB only; nothing to check
    problems = []
    for cid, client in kb.clients.items():
        currency = client.budget.currency if client.budget else None
        if currency and currency != "CNY" and currency not in rates:
            doc = docs["clients"][cid]
            message = (
                f"no exchange rate for {currency} in data/fx.yaml "
                f"(it has {', '.join(sorted(rates)) or 'none'}): add one with its source"
            )
            problems.append(_at(doc, ("budget", "currency"), message))
    return problems


def _named_inputs(docs: dict[str, dict[str, Document]]) -> list[Problem]:
    """Every input a KPI's path or value, a tactic's set-up or a client's override names, and
    every moment a tactic names, exists."""
    inputs = {
        item.get("id")
        for kind in ("benchmarks", "assumptions")
        for _, _, item in _items(docs, kind)
    }
    moments = {item.get("id") for _, _, item in _items(docs, "calendar")}
    problems = []

    def check(doc: Document, loc: KeyPath, value: Any, known: set, what: str) -> None:
        if isinstance(value, str) and value not in known:
            problems.append(_at(doc, loc, f"unknown {what} '{value}'"))

    for doc in docs.get("industries", {}).values():
        data = doc.data if isinstance(doc.data, dict) else {}
        for i, kpi in enumerate(data.get("kpis") or []):
            if not isinstance(kpi, dict):
                continue
            for j, ident in enumerate(kpi.get("path") or []):
                check(doc, ("kpis", i, "path", j), ident, inputs, "input (data/assumptions.yaml)")
            check(doc, ("kpis", i, "value"), kpi.get("value"), inputs, "input")
        for loc, tactic in _tactics(data):
            check(
                doc, (*loc, "moment"), tactic.get("moment"), moments, "moment (data/calendar.yaml)"
            )
            for j, ident in enumerate(tactic.get("setup") or []):
                check(doc, (*loc, "setup", j), ident, inputs, "input (data/assumptions.yaml)")
    for doc in docs.get("clients", {}).values():
        data = doc.data if isinstance(doc.data, dict) else {}
        overrides = data.get("assumptions")
        for ident in overrides if isinstance(overrides, dict) else []:
            check(doc, ("assumptions", ident), ident, inputs, "input to override")
    return problems


def _tactics(playbook: dict) -> list[tuple[KeyPath, dict]]:
    found: list[tuple[KeyPath, Any]] = [
        (("tactics", i), t) for i, t in enumerate(playbook.get("tactics") or [])
    ]
    for s, segment in enumerate(playbook.get("segments") or []):
        if isinstance(segment, dict):
            tactics = segment.get("tactics") or []
            found += [(("segments", s, "tactics", i), t) for i, t in enumerate(tactics)]
    return [(loc, t) for loc, t in found if isinstance(t, dict)]
