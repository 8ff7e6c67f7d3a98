"""`briefing theme import`: a client's own PowerPoint template becomes a theme."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import namespaces, qn

from briefing.build.pipeline import build
from briefing.errors import UsageError
from briefing.tools.theme_import import import_template
from briefing.tools.theme_import.shared import MAIN

from .conftest import settings_for, shared_folder

GERMAN = {
    "Title Slide": "Titelfolie",
    "Title and Content": "Titel und Inhalt",
    "Section Header": "Abschnittsüberschrift",
    "Two Content": "Zwei Inhalte",
    "Comparison": "Vergleich",
    "Title Only": "Nur Titel",
}
CHINESE = {
    "Title Slide": "标题幻灯片",
    "Title and Content": "标题和内容",
    "Section Header": "节标题",
    "Two Content": "两栏内容",
    "Comparison": "比较",
    "Title Only": "仅标题",
}
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"


def make_template(path: Path, names: dict[str, str] | None = None, plain: bool = False) -> Path:
    """python-pptx's own template with an example slide; layouts renamed (``names``), or given
    names that mean nothing and no layout type (``plain``: only placeholders tell)."""
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "An example slide the import must remove"
    for i, layout in enumerate(presentation.slide_layouts):
        c_sld = layout._element.cSld
        if plain:
            c_sld.set("name", f"Layout {i + 1}")
            layout._element.attrib.pop("type", None)
        elif names and c_sld.get("name") in names:
            c_sld.set("name", names[c_sld.get("name")])
    presentation.save(str(path))
    return path


def as_potx(pptx: Path, target: Path) -> Path:
    with zipfile.ZipFile(pptx) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(MAIN.encode(), TEMPLATE_TYPE.encode())
            out.writestr(item, data)
    return target


def imported(project: Path, template: Path, name: str) -> dict[str, str]:
    import yaml

    report = import_template(project, template, name, "default", None)
    assert report.is_file()
    tokens = yaml.safe_load((project / f"templates/{name}/theme.yaml").read_text("utf-8"))
    master = Presentation(str(project / f"templates/{name}/master.pptx"))
    assert len(master.slides) == 0  # the example slide is gone
    return tokens["layouts"]


@pytest.mark.parametrize(
    ("names", "plain", "how"),
    [
        (None, False, "name"),
        (GERMAN, False, "name"),
        (CHINESE, False, "name"),
        (None, True, "placeholder signature"),
    ],
    ids=["english", "german", "chinese", "placeholders-only"],
)
def test_layouts_are_found_by_name_or_by_placeholders(
    project: Path, tmp_path: Path, names: dict[str, str] | None, plain: bool, how: str
) -> None:
    template = make_template(tmp_path / "client.pptx", names, plain)
    layouts = imported(project, template, "client")
    expected = {
        "title": "Title Slide", "content": "Title and Content", "section": "Section Header",
        "two-content": "Two Content", "comparison": "Comparison", "title-only": "Title Only",
    }  # fmt: skip
    order = list(Presentation().slide_layouts)
    for role, english in expected.items():
        position = [lay.name for lay in order].index(english)
        wanted = f"Layout {position + 1}" if plain else (names or {}).get(english, english)
        assert layouts[role] == wanted, role
    assert layouts["closing"] == layouts["title"]
    report = (project / "templates/client/import-report.txt").read_text("utf-8")
    assert f"content: '{layouts['content']}' (matched by {how})" in report


def test_a_potx_template_is_imported(project: Path, tmp_path: Path) -> None:
    potx = as_potx(make_template(tmp_path / "client.pptx"), tmp_path / "client.potx")
    assert imported(project, potx, "potx")["content"] == "Title and Content"


def test_unusable_files_are_refused_clearly(project: Path, tmp_path: Path) -> None:
    encrypted = tmp_path / "locked.pptx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(UsageError, match="is encrypted"):
        import_template(project, encrypted, "locked", "default", None)
    corrupt = tmp_path / "broken.pptx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UsageError, match="is not a readable PowerPoint file"):
        import_template(project, corrupt, "broken", "default", None)
    titles_only = Presentation()
    for layout in titles_only.slide_layouts:
        for ph in list(layout.placeholders):
            if ph.placeholder_format.idx not in (0,):
                ph.element.getparent().remove(ph.element)
    bare = tmp_path / "bare.pptx"
    titles_only.save(str(bare))
    with pytest.raises(UsageError, match="no layout with a title and a body"):
        import_template(project, bare, "bare", "default", None)
    assert not (project / "templates/locked").exists()
    assert not (project / "templates/bare").exists()


def _resave(folder: Path) -> None:
    folder.mkdir(parents=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to",
         "pptx:Impress MS PowerPoint 2007 XML", "--outdir", str(folder / "resaved"),
         str(make_template(folder / "english.pptx"))],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """python-pptx's template as LibreOffice saves it (None without LibreOffice): one
    LibreOffice start for this run, not one per test that needs it."""
    if not shutil.which("soffice"):
        return None
    return shared_folder(tmp_path_factory, "theme-import-resaved", _resave) / "resaved/english.pptx"


def all_kinds(folder: Path, resaved: Path | None) -> dict[str, Path]:
    """The generated templates: English, German and Chinese layout names, placeholders only,
    two masters, and (with LibreOffice) one re-saved by LibreOffice."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {
        "english": make_template(folder / "english.pptx"),
        "german": make_template(folder / "german.pptx", GERMAN),
        "chinese": make_template(folder / "chinese.pptx", CHINESE),
        "plain": make_template(folder / "plain.pptx", plain=True),
        "two-masters": two_masters(folder / "two-masters.pptx"),
    }
    if resaved is not None:
        kinds["resaved"] = Path(shutil.copy(resaved, folder / "resaved.pptx"))
    return kinds


