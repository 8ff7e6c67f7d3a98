"""Random but valid briefs, from a seed: the space of clients the playbooks claim to serve.

Brief ``i`` of a run with seed ``s`` depends only on ``(s, i)`` and the project's data, so a
failing brief is rebuilt from those two numbers. Cells (industry x segment x route) are dealt
round-robin in a seeded order, so a run of N briefs touches min(N, cells) of them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefing.project.fields import Route
from briefing.project.playbook import ALL, Industry, Kpi, Segment

CITIES = {
    "Shanghai": "上海",
    "Beijing": "北京",
    "Shenzhen": "深圳",
    "Guangzhou": "广州",
    "Hangzhou": "杭州",
    "Chengdu": "成都",
    "Wuhan": "武汉",
    "Xiamen": "厦门",
    "Nanjing": "南京",
    "Suzhou": "苏州",
    "Chongqing": "重庆",
    "Xi'an": "西安",
}
SYLLABLES = ["lu", "mi", "nor", "va", "ka", "sel", "ter", "an", "do", "ri", "qua", "bel", "zen"]
# Syllables that are English words on their own: a client called "An" reads as "an owner"
# and the proper-noun check takes the article for the name (qa-briefs 49:7).
ENGLISH_WORDS = frozenset({"an", "do", "nor"})
LATIN_WORDS = ["Nordic", "Harbour", "Alpine", "Crown", "Orchard", "Summit", "Meridian", "Atlas"]
HAN = "北极光山海云星河林风雪晨曦安和远景明德华清新源青松金石"
CURRENCIES_FALLBACK = ["EUR"]
PERIODS = ["month", "quarter", "year", "campaign"]
ACTIVITIES = ["weekly notes with mid-tier creators", "daily short videos", "a monthly livestream"]
ACTIVITIES_ZH = ["每周与中腰部达人合作发布笔记", "每天发布短视频", "每月一场直播"]


@dataclass(frozen=True)
class Cell:
    industry: str
    segment: str | None
    route: Route | None

    def __str__(self) -> str:
        return f"{self.industry} x {self.segment or '-'} x {self.route or '-'}"


@dataclass
class Brief:
    """One generated client: its file, its zh-CN translation (or None) and how it was made."""

    seed: int
    index: int
    client_id: str
    cell: Cell
    theme: str
    client: dict[str, Any]
    translation: dict[str, Any] | None = None
    kpis: list[str] = field(default_factory=list)

    def write(self, clients_dir: Path) -> list[Path]:
        """Write the client file (and its translation) into ``clients_dir``."""
        clients_dir.mkdir(parents=True, exist_ok=True)
        paths = [clients_dir / f"{self.client_id}.yaml"]
        paths[0].write_text(_dump(self.client), encoding="utf-8")
        if self.translation is not None:
            paths.append(clients_dir / f"{self.client_id}.zh-CN.yaml")
            paths[1].write_text(_dump(self.translation), encoding="utf-8")
        return paths


class _Dumper(yaml.SafeDumper):
    """Plain YAML: a value used twice (a date) is written twice, never as an anchor, which
    the project's loader refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def supported_routes(industry: Industry) -> list[Route]:
    """The routes to market an industry's playbook supports: its own declaration when it has
    one (``routes:``), else every route one of its tactics names."""
    declared = getattr(industry, "routes", None)
    if declared:
        return list(declared)
    tactics = [*industry.tactics, *(t for s in industry.segments for t in s.tactics)]
    # A tactic for 'all' routes names none (iterating the text would give its letters).
    named = [r for t in tactics if t.routes != ALL for r in t.routes]
    return sorted(set(named))


def cells(industries: dict[str, Industry]) -> list[Cell]:
    """Every industry x segment x route the playbooks support (segment and route optional)."""
    found = []
    for iid, industry in sorted(industries.items()):
        segments: list[Segment | None] = [*industry.segments] or [None]
        for segment in segments:
            narrowed = getattr(segment, "routes", None)  # a segment may narrow the routes
            for route in narrowed or supported_routes(industry) or [None]:
                found.append(Cell(iid, segment.id if segment else None, route))
    return found


