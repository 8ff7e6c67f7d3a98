"""The theme's tokens written into the deck's own parts: the colour scheme and fonts of the
master's theme, and the deck's table style."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import namespaces, nsdecls, qn

if TYPE_CHECKING:
    from briefing.themes.theme import ThemeTokens


TABLE_STYLE_ID = "{B7E2A8C4-5D1F-4E3A-9C6B-2F8D0A1E7B35}"  # the deck's own, from theme tokens


def add_table_style(presentation: Any, tokens: ThemeTokens) -> None:
    """A table style built from the theme (header in the primary colour, light banding, thin
    rules), written into ppt/tableStyles.xml and made the default, so no table relies on a
    stock style the file does not define."""
    part = _table_styles_part(presentation)
    primary = tokens.colours.primary.lstrip("#").upper()
    text = tokens.colours.text.lstrip("#").upper()
    rule = '<a:ln w="6350"><a:solidFill><a:srgbClr val="DDDDDD"/></a:solidFill></a:ln>'
    style = (
        f'<a:tblStyleLst {nsdecls("a")} def="{TABLE_STYLE_ID}">'
        f'<a:tblStyle styleId="{TABLE_STYLE_ID}" styleName="Briefing theme">'
        "<a:wholeTbl>"
        f'<a:tcTxStyle><a:fontRef idx="minor"/><a:srgbClr val="{text}"/></a:tcTxStyle>'
        f"<a:tcStyle><a:tcBdr><a:bottom>{rule}</a:bottom><a:insideH>{rule}</a:insideH>"
        "</a:tcBdr>"
        '<a:fill><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:fill></a:tcStyle>'
        "</a:wholeTbl>"
        '<a:band1H><a:tcStyle><a:tcBdr/><a:fill><a:solidFill><a:srgbClr val="F4F4F5"/>'
        "</a:solidFill></a:fill></a:tcStyle></a:band1H>"
        '<a:firstRow><a:tcTxStyle b="on"><a:fontRef idx="minor"/><a:srgbClr val="FFFFFF"/>'
        f'</a:tcTxStyle><a:tcStyle><a:tcBdr/><a:fill><a:solidFill><a:srgbClr val="{primary}"/>'
        "</a:solidFill></a:fill></a:tcStyle></a:firstRow>"
        "</a:tblStyle></a:tblStyleLst>"
    )
    part._blob = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + style).encode()


def _table_styles_part(presentation: Any) -> Any:
    """The deck's table-styles part; a master saved by LibreOffice has none, so add one."""
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI

    try:
        return presentation.part.part_related_by(RT.TABLE_STYLES)
    except KeyError:
        part = Part(
            PackURI("/ppt/tableStyles.xml"),
            CT.PML_TABLE_STYLES,
            presentation.part.package,
            b"",
        )
        presentation.part.relate_to(part, RT.TABLE_STYLES)
        return part


def apply_theme_tokens(presentation: Any, tokens: ThemeTokens) -> None:
    """Brand colours and fonts into the master's theme, so new text and charts follow them."""
    theme_part = presentation.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    _scheme_colours(root, tokens)
    _scheme_fonts(root, tokens)
    if _unchanged(theme_part.blob, root):
        return  # an untouched import keeps the client's theme part byte for byte
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


NS = namespaces("a")
TOKEN_SLOT = {  # the scheme slot each colour token is read from when a template is imported
    "primary": "accent1",
    "accent": "accent2",
    "text": "dk1",
    "muted": "dk2",
    "background": "lt1",
}
TOKEN_SLOTS = {  # the slots each colour token is written to
    "text": ("dk1",),
    "background": ("lt1",),
    "primary": ("dk2", "accent1"),
    "accent": ("accent2", "hlink"),
    "muted": ("accent3",),
}


def _scheme_colours(root: Any, tokens: ThemeTokens) -> None:
    """Theme colours into the scheme's slots. On an imported master (``scheme:`` in the theme),
    a token that still has the value the import read leaves its slots as the template has them."""
    imported: dict[str, str] = {k: v.upper() for k, v in tokens.scheme.items()}
    for token, value in tokens.colours.model_dump().items():
        if imported and imported.get(TOKEN_SLOT[token]) == value.upper():
            continue
        for name in TOKEN_SLOTS[token]:
            slot = root.find(f".//a:clrScheme/a:{name}", NS)
            if slot is not None:
                slot.clear()
                etree.SubElement(slot, qn("a:srgbClr")).set("val", value.lstrip("#").upper())


def _scheme_fonts(root: Any, tokens: ThemeTokens) -> None:
    """Heading and body fonts (Latin and East Asian) into the font scheme. On an imported
    master, a font token still naming the template's own font leaves its entries as they are
    (the template's Simplified Chinese script font, say)."""
    own_faces = tokens.deck_fonts.model_dump(exclude_none=True)  # the deck's own faces win
    fonts = {**tokens.fonts.model_dump(), **own_faces}
    imported = bool(tokens.scheme)
    major = root.find(".//a:fontScheme/a:majorFont", NS)
    minor = root.find(".//a:fontScheme/a:minorFont", NS)
    east_asian = [group.find("a:ea", NS) for group in (major, minor)] + [
        script
        for group in (major, minor)
        for script in group.findall("a:font", NS)
        if script.get("script") in ("Hans", "Hant")
    ]
    for token, faces, own in (
        ("heading", [major.find("a:latin", NS)], major.find("a:latin", NS)),
        ("latin", [minor.find("a:latin", NS)], minor.find("a:latin", NS)),
        ("cjk", east_asian, minor.find("a:ea", NS)),
    ):
        if imported and own.get("typeface") == fonts[token]:
            continue
        for face in faces:
            face.set("typeface", fonts[token])


def _unchanged(blob: bytes, root: Any) -> bool:
    """Whether the edited theme says what the file already said (then its bytes stay)."""
    return etree.tostring(etree.fromstring(blob), method="c14n") == etree.tostring(
        root, method="c14n"
    )