@pytest.mark.slow
def test_each_imported_theme_builds_a_deck_on_the_templates_design(
    project: Path, tmp_path: Path, resaved: Path | None
) -> None:
    """Every slide on a layout of the template, the template's colours and fonts, and a deck
    LibreOffice converts, for each generated template."""
    decks = {}
    for kind, template in all_kinds(tmp_path / "templates", resaved).items():
        import_template(project, template, kind, "default", 1)
        build(settings_for(project, theme=kind), "nordlys-travel")
        deck_path = project / f"out/nordlys-travel.{kind}/nordlys-travel-deck.pptx"
        deck = Presentation(str(deck_path))
        source = Presentation(str(template))
        layouts = {lay.name for lay in source.slide_masters[0].slide_layouts}
        assert {slide.slide_layout.name for slide in deck.slides} <= layouts, kind
        assert design(deck)[0] == design(source)[0], kind  # template's colour
        faces = {r.get("typeface") for s in deck.slides for r in s.element.iter(qn("a:latin"))}
        assert faces == {design(source)[1]}, kind  # runs name the template's body font
        decks[kind] = deck_path.rename(tmp_path / f"{kind}.pptx")
    if shutil.which("soffice"):
        out = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, decks.values())],
            capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        assert out.returncode == 0
        from pypdf import PdfReader

        for kind, deck_path in decks.items():
            converted = tmp_path / "pdf" / f"{kind}.pdf"
            slides = len(Presentation(str(deck_path)).slides)
            assert len(PdfReader(io.BytesIO(converted.read_bytes())).pages) == slides, kind


def design(presentation: Presentation) -> tuple[str, str]:
    """The theme's accent 1 colour and its body (minor) Latin font."""
    from lxml import etree

    theme = etree.fromstring(presentation.slide_master.part.part_related_by(RT.THEME).blob)
    accent = theme.find(".//a:clrScheme/a:accent1/a:srgbClr", namespaces("a")).get("val").upper()
    return accent, theme.find(".//a:minorFont/a:latin", namespaces("a")).get("typeface")


def calibri_measurable() -> bool:
    from briefing.errors import BriefingError
    from briefing.render.fit import font_file

    try:
        font_file("Calibri")
    except BriefingError:
        return False
    return True


def set_theme_font(template: Path, typeface: str) -> Path:
    """The template's minor (body) Latin font, as a designer would set it in PowerPoint."""
    presentation = Presentation(str(template))
    part = presentation.slide_master.part.part_related_by(RT.THEME)
    part._blob = part.blob.replace(
        b'<a:minorFont><a:latin typeface="Calibri"/>',
        f'<a:minorFont><a:latin typeface="{typeface}"/>'.encode(),
    )
    presentation.save(str(template))
    return template


