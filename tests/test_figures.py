"""Figures a client can trust: honest charts, a freshness report, a spreadsheet import.

The freshness and import tests use their own fixture root (tests/roots/figures) with fixed
dates: CI never depends on the age of the real figures in data/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from pptx.oxml.ns import namespaces, qn

from briefing.assemble import assemble
from briefing.cli import main
from briefing.project.load import load_project
from briefing.project.model import Metric
from briefing.project.validate import validate
from briefing.render import charts

from .conftest import SAMPLE_CLIENTS, TODAY, write

ROOT = Path(__file__).parent / "roots" / "figures"
PERIOD = re.compile(r"[A-Z][a-z]{2} \d{4}")
NS = namespaces("c")


def figure(label: str, value: float, as_of: str, confidence: str, stale: bool = False):
    metric = Metric(
        name="MAU",
        value=value,
        unit="users",
        as_of=dt.date.fromisoformat(as_of),
        source="test",
        confidence=confidence,
    )
    return charts._Figure(label=label, metric=metric, stale=stale)


def assert_honest(spec: charts.ChartSpec, dates: dict[str, dt.date]) -> None:
    """Within a group: one confidence, one freshness, periods within 12 months, ranked by
    value; every bar says its period; a legend whenever more than plain reported bars."""
    groups: dict[int, list[charts.Bar]] = {}
    for bar in spec.bars:
        groups.setdefault(bar.group, []).append(bar)
        assert PERIOD.search(bar.note), bar
    assert list(groups) == sorted(groups)  # groups are contiguous
    for bars in groups.values():
        assert len({(b.style, b.dated) for b in bars}) == 1, bars
        spread = max(dates[b.label] for b in bars) - min(dates[b.label] for b in bars)
        assert spread.days <= charts.COMPARABLE_DAYS, bars
        assert [b.value for b in bars] == sorted((b.value for b in bars), reverse=True)
    looks = {b.style for b in spec.bars} | ({"dated"} if any(b.dated for b in spec.bars) else set())
    if looks != {"reported"}:
        assert set(spec.legend) == looks


def test_a_2020_claim_is_never_ranked_against_2025_reports() -> None:
    figures = [
        figure("WeChat", 1_414e6, "2025-09-30", "reported"),
        figure("Weibo", 578e6, "2025-09-30", "reported"),
        figure("Douyin", 600e6, "2020-08-31", "company claim", stale=True),
        figure("Zhihu", 81.4e6, "2024-06-30", "reported", stale=True),
    ]
    bars = charts.honest_bars(figures)
    assert [b.label for b in bars] == ["WeChat", "Weibo", "Zhihu", "Douyin"]
    assert [b.group for b in bars] == [0, 0, 1, 2]
    assert bars[3].note == "Aug 2020, company claim" and bars[3].dated
    dates = {f.label: f.metric.as_of for f in figures}
    spec = charts._audience_chart("MAU", "Monthly active users", figures, 12)
    assert spec.title == "Monthly users, as last reported; periods differ"
    assert_honest(spec, dates)


def test_periods_more_than_12_months_apart_split_even_at_one_confidence() -> None:
    figures = [
        figure("A", 10, "2025-09-30", "reported"),
        figure("B", 50, "2024-06-30", "reported"),
    ]
    assert [(b.label, b.group) for b in charts.honest_bars(figures)] == [("A", 0), ("B", 1)]


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_every_sample_chart_is_honest_in_spec_svg_and_deck(all_built: Path, client: str) -> None:
    kb, _ = validate(load_project(all_built))
    briefing = assemble(kb, client, today=TODAY, stale_months=12)
    dates = {
        f"{r.platform.name} {r.platform.name_zh}": m.as_of
        for r in briefing.recommended
        for m in r.platform.current_metrics
        if m.audience
    }
    specs = [c for c in charts.for_briefing(briefing).values() if c.id.startswith("audience")]
    for spec in specs:
        assert_honest(spec, dates)
        drawn = charts.svg(spec, "#B3261E", "#111111", "#666666", "Noto Sans")
        svg = etree.fromstring(drawn.encode())
        rects = [r for r in svg.iter("{*}rect") if r.get("data-style")]
        assert [(r.get("data-style"), r.get("data-dated")) for r in rects] == [
            (b.style, str(b.dated).lower()) for b in spec.bars
        ]
        for bar in spec.bars:
            assert spec.value_text(bar) in drawn
        assert {r.get("data-legend") for r in svg.iter("{*}rect") if r.get("data-legend")} == set(
            spec.legend
        )
    _assert_deck_charts_carry_styles_and_periods(all_built, client, specs)


def _assert_deck_charts_carry_styles_and_periods(
    root: Path, client: str, specs: list[charts.ChartSpec]
) -> None:
    deck = root / f"out/{client}/{client}-deck.pptx"
    with zipfile.ZipFile(deck) as archive:
        parts = [archive.read(n) for n in archive.namelist() if re.match(r"ppt/charts/chart\d+", n)]
    audience = [etree.fromstring(p) for p in parts if b"active users" in p]
    assert len(audience) == len(specs)
    by_unit = sorted(specs, key=lambda s: s.unit)
    pairs = zip(sorted(audience, key=_chart_title), by_unit, strict=True)
    for xml, spec in pairs:
        series = xml.findall(".//c:ser", NS)
        looks = {(b.style, b.dated) for b in spec.bars}
        assert len(series) == len(looks)  # one series (and legend entry) per look
        assert (xml.find(".//c:legend", NS) is not None) == bool(spec.legend)
        labels = ["".join(t.text or "" for t in d.iter(qn("a:t"))) for d in xml.iter(qn("c:dLbl"))]
        assert sorted(labels) == sorted(spec.value_text(b) for b in spec.bars)


def _chart_title(xml: etree._Element) -> str:
    return "".join(t.text or "" for t in xml.find(".//c:valAx", NS).iter(qn("a:t")))


# -- data status -----------------------------------------------------------------------------


@pytest.fixture
def figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "figures"
    shutil.copytree(ROOT, root)
    monkeypatch.chdir(root)
    return root


def test_data_status_lists_newest_figure_age_dated_and_missing_urls(
    figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "status"]) == 0
    out = capsys.readouterr().out
    alpha = next(line for line in out.splitlines() if line.startswith("│ alpha"))
    assert "MAU: 100 million users" in alpha and "2026-06-30" in alpha and "5 months" in alpha
    assert "DAU" in alpha  # June 2024 is past the 12-month limit on 2026-11-25
    beta = next(line for line in out.splitlines() if line.startswith("│ beta"))
    assert "75 months" in beta and "MAU" in beta and "1 company claim" in beta
    assert "2 dated figure(s) on 2 active platform(s)" in out


def test_data_status_strict_fails_only_when_something_is_dated(
    figures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["data", "status", "--strict"]) == 1
    monkeypatch.setenv("BRIEFING_STALE_MONTHS", "200")
    assert main(["data", "status", "--strict"]) == 0


# -- data import -----------------------------------------------------------------------------

HEADER = "platform,metric,value,unit,as_of,source,url,confidence\n"


def test_an_import_replaces_same_period_adds_newer_and_keeps_comments(
    figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = write(
        figures / "q3.csv",
        HEADER + "alpha,MAU,101000000,users,2026-06-30,Alpha Q2 2026 results (restated),"
        "https://example.com/alpha-q2-2026,reported\n"
        + 'alpha,MAU,"105,000,000",users,2026-09-30,Alpha Q3 2026 results,'
        "https://example.com/alpha-q3-2026,reported\n",
    )
    before = (figures / "data/platforms/alpha.yaml").read_text("utf-8")
    assert main(["data", "import", str(sheet), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "alpha: replace MAU = 100,000,000 users as of 2026-06-30" in out
    assert "-> MAU = 101,000,000 users as of 2026-06-30" in out
    assert "alpha: add MAU = 105,000,000 users as of 2026-09-30" in out
    assert (figures / "data/platforms/alpha.yaml").read_text("utf-8") == before

    assert main(["data", "import", str(sheet)]) == 0
    after = (figures / "data/platforms/alpha.yaml").read_text("utf-8")
    assert "# A fixture platform: figures with fixed dates" in after
    assert "category: social  # kept by the import" in after
    assert "# the quarterly figure the import replaces" in after
    kb, problems = validate(load_project(figures))
    assert problems == []
    mau = [m for m in kb.platforms["alpha"].metrics if m.name == "MAU"]
    assert [(m.as_of.isoformat(), m.value) for m in mau] == [
        ("2026-06-30", 101_000_000),
        ("2026-09-30", 105_000_000),
    ]
    assert kb.platforms["alpha"].current_metrics[0].value == 105_000_000  # the newest shows


def test_a_bad_sheet_reports_every_row_with_its_line_and_writes_nothing(
    figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = write(
        figures / "bad.csv",
        HEADER
        + "alpha,MAU,lots,users,2026-09-30,Alpha,https://example.com/a,reported\n"
        + "alpah,MAU,1,users,2026-09-30,Alpha,https://example.com/a,reported\n"
        + "beta,MAU,1,users,30/09/2026,Beta,https://example.com/b,rumour\n",
    )
    before = {p.name: p.read_bytes() for p in (figures / "data/platforms").iterdir()}
    assert main(["data", "import", str(sheet)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:2: value: 'lots' is not a number of 0 or more" in err
    assert "bad.csv:3: platform: unknown platform 'alpah' (did you mean 'alpha'?)" in err
    assert "bad.csv:4: as_of: '30/09/2026' is not a date (YYYY-MM-DD)" in err
    assert "bad.csv:4: confidence: 'rumour' is not one of: reported, company claim, estimate" in err
    assert before == {p.name: p.read_bytes() for p in (figures / "data/platforms").iterdir()}


# Domains the fact-check of 2026-11-25 found to be scrapers, mirrors or content farms.
FLAGGED_DOMAINS = (
    "office-chair.com.cn",
    "oldageplaystationers.com",
    "alliancesteel.cn",
    "ki-news.online",
    "xlog.shdu0926.fun",
    "9ym1.cn",
    "csgs.hl.cn",
    "jiangsulong.com",
    "nylon-taiwan.com",
    "nanmuxuan.com",
    "whmsebhyy.com",
    "infos.joyyang.com",
    "gamestartup.netlify.app",
    "db0nus869y26v.cloudfront.net",
    "the-uncensored-wiki.com",
)


def test_no_source_is_a_flagged_scraper_or_mirror() -> None:
    kb, problems = validate(load_project(Path(__file__).parent.parent))
    assert problems == []
    urls = [
        (pid, item.url)
        for pid, platform in kb.platforms.items()
        for item in [*platform.metrics, *platform.facts]
        if item.url
    ]
    assert urls
    assert [(pid, url) for pid, url in urls if any(d in url for d in FLAGGED_DOMAINS)] == []
    assert len(kb.platforms) >= 26
    for pid, platform in kb.platforms.items():  # every platform rests on a sourced statement
        assert any(f.url and f.quote for f in platform.facts) or any(
            m.url for m in platform.metrics
        ), pid


def _platforms(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "data/platforms").iterdir()}


ROW = "alpha,Engagement rate,{value},%,2026-09-30,Alpha Q3 2026 results,https://example.com/a,reported\n"


@pytest.mark.parametrize(
    ("value", "flag", "stored"),
    [("3,5", False, None), ("3,5", True, 3.5), ("1,234", False, 1234), ("1.234,5", True, 1234.5)],
    ids=["ambiguous", "decimal-comma", "thousands", "european"],
)
def test_numbers_are_read_strictly_or_by_an_explicit_decimal_comma(
    figures: Path, capsys: pytest.CaptureFixture[str], value: str, flag: bool, stored: float | None
) -> None:
    """'3,5' was stored as 35: a silent 10x error in a client's deliverables."""
    sheet = write(figures / "rate.csv", HEADER + ROW.format(value=f'"{value}"'))
    before = _platforms(figures)
    code = main(["data", "import", str(sheet), *(["--decimal-comma"] if flag else [])])
    if stored is None:
        assert code == 1
        err = capsys.readouterr().err
        assert "rate.csv:2: value: '3,5' is ambiguous: a comma here separates thousands" in err
        assert "--decimal-comma" in err
        assert _platforms(figures) == before
        return
    assert code == 0
    kb, problems = validate(load_project(figures))
    assert problems == []
    rate = next(m for m in kb.platforms["alpha"].metrics if m.name == "Engagement rate")
    assert rate.value == stored


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (
            ROW.format(value=1) + ROW.format(value=2),
            "dup.csv:3: metric: same platform, metric and as_of as line 2",
        ),
        (
            ROW.format(value=1).replace("Engagement rate", "MAU!")
            + ROW.format(value=2).replace("Engagement rate", "MAU?"),
            "dup.csv:3: metric: 'MAU?' gets the id 'mau-2026-09', as 'MAU!' on line 2 does",
        ),
        (
            ROW.format(value=1).replace("2026-09-30", "2099-12-31"),
            "dup.csv:2: as_of: 2099-12-31 is after today (2026-11-25)",
        ),
    ],
    ids=["same-figure-twice", "colliding-ids", "future-date"],
)
def test_duplicates_colliding_ids_and_future_dates_are_refused(
    figures: Path, capsys: pytest.CaptureFixture[str], rows: str, said: str
) -> None:
    sheet = write(figures / "dup.csv", HEADER + rows)
    before = _platforms(figures)
    assert main(["data", "import", str(sheet)]) == 1
    assert said in capsys.readouterr().err
    assert _platforms(figures) == before


