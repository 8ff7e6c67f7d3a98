"""Rebranding without code: theme chains, tokens in both outputs, theme commands, schemas."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pypdf import PdfReader

from briefing.build.pipeline import build
from briefing.cli import main
from briefing.errors import DataError, TemplateError
from briefing.themes.theme import resolve
from briefing.tools.schemas import render_schemas

from .conftest import REPO, settings_for, write

CLIENT = "maison-aurele"


def rgb(colour: str) -> bytes:
    """How WeasyPrint writes a fill colour in the page stream."""
    parts = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return (" ".join(f"{p:.6f}".rstrip("0").rstrip(".") for p in parts) + " rg").encode()


def cover_stream(pdf: Path) -> bytes:
    return PdfReader(pdf).pages[0].get_contents().get_data()


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def deck_facts(pptx: Path) -> tuple[bytes, set[str], str]:
    deck = Presentation(str(pptx))
    theme_xml = deck.slide_master.part.part_related_by(RT.THEME).blob
    accent = re.search(rb'<a:accent1><a:srgbClr val="(\w+)"/>', theme_xml)[1]
    faces = {e.get("typeface") for e in deck.slides[1].element.iter(qn("a:latin"))}
    pictures = [s for s in deck.slides[0].shapes if s.shape_type == 13]
    logo = hashlib.sha256(pictures[0].image.blob).hexdigest()
    return accent, faces, logo


@pytest.fixture(scope="module")
def two_themes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from .conftest import copy_project

    out = {}
    for name in ("default", "meridian"):
        root = copy_project(tmp_path_factory.mktemp(name) / "project")
        build(settings_for(root, theme=name), CLIENT)
        out[name] = root / "out" / (CLIENT if name == "default" else f"{CLIENT}.{name}")
    return out


def test_two_themes_differ_in_colours_fonts_and_logos(two_themes: dict[str, Path]) -> None:
    facts = {}
    for name, folder in two_themes.items():
        tokens = resolve(name, REPO).tokens
        pdf = folder / f"{CLIENT}-briefing.pdf"
        assert rgb(tokens.colours.primary) in cover_stream(pdf)
        assert tokens.fonts.heading.replace(" ", "-") in pdf_fonts(pdf)
        facts[name] = deck_facts(folder / f"{CLIENT}-deck.pptx")
        assert facts[name][0].decode() == tokens.colours.primary.lstrip("#").upper()
        assert facts[name][1] == {tokens.fonts.latin, tokens.fonts.heading}
    assert facts["default"][2] != facts["meridian"][2]  # different logo images


def test_a_theme_of_only_theme_yaml_and_a_logo_is_complete(project: Path) -> None:
    folder = project / "templates/mini"
    folder.mkdir()
    shutil.copy(REPO / "templates/meridian/logo.png", folder / "logo.png")
    write(
        folder / "theme.yaml",
        """
        name: Mini
        colours: {primary: "#2E7D32"}
        logo: logo.png
        agency: {name: Mini Agency}
    """,
    )
    build(settings_for(project, theme="mini"), CLIENT)
    pdf = project / f"out/{CLIENT}.mini/{CLIENT}-briefing.pdf"  # a pitch build's own folder
    assert rgb("#2E7D32") in cover_stream(pdf)
    assert "Mini Agency" in PdfReader(pdf).metadata.author
    accent, _, _ = deck_facts(project / f"out/{CLIENT}.mini/{CLIENT}-deck.pptx")
    assert accent == b"2E7D32"


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        (
            'colours: {primary: "red"}\n',
            "templates/bad/theme.yaml:1:20: colours.primary: String should match pattern",
        ),
        (
            "logo: nope.png\n",
            "templates/bad/theme.yaml:1:7: logo: 'nope.png' not found (searched templates/bad, "
            "templates/default and assets/)",
        ),
        (
            "colours: {primry: '#000000'}\n",
            "templates/bad/theme.yaml:1:11: colours.primry: unknown field 'primry' "
            "(did you mean 'primary'?)",
        ),
    ],
)
def test_theme_errors_name_the_file_and_field(project: Path, yaml: str, expected: str) -> None:
    write(project / "templates/bad/theme.yaml", yaml)
    with pytest.raises(DataError) as caught:
        resolve("bad", project)
    [problem] = caught.value.problems
    assert str(problem).startswith(expected)


def test_a_token_no_theme_of_the_chain_sets_is_located_at_its_group(project: Path) -> None:
    default = project / "templates/default/theme.yaml"
    text = default.read_text("utf-8")
    default.write_text(text.replace('  primary: "#B3261E"', "  # primary unset"), "utf-8")
    assert resolve("meridian", project).tokens.colours.primary == "#0B3C5D"  # the child's
    with pytest.raises(DataError) as caught:
        resolve("default", project)
    [problem] = caught.value.problems
    line = text.splitlines().index("colours:") + 1
    assert str(problem) == (
        f"templates/default/theme.yaml:{line}:1: colours.primary: required token is missing "
        "from the whole theme chain"
    )


def test_unknown_theme_lists_the_known_ones(project: Path) -> None:
    with pytest.raises(TemplateError, match=r"unknown theme 'nope' \(known: default, meridian\)"):
        resolve("nope", project)


def test_a_file_missing_from_the_whole_chain_lists_the_folders(project: Path) -> None:
    (project / "templates/default/report.css").unlink()
    with pytest.raises(
        TemplateError,
        match=r"report\.css: not found in theme 'meridian' "
        r"\(searched templates/meridian, templates/default\)",
    ):
        resolve("meridian", project).find("report.css")


def test_theme_new_then_check(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["theme", "new", "pitch-blue", "--extends", "meridian"]) == 0
    assert (project / "templates/pitch-blue/theme.yaml").is_file()
    # the new theme changes colours, not who prepared the briefing: the agency stays the parent's
    agency = resolve("pitch-blue", project).tokens.agency
    assert agency == resolve("meridian", project).tokens.agency
    assert agency.name != "Pitch Blue"
    assert main(["theme", "check", "pitch-blue"]) == 0
    assert (
        "templates/pitch-blue -> templates/meridian -> templates/default" in capsys.readouterr().out
    )
    theme_yaml = project / "templates/pitch-blue/theme.yaml"
    theme_yaml.write_text(
        theme_yaml.read_text(encoding="utf-8") + "layouts:\n  title: Big Cover\n",
        encoding="utf-8",
    )
    assert main(["theme", "check", "pitch-blue"]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"templates/pitch-blue/theme\.yaml: layouts\.title: role 'title' maps to layout "
        r"'Big Cover', which is not in templates/default/master\.pptx \(it has: ",
        err,
    )


def test_slide_roles_resolve_through_the_theme_chain(project: Path) -> None:
    """A child theme maps only the roles it changes; the rest come from its parent."""
    from briefing.build.pipeline import build

    from .conftest import settings_for

    write(
        project / "templates/pitch/theme.yaml",
        """
        name: Pitch
        extends: meridian
        layouts: {section: Comparison}
        """,
    )
    tokens = resolve("pitch", project).tokens
    assert tokens.layouts["section"] == "Comparison"
    assert tokens.layouts["content"] == "Title and Content"  # inherited
    build(settings_for(project, theme="pitch"), CLIENT)
    deck = Presentation(str(project / f"out/{CLIENT}.pitch/{CLIENT}-deck.pptx"))
    used = [s.slide_layout.name for s in deck.slides]
    assert "Comparison" in used and "Section Header" not in used


def test_schemas_are_up_to_date() -> None:
    for filename, text in render_schemas().items():
        assert (REPO / "schemas" / filename).read_text(encoding="utf-8") == text, (
            f"schemas/{filename} is stale: run `make schemas`"
        )
        json.loads(text)