@pytest.mark.skipif(not calibri_measurable(), reason="fonts-crosextra-carlito is not installed")
def test_the_templates_fonts_stay_and_are_measured_with_substitutes(
    project: Path, tmp_path: Path
) -> None:
    template = make_template(tmp_path / "client.pptx")
    import_template(project, template, "client", "default", None)
    theme = (project / "templates/client/theme.yaml").read_text("utf-8")
    assert 'latin: "Calibri"' in theme and 'heading: "Calibri"' in theme
    report = (project / "templates/client/import-report.txt").read_text("utf-8")
    assert "latin 'Calibri', measured with Carlito" in report
    build(settings_for(project, theme="client"), "maison-aurele")
    deck = Presentation(str(project / "out/maison-aurele.client/maison-aurele-deck.pptx"))
    faces = {r.get("typeface") for slide in deck.slides for r in slide.element.iter(qn("a:latin"))}
    assert faces == {"Calibri"}  # the runs keep the template's font name

    unknown = set_theme_font(make_template(tmp_path / "odd.pptx"), "Zapfino Extra LT")
    with pytest.raises(UsageError, match="'Zapfino Extra LT' is not installed and has no"):
        import_template(project, unknown, "odd", "default", None)
    assert not (project / "templates/odd").exists()


PIC = """<p:pic xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
  <p:nvPicPr><p:cNvPr id="990" name="Linked logo"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>
  <p:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>
  <p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="457200"/></a:xfrm>
  <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>"""


OLE = """<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
  <p:nvGraphicFramePr><p:cNvPr id="991" name="Embedded workbook"/><p:cNvGraphicFramePr/>
  <p:nvPr/></p:nvGraphicFramePr>
  <p:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="457200"/></p:xfrm>
  <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole">
  <p:oleObj progId="Excel.Sheet.12" r:id="{rid}"><p:embed/></p:oleObj>
  </a:graphicData></a:graphic></p:graphicFrame>"""


