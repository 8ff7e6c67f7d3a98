"""Invariants: named checks over one built brief (its plan JSON, PDF layout and text, deck).

Each check takes an ``Outputs`` and returns failure lines (empty: it holds). A check whose
inputs are missing (no LibreOffice for ``deck-layout``) is not run rather than passed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.project.fields import STAGES
from briefing.project.playbook import Industry

PLATFORM_NAME = re.compile(r"\s*(?:\(|\band\b)\s*")


@dataclass
class Edition:
    """One language's outputs of a brief."""

    lang: str
    plan: dict[str, Any]
    pdf_text: list[str]  # per page
    deck_text: list[str]  # per slide
    pages: list[Any]  # briefing.qa.layout.PageLayout
    deck_tables: list[tuple[str, int]]  # (slide title, body rows) of continued table slides
    empty_slides: list[str]
    deck_checks: list[Any] | None = None  # briefing.tools.deckcheck.SlideCheck, with LibreOffice
    cells: list[str] = field(default_factory=list)  # table cells' text (PDF and deck)


@dataclass
class Outputs:
    client: Any  # briefing.project.model.Client
    industry: Industry
    platforms: dict[str, Any]
    editions: list[Edition] = field(default_factory=list)
    template_text: list[str] = field(default_factory=list)  # English template fragments

    @property
    def proper_nouns(self) -> list[str]:
        """Names that keep their capitals: platforms, cities, the client, competitors, and
        acronyms in the industry's name (FMCG, B2B)."""
        names = [part for p in self.platforms.values() for part in PLATFORM_NAME.split(p.name)]
        names += [*self.client.all_cities, self.client.name, self.client.called]
        names += [c.name for c in self.client.competitors]
        names += [w for w in re.findall(r"[A-Z0-9]{2,}", self.industry.name) if w.isupper()]
        return sorted({n.strip(" )") for n in names if n and n.strip(" )") != n.lower()})

    @property
    def list_names(self) -> list[str]:
        names = [p.name for p in self.platforms.values()] + self.client.all_cities
        names += [p.name.split(" (")[0] for p in self.platforms.values()]  # "Trip.com (Ctrip)"
        return sorted(set(names), key=len, reverse=True)


Check = Callable[[Outputs], list[str] | None]


def kpi_platform(out: Outputs) -> list[str]:
    """Every structured goal has a recommended platform where its KPI is measured."""
    problems = []
    for edition in out.editions[:1]:  # the plan is the same in every edition
        recommended = {p["id"] for p in edition.plan["platforms"] if p["group"] == "recommended"}
        for goal in edition.plan["goals"]:
            if not goal["kpi"]:
                continue
            measured = set(goal["platforms"]) & set(goal["kpi_platforms"]) & recommended
            if not measured:
                problems.append(
                    f"goal {goal['goal']}: none of {goal['kpi_platforms']} is recommended "
                    f"(its platforms: {goal['platforms']})"
                )
    return problems


def segment_route(out: Outputs) -> list[str]:
    """No tactic, role or risk marked for another segment or route reaches the plan."""
    client, industry = out.client, out.industry
    own, problems = _tactics(industry), []
    for edition in out.editions[:1]:
        for step in edition.plan["roadmap"]:
            if not step["tactic"] or step["tactic"] not in own:
                continue
            tactic, source = own[step["tactic"]]
            if source and source != client.segment:
                problems.append(f"tactic {tactic.id} of segment {source}")
            route = client.route_to_market
            if not tactic.suits(client.segment, route):  # the playbook's own declaration
                scope = getattr(tactic, "segments", "all")
                problems.append(f"tactic {tactic.id} is for {scope} / {tactic.routes}")
    english = next((e for e in out.editions if e.lang == "en"), None)
    if english is not None:
        text = _flat(" ".join(english.pdf_text + english.deck_text))
        # A sentence another segment shares with an item that suits this client (the
        # industry's own role, in the same words) is this client's too.
        own_words = _suited_texts(industry, client)
        for segment in industry.segments:
            if segment.id == client.segment:
                continue
            for risk in segment.risks:
                said = _flat(risk.risk)
                if said in text and said not in own_words:
                    problems.append(f"risk {risk.id} of segment {segment.id}")
            for pid, role in segment.roles.items():
                for stage in ("awareness", "consideration", "conversion", "loyalty"):
                    said = _flat(role.stage(stage) or "")
                    if len(said) > 30 and said in text and said not in own_words:
                        problems.append(f"role of {pid} ({stage}) of segment {segment.id}")
    return sorted(set(problems))


