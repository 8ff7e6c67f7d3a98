"""Change one thing without forking: block overrides, additive CSS, checked templates."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.assemble import assemble
from briefing.cli.themes import check_theme, new_theme
from briefing.errors import DataError
from briefing.project.load import load_project
from briefing.project.validate import validate
from briefing.render.context import template_context
from briefing.render.deck import plan_deck
from briefing.render.html import render_html
from briefing.render.pdf import render_pdf
from briefing.themes.theme import resolve
from briefing.tools.template_docs import render as render_reference

from .conftest import REPO, TODAY, write

CLIENT = "maison-aurele"
COVER = """{% extends "default/report.html.j2" %}
{% block cover %}
<section class="cover"><h1 class="cover-title">Pitch for {{ client.name }}</h1></section>
{% endblock %}
"""
CSS = """/* pitch: one change on top of the default */
.toc-title::after {
  content: " (pitch edition)";
}
"""


def briefing_for(root: Path):  # type: ignore[no-untyped-def]
    kb, _ = validate(load_project(root))
    return assemble(kb, CLIENT, today=TODAY)


def child_theme(root: Path, name: str = "pitch", **files: str) -> None:
    write(root / f"templates/{name}/theme.yaml", f"name: {name}\nextends: default\n")
    for filename, text in files.items():
        write(root / f"templates/{name}/{filename.replace('_', '.')}", text)


def without_cover(html: str) -> str:
    html = re.sub(r'<section class="cover">.*?</section>', "", html, count=1, flags=re.S)
    return re.sub(r"\s+", " ", html)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, spaces normalised. The font draws '·' and '•' with one glyph, which
    the PDF maps back to whichever it met first: read both as '·'."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [re.sub(r"\s+", " ", p.extract_text()).replace("•", "·") for p in pages]


def test_a_child_changes_only_its_cover_block_and_one_css_rule(project: Path) -> None:
    child_theme(project, report_html_j2=COVER, report_css=CSS)
    briefing = briefing_for(project)
    parent, child = resolve("default", project), resolve("pitch", project)
    assert [p.parent.name for p in child.stylesheets()] == ["default", "pitch"]
    parent_html, child_html = render_html(briefing, parent), render_html(briefing, child)
    assert "Pitch for Maison Aurèle" in child_html and "Pitch for" not in parent_html
    assert without_cover(child_html) == without_cover(parent_html)
    parent_pages = page_texts(render_pdf(parent_html, parent).data)
    child_pages = page_texts(render_pdf(child_html, child).data)
    assert len(child_pages) == len(parent_pages)
    assert "Pitch for Maison Aurèle" in child_pages[0]
    assert child_pages[1] == parent_pages[1].replace("Contents", "Contents (pitch edition)", 1)
    assert child_pages[2:] == parent_pages[2:]  # the parent's whole stylesheet still applies


def test_css_replace_drops_the_parents_stylesheet(project: Path) -> None:
    child_theme(project, report_css=CSS)
    write(project / "templates/pitch/theme.yaml", "name: pitch\ncss: replace\n")
    assert [p.parent.name for p in resolve("pitch", project).stylesheets()] == ["pitch"]


def test_a_later_change_to_a_parent_block_shows_in_the_child(project: Path) -> None:
    child_theme(project, report_html_j2=COVER)
    report = project / "templates/default/report.html.j2"
    report.write_text(
        report.read_text("utf-8").replace('<h2>{{ _("The answer") }}</h2>', "<h2>Our advice</h2>")
    )
    html = render_html(briefing_for(project), resolve("pitch", project))
    assert "<h2>Our advice</h2>" in html and "Pitch for Maison Aurèle" in html


def slide_plan(root: Path, theme_name: str) -> list[tuple[str, str]]:
    briefing, theme = briefing_for(root), resolve(theme_name, root)
    plan = plan_deck(briefing, theme, template_context(briefing, theme))
    return [(s.role, s.titles[0] if s.titles else "") for s in plan.slides]


def test_a_child_reorders_and_drops_deck_slide_groups(project: Path) -> None:
    child_theme(
        project,
        deck_yaml_j2='{% extends "default/deck.yaml.j2" %}\n'
        '{% set storyline = ["cover", "risks", "answer", "roadmap", "closing"] %}\n'
        "{% block roadmap %}{% endblock %}\n"
        '{% block answer %}{{ super() }}\n  - role: section\n    title: "Our answer, again"\n'
        "{% endblock %}\n",
    )
    parent = slide_plan(project, "default")
    child = slide_plan(project, "pitch")
    risks = [s for s in parent if "risks to manage" in s[1]]
    assert risks
    answer = parent[1]
    assert child == [parent[0], *risks, answer, ("section", "Our answer, again"), parent[-1]]
    assert not any(role == "title-only" and "90 days" in t for role, t in child)


def test_an_unknown_storyline_group_is_named(project: Path) -> None:
    child_theme(
        project,
        deck_yaml_j2='{% extends "default/deck.yaml.j2" %}\n'
        '{% set storyline = ["cover", "roadmapp"] %}\n',
    )
    with pytest.raises(Exception, match=r"unknown storyline group 'roadmapp' \(known: cover"):
        slide_plan(project, "pitch")


def test_theme_check_reports_every_misspelt_variable_with_file_and_line(project: Path) -> None:
    child_theme(
        project,
        report_html_j2='{% extends "default/report.html.j2" %}\n{% block cover %}\n'
        "<h1>{{ client.nmae }}</h1>\n<p>{{ b.industry.name | upcase }}</p>\n{% endblock %}\n",
        deck_yaml_j2='{% extends "default/deck.yaml.j2" %}\n{% block closing %}\n'
        "  - role: closing\n    title: {{ cilent.name }}\n{% endblock %}\n",
    )
    with pytest.raises(DataError) as caught:
        check_theme(project, "pitch", today=TODAY)
    problems = [str(p) for p in caught.value.problems]
    assert "templates/pitch/report.html.j2:4: No filter named 'upcase'." in problems
    assert "templates/pitch/deck.yaml.j2:4: 'cilent' is undefined" in problems
    # fixing the filter, the misspelt attribute is found too, at its line
    report = project / "templates/pitch/report.html.j2"
    report.write_text(report.read_text("utf-8").replace(" | upcase", ""))
    with pytest.raises(DataError) as caught:
        check_theme(project, "pitch", today=TODAY)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("templates/pitch/report.html.j2:3: ") and "nmae" in p for p in problems)
    assert any(p.startswith("templates/pitch/deck.yaml.j2:4: ") for p in problems)


def test_theme_new_scaffolds_files_that_change_nothing(project: Path) -> None:
    new_theme(project, "fresh")
    folder = project / "templates/fresh"
    assert {p.name for p in folder.iterdir()} == {"theme.yaml", "report.css", "report.html.j2"}
    assert '{% extends "default/report.html.j2" %}' in (folder / "report.html.j2").read_text()
    write(folder / "theme.yaml", "name: fresh\nextends: default\n")  # the scaffold's colours off
    briefing = briefing_for(project)
    assert render_html(briefing, resolve("fresh", project)) == render_html(
        briefing, resolve("default", project)
    )
    check_theme(project, "fresh", today=TODAY)


def test_the_template_reference_is_current() -> None:
    current = (REPO / "docs/templates.md").read_text(encoding="utf-8")
    assert current == render_reference(REPO), "docs/templates.md is stale: run `make schemas`"
    for block in ("cover", "answer", "storyline", "roadmap", "signature"):
        assert f"{block}" in current
