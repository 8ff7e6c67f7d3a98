"""Budgets and limits at every stage: a template line cannot make gigabytes, and a client's
PowerPoint template is imported only within limits (zip members, sizes, pictures), stripped
of what must not ship in the agency's decks (OLE objects, macros, links to files and shares);
and the smaller findings of the 2026-12 audit, each with its test."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from briefing.errors import UsageError

from .conftest import REPO, TODAY, copy_project, settings_for

CLIENT = "maison-aurele"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project", [CLIENT])


def briefing(root: Path, *args: str, timeout: float = 120) -> tuple[int, str, float]:
    """The CLI in its own process, under a 3 GB address-space cap (a bomb that gets through
    fails there, not on the machine) and a 300 MB render budget: rc, stderr, seconds."""
    cap = 3 * 2**30
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_RENDER_MEMORY_MB": "300"},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
    )
    return result.returncode, result.stderr, time.monotonic() - started


BOMBS = [
    ('{% set big = "ab" * 1400000000 %}<!-- {{ big | length }} -->', "2,800,000,000 items"),
    ("{% set big = b.client.name * 250000000 %}<!-- {{ big | length }} -->", "items, over"),
    ('{{ "%999999999s" % "x" }}', "a '%' format width over"),
    ("{{ (7 ** 99999999) | string | length }}", "'**' would make a number of"),
]


@pytest.mark.parametrize(("line", "said"), BOMBS, ids=["constant", "name", "format", "power"])
def test_a_template_line_cannot_make_gigabytes(small: Path, line: str, said: str) -> None:
    """Refused quickly, at its line, within a small memory budget (one such line took a build
    to 10.8 GB: Jinja folded the constant at compile time, outside any budget)."""
    template = small / "templates/default/report.html.j2"
    lines = template.read_text("utf-8").splitlines()
    template.write_text("\n".join([*lines, line]) + "\n", "utf-8")
    code, err, took = briefing(small, "build", CLIENT)
    assert code == 1, err
    assert f"templates/default/report.html.j2:{len(lines) + 1}: " in err
    assert said in err
    assert took < 60
    assert not (small / "out" / CLIENT).exists()
    code, err, _ = briefing(small, "theme", "check", "default")  # renders every template
    assert code == 1
    assert f"templates/default/report.html.j2:{len(lines) + 1}: SecurityError: " in err


def test_theme_check_renders_under_the_render_budget(small: Path) -> None:
    """`theme check` renders every template as a build does: a loop that would run for hours
    is stopped at BRIEFING_RENDER_TIMEOUT, with one line (it ran unbudgeted in the parent)."""
    template = small / "templates/default/email.txt.j2"
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    template.write_text(template.read_text("utf-8") + loop + "\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "theme", "check", "default"],
        cwd=small,
        env={**os.environ, "PYTHONPATH": str(REPO), "BRIEFING_RENDER_TIMEOUT": "5"},
        capture_output=True,
        text=True,
        timeout=100,  # without the budget it runs for hours: TimeoutExpired, red
    )
    assert result.returncode == 1, result.stderr
    assert "theme check" in result.stderr and "Traceback" not in result.stderr


def test_ordinary_arithmetic_and_formats_still_work() -> None:
    from briefing.themes import templating

    env = templating._Sandbox()
    assert env.from_string('{{ "-" * 3 }}{{ 2 ** 10 }}{{ "%5.1f" % 2.25 }}').render() == (
        "---1024  2.2"
    )


# --- theme import -------------------------------------------------------------------------


def _template(path: Path, picture: bytes | None = None) -> Path:
    """python-pptx's default template, with ``picture`` placed on its master."""
    from lxml import etree
    from pptx import Presentation

    presentation = Presentation()
    if picture is not None:
        master = presentation.slide_master
        _, rid = master.part.get_or_add_image_part(io.BytesIO(picture))
        master.shapes._spTree.append(etree.fromstring(PIC.format(rid=rid)))
    presentation.save(str(path))
    return path


PIC = (
    '<p:pic xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<p:nvPicPr><p:cNvPr id="990" name="Brand picture"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
    '<p:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>'
    '<p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="457200"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
)


