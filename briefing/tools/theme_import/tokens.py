"""What the template says about its look, for theme.yaml: the colour scheme, the fonts (checked
for Chinese), the title and body sizes, and whether a two-line title fits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu

from briefing.errors import BriefingError, UsageError
from briefing.render.deck_fit import SAFETY
from briefing.render.fit import SUBSTITUTES, FacePair, font_file, line_height, missing_glyphs
from briefing.render.pptx_parts import INSET_Y

if TYPE_CHECKING:
    from briefing.themes.theme import ThemeTokens
from briefing.tools.theme_import.shared import Report


@dataclass
class Imported:
    """What the template itself says, for the new theme.yaml: only what it sets (the parent
    theme supplies the rest), keyed as theme.yaml keys them."""

    scheme: dict[str, str]  # colour-scheme slot -> #RRGGBB
    fonts: dict[str, str]  # heading, latin, cjk -> face
    deck: dict[str, int] = field(default_factory=dict)  # title, body -> pt


HEX = re.compile(r"[0-9A-F]{6}")


def read_tokens(presentation: Any, report: Report) -> Imported:
    try:
        theme_part = presentation.slide_masters[0].part.part_related_by(RT.THEME)
    except KeyError:
        raise UsageError(
            "the template's master has no theme part (its colours and fonts): save it again "
            "from PowerPoint, then import"
        ) from None
    root = etree.fromstring(theme_part.blob)
    scheme = {}
    colour_scheme = root.find(f".//{qn('a:clrScheme')}")
    for slot in colour_scheme if colour_scheme is not None else []:
        colour = slot.find(qn("a:srgbClr"))
        system = slot.find(qn("a:sysClr"))
        value = (
            colour.get("val")
            if colour is not None
            else (system.get("lastClr") if system is not None else None)
        )
        if value and HEX.fullmatch(value.upper()):
            scheme[etree.QName(slot).localname] = f"#{value.upper()}"
        elif value:  # written into theme.yaml, so only what it accepts: six hex digits
            report.warnings.append(
                f"colour {etree.QName(slot).localname}: '{value}' is not six hex digits; "
                "the parent theme's colour is used"
            )
    fonts = {}
    for group, key, script in (
        ("majorFont", "heading", "latin"),
        ("minorFont", "latin", "latin"),
        ("minorFont", "cjk", "ea"),
    ):
        face = root.find(f".//{qn('a:' + group)}/{qn('a:' + script)}")
        if face is not None and face.get("typeface"):
            fonts[key] = face.get("typeface")
    return Imported(scheme=scheme, fonts=fonts)


SIZE_LIMITS = {"title": (12, 60), "body": (10, 40)}  # theme.yaml's accepted range (pt)


def text_sizes(presentation: Any, mapping: dict[str, str], report: Report) -> dict[str, int]:
    """Title and body sizes of the content layout's placeholders (the master's text styles,
    overridden where the layout sets its own), for theme.yaml's `deck:`; the table size stays
    the parent's. Sizes outside the range theme.yaml accepts are clamped and reported."""
    master = presentation.slide_masters[0]
    styles = master._element.find(qn("p:txStyles"))
    layout = next(lay for lay in master.slide_layouts if lay.name == mapping["content"])
    found: dict[str, int] = {}
    for key, style in (("title", "titleStyle"), ("body", "bodyStyle")):
        size = _level_one_size(styles.find(qn("p:" + style)) if styles is not None else None)
        for shape in layout.placeholders:
            kind = shape._element.find(f".//{qn('p:ph')}").get("type", "obj")
            if (kind == "title") == (key == "title"):
                size = _level_one_size(shape._element.find(f".//{qn('a:lstStyle')}")) or size
                break
        if size is None:
            continue
        low, high = SIZE_LIMITS[key]
        found[key] = min(max(round(size), low), high)
        clamped = "" if found[key] == round(size) else f", clamped from {size:g} pt"
        report.lines.append(
            f"text size: {key} {found[key]} pt (the '{layout.name}' layout{clamped})"
        )
    return found


def two_line_titles(
    presentation: Any,
    mapping: dict[str, str],
    tokens: Imported,
    inherited: ThemeTokens,
    report: Report,
) -> None:
    """Message titles need two lines: where the content layout's title box holds one line at
    the template's title size, the deck's title size is the largest that holds two."""
    size = tokens.deck.get("title")
    layout = next(
        x for x in presentation.slide_masters[0].slide_layouts if x.name == mapping["content"]
    )
    title = next((p for p in layout.placeholders if p.placeholder_format.idx == 0), None)
    if not size or title is None or not title.height:
        return
    fonts = {**inherited.fonts.model_dump(), **tokens.fonts}
    faces = FacePair(fonts["heading"], fonts["cjk"])
    room = (Emu(title.height).pt - 2 * INSET_Y) * SAFETY
    fitting = next((s for s in range(size, 11, -1) if room // line_height(faces, s) >= 2), 12)
    if fitting < size:
        tokens.deck["title"] = fitting
        report.lines.append(
            f"text size: title {fitting} pt instead of {size} pt, so a message title has two "
            f"lines in the {room / 0.95:.0f} pt tall title box"
        )


def _level_one_size(style: Any) -> float | None:
    """The first-level size (pt) a text style or list style sets, if any."""
    if style is None:
        return None
    run = style.find(f"{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    return int(run.get("sz")) / 100 if run is not None and run.get("sz") else None


def _draws_chinese(family: str) -> bool:
    try:
        return not missing_glyphs("中文", FacePair(family, family))
    except BriefingError:
        return True  # not installed: the substitute check below says so


def check_fonts(fonts: dict[str, str], report: Report) -> None:
    """Each of the template's fonts is installed or has a metric-compatible substitute that is;
    one that has neither cannot be measured, so the import stops."""
    for key, family in list(fonts.items()):
        if key == "cjk" and not _draws_chinese(family):
            report.lines.append(
                f"fonts: the template's East Asian font '{family}' has no Chinese glyphs; the "
                "parent's is used"
            )
            del fonts[key]
            continue
        try:
            path, _ = font_file(family)
        except BriefingError:
            raise UsageError(
                f"the template's {key} font '{family}' is not installed and has no "
                f"metric-compatible substitute here ({', '.join(SUBSTITUTES)}); install it "
                "(under /usr/local/share/fonts or assets/fonts/) and import again"
            ) from None
        measured = Path(path).name
        via = f", measured with {SUBSTITUTES[family]}" if family in SUBSTITUTES else ""
        report.lines.append(f"fonts: {key} '{family}'{via} ({measured})")
    if "cjk" not in fonts and not any("East Asian" in line for line in report.lines):
        report.lines.append("fonts: the template names no East Asian font; the parent's is used")
