"""Regenerate templates/default/master.pptx: python-pptx's default master, 16:9 and branded.

Brand colours are referenced through the theme's colour slots (accent1 = primary, dk2 =
primary, lt1 = background), so every theme's colours reach the deck without a new master.
Designers may replace master.pptx with their own; this script only makes the starting point.
Usage: .venv/bin/python scripts/make-master.py templates/default/master.pptx
"""

import sys

from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in
BAND = """<p:sp xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">
  <p:nvSpPr><p:cNvPr id="{id}" name="{name}" descr="decorative"/><p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr>
  <p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
    <a:prstGeom prst="rect"><a:avLst/></a:prstGeom>
    <a:solidFill><a:schemeClr val="{colour}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>
  <p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/></a:p></p:txBody>
</p:sp>"""


def band(tree, shape_id, name, x, y, cx, cy, colour):
    element = etree.fromstring(BAND.format(id=shape_id, name=name, x=int(x), y=int(y),
                                           cx=int(cx), cy=int(cy), colour=colour))
    tree.insert(2, element)  # after nvGrpSpPr and grpSpPr: behind every placeholder


def scale_to_16_9(presentation):
    scale = WIDTH / presentation.slide_width
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    master = presentation.slide_master
    for shapes in [master.shapes, *(layout.shapes for layout in master.slide_layouts)]:
        for shape in shapes:
            # Only shapes with their own position; the others inherit the master's (scaled).
            if shape._element.spPr.find(qn("a:xfrm")) is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)


def brand_master(presentation):
    master = presentation.slide_master
    band(master.shapes._spTree, 900, "Brand bar", 0, 0, WIDTH, Pt(8), "accent1")
    title_style = master.element.find(qn("p:txStyles")).find(qn("p:titleStyle"))
    level = title_style.find(qn("a:lvl1pPr"))
    level.set("algn", "l")
    fill = level.find(qn("a:defRPr")).find(qn("a:solidFill"))
    fill.clear()
    etree.SubElement(fill, qn("a:schemeClr")).set("val", "tx2")
    cover = next(lay for lay in master.slide_layouts if lay.name == "Title Slide")
    add_logo_placeholder(cover)
    band(cover.shapes._spTree, 901, "Cover band", 0, Pt(150), WIDTH, Pt(150), "accent1")
    for placeholder in cover.placeholders:
        idx = placeholder.placeholder_format.idx
        if idx in (0, 1):  # white title on the band, subtitle below it, both left-aligned
            level = etree.SubElement(_list_style(placeholder), qn("a:lvl1pPr"))
            level.set("algn", "l")
            if idx == 1:
                level.set("indent", "0")
                level.set("marL", "0")
                placeholder.left, placeholder.width = placeholder.left - Pt(72), Pt(816)
            colour = "bg1" if idx == 0 else "tx2"
            etree.SubElement(level, qn("a:buNone"))
            r_pr = etree.SubElement(level, qn("a:defRPr"))
            etree.SubElement(etree.SubElement(r_pr, qn("a:solidFill")),
                             qn("a:schemeClr")).set("val", colour)


LOGO = """<p:sp xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">
  <p:nvSpPr><p:cNvPr id="902" name="Logo"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>
    <p:nvPr><p:ph type="pic" idx="13"/></p:nvPr></p:nvSpPr>
  <p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm></p:spPr>
  <p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/></a:p></p:txBody>
</p:sp>"""


def add_logo_placeholder(layout):
    """A picture placeholder where the deck puts the theme's logo (aspect kept)."""
    xml = LOGO.format(x=int(Pt(72)), y=int(Pt(48)), cx=int(Pt(240)), cy=int(Pt(60)))
    layout.shapes._spTree.append(etree.fromstring(xml))


def _list_style(placeholder):
    body = placeholder.text_frame._txBody
    style = body.find(qn("a:lstStyle"))
    if style is None:
        style = etree.Element(qn("a:lstStyle"))
        body.find(qn("a:bodyPr")).addnext(style)
    style.clear()
    return style


def two_line_titles(presentation):
    """Room for a message title on two lines: content layouts inherit the master's title box,
    which ends just above the body."""
    title = next(p for p in presentation.slide_master.placeholders if p.placeholder_format.idx == 0)
    title.top, title.height = Pt(14), Pt(106)
    title.text_frame._txBody.find(qn("a:bodyPr")).set("anchor", "b")  # one-line titles sit low


def main(target):
    presentation = Presentation()
    scale_to_16_9(presentation)
    brand_master(presentation)
    two_line_titles(presentation)
    presentation.save(target)


if __name__ == "__main__":
    main(sys.argv[1])