def test_macros_linked_pictures_and_file_links_are_stripped_and_reported(
    project: Path, tmp_path: Path
) -> None:
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    presentation = Presentation()
    master = presentation.slide_master
    rid = master.part.relate_to("file:///C:/brand/logo.png", RT.IMAGE, is_external=True)
    master.shapes._spTree.append(etree.fromstring(PIC.format(rid=rid)))
    layout = presentation.slide_layouts[1]
    title = layout.placeholders[0].text_frame.paragraphs[0]
    run = title.add_run()
    run.text = "Brand guide"
    run.hyperlink.address = "file:///C:/brand/guide.pdf"
    vba = Part(
        PackURI("/ppt/vbaProject.bin"),
        "application/vnd.ms-office.vbaProject",
        presentation.part.package,
        b"macro",
    )
    presentation.part.relate_to(
        vba, "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    )
    workbook = Part(
        PackURI("/ppt/embeddings/Workbook1.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        presentation.part.package,
        b"not really a workbook",
    )
    section = presentation.slide_layouts[2]
    rid = section.part.relate_to(workbook, RT.PACKAGE)
    section.shapes._spTree.append(etree.fromstring(OLE.format(rid=rid)))
    template = tmp_path / "risky.pptx"
    presentation.save(str(template))

    import_template(project, template, "risky", "default", None)
    report = (project / "templates/risky/import-report.txt").read_text("utf-8")
    assert "Stripped: macros (vbaProject)" in report
    assert "Stripped: a picture linked from file:///C:/brand/logo.png on the master" in report
    assert "Stripped: an embedded OLE object on the layout 'Section Header'" in report
    assert (
        "Stripped: a link to file:///C:/brand/guide.pdf on the layout 'Title and Content'" in report
    )
    with zipfile.ZipFile(project / "templates/risky/master.pptx") as archive:
        names = archive.namelist()
        rels = "".join(archive.read(n).decode() for n in names if n.endswith(".rels"))
    assert not any("vbaProject" in n or "embeddings" in n for n in names)
    assert "file:///" not in rels and 'TargetMode="External"' not in rels


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_template_resaved_by_libreoffice_imports_and_builds(
    project: Path, resaved: Path | None
) -> None:
    """LibreOffice writes other layout names ('Title, Content'), placeholders without indexes
    and no table styles: the import numbers the placeholders and the deck still builds."""
    assert resaved is not None
    layouts = imported(project, resaved, "resaved")
    assert layouts["content"] == "Title, Content" and layouts["two-content"] == "Title, 2 Content"
    report = (project / "templates/resaved/import-report.txt").read_text("utf-8")
    assert "Numbered" in report and "has no Chinese glyphs" in report
    build(settings_for(project, theme="resaved"), "nordlys-travel")
    deck = Presentation(str(project / "out/nordlys-travel.resaved/nordlys-travel-deck.pptx"))
    funnel = next(s for s in deck.slides if s.slide_layout.name == "Title Only")
    [table] = [shape for shape in funnel.shapes if shape.has_table]
    assert table.top > funnel.shapes.title.top and table.width > deck.slide_width / 2


def two_masters(path: Path) -> Path:
    """python-pptx's template with a second slide master (no layouts of its own)."""
    from lxml import etree
    from pptx.opc.constants import CONTENT_TYPE as CT
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.packuri import PackURI
    from pptx.parts.slide import SlideMasterPart

    presentation = Presentation()
    first = presentation.slide_master.part
    second = SlideMasterPart.load(
        PackURI("/ppt/slideMasters/slideMaster2.xml"), CT.PML_SLIDE_MASTER,
        presentation.part.package, first.blob,
    )  # fmt: skip
    p = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
    listed = second._element.find(f"{p}sldLayoutIdLst")
    listed.getparent().remove(listed)
    second.relate_to(first.part_related_by(RT.THEME), RT.THEME)
    rid = presentation.part.relate_to(second, RT.SLIDE_MASTER)
    entry = etree.SubElement(presentation.slide_masters._sldMasterIdLst, f"{p}sldMasterId")
    entry.set("id", "2147483900")
    entry.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", rid)
    presentation.save(str(path))
    return path


def test_several_masters_need_a_choice(project: Path, tmp_path: Path) -> None:
    template = two_masters(tmp_path / "two.pptx")
    assert len(Presentation(str(template)).slide_masters) == 2
    with pytest.raises(UsageError, match=r"has 2 slide masters; choose one with --master N \(1: "):
        import_template(project, template, "two", "default", None)
    with pytest.raises(UsageError, match=r"--master 3: two\.pptx has 2 master"):
        import_template(project, template, "two", "default", 3)
    import_template(project, template, "two", "default", 1)
    master = Presentation(str(project / "templates/two/master.pptx"))
    assert len(master.slide_masters) == 1 and len(master.slide_layouts) == 11


def test_text_sizes_come_from_the_templates_placeholders(project: Path, tmp_path: Path) -> None:
    """python-pptx's template sets 44 pt titles and 32 pt text; its title box holds one line
    at 44 pt, so the deck's titles take the largest size that gives two."""
    import yaml

    import_template(project, make_template(tmp_path / "client.pptx"), "sized", "default", None)
    theme = yaml.safe_load((project / "templates/sized/theme.yaml").read_text("utf-8"))
    report = (project / "templates/sized/import-report.txt").read_text("utf-8")
    assert theme["deck"]["body"] == 32 and "text size: body 32 pt" in report
    assert "text size: title 44 pt" in report
    assert theme["deck"]["title"] < 44 and f"title {theme['deck']['title']} pt instead" in report


def with_chinese_font(template: Path) -> Path:
    """The template's theme names an East Asian font (one that draws Chinese)."""
    presentation = Presentation(str(template))
    part = presentation.slide_master.part.part_related_by(RT.THEME)
    part._blob = part.blob.replace(b'<a:ea typeface=""/>', b'<a:ea typeface="Noto Sans CJK SC"/>')
    presentation.save(str(template))
    return template


def theme_part(deck: Path) -> bytes:
    return Presentation(str(deck)).slide_master.part.part_related_by(RT.THEME).blob


def test_an_untouched_import_keeps_the_templates_theme_byte_for_byte(
    project: Path, tmp_path: Path
) -> None:
    template = with_chinese_font(make_template(tmp_path / "client.pptx"))
    import_template(project, template, "client", "default", None)
    build(settings_for(project, theme="client"), "maison-aurele")
    deck = project / "out/maison-aurele.client/maison-aurele-deck.pptx"
    assert theme_part(deck) == theme_part(template)

    # A deliberate token edit still reaches the deck, and only that slot changes.
    theme_yaml = project / "templates/client/theme.yaml"
    theme_yaml.write_text(
        theme_yaml.read_text("utf-8").replace('primary: "#4F81BD"', 'primary: "#2A9D8F"'), "utf-8"
    )
    build(settings_for(project, theme="client"), "maison-aurele")
    edited = theme_part(deck)
    assert b'<a:accent1><a:srgbClr val="2A9D8F"/>' in edited
    assert b'<a:accent2><a:srgbClr val="C0504D"/>' in edited  # the template's, untouched
