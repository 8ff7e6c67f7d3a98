"""Client-facing grammar, fixed where the text is made: lists joined with 'and' (never 'Douyin
and Taobao and Tmall'), names that keep their capitals mid-sentence, no doubled full stop where
a filled-in sentence meets the template's own, no 'and 1 more'."""

from __future__ import annotations

import email
import re
import subprocess
from email import policy

import pytest
from markupsafe import Markup
from pptx import Presentation

from briefing.build.pipeline import build, prepare
from briefing.deliver import email as send_email
from briefing.project.model import Target
from briefing.themes import i18n
from briefing.themes.filters import lowerfirst, reached, target
from briefing.themes.i18n import join_and
from briefing.themes.templating import fill
from briefing.themes.theme import resolve

from .conftest import REPO, copy_project, settings_for

# One worker runs this module (its module fixture builds and e-mails a client):
# a module fixture is made once per worker that runs a test of it.
pytestmark = pytest.mark.xdist_group("grammar")

CLIENT = "hartley-finch"  # FMCG; three cities; Taobao and Tmall; a KPI named after Xiaohongshu


def test_join_and_reads_as_a_list_when_a_name_holds_and() -> None:
    assert join_and(["Shanghai", "Shenzhen", "Hangzhou"]) == "Shanghai, Shenzhen and Hangzhou"
    assert join_and(["Douyin", "Taobao and Tmall"]) == "Douyin as well as Taobao and Tmall"
    assert (
        join_and(["Douyin", "Taobao and Tmall", "WeChat"])
        == "Douyin and WeChat, as well as Taobao and Tmall"
    )
    # two paired names: one 'as well as', never a chain of them
    paired = ["Douyin", "WeChat", "Meituan and Dianping", "Taobao and Tmall"]
    assert (
        join_and(paired)
        == "Douyin and WeChat, as well as Meituan and Dianping, and Taobao and Tmall"
    )
    clauses = ["Kuaishou builds awareness", "Douyin and QQ convert"]
    assert join_and(clauses, clauses=True) == "Kuaishou builds awareness, and Douyin and QQ convert"
    assert join_and(["上海", "成都"], lang="zh-CN") == "上海和成都"
    bold = join_and([Markup("<strong>A&amp;B</strong>"), "C & D"])
    assert isinstance(bold, Markup) and bold == "<strong>A&amp;B</strong> and C &amp; D"


def test_a_filled_sentence_never_doubles_its_full_stop() -> None:
    message = "%(rationale)s. %(summary)s Watch: %(watch)s. 100%% sure"
    values = {"rationale": "builds trust.", "summary": "Founded in 2013.", "watch": "prices"}
    assert fill(message, values) == "builds trust. Founded in 2013. Watch: prices. 100% sure"
    assert fill("%(a)s。", {"a": "已上线。"}) == "已上线。"


def test_names_keep_their_capitals_mid_sentence() -> None:
    keep = ["Xiaohongshu (RedNote)", "Meituan and Dianping", "Tesla Model Y"]
    assert lowerfirst("Xiaohongshu notes mentioning the product", keep).startswith("Xiaohongshu")
    assert lowerfirst("Meituan delivery orders", keep) == "Meituan delivery orders"
    assert lowerfirst("Tesla Model Y owners", keep) == "Tesla Model Y owners"
    assert lowerfirst("FMCG, food and beverage") == "FMCG, food and beverage"
    assert lowerfirst("Repeat buyers", keep) == "repeat buyers"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = copy_project(tmp_path_factory.mktemp("grammar") / "project", [CLIENT])
    settings = settings_for(root)
    build(settings, CLIENT)
    send_email(settings, prepare(settings, CLIENT), dry_run=True)
    out = root / "out" / CLIENT
    pdf = subprocess.run(
        ["pdftotext", str(out / f"{CLIENT}-briefing.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    deck = Presentation(str(out / f"{CLIENT}-deck.pptx"))
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    message = email.message_from_bytes(
        (out / f"{CLIENT}-briefing.eml").read_bytes(), policy=policy.default
    )
    mail = " ".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )
    flat = lambda text: re.sub(r"\s+", " ", text)  # noqa: E731
    return {"pdf": flat(pdf), "deck": flat(" | ".join(parts)), "mail": flat(mail)}


@pytest.mark.parametrize("kind", ["pdf", "deck", "mail"])
def test_the_outputs_read_right(outputs: dict[str, str], kind: str) -> None:
    text = outputs[kind]
    assert not re.search(r"[^.]\.\.(?!\.)", text), re.search(r".{40}[^.]\.\.(?!\.).{30}", text)
    assert not re.search(r"\band (1|one) more\b", text)
    assert not re.search(r"\w and Taobao and Tmall", text)
    assert "Shanghai, Shenzhen, Hangzhou" not in text
    for name in ("xiaohongshu", "douyin", "fmcg", "shanghai", "tmall"):
        assert not re.search(rf"(?<![\w/.-]){name}\b(?![-/.]\w)", text), (kind, name)


def test_the_answer_joins_its_cities_and_keeps_the_kpis_capital(outputs: dict[str, str]) -> None:
    assert "in Shanghai, Shenzhen and Hangzhou, and measure Xiaohongshu notes" in outputs["pdf"]
    assert "first platforms for FMCG, food and beverage" in outputs["mail"]


def test_a_chinese_growth_target_puts_the_comparison_first() -> None:
    """'2028年3月31日前达到30%增幅', the comparison in brackets after it, read as translated (the
    review of 2026-12-07); Chinese writes '较2026/27极光季增长30%', and a share '占…的25%'."""
    growth = Target(value=30, unit="%增幅（较2026/27极光季）")  # noqa: RUF001
    share = Target(value=25, unit="%（占中国大陆预订）")  # noqa: RUF001
    saves = Target(value=40000, unit="次收藏")
    theme = resolve("default", REPO)
    with i18n.language(i18n.load_catalog(theme.dirs, "zh-CN", REPO)):
        assert (
            target(growth, lang="zh-CN")
            == reached(growth, lang="zh-CN")
            == "较2026/27极光季增长30%"
        )
        assert reached(share, lang="zh-CN") == "占中国大陆预订的25%"
        assert (target(saves, lang="zh-CN"), reached(saves, lang="zh-CN")) == (
            "4万次收藏",
            "达到4万次收藏",
        )
        heading = i18n._("%(kpi)s: %(target)s by %(date)s") % {
            "kpi": "预订量", "target": reached(growth, lang="zh-CN"), "date": "2028年3月31日"
        }  # fmt: skip
        assert heading == "预订量：2028年3月31日前较2026/27极光季增长30%"  # noqa: RUF001
    english = Target(value=30, unit="% more than the 2026-27 season")
    assert (
        target(english, lang="en")
        == reached(english, lang="en")
        == "30% more than the 2026-27 season"
    )