def _suited_texts(industry: Industry, client: Any) -> set[str]:
    """The role and risk sentences of the items that suit the client's segment and route."""
    segment = next((s for s in industry.segments if s.id == client.segment), None)
    roles = [*industry.roles.values(), *(segment.roles.values() if segment else [])]
    risks = [*industry.risks, *(segment.risks if segment else [])]
    route = client.route_to_market
    texts = {_flat(r.risk) for r in risks if r.suits(client.segment, route)}
    for role in (r for r in roles if r.suits(client.segment, route)):
        texts |= {_flat(role.stage(s) or "") for s in STAGES}
    return texts


def tactics_declared(out: Outputs) -> list[str]:
    """Every industry tactic that reaches the plan declares the segments and routes it suits
    (or `all`): an undeclared tactic is how car-launch tactics reach a car-care brand."""
    own, problems = _tactics(out.industry), []
    for edition in out.editions[:1]:
        for step in edition.plan["roadmap"]:
            entry = own.get(step["tactic"] or "")
            if entry is None or entry[1]:
                continue  # a segment's own tactic is declared by where it sits
            tactic = entry[0]
            if out.industry.segments and not getattr(tactic, "segments", None):
                problems.append(f"tactic {tactic.id} declares no segments")
            if not tactic.routes:
                problems.append(f"tactic {tactic.id} declares no routes")
    return sorted(set(problems))


def _tactics(industry: Industry) -> dict[str, tuple[Any, str | None]]:
    found: dict[str, tuple[Any, str | None]] = {t.id: (t, None) for t in industry.tactics}
    for segment in industry.segments:
        found.update({t.id: (t, segment.id) for t in segment.tactics})
    return found


def budget_sum(out: Outputs) -> list[str]:
    """The lines add up to the total, and every full budget period to the brief's amount."""
    problems = []
    for edition in out.editions[:1]:
        budget = edition.plan["budget"]
        lines = budget["lines"]
        if sum(line["amount"] for line in lines) != budget["total"]:
            problems.append(
                f"lines sum to {sum(x['amount'] for x in lines)}, total {budget['total']}"
            )
        if budget["amount"] is None or not lines:
            continue
        per = budget["amount"] * (3 if budget["period"] == "month" else 1)
        periods = sorted({line["period"] for line in lines})
        for period in periods:
            spent = sum(line["amount"] for line in lines if line["period"] == period)
            partial = period in (periods[0], periods[-1]) and budget["period"] != "campaign"
            if spent > round(per) or (not partial and spent != round(per)):
                problems.append(f"period {period} sums to {spent}, the budget is {per:g}")
    return problems


def roadmap_reach(out: Outputs) -> list[str]:
    """The roadmap runs to the last goal's deadline (a dated step in its last quarter)."""
    problems = []
    for edition in out.editions[:1]:
        deadlines = [dt.date.fromisoformat(g["by"]) for g in edition.plan["goals"] if g["by"]]
        if not deadlines:
            continue
        dated = [dt.date.fromisoformat(s["date"]) for s in edition.plan["roadmap"] if s["date"]]
        last = max(deadlines)
        if not dated or max(dated) < last - dt.timedelta(days=92):
            reached = max(dated) if dated else "nothing dated"
            problems.append(f"roadmap stops at {reached}, the last deadline is {last}")
    return problems


def pdf_inside(out: Outputs) -> list[str]:
    """PDF: every body text run inside the page's content area."""
    return [
        f"{e.lang} p{p.number}: {line}" for e in out.editions for p in e.pages for line in p.outside
    ]


def pdf_fill(out: Outputs, minimum: float = 0.40) -> list[str]:
    """PDF: fill >= 0.40 on every page but the cover and pages that end a chapter."""
    return [
        f"{e.lang} p{p.number}: fill {p.fill:.2f}"
        for e in out.editions
        for p in e.pages[1:]
        if not p.ends_chapter and p.fill < minimum
    ]


def lone_rows(out: Outputs) -> list[str]:
    """No table row alone on a continuation page (PDF) or slide (deck)."""
    problems = [
        f"{e.lang} p{p.number}: {r}" for e in out.editions for p in e.pages for r in p.lone_rows
    ]
    for e in out.editions:
        problems += [f"{e.lang} slide '{t}': one table row" for t, n in e.deck_tables if n == 1]
    return problems


def no_empty(out: Outputs) -> list[str]:
    """No page without body text and no content slide without content."""
    problems = [
        f"{e.lang} p{p.number}: no body text"
        for e in out.editions
        for p in e.pages[1:]
        if not p.text
    ]
    return problems + [f"{e.lang} slide '{t}': empty" for e in out.editions for t in e.empty_slides]


def deck_layout(out: Outputs, minimum: float = 0.35) -> list[str] | None:
    """Deck on LibreOffice (scripts/deck-fill): no overflow, fill >= 0.35 per content slide."""
    if any(e.deck_checks is None for e in out.editions):
        return None
    problems = []
    for e in out.editions:
        for c in e.deck_checks or []:
            problems += [f"{e.lang} slide {c.number}: {o}" for o in c.overflow]
            if c.fill is not None and c.fill < minimum:
                problems.append(f"{e.lang} slide {c.number} '{c.title[:40]}': fill {c.fill:.2f}")
    return problems