def test_an_import_never_writes_a_file_the_loader_refuses(
    figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 20,000-row sheet wrote a 3.5 MB file, after which every command failed."""
    alpha = figures / "data/platforms/alpha.yaml"
    text = alpha.read_text("utf-8")
    room = 2**20 - 100 - len(text.encode())  # 100 bytes under the limit: one more row is over
    alpha.write_text(text + "# padding\n" * (room // 10), "utf-8")
    assert main(["check"]) == 0  # still within the 1 MB limit
    capsys.readouterr()
    before = _platforms(figures)
    sheet = write(figures / "one.csv", HEADER + ROW.format(value=1))
    assert main(["data", "import", str(sheet)]) == 1
    err = capsys.readouterr().err
    assert "data/platforms/alpha.yaml: would be 1.0 MB, over the 1 MB the loader reads" in err
    assert _platforms(figures) == before
    assert main(["check"]) == 0
    big = write(figures / "big.csv", HEADER + ROW.format(value=1) * 10_001)
    assert main(["data", "import", str(big)]) == 1
    assert "big.csv: more than 10,000 rows; split the sheet" in capsys.readouterr().err


def test_a_new_figure_keeps_the_chinese_edition_buildable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new figure broke the zh-CN edition ('no zh-CN translation'), without a word."""
    from .conftest import copy_project

    root = copy_project(tmp_path / "project", ["nordlys-travel"])
    monkeypatch.chdir(root)
    source = "Tencent results for Q3 2026,https://www.tencent.com/q3-2026,reported\n"
    sheet = write(
        root / "q3.csv",
        HEADER
        + f'wechat,MAU (Weixin and WeChat combined),"1,420,000,000",accounts,2026-09-30,{source}'
        + f"wechat,Channels DAU,450000000,users,2026-09-30,{source}",
    )
    assert main(["data", "import", str(sheet)]) == 0
    out = capsys.readouterr().out
    sibling = "data/platforms/wechat.zh-CN.yaml"
    assert (
        f"Translation: {sibling}: mau-weixin-wechat-combined-2026-09: the zh-CN name and unit of "
        "mau-weixin-wechat-combined-2025" in out
    )
    assert (
        f"Translation: {sibling}: channels-dau-2026-09: 'Channels DAU' (users) written in "
        "English: translate it there" in out
    )
    text = (root / sibling).read_text("utf-8")
    earlier = yaml.safe_load(text)["metrics"]
    name = next(m["name"] for m in earlier if m["id"] == "mau-weixin-wechat-combined-2025-09")
    assert f"- id: mau-weixin-wechat-combined-2026-09\n    name: {name}" in text  # reused
    assert "- id: channels-dau-2026-09  # untranslated: write it in zh-CN" in text
    assert main(["check"]) == 0


def test_a_pipe_as_the_sheet_is_named_not_read(
    figures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO was reported as "no such file"; read, it would block."""
    import os

    os.mkfifo(figures / "pipe.csv")
    assert main(["data", "import", str(figures / "pipe.csv")]) == 1
    assert "pipe.csv: is not a regular file (a pipe, device or folder)" in capsys.readouterr().err


def test_each_legend_swatch_can_be_told_apart() -> None:
    """When every reported bar is dated, the 'reported' swatch stayed grey and looked like the
    'grey: dated' one beside it (the Chinese review of 2026-12-07, the audience chart)."""
    spec = charts.ChartSpec(
        id="audience-mau",
        title="MAU",
        unit="monthly active users",
        bars=[
            charts.Bar(label="WeChat", value=1414e6, note="Sep 2025", dated=True),
            charts.Bar(label="RedNote", value=300e6, note="Oct 2024", style="company claim"),
        ],
        alt="MAU",
        legend=["reported", "company claim", "dated"],
    )
    svg = etree.fromstring(charts.svg(spec, "#B3261E", "#111111", "#666666", "Noto Sans").encode())
    swatches = {
        r.get("data-legend"): (r.get("fill"), r.get("fill-opacity"))
        for r in svg.iter("{*}rect")
        if r.get("data-legend")
    }
    assert len(set(swatches.values())) == len(swatches), swatches
    assert swatches["reported"][0] == "#B3261E" and swatches["dated"][0] == charts.GREY


def test_a_charts_platforms_carry_their_other_name_in_english_only(project: Path) -> None:
    """An English reader finds 'Douyin 抖音' by either name; in the Chinese edition an English
    name beside 抖音 is clutter (the native review of 2026-12)."""
    from briefing.project import translate
    from briefing.themes import i18n
    from briefing.themes.theme import resolve

    theme = resolve("default", project)
    read = load_project(project)
    labels, english_names = {}, set()
    for lang in ("en", "zh-CN"):
        overlaid, _, _ = translate.overlay(read, lang)
        kb, _ = validate(overlaid)
        briefing = assemble(kb, "nordlys-travel", today=TODAY, stale_months=12)
        english_names |= {r.platform.name_zh for r in briefing.fits} if lang != "en" else set()
        with i18n.language(i18n.load_catalog(theme.dirs, lang, project)):
            labels[lang] = {bar.label for bar in charts.fit_chart(briefing).bars}
    assert "Douyin 抖音" in labels["en"] and "Trip.com (Ctrip) 携程" in labels["en"]
    assert "抖音" in labels["zh-CN"] and "携程" in labels["zh-CN"]
    assert not [label for label in labels["zh-CN"] if any(f" {n}" in label for n in english_names)]
