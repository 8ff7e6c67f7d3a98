"""The live knowledge base keeps the agency's sourcing rules.

Unlike the rest of the suite, this module reads the real ``data/`` of the repository on purpose
(not a copy in ``tests/roots``): it is a standing check on the facts a client sees, so it fails
when someone adds a figure without a publisher URL, cites an aggregator, or calls a platform
closed without a sourced date. The block list comes from the 2026-12 fact-check's findings
(shared/research/fact-check-2026-12.md: AI summaries, tag listing pages and reposts presented
as the source) and from the earlier scraper finding (office-chair.com.cn).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"

# Hosts that summarise, aggregate or repost other people's reporting, several with AI-written
# summaries: a citation must name the publisher (company release, filing, regulator or the
# media outlet that did the reporting), never one of these.
BLOCKED_HOSTS = {
    "reportify.ai": "AI summaries and tag listing pages (fact-check 2026-12, URL table)",
    "reportify.cn": "AI summaries of Tencent's results (fact-check 2026-12, rows 2 and 8)",
    "tradevae.com": "AI earnings-call summaries (fact-check 2026-12, Autohome)",
    "marketnewsdata.com": "secondary summary of Baidu's release (fact-check 2026-12, Baidu)",
    "xueqiu.com": "user posts on Xueqiu (fact-check 2026-12, Boss Zhipin)",
    "tech360.tv": "SCMP text reposted and labelled Bloomberg (fact-check 2026-12, Channels)",
    "statementdog.com": "call summaries (fact-check 2026-12, row 19: cite ir.bilibili.com)",
    "shiyibao.com": "bilingual repost of Kuaishou's release (fact-check 2026-12, row 17)",
    "office-chair.com.cn": "scraper republishing CNR with pinyin (fact-check 2026-11, row 22)",
    "ginlix.ai": "AI investment summaries",
    "ainvest.com": "AI-generated earnings articles",
    "mirge.cn": "scraper copy of releases with pinyin inserted into the text (2026-12-07)",
    "kxmahua.com": "scraper copy of news with pinyin inserted into the text (2026-12-07)",
    "szdpgs.com": "reworded (spun) copies of news articles (2026-12-07)",
}
# Listing pages whose content changes over time (a reportify tag page, a CIW tag page).
LISTING_PATH = re.compile(r"/tags?/|[?&]tagValue=")
# Tertiary sources may carry a dated fact but never a figure.
NOT_FOR_FIGURES = ("wikipedia.org",)

CONFIDENCES = {"reported", "company claim", "estimate"}
# Ways of calling a platform closed (EN and zh-CN); "whether it closed is unconfirmed" is not one.
CALLED_CLOSED = re.compile(
    r"^closed\b|\(closed\)|\b(is|has|was) (now )?closed\b|closed portal"
    r"|no longer running|\bdefunct\b|已关闭|已停止运营|已停服|已关停",
    re.IGNORECASE,
)
CLOSURE_WORDS = re.compile(r"\bclos|\bshut|\bdiscontinu|停止|关闭|停服", re.IGNORECASE)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def english(folder: str) -> dict[str, dict]:
    return {
        p.name.removesuffix(".yaml"): load(p)
        for p in sorted((DATA / folder).glob("*.yaml"))
        if not p.name.endswith(".zh-CN.yaml")
    }


PLATFORMS = english("platforms")
INDUSTRIES = english("industries")


def sourced_items() -> list[tuple[str, str, dict]]:
    """(where, kind, item) for every fact, figure and KPI benchmark in data/."""
    items = []
    for pid, p in PLATFORMS.items():
        items += [(f"platforms/{pid} fact {f.get('id')}", "fact", f) for f in p.get("facts") or []]
        items += [
            (f"platforms/{pid} metric {m.get('id')}", "metric", m) for m in p.get("metrics") or []
        ]
    for iid, ind in INDUSTRIES.items():
        kpis = list(ind.get("kpis") or [])
        for kpi in kpis:
            if kpi.get("benchmark"):
                items.append((f"industries/{iid} kpi {kpi['id']}", "benchmark", kpi["benchmark"]))
    return items


ITEMS = sourced_items()


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def blocked(host: str) -> str | None:
    for bad, why in BLOCKED_HOSTS.items():
        if host == bad or host.endswith("." + bad):
            return why
    return None


def test_the_live_data_has_facts_and_figures_to_check() -> None:
    kinds = {kind for _, kind, _ in ITEMS}
    assert {"fact", "metric"} <= kinds
    assert len(ITEMS) > 150  # the whole knowledge base, not a fixture


@pytest.mark.parametrize(("where", "kind", "item"), ITEMS, ids=[w for w, _, _ in ITEMS])
def test_every_fact_and_figure_cites_a_publisher_with_a_date(where, kind, item) -> None:
    url = item.get("url")
    assert url, f"{where}: no url"
    parts = urlsplit(url)
    assert parts.scheme in {"http", "https"} and parts.hostname, (
        f"{where}: not a web address: {url}"
    )
    why = blocked(host_of(url))
    assert why is None, f"{where}: {host_of(url)} is not a publisher ({why})"
    assert not LISTING_PATH.search(url), f"{where}: a listing page, not the page with the claim"
    assert item.get("source"), f"{where}: no source (who published it)"
    assert item.get("as_of") is not None, f"{where}: no as_of"
    if kind == "fact":
        assert item.get("quote"), f"{where}: no quote of the source's words"
    if kind == "metric":
        assert item.get("confidence") in CONFIDENCES, f"{where}: confidence missing or unknown"
        assert not any(h in host_of(url) for h in NOT_FOR_FIGURES), f"{where}: tertiary source"


def test_the_block_list_catches_what_the_fact_check_found() -> None:
    """The check itself: subdomains count, and a look-alike host does not."""
    assert blocked("ai.xueqiu.com") and blocked("www.tech360.tv") and blocked("reportify.ai")
    assert blocked("notreportify.ai") is None and blocked("www.scmp.com") is None
    assert LISTING_PATH.search("https://www.chinainternetwatch.com/tag/pinduoduo/page/2/")
    assert LISTING_PATH.search("https://reportify.ai/tags/product?tagValue=x")


def test_qwen_is_a_sourced_platform_with_a_fit_in_every_industry() -> None:
    qwen = PLATFORMS.get("qwen")
    assert qwen, "Alibaba's Qwen (千问) is missing from data/platforms"
    assert qwen["name_zh"] == "千问" and qwen["status"] == "active"
    assert qwen["category"] == "search and AI"
    assert {m["name"].split(" ")[0] for m in qwen["metrics"]} >= {"DAU", "MAU"}
    assert max(m["as_of"] for m in qwen["metrics"]) >= dt.date(2026, 1, 1)
    zh = load(DATA / "platforms" / "qwen.zh-CN.yaml")
    assert zh.get("summary") and zh.get("audience")
    for iid, ind in INDUSTRIES.items():
        fit = ind["fit"].get("qwen")
        assert fit and 0 <= fit["score"] <= 5 and fit["rationale"], f"{iid}: no fit for qwen"
        zh_fit = load(DATA / "industries" / f"{iid}.zh-CN.yaml")["fit"].get("qwen")
        assert zh_fit and zh_fit.get("rationale"), f"{iid}.zh-CN: no rationale for qwen"


def months_apart(a: dt.date, b: dt.date) -> int:
    return abs((a.year - b.year) * 12 + a.month - b.month)


def as_date(value) -> dt.date:
    """A PartialDate from YAML: a date, 'YYYY-MM' or a year."""
    if isinstance(value, dt.date):
        return value
    text = str(value)
    year, month = [*text.split("-"), "1"][:2]
    return dt.date(int(year), int(month), 1)


@pytest.mark.parametrize("pid", sorted(PLATFORMS))
def test_no_platform_is_called_closed_without_a_sourced_date(pid: str) -> None:
    platform = PLATFORMS[pid]
    if platform["status"] == "discontinued":
        closed_on = platform.get("discontinued")
        assert closed_on, f"{pid}: discontinued, but no closure date"
        sources = [
            f
            for f in platform.get("facts") or []
            if f.get("url")
            and CLOSURE_WORDS.search(f.get("statement", ""))
            and months_apart(as_date(f["as_of"]), as_date(closed_on)) <= 12
        ]
        assert sources, f"{pid}: no sourced fact dates the closure ({closed_on})"
        return
    zh = load(DATA / "platforms" / f"{pid}.zh-CN.yaml")
    texts = [platform.get("tagline", ""), platform.get("summary", ""), zh.get("tagline", "")]
    texts += [zh.get("summary", "")]
    for iid in INDUSTRIES:
        for lang in ("", ".zh-CN"):
            fit = load(DATA / "industries" / f"{iid}{lang}.yaml")["fit"].get(pid) or {}
            texts.append(fit.get("rationale", ""))
    called = [t for t in texts if t and CALLED_CLOSED.search(t.strip())]
    assert not called, f"{pid} is {platform['status']} but called closed: {called[0][:120]}"