class Generator:
    """Deals briefs for one project's data and one build date."""

    def __init__(self, kb: Any, today: dt.date, themes: list[str], zh: dict[str, Any]) -> None:
        self.kb = kb
        self.today = today
        self.themes = themes
        self.zh = zh  # industry id -> its raw zh-CN translation (KPI units), if any
        self.cells = cells(kb.industries)
        self.currencies = sorted(
            {r.currency for f in kb.fx.values() for r in f.rates} or set(CURRENCIES_FALLBACK)
        )
        self.active = sorted(p for p, v in kb.platforms.items() if v.status == "active")

    def brief(self, seed: int, index: int, fits: Any = None) -> Brief:
        """Brief ``index`` of the run ``seed``; ``fits(theme, name)`` says whether a client
        name fits the theme's title slide (the layout limit)."""
        order = list(self.cells)
        random.Random(seed).shuffle(order)
        cell = order[index % len(order)]
        rng = random.Random(f"{seed}:{index}")
        industry = self.kb.industries[cell.industry]
        theme = rng.choice(self.themes)
        zh = rng.random() < 0.35 and cell.industry in self.zh
        client_id = f"qa-{seed}-{index}"
        name, name_zh = self._name(rng, theme, fits)
        kpis = self._kpis(rng, industry)
        goals, goals_zh = self._goals(rng, industry, kpis)
        client: dict[str, Any] = {
            "name": name,
            "industry": cell.industry,
            "contact": {"name": "Alex Chen", "email": "alex.chen@example.com", "title": "CMO"},
            "theme": theme,
            "editions": rng.choice([["en", "zh-CN"], ["zh-CN"]]) if zh else ["en"],
        }
        if rng.random() < 0.3:
            client["short_name"] = name.split()[0] if " " in name else name[:3]
        if cell.segment:
            client["segment"] = cell.segment
        if cell.route:
            client["route_to_market"] = cell.route
        if goals:
            client["goals"] = goals
        cities = rng.sample(sorted(CITIES), rng.randint(0, 6))
        if cities:
            client["cities"] = cities
        competitors, competitors_zh = self._competitors(rng, industry, index)
        if competitors:
            client["competitors"] = competitors
        if rng.random() < 0.8:
            client["budget"] = self._budget(rng)
        focus = rng.sample(self.active, rng.choice([0, 0, 1, 2]))
        if focus:
            client["focus_platforms"] = focus
        translation: dict[str, Any] | None = None
        if zh:
            translation = {"contact": {"title": "首席营销官"}}
            if goals_zh:
                translation["goals"] = goals_zh
            if cities:
                translation["cities"] = {c: CITIES[c] for c in cities}
            if competitors_zh:
                translation["competitors"] = competitors_zh
            if name_zh:
                translation["name"] = name_zh
        return Brief(seed, index, client_id, cell, theme, client, translation, kpis)

    def _name(self, rng: random.Random, theme: str, fits: Any) -> tuple[str, str | None]:
        """A client name from 3 characters to the title slide's limit, Latin or Chinese."""
        if rng.random() < 0.25:
            size = rng.choice([3, 4, 6, 10, 16, 24])
            name = "".join(rng.choice(HAN) for _ in range(size))
            return _shorten(name, theme, fits, 3), None
        if rng.random() < 0.2:
            name = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()[:3]
            return _not_a_word(name.ljust(3, "o")), None
        words = [
            _not_a_word(
                "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()
            )
            for _ in range(rng.randint(1, 3))
        ]
        words += rng.sample(LATIN_WORDS, rng.choice([0, 1, 2, 6]))
        name = " ".join(words)
        name = _shorten(name, theme, fits, 3)
        return name, rng.choice([None, "".join(rng.choice(HAN) for _ in range(4))])

    def _kpis(self, rng: random.Random, industry: Industry) -> list[str]:
        count = min(rng.choice([0, 1, 2, 3, 3, 4, 5]), len(industry.kpis))
        return [k.id for k in rng.sample(industry.kpis, count)]

    def _goals(
        self, rng: random.Random, industry: Industry, kpis: list[str]
    ) -> tuple[list[Any], list[dict[str, Any]]]:
        """Structured goals on ``kpis`` and, now and then, a plain sentence."""
        catalogue = {k.id: k for k in industry.kpis}
        goals: list[Any] = []
        translated: list[dict[str, Any]] = []
        for kid in kpis:
            kpi = catalogue[kid]
            by = self.today + dt.timedelta(days=rng.randint(61, 3 * 365))
            value = _target(rng, kpi)
            goal = {
                "goal": f"Reach {value:g} {kpi.unit} ({kpi.name}) by {by:%B %Y}",
                "kpi": kid,
                "target": {"value": value, "unit": kpi.unit},
                "by": by,
            }
            if rng.random() < 0.25 and kpi.kind == "count":
                goal["baseline"] = {"value": round(value / 4), "as_of": self.today}
            goals.append(goal)
            translated.append(
                {
                    "id": kid,
                    "goal": f"{by.year}年{by.month}月前达到{value:g}",
                    "target": {"unit": self._unit_zh(industry, kid)},
                }
            )
        if len(goals) < 5 and rng.random() < 0.3:
            goals.insert(rng.randint(0, len(goals)), "Be known among young professionals")
        return goals, translated

    def _unit_zh(self, industry: Industry, kid: str) -> str:
        raw = self.zh.get(_industry_id(self.kb, industry)) or {}
        for kpi in raw.get("kpis") or []:
            if isinstance(kpi, dict) and kpi.get("id") == kid and kpi.get("unit"):
                return str(kpi["unit"])
        return "个"

    def _competitors(
        self, rng: random.Random, industry: Industry, index: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        competitors, translated = [], []
        for n in range(rng.randint(0, 4)):
            name = " ".join(
                "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() for _ in range(2)
            )
            item: dict[str, Any] = {"id": f"rival-{n + 1}", "name": name}
            zh: dict[str, Any] = {"id": f"rival-{n + 1}", "name": f"{rng.choice(HAN)}{name}"}
            if rng.random() < 0.5:
                item["note"] = "Sells a similar range at a lower price"
                zh["note"] = "以更低价格销售相似产品"
            if rng.random() < 0.5:
                fits = [p for p, f in industry.fit.items() if f.score >= 3 and p in self.active]
                platforms = rng.sample(fits, min(len(fits), rng.randint(1, 3)))
                presence: list[dict[str, Any]] = []
                for platform in platforms:
                    pick = rng.randrange(len(ACTIVITIES))
                    presence.append(
                        {
                            "platform": platform,
                            "followers": rng.randint(1000, 3_000_000),
                            "activity": ACTIVITIES[pick],
                            "as_of": self.today - dt.timedelta(days=rng.randint(5, 200)),
                            "source": "account audit by the agency's social team",
                        }
                    )
                item["presence"] = presence
                zh["presence"] = [
                    {"id": p["platform"], "activity": ACTIVITIES_ZH[ACTIVITIES.index(a)]}
                    for p, a in ((p, p["activity"]) for p in presence)
                ]
            competitors.append(item)
            translated.append(zh)
        return competitors, translated

    def _budget(self, rng: random.Random) -> dict[str, Any]:
        amount = round(10 ** rng.uniform(3.7, 6.7), -3)
        return {
            "amount": amount,
            "currency": rng.choice(self.currencies),
            "period": rng.choice(PERIODS),
        }


def _industry_id(kb: Any, industry: Industry) -> str:
    return next(i for i, v in kb.industries.items() if v is industry)


def _target(rng: random.Random, kpi: Kpi) -> float:
    if kpi.kind == "rate":
        return float(rng.choice([5, 10, 15, 25, 40, 60]))
    if kpi.kind == "score":
        return float(rng.choice([4.5, 4.7, 4.8]))
    if kpi.kind == "cost-per":
        return float(rng.choice([20, 80, 150, 600]))
    if kpi.kind == "money":
        return float(round(10 ** rng.uniform(5, 8), -4))
    return float(round(10 ** rng.uniform(2, 6.3), -1) or 100)


def _shorten(name: str, theme: str, fits: Any, least: int) -> str:
    """The longest prefix of ``name`` (at least ``least`` characters) that fits the title."""
    if fits is None:
        return name
    while len(name) > least and not fits(theme, name):
        cut = name[: max(least, int(len(name) * 0.85))].rstrip()
        name = cut if len(cut) < len(name) else name[:-1]
    return name


def _not_a_word(name: str) -> str:
    """``name``, lengthened when it is an English word ('An' -> 'Ano')."""
    return name + "o" if name.lower() in ENGLISH_WORDS else name
