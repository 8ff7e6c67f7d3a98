"""The shipped data/ itself: it validates, every client's plan builds, its translations are
complete, and its facts hold.

This module, and only this one, reads the live data/ on purpose: a broken or half-added file
there turns these checks red and leaves the tests of code (which build from the frozen copy in
tests/roots/sample/) green. A failure here is a data fix, not a code fix.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from briefing.build.pipeline import check_layouts, load_knowledge, prepare
from briefing.project import translate
from briefing.project.knowledge import KnowledgeBase
from briefing.project.load import load_project
from briefing.project.validate import validate
from briefing.themes import i18n

from .conftest import REPO, SAMPLE_CLIENTS, settings_for

DATA = REPO / "data"
FX_CODES = [r["currency"] for r in yaml.safe_load((DATA / "fx.yaml").read_text("utf-8"))["rates"]]
CLIENTS = sorted(p.stem for p in (DATA / "clients").glob("*.yaml") if "." not in p.stem)
ZH = "zh-CN"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live data/ with the repository's templates and assets, in a temp folder (so a
    build's out/ and state/ are fresh and the developer's .env is not read)."""
    root = tmp_path_factory.mktemp("shipped") / "project"
    for folder in ("data", "templates", "assets"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    knowledge, _ = validate(load_project(REPO))
    return knowledge


def test_the_shipped_data_is_valid(shipped: Path) -> None:
    """What `briefing check` reports in English: no problem in data/, no missing layout."""
    kb, problems = validate(load_project(REPO))
    problems += check_layouts(settings_for(shipped), kb)
    assert not problems, "\n".join(str(p) for p in problems)  # as `briefing check` prints


def test_every_translation_is_complete() -> None:
    """What `briefing check --lang zh-CN` reports: every text has its translation, and every
    translation file translates something that exists."""
    project = load_project(REPO)
    translated, problems, _ = translate.overlay(project, ZH)
    problems += validate(translated)[1]
    assert not problems, "\n".join(str(p) for p in problems)  # as `briefing check` prints


@pytest.mark.parametrize("client", CLIENTS)
def test_every_client_builds_its_plan_in_each_edition(shipped: Path, client: str) -> None:
    editions = validate(load_project(REPO))[0].clients[client].editions
    for lang in editions:
        settings = settings_for(shipped, lang=lang)
        plan = prepare(settings, client, load_knowledge(settings)).briefing.plan
        assert plan.group("recommended"), (client, lang)
        assert all(goal.tactics for goal in plan.goals if goal.kpi), (client, lang)


def test_every_industry_has_a_sample_client(kb: KnowledgeBase) -> None:
    assert {c.industry for c in kb.clients.values()} == set(kb.industries)
    assert len(kb.clients) >= 6


def test_no_two_industries_rank_the_same_top_three(kb: KnowledgeBase) -> None:
    by_industry = {}
    for industry in kb.industries:
        scores = {pid: fit.score for pid, fit in kb.industries[industry].fit.items()}
        active = [p for p in scores if kb.platforms[p].status == "active"]
        ranked = sorted(active, key=lambda p: (-scores[p], kb.platforms[p].name.lower()))
        by_industry[industry] = frozenset(ranked[:3])
    assert len(set(by_industry.values())) == len(by_industry), by_industry


def test_unconfirmed_figures_are_absent(kb: KnowledgeBase) -> None:
    values = {m.value for p in kb.platforms.values() for m in p.metrics}
    # The seed's WeChat split and LinkedIn's global count are unconfirmed in the research sheet.
    assert values.isdisjoint({549_000_000, 180_000_000, 350_000_000})
    assert not any("MAU" in m.name for m in kb.platforms["douban"].metrics)


def test_data_files_point_editors_at_their_schema() -> None:
    for kind, schema in (
        ("clients", "client"),
        ("industries", "industry"),
        ("platforms", "platform"),
    ):
        for path in (DATA / kind).glob("*.yaml"):
            if kind == "clients" and path.stem.split(".")[0] not in SAMPLE_CLIENTS:
                continue  # a client added the README's way is the user's, not the suite's
            if "." in path.stem:  # a translation (wechat.zh-CN.yaml): text only, no schema
                continue
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json"


@pytest.mark.parametrize("code", sorted(FX_CODES))
def test_every_budget_currency_has_a_chinese_name(code: str) -> None:
    """Every currency a brief may budget in (one with a rate in fx.yaml) is named in Chinese,
    and written as its code in English."""
    name = i18n.currency(code, lang="zh-CN")
    assert name != code and re.fullmatch(r"[\u4e00-\u9fff]{2,5}", name), name
    assert i18n.currency(code, lang="en") == code


TEXT_FIELDS = {"rationale", "note", "statement", "description", "summary", "watch", "audience"}


def _texts(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k in TEXT_FIELDS and isinstance(v, str)]
        return found + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def test_client_copy_names_no_internal_key_or_repository_path() -> None:
    """A rationale or note is printed for the client: it names another entry by its name, never
    by its id ('see assumption wechat-mini-program-maintenance', in both editions, the Chinese
    review of 2026-12-07) or a file of this repository ('see docs/benchmark-sources.md')."""
    files = sorted(DATA.rglob("*.yaml"))
    docs = [yaml.safe_load(p.read_text("utf-8")) for p in files]
    # ids of three parts or more: 'paid-search' and 'corporate-travel' are also English words
    named = re.compile(r"\bid: ([a-z0-9]+(?:-[a-z0-9]+){2,})")
    ids = {i for d in docs for i in named.findall(yaml.dump(d))}
    key = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, sorted(ids))) + r")(?![\w/-])")
    found = [
        (p.relative_to(REPO).as_posix(), hit)
        for p, d in zip(files, docs, strict=True)
        for text in _texts(d)
        for hit in key.findall(text) + re.findall(r"docs/[\w.-]+", text)
    ]
    assert not found