def proper_nouns(out: Outputs) -> list[str]:
    """No platform, city, client or competitor name (or acronym) lower-cased."""
    problems = []
    for e in out.editions:
        text = " ".join(e.pdf_text + e.deck_text)
        for name in out.proper_nouns:
            low = name.lower()
            pattern = rf"(?<![\w./@-]){re.escape(low)}(?![\w/@-]|\.\w)"
            for match in re.finditer(pattern, text):
                problems.append(f"{e.lang}: '{_around(text, match)}'")
    return sorted(set(problems))


def list_joins(out: Outputs) -> list[str]:
    """Lists of three or more names end with "and"/"or" (和/或), never "A and B and C". A table
    cell that holds nothing but the list is a list by layout ("Douyin, WeChat, Weibo")."""
    if not out.list_names:
        return []
    # Atomic: "WeChat Channels" never backtracks to "WeChat" followed by " Channels".
    names = "(?>" + "|".join(re.escape(n) for n in out.list_names) + ")"
    problems = []
    # A run of 3+ names, not followed by the list's end (", and ...", " or ...") or a name.
    comma = re.compile(rf"{names}(?:, {names}){{2,}}(?!,? (?:(?:and|or)\b|{names}))")
    chained = re.compile(rf"{names} and {names} and {names}")
    zh = re.compile(rf"{names}(?:\u3001{names}){{2,}}(?!\u3001|[和及或与])")
    for e in out.editions:
        text = _flat(" ".join(e.pdf_text + e.deck_text))
        cells = {_flat(c).strip(" .;") for c in e.cells}
        for pattern in (comma, chained) if e.lang == "en" else (zh,):
            problems += [
                f"{e.lang}: '{_around(text, m)}'"
                for m in pattern.finditer(text)
                if m.group(0) not in cells
            ]
    return sorted(set(problems))


DOUBLED = re.compile(
    r"(?<![.\w])\.\.(?!\.)|\w\.\.(?=\s)|[,;:]\s*[,;.](?!\d)|(?<!\b[a-z])(?<!etc)(?<!Inc|Ltd)"
    r"(?<!\bCo)\.\s*[,;]|[\uff0c\u3001\uff1b\uff1a\u3002]\s*[\uff0c\u3001\uff1b\uff1a\u3002]"
)


def punctuation(out: Outputs) -> list[str]:
    """No doubled punctuation ("..", ",.", a Chinese comma after a full stop)."""
    problems = []
    for e in out.editions:
        text = " ".join(e.pdf_text + e.deck_text)
        problems += [f"{e.lang}: '{_around(text, m)}'" for m in DOUBLED.finditer(text)]
    return sorted(set(problems))


def zh_english(out: Outputs) -> list[str]:
    """The zh-CN edition shows no English template text (a catalog msgid, untranslated)."""
    problems = []
    for e in out.editions:
        if e.lang != "zh-CN":
            continue
        text = _flat(" ".join(e.pdf_text + e.deck_text))
        problems += [f"'{f}'" for f in out.template_text if f in text]
    return sorted(set(problems))


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def _around(text: str, match: re.Match[str], width: int = 25) -> str:
    start, end = max(match.start() - width, 0), match.end() + width
    return _flat(text[start:end])


CHECKS: dict[str, Check] = {
    "kpi-platform": kpi_platform,
    "segment-route": segment_route,
    "tactics-declared": tactics_declared,
    "budget-sum": budget_sum,
    "roadmap-reach": roadmap_reach,
    "pdf-inside": pdf_inside,
    "pdf-fill": pdf_fill,
    "lone-rows": lone_rows,
    "no-empty": no_empty,
    "deck-layout": deck_layout,
    "proper-nouns": proper_nouns,
    "list-joins": list_joins,
    "punctuation": punctuation,
    "zh-english": zh_english,
}
# Checks of the build itself (done by the runner, before any output exists).
BUILD_CHECKS = ("builds",)
NEEDS_LIBREOFFICE = ("deck-layout",)


def template_fragments(theme_dirs: list[Path]) -> list[str]:
    """The English text of the theme chain's catalogs, in fragments of 3+ words between
    placeholders and markup: what a zh-CN output must never show."""
    from babel.messages.pofile import read_po

    fragments: set[str] = set()
    for folder in theme_dirs:
        for pot in (folder / "locale").glob("*.pot"):
            with pot.open("rb") as handle:
                catalog = read_po(handle)
            for message in catalog:
                ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)  # plurals
                for text in ids:
                    for part in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|\{[^}]*\}", text or ""):
                        part = _flat(part).strip(" .,:;()")
                        if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3:
                            fragments.add(part)
    return sorted(fragments)