def _with_member(template: Path, target: Path, name: str, size: int) -> Path:
    """``template`` plus one part of ``size`` zero bytes that nothing refers to."""
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as member:
            block = bytes(2**20)
            for _ in range(size // len(block)):
                member.write(block)
    return target


@pytest.mark.parametrize(
    ("size", "said"),
    [(600 * 2**20, "to 600 MB, over the 50 MB"), (8 * 2**20, "times its packed size (over 100:1)")],
    ids=["huge-part", "ratio"],
)
def test_a_zip_bomb_template_is_refused_quickly_within_a_memory_limit(
    small: Path, tmp_path: Path, size: int, said: str
) -> None:
    bomb = _with_member(_template(tmp_path / "t.pptx"), tmp_path / "bomb.pptx", "zeros", size)
    assert bomb.stat().st_size < 2 * 2**20  # 600 MB of zeros pack into ~0.6 MB
    code, err, took = briefing(small, "theme", "import", str(bomb), "t-bomb", timeout=60)
    assert code == 2, err
    assert "error: bomb.pptx is refused (a zip bomb?): zeros unpacks " in err
    assert said in err
    assert took < 30
    assert not (small / "templates/t-bomb").exists()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` x ``height`` (what Pillow reads first), 1 kB on disk."""
    import struct
    import zlib as z

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", z.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = z.compress(bytes(width + 1) * 4)  # a few rows: Pillow decodes nothing to open it
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_pixel_bomb_on_the_master_is_refused(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from briefing.tools.theme_import import import_template

    with monkeypatch.context() as patched:  # python-pptx reads the size to place it
        patched.setattr(Image, "MAX_IMAGE_PIXELS", None)
        template = _template(tmp_path / "t.pptx", _png_header(30000, 30000))
    with pytest.raises(UsageError, match=r"is 30000 x 30000 pixels \(900 megapixels\), over"):
        import_template(small, template, "t-pixels", "default", None)
    assert not (small / "templates/t-pixels").exists()


def _noise_png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_master_over_the_20_mb_limit_is_refused_at_import(small: Path, tmp_path: Path) -> None:
    from briefing.tools.theme_import import import_template

    template = _template(tmp_path / "t.pptx", _noise_png(2800, 2800))  # 22 MB of noise
    with pytest.raises(UsageError, match=r"master comes to 2\d\.\d MB .* over the 20 MB"):
        import_template(small, template, "t-huge", "default", None)
    assert not (small / "templates/t-huge").exists()


def test_a_master_of_a_few_megabytes_imports_checks_and_builds(small: Path, tmp_path: Path) -> None:
    """Real corporate templates are over 1 MB; the 1 MB template limit was applied to them."""
    from briefing.build.pipeline import build
    from briefing.cli.themes import check_theme
    from briefing.tools.theme_import import import_template

    import_template(
        small, _template(tmp_path / "t.pptx", _noise_png(1000, 1000)), "t-3mb", "default", None
    )
    assert (small / "templates/t-3mb/master.pptx").stat().st_size > 2.5 * 2**20
    check_theme(small, "t-3mb", CLIENT, today=TODAY)
    result = build(settings_for(small, theme="t-3mb"), CLIENT)
    assert any(str(path).endswith("-deck.pptx") for path in result.paths)


BG = (
    '<p:bg xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<p:bgPr><a:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
    "</a:blipFill><a:effectLst/></p:bgPr></p:bg>"
)


def test_ole_objects_share_links_and_linked_backgrounds_are_stripped_and_reported(
    small: Path, tmp_path: Path
) -> None:
    """An OLE part related from the master but drawn by no shape, a UNC click link and a
    file: hover link on the master's title, a master background linked from a web server."""
    from lxml import etree
    from pptx import Presentation
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI
    from pptx.oxml.ns import qn

    from briefing.tools.theme_import import import_template

    presentation = Presentation()
    master = presentation.slide_master
    ole = Part(
        PackURI("/ppt/embeddings/oleObject1.bin"),
        "application/vnd.openxmlformats-officedocument.oleObject",
        presentation.part.package,
        b"OLE-CANARY " * 100,
    )
    master.part.relate_to(ole, RT.OLE_OBJECT)
    run = master.placeholders[0].text_frame.paragraphs[0].add_run()
    run.text = "Brand"
    run.hyperlink.address = "\\\\attacker.example\\share\\payload.lnk"
    hover = etree.SubElement(run._r.get_or_add_rPr(), qn("a:hlinkHover"))
    hover.set(qn("r:id"), master.part.relate_to("file://attacker.example/x", RT.HYPERLINK, True))
    background = master.part.relate_to("http://127.0.0.1:18080/track.png", RT.IMAGE, True)
    c_sld = master._element.cSld
    c_sld.insert(0, etree.fromstring(BG.format(rid=background)))
    template = tmp_path / "risky.pptx"
    presentation.save(str(template))

    report = import_template(small, template, "t-risky", "default", None).read_text("utf-8")
    assert "Stripped: an embedded OLE object on the master" in report
    assert "Stripped: a link to \\\\attacker.example\\share\\payload.lnk on the master" in report
    assert "Stripped: a link to file://attacker.example/x on the master" in report
    assert "Stripped: a picture linked from http://127.0.0.1:18080/track.png on the master" in (
        report
    )
    with zipfile.ZipFile(small / "templates/t-risky/master.pptx") as archive:
        names = archive.namelist()
        rels = "".join(archive.read(n).decode() for n in names if n.endswith(".rels"))
        xml = "".join(archive.read(n).decode() for n in names if n.endswith(".xml"))
    assert not any("embeddings" in n for n in names)
    assert 'TargetMode="External"' not in rels
    assert "hlinkHover" not in xml and "r:link" not in xml


def test_catalog_text_is_text_in_html_never_markup(tmp_path: Path) -> None:
    """A translator's tracking picture reached the client's e-mail as a live <img>, and a
    <link rel=attachment> embedded a file in the PDF."""
    from briefing.assemble import assemble
    from briefing.project.load import load_project
    from briefing.project.validate import validate
    from briefing.render.context import email_context
    from briefing.themes import i18n, templating
    from briefing.themes.theme import resolve

    from .conftest import TODAY

    root = copy_project(tmp_path / "project", ["nordlys-travel"])
    catalog = root / "templates/default/locale/zh_CN/LC_MESSAGES/messages.po"
    text = catalog.read_text("utf-8")
    tracked = 'msgstr "<img src=\\"https://tracker.example/p.gif\\">尊敬的%(name)s\uff1a"'
    catalog.write_text(text.replace('msgstr "尊敬的%(name)s\uff1a"', tracked, 1), "utf-8")
    kb, _ = validate(load_project(root))
    briefing = assemble(kb, "nordlys-travel", today=TODAY)
    theme = resolve("default", root)
    catalog_zh = i18n.load_catalog(theme.dirs, "zh-CN", root)
    context = email_context(briefing, theme, [])
    with i18n.language(catalog_zh):
        env = templating.environment(theme, "html")
        html = templating.render_template(theme, env, "email.html.j2", context)
        plain = templating.render_template(
            theme, templating.environment(theme, "text"), "email.txt.j2", context
        )
    assert "<img" not in html
    assert "&lt;img src=&#34;https://tracker.example/p.gif&#34;&gt;尊敬的王芳\uff1a" in html
    assert '<img src="https://tracker.example/p.gif">尊敬的王芳\uff1a' in plain  # text stays text
    # a designer's `{% trans %}` block goes the same way
    block = '{% trans name="王芳" %}Dear {{ name }},{% endtrans %}'
    (root / "templates/default/trans.html.j2").write_text(block, "utf-8")
    with i18n.language(catalog_zh):
        env = templating.environment(theme, "html")
        translated = templating.render_template(theme, env, "trans.html.j2", {})
    assert translated == "&lt;img src=&#34;https://tracker.example/p.gif&#34;&gt;尊敬的王芳\uff1a"


def test_a_translation_with_an_unknown_placeholder_names_the_catalog_line(
    tmp_path: Path,
) -> None:
    """`%(nmae)s` in a msgstr failed the zh-CN build with a bare KeyError: 'nmae'."""
    from briefing.errors import TemplateError
    from briefing.themes import i18n
    from briefing.themes.theme import resolve

    root = copy_project(tmp_path / "project", ["nordlys-travel"])
    catalog = root / "templates/default/locale/zh_CN/LC_MESSAGES/messages.po"
    lines = catalog.read_text("utf-8").splitlines()
    at = lines.index('msgid "Dear %(name)s,"')
    lines[at + 1] = lines[at + 1].replace("%(name)s", "%(nmae)s")
    catalog.write_text("\n".join(lines) + "\n", "utf-8")
    theme = resolve("default", root)
    with pytest.raises(TemplateError) as caught:
        i18n.load_catalog(theme.dirs, "zh-CN", root)
    assert str(caught.value) == (
        f"templates/default/locale/zh_CN/LC_MESSAGES/messages.po:{at + 1}: msgstr uses "
        "%(nmae)s, not in msgid 'Dear %(name)s,'"
    )


def _edited(tmp_path: Path, edit: object) -> Path:
    from pptx import Presentation

    presentation = Presentation()
    edit(presentation)  # type: ignore[operator]
    path = tmp_path / "edited.pptx"
    presentation.save(str(path))
    return path


def _bad_accent(presentation: object) -> None:
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    master = presentation.slide_master  # type: ignore[attr-defined]
    part = master.part.part_related_by(RT.THEME)
    part._blob = part.blob.replace(
        b'<a:accent1><a:srgbClr val="4F81BD"/>', b'<a:accent1><a:srgbClr val="FFF"/>'
    )
    assert b'val="FFF"' in part.blob


def _no_theme(presentation: object) -> None:
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    master = presentation.slide_master  # type: ignore[attr-defined]
    rid = next(r.rId for r in master.part.rels.values() if r.reltype == RT.THEME)
    master.part.drop_rel(rid)


def test_small_theme_import_mistakes_are_clear(small: Path, tmp_path: Path) -> None:
    """A 3-digit scheme colour wrote a theme.yaml the build refused; a master without a theme
    part gave a bare KeyError; --master 0 was taken as master 1."""
    from briefing.themes.theme import resolve
    from briefing.tools.theme_import import import_template

    report = import_template(small, _edited(tmp_path, _bad_accent), "t-fff", "default", None)
    assert "colour accent1: 'FFF' is not six hex digits; the parent theme's colour is used" in (
        report.read_text("utf-8")
    )
    resolve("t-fff", small)  # the theme.yaml it wrote is valid
    with pytest.raises(UsageError, match="the template's master has no theme part"):
        import_template(small, _edited(tmp_path, _no_theme), "t-none", "default", None)
    with pytest.raises(UsageError, match=r"--master 0: edited\.pptx has 1 master"):
        import_template(small, _edited(tmp_path, lambda p: None), "t-zero", "default", 0)


def test_an_absurd_font_size_is_named_not_an_unexpected_error(small: Path) -> None:
    """`font-size: 1e9px` printed "PDF: unexpected ZeroDivisionError" and named no file."""
    from briefing.build.pipeline import build
    from briefing.errors import RenderError

    css = small / "templates/default/report.css"
    css.write_text(css.read_text("utf-8") + "\nbody { font-size: 1e9px }\n", "utf-8")
    with pytest.raises(RenderError) as caught:
        build(settings_for(small), CLIENT)
    message = str(caught.value)
    assert message.startswith("PDF: a size in the styles is out of range (")
    assert "templates/default/report.css" in message and "unexpected" not in message
    assert not (small / "out" / CLIENT).exists()


def test_a_non_ascii_sender_is_refused_with_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'agence@exämple.com' was accepted and failed at send time with a UnicodeEncodeError."""
    from briefing.settings import Settings

    monkeypatch.setenv("BRIEFING_MAIL_FROM", "agence@exämple.com")
    with pytest.raises(UsageError, match=r"BRIEFING_MAIL_FROM .*not an e-mail address in plain"):
        Settings.load(tmp_path)
    monkeypatch.setenv("BRIEFING_MAIL_FROM", "agence@xn--exmple-cua.com")
    assert Settings.load(tmp_path).mail_from == "agence@xn--exmple-cua.com"