def _editions(client: str) -> list[str]:
    return (
        yaml.safe_load((DATA / "clients" / f"{client}.yaml").read_text("utf-8")).get("editions")
        or []
    )


ZH_CLIENTS = [c for c in CLIENTS if ZH in _editions(c)]


@pytest.mark.parametrize("client", ZH_CLIENTS)
def test_the_chinese_edition_cites_its_sources_in_chinese(shipped: Path, client: str) -> None:
    """Every source line a zh-CN edition prints (the sources page, the evidence tables, the deck's
    source lines, the exchange rate) is written in Chinese; the review of 2026-12-07 found
    'ByteDance company claim for Aug 2020, via Reuters…' on six pages and four slides."""
    briefing = prepare(
        settings_for(shipped, lang=ZH), client, load_knowledge(settings_for(shipped, lang=ZH))
    ).briefing
    printed = [s.metric.source for s in briefing.sources]
    printed += [f.source for r in briefing.recommended for f in r.platform.facts]
    if briefing.plan.rate:
        printed.append(briefing.plan.rate.source)
    english = [s for s in printed if not re.search(r"[\u4e00-\u9fff]", s)]
    assert not english


CJK = re.compile(r"[\u4e00-\u9fff]")


def _sources(spec: object, node: object) -> list[str]:
    """The translatable `source` values of ``node``, found by walking its kind's spec."""
    if isinstance(spec, list):  # a list of items, each read by the one spec
        items = node if isinstance(node, list) else []
        return [s for item in items for s in _sources(spec[0], item)]
    if not isinstance(spec, dict) or not isinstance(node, dict):
        return []
    found = [node.get("source")] if spec.get("source") == translate.TEXT else []
    for key, sub in spec.items():
        children = list(node.values()) if key == "*" else [node.get(key)]  # "*": keyed by ids
        found += [s for child in children for s in _sources(sub, child)]
    return [s for s in found if isinstance(s, str)]


def test_every_source_line_has_a_chinese_translation() -> None:
    """Not only the samples' zh editions: every source a zh-CN edition could print (each
    platform's metrics and facts, the exchange rates) is translated into Chinese, with mainland
    quotation marks (the review of 2026-12-07: English notes on the evidence pages, 「」)."""
    project, _, _ = translate.overlay(load_project(REPO), ZH, allow_missing=True)
    sources = [
        (doc.rel, text)
        for kind, spec in translate.SPECS.items()
        for doc in project.documents.get(kind, {}).values()
        for text in _sources(spec, doc.data)
    ]
    assert len(sources) > 100  # the walk found the platforms' sources
    untranslated = [(rel, s) for rel, s in sources if not CJK.search(s) or re.search("[「」]", s)]
    # the file named is the English one: its zh-CN sibling needs a `source` for the item
    assert not untranslated, "\n".join(f"{rel}: {s}" for rel, s in untranslated)


def test_every_festival_has_its_date_each_year() -> None:
    """A festival is fixed by the calendar (Qixi: the 7th day of the 7th lunar month), so no
    year of one reads 'date to confirm' (the Chinese review of 2026-12-07: 七夕, 日期待定)."""
    moments = yaml.safe_load((DATA / "calendar.yaml").read_text("utf-8"))["moments"]
    undated = [
        (m["id"], d["year"]) for m in moments if m["kind"] == "festival"
        for d in m["dates"] if not d["start"]
    ]  # fmt: skip
    assert not undated
