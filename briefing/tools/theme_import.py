"""`briefing theme import FILE NAME`: a theme from the client's own PowerPoint template.

Writes templates/NAME/ with the template's master (example slides removed), a theme.yaml with
tokens read from the template's theme part and a `layouts:` mapping found by layout name
(English, German, French, Chinese), then by placeholder signature, then by a stated fallback,
and import-report.txt saying how each role was matched.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from briefing import files
from briefing.errors import UsageError, relative
from briefing.project import images
from briefing.project.model import not_a_slug
from briefing.render.pptx_parts import TOKEN_SLOT

if TYPE_CHECKING:
    from briefing.themes.theme import ThemeTokens

MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
TEMPLATE_TYPES = (
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)
MB = files.MB
CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted OOXML file is a compound document
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"

NAMES = {  # the usual names of each role's layout, lower case, in four languages
    "title": ["title slide", "titelfolie", "diapositive de titre", "标题幻灯片"],
    "content": ["title and content", "titel und inhalt", "titre et contenu", "标题和内容"],
    "section": ["section header", "abschnittsüberschrift", "en-tête de section", "节标题"],
    "two-content": ["two content", "zwei inhalte", "deux contenus", "两栏内容"],
    "comparison": ["comparison", "vergleich", "comparaison", "比较"],
    "title-only": ["title only", "nur titel", "titre seul", "仅标题"],
}
SIGNATURES = {  # role -> (layout type in the file, title kind, its other placeholders)
    "title": ("title", "ctrTitle", ("subTitle",)),
    "content": ("obj", "title", ("obj",)),
    "section": ("secHead", "title", ("body",)),
    "two-content": ("twoObj", "title", ("obj", "obj")),
    "comparison": ("twoTxTwoObj", "title", ("body", "body", "obj", "obj")),
    "title-only": ("titleOnly", "title", ()),
}
FIXED_IDX = {"dt": "10", "ftr": "11", "sldNum": "12"}  # date, footer, slide number
IGNORED = set(FIXED_IDX)  # not content: left out of a layout's signature
FALLBACK = {  # a role with no layout of its own borrows one (said in the report)
    "section": ["title", "content"],
    "two-content": ["content"],
    "comparison": ["two-content", "content"],
    "title-only": ["content"],
    "title": ["section", "content"],
}


@dataclass
class Layout:
    name: str
    kind: str  # the layout's type attribute
    title: str | None  # 'title', 'ctrTitle' or None
    others: tuple[str, ...]  # the other placeholders' types, sorted (date, footer, number aside)
    vertical: bool

    @property
    def bodies(self) -> int:
        return len(self.others)


@dataclass
class Imported:
    """What the template itself says, for the new theme.yaml: only what it sets (the parent
    theme supplies the rest), keyed as theme.yaml keys them."""

    scheme: dict[str, str]  # colour-scheme slot -> #RRGGBB
    fonts: dict[str, str]  # heading, latin, cjk -> face
    deck: dict[str, int] = field(default_factory=dict)  # title, body -> pt


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_template(root: Path, source: Path, name: str, parent: str, master: int | None) -> Path:
    """Create templates/<name>/ from ``source``; return the report's path."""
    problem = not_a_slug(name, "a theme name", "a folder in templates/")
    if problem:
        raise UsageError(problem)
    folder = root / "templates" / name
    if folder.exists():
        raise UsageError(f"{relative(folder, root)} already exists; choose another name")
    from briefing.themes import theme as themes

    inherited = themes.resolve(parent, root).tokens  # the parent must exist and be valid
    presentation = _open(source)
    report = Report()
    _keep_one_master(presentation, master, source)
    _drop_slides(presentation, report)
    _strip(presentation, report)
    _number_placeholders(presentation, report)
    layouts = _layouts(presentation)
    mapping = discover(layouts, report)
    tokens = _tokens(presentation, report)
    tokens.deck = _text_sizes(presentation, mapping, report)
    _check_fonts(tokens.fonts, report)
    _two_line_titles(presentation, mapping, tokens, inherited, report)
    _check_pictures(presentation)
    master_pptx = _saved(presentation)
    folder.mkdir(parents=True)
    (folder / "master.pptx").write_bytes(master_pptx)
    (folder / "theme.yaml").write_text(_theme_yaml(name, parent, tokens, mapping, source), "utf-8")
    path = folder / "import-report.txt"
    text = [f"Imported {source.name} as theme '{name}' (extends {parent}).", "", *report.lines]
    if report.warnings:
        text += ["", "Warnings:", *(f"  {w}" for w in report.warnings)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


MAX_SOURCE = 200 * MB  # the template file as the client sends it
MAX_MEMBER = 50 * MB  # one part, uncompressed
MAX_TOTAL = 300 * MB  # every part, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for a part over 1 MB (a zip bomb is ~1000:1)
MAX_MEMBERS = 5000


def _open(source: Path) -> Any:
    """The template as a python-pptx presentation; .potx and macro files as presentations.
    The zip's declared sizes are checked before anything is decompressed (zipfile never
    inflates a member past its declared size): a 2 MB file cannot become gigabytes."""
    from pptx import Presentation

    data = _read_source(source)
    if data.startswith(CFB):
        raise UsageError(
            f"{source.name} is encrypted (or an old binary .ppt/.pot): save it from PowerPoint "
            "as .pptx or .potx without a password"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive, source)
            types = archive.read("[Content_Types].xml").decode("utf-8")
            for old in TEMPLATE_TYPES:
                types = types.replace(old, MAIN)

            def as_presentation(item: zipfile.ZipInfo) -> tuple[zipfile.ZipInfo, bytes]:
                if item.filename == "[Content_Types].xml":
                    return item, types.encode("utf-8")
                return item, _member(archive, item, source)

            copy = files.rewrite_zip(archive, as_presentation)
        return Presentation(io.BytesIO(copy))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise UsageError(f"{source.name} is not a readable PowerPoint file ({exc})") from None


def _saved(presentation: Any) -> bytes:
    """master.pptx as it will be written, within the limit every build applies to it."""
    buffer = io.BytesIO()
    presentation.save(buffer)
    limit = files.LIMITS["asset"]
    if buffer.tell() > limit:
        raise UsageError(
            f"the template's master comes to {buffer.tell() / MB:.1f} MB without its example "
            f"slides, over the {limit // MB} MB a theme's master.pptx may be: make its pictures "
            "smaller, then import again"
        )
    return buffer.getvalue()


def _read_source(source: Path) -> bytes:
    try:
        info = os.stat(source)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"cannot read {source}: not a regular file")
        if info.st_size > MAX_SOURCE:
            raise UsageError(
                f"{source.name} is {info.st_size / MB:.0f} MB, over the {MAX_SOURCE // MB} MB a "
                "template may be: remove the example slides' pictures and videos, then import"
            )
        return source.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None


def _check_members(archive: zipfile.ZipFile, source: Path) -> None:
    items = archive.infolist()
    refuse = f"{source.name} is refused (a zip bomb?): "
    if len(items) > MAX_MEMBERS:
        raise UsageError(f"{refuse}{len(items)} parts, over {MAX_MEMBERS}")
    for item in items:
        if item.file_size > MAX_MEMBER:
            raise UsageError(
                f"{refuse}{item.filename} unpacks to {item.file_size / MB:,.0f} MB, over the "
                f"{MAX_MEMBER // MB} MB a part may be"
            )
        if item.file_size > MB and item.file_size > MAX_RATIO * max(item.compress_size, 1):
            raise UsageError(
                f"{refuse}{item.filename} unpacks {item.file_size // max(item.compress_size, 1)}"
                f" times its packed size (over {MAX_RATIO}:1)"
            )
    total = sum(item.file_size for item in items)
    if total > MAX_TOTAL:
        raise UsageError(
            f"{refuse}its parts unpack to {total / MB:,.0f} MB, over {MAX_TOTAL // MB} MB"
        )


def _member(archive: zipfile.ZipFile, item: zipfile.ZipInfo, source: Path) -> bytes:
    try:
        return archive.read(item.filename)
    except (zlib.error, EOFError, NotImplementedError, zipfile.BadZipFile) as exc:
        raise UsageError(
            f"{source.name} is not a readable PowerPoint file (damaged part {item.filename}: {exc})"
        ) from None


def _keep_one_master(presentation: Any, master: int | None, source: Path) -> None:
    masters = list(presentation.slide_masters)
    if len(masters) > 1 and master is None:
        listed = "; ".join(
            f"{i}: {', '.join(lay.name for lay in m.slide_layouts)}"
            for i, m in enumerate(masters, 1)
        )
        raise UsageError(
            f"{source.name} has {len(masters)} slide masters; choose one with --master N ({listed})"
        )
    chosen = (master or 1) - 1
    if (master is not None and master < 1) or not 0 <= chosen < len(masters):
        raise UsageError(f"--master {master}: {source.name} has {len(masters)} master(s)")
    id_list = presentation.slide_masters._sldMasterIdLst
    for i, entry in enumerate(list(id_list)):
        if i != chosen:
            presentation.part.drop_rel(entry.rId)
            id_list.remove(entry)


def _drop_slides(presentation: Any, report: Report) -> None:
    id_list = presentation.slides._sldIdLst
    count = len(id_list)
    for entry in list(id_list):
        presentation.part.drop_rel(entry.rId)
        id_list.remove(entry)
    if count:
        report.lines.append(f"Removed {count} example slide(s).")


R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
R_ID, R_LINK = f"{R}id", f"{R}link"


FORBIDDEN = {  # relationship types (their last segment) a theme never carries
    "vbaProject": "macros (vbaProject)",
    "oleObject": "an embedded OLE object",
    "package": "an embedded OLE object",
    "control": "an ActiveX control",
    "activeXControlBinary": "an ActiveX control",
    "attachedTemplate": "a link to another template",
}
WEB = ("http://", "https://", "mailto:")
LINKS = {f"{A}hlinkClick", f"{A}hlinkHover", f"{A}snd", f"{P}sndTgt"}
SHAPES = {f"{P}pic", f"{P}graphicFrame", f"{P}sp", f"{P}cxnSp", f"{P}grpSp", f"{P}bg"}


def _strip(presentation: Any, report: Report) -> None:
    """What a theme must not carry, in every part the kept master reaches (layouts, theme,
    notes and handout masters): macros, OLE objects and ActiveX controls (whether a shape
    draws them or not), pictures linked from outside the file, and links or actions to
    anything but a web or mail address (file:, UNC shares, programs); each is reported."""
    for part in [presentation.part, *presentation.part.package.iter_parts()]:
        if not hasattr(part, "_element"):
            continue  # a picture or other binary part: no relationships of its own to follow
        for rel in list(part.rels.values()):
            kind = rel.reltype.rsplit("/", 1)[-1]
            target = rel.target_ref
            if kind in FORBIDDEN:
                what = FORBIDDEN[kind]
            elif rel.is_external and (kind == "image" or not target.lower().startswith(WEB)):
                what = f"a {'picture linked from' if kind == 'image' else 'link to'} {target}"
            else:
                continue
            for node in _references(part, rel.rId):
                _remove_reference(node, rel.rId)
            part.drop_rel(rel.rId)
            report.lines.append(f"Stripped: {what} on the {_where(presentation, part)}")


def _references(part: Any, rid: str) -> list[Any]:
    return [
        node
        for node in part._element.iter()
        if any(key.startswith(R) and value == rid for key, value in node.attrib.items())
    ]


def _remove_reference(node: Any, rid: str) -> None:
    """Take out what uses ``rid``: a link or action itself, else the shape (or background)
    that holds it, else the attribute."""
    if node.getparent() is None:
        return  # already removed with an ancestor
    if node.tag in LINKS:
        node.getparent().remove(node)
        return
    holder = next((a for a in node.iterancestors() if a.tag in SHAPES), None)
    if holder is not None and holder.getparent() is not None:
        holder.getparent().remove(holder)
        return
    for key in [k for k, v in node.attrib.items() if k.startswith(R) and v == rid]:
        del node.attrib[key]


def _where(presentation: Any, part: Any) -> str:
    master = presentation.slide_masters[0]
    if part is master.part:
        return f"master '{_part_name(part)}'"
    if part in {layout.part for layout in master.slide_layouts}:
        return f"layout '{_part_name(part)}'"
    return "file" if part is presentation.part else f"part {part.partname}"


def _check_pictures(presentation: Any) -> None:
    """Every picture the theme keeps ships in every deck: the logo rules apply (a
    900-megapixel picture made each deck take minutes to open)."""
    from PIL import Image

    for part in presentation.part.package.iter_parts():
        if not part.content_type.startswith("image/"):
            continue
        guard, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # judged below, by size
        try:
            with Image.open(io.BytesIO(part.blob)) as image:  # reads the header only
                width, height = image.size
        except Image.UnidentifiedImageError:
            width = height = 0  # a format Pillow does not read (EMF, WMF): left to PowerPoint
        except (OSError, ValueError) as exc:
            raise UsageError(f"{part.partname} cannot be read as a picture ({exc})") from None
        finally:
            Image.MAX_IMAGE_PIXELS = guard
        if width * height > images.MAX_PIXELS:
            raise UsageError(
                f"the template's picture {part.partname} is {width} x {height} pixels "
                f"({width * height / 1e6:.0f} megapixels), over the "
                f"{images.MAX_PIXELS // 10**6}-megapixel limit: scale it down in PowerPoint, "
                "then import again"
            )


def _remove(part: Any, element: Any) -> None:
    """Remove ``element`` and the relationships only it used."""
    ids = {
        value
        for node in element.iter()
        for key, value in node.attrib.items()
        if key in (R_ID, R_LINK) or key.endswith("}embed")
    }
    element.getparent().remove(element)
    for rid in ids:
        if rid in part.rels:
            part.drop_rel(rid)


def _number_placeholders(presentation: Any, report: Report) -> None:
    """Give placeholders the indexes PowerPoint gives them (body 1, 2, … in reading order;
    date 10, footer 11, number 12) where the file has none or repeats them, as files saved by
    LibreOffice do: slides find their layout's boxes by index."""
    master = presentation.slide_masters[0]
    renumbered = 0
    for owner in [master, *master.slide_layouts]:
        bodies, fixed = [], []
        for shape in owner.placeholders:
            ph = shape._element.find(f".//{P}ph")
            kind = ph.get("type", "obj")
            if kind in FIXED_IDX:
                fixed.append((ph, FIXED_IDX[kind]))
            elif kind not in ("title", "ctrTitle"):
                bodies.append((shape.top or 0, shape.left or 0, ph))
        numbers = [ph.get("idx") for _, _, ph in bodies]
        valid = None not in numbers and "0" not in numbers and len(set(numbers)) == len(numbers)
        if not valid:  # missing or repeated: number them in reading order
            for number, (*_, ph) in enumerate(sorted(bodies, key=lambda b: b[:2]), 1):
                renumbered += _set_idx(ph, str(number))
        taken = {ph.get("idx") for *_, ph in bodies}
        for ph, wanted in fixed:  # PowerPoint's own numbers: never mistaken for a body
            if owner is not master or ph.get("idx") in taken or ph.get("idx") is None:
                renumbered += _set_idx(ph, wanted)
    if renumbered:
        report.lines.append(
            f"Numbered {renumbered} placeholder(s) as PowerPoint does (the file had none or "
            "repeated ones)"
        )


def _set_idx(ph: Any, idx: str) -> int:
    """Set a placeholder's index; 1 if it changed."""
    if ph.get("idx") == idx:
        return 0
    ph.set("idx", idx)
    return 1


def _part_name(part: Any) -> str:
    return part._element.cSld.get("name") or str(part.partname)


def _layouts(presentation: Any) -> list[Layout]:
    found = []
    for layout in presentation.slide_masters[0].slide_layouts:
        title, others, vertical = None, [], False
        for ph in layout._element.iter(f"{P}ph"):
            kind = ph.get("type", "obj")  # the schema's default placeholder type
            vertical = vertical or ph.get("orient") == "vert"
            if kind in ("title", "ctrTitle"):
                title = kind
            elif kind not in IGNORED:
                others.append(kind)
        kind_attr = layout._element.get("type", "")
        found.append(Layout(layout.name, kind_attr, title, tuple(sorted(others)), vertical))
    return found


def discover(layouts: list[Layout], report: Report) -> dict[str, str]:
    """Role -> layout name: by name, then by placeholder signature, then by fallback."""
    usable = [lay for lay in layouts if not lay.vertical]
    if not any(lay.title and lay.bodies for lay in usable):
        raise UsageError("the template has no layout with a title and a body: nothing to fill")
    mapping: dict[str, str] = {}
    for role, names in NAMES.items():
        by_name = [lay for lay in usable if _plain(lay.name) in names]
        if by_name:
            mapping[role] = _pick(role, by_name, "name", report)
            continue
        kind, title, others = SIGNATURES[role]
        by_type = [lay for lay in usable if lay.kind == kind]
        by_shape = [lay for lay in usable if lay.title == title and lay.others == others] or [
            lay for lay in usable if lay.title and lay.bodies == len(others) and role != "title"
        ]
        if by_type or by_shape:
            how = "layout type" if by_type else "placeholder signature"
            mapping[role] = _pick(role, by_type or by_shape, how, report)
    for role, borrowed in FALLBACK.items():
        if role in mapping:
            continue
        donor = next((r for r in borrowed if r in mapping), None)
        if donor is None:
            donor_layout = next(lay.name for lay in usable if lay.title and lay.bodies)
        else:
            donor_layout = mapping[donor]
        mapping[role] = donor_layout
        report.warnings.append(f"{role}: no layout of its own; using '{donor_layout}' (fallback)")
    mapping["closing"] = mapping["title"]
    report.lines.append(f"closing: '{mapping['closing']}' (the title slide's layout)")
    return dict(sorted(mapping.items()))


def _pick(role: str, candidates: list[Layout], how: str, report: Report) -> str:
    chosen = candidates[0]
    line = f"{role}: '{chosen.name}' (matched by {how})"
    if len(candidates) > 1:
        others = ", ".join(f"'{c.name}'" for c in candidates[1:])
        line += f"; tie with {others}, broken by the master's order (first wins)"
    report.lines.append(line)
    return chosen.name


def _plain(name: str) -> str:
    """'1_Title and Content' -> 'title and content'."""
    return re.sub(r"^\d+_", "", name).strip().casefold()


HEX = re.compile(r"[0-9A-F]{6}")


def _tokens(presentation: Any, report: Report) -> Imported:
    try:
        theme_part = presentation.slide_masters[0].part.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
        )
    except KeyError:
        raise UsageError(
            "the template's master has no theme part (its colours and fonts): save it again "
            "from PowerPoint, then import"
        ) from None
    root = etree.fromstring(theme_part.blob)
    scheme = {}
    colour_scheme = root.find(f".//{A}clrScheme")
    for slot in colour_scheme if colour_scheme is not None else []:
        colour = slot.find(f"{A}srgbClr")
        system = slot.find(f"{A}sysClr")
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
        face = root.find(f".//{A}{group}/{A}{script}")
        if face is not None and face.get("typeface"):
            fonts[key] = face.get("typeface")
    return Imported(scheme=scheme, fonts=fonts)


SIZE_LIMITS = {"title": (12, 60), "body": (10, 40)}  # theme.yaml's accepted range (pt)


def _text_sizes(presentation: Any, mapping: dict[str, str], report: Report) -> dict[str, int]:
    """Title and body sizes of the content layout's placeholders (the master's text styles,
    overridden where the layout sets its own), for theme.yaml's `deck:`; the table size stays
    the parent's. Sizes outside the range theme.yaml accepts are clamped and reported."""
    master = presentation.slide_masters[0]
    styles = master._element.find(f"{P}txStyles")
    layout = next(lay for lay in master.slide_layouts if lay.name == mapping["content"])
    found: dict[str, int] = {}
    for key, style in (("title", "titleStyle"), ("body", "bodyStyle")):
        size = _level_one_size(styles.find(f"{P}{style}") if styles is not None else None)
        for shape in layout.placeholders:
            kind = shape._element.find(f".//{P}ph").get("type", "obj")
            if (kind == "title") == (key == "title"):
                size = _level_one_size(shape._element.find(f".//{A}lstStyle")) or size
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


def _two_line_titles(
    presentation: Any,
    mapping: dict[str, str],
    tokens: Imported,
    inherited: ThemeTokens,
    report: Report,
) -> None:
    """Message titles need two lines: where the content layout's title box holds one line at
    the template's title size, the deck's title size is the largest that holds two."""
    from briefing.render.deck_fit import SAFETY
    from briefing.render.fit import Fonts, line_height
    from briefing.render.pptx_parts import INSET_Y

    size = tokens.deck.get("title")
    layout = next(
        x for x in presentation.slide_masters[0].slide_layouts if x.name == mapping["content"]
    )
    title = next((p for p in layout.placeholders if p.placeholder_format.idx == 0), None)
    if not size or title is None or not title.height:
        return
    fonts = {**inherited.fonts.model_dump(), **tokens.fonts}
    faces = Fonts(fonts["heading"], fonts["cjk"])
    room = (title.height / 12700 - 2 * INSET_Y) * SAFETY
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
    run = style.find(f"{A}lvl1pPr/{A}defRPr")
    return int(run.get("sz")) / 100 if run is not None and run.get("sz") else None


def _draws_chinese(family: str) -> bool:
    from briefing.errors import BriefingError
    from briefing.render.fit import Fonts, missing_glyphs

    try:
        return not missing_glyphs("中文", Fonts(family, family))
    except BriefingError:
        return True  # not installed: the substitute check below says so


def _check_fonts(fonts: dict[str, str], report: Report) -> None:
    """Each of the template's fonts is installed or has a metric-compatible substitute that is;
    one that has neither cannot be measured, so the import stops."""
    from briefing.errors import BriefingError
    from briefing.render.fit import SUBSTITUTES, font_file

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


def _theme_yaml(name: str, parent: str, tokens: Imported, mapping: dict, source: Path) -> str:
    scheme = tokens.scheme
    colours = {token: scheme.get(slot) for token, slot in TOKEN_SLOT.items()}
    lines = [
        f"# Imported from {source.name} by `briefing theme import`; see import-report.txt.",
        f"name: {name}",
        f"extends: {parent}",
        "colours:",
        *(f'  {k}: "{v}"' for k, v in colours.items() if v),
        "fonts:                    # the template's; runs keep these names",
        *(f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in tokens.fonts.items()),
        *(
            [
                "deck_fonts:               # the deck keeps the template's East Asian face",
                f"  cjk: {json.dumps(tokens.fonts['cjk'], ensure_ascii=False)}",
            ]
            if "cjk" in tokens.fonts
            else []
        ),
        *(
            ["deck:                     # text sizes (pt) of the template's placeholders"]
            if tokens.deck
            else []
        ),
        *(f"  {k}: {v}" for k, v in tokens.deck.items()),
        "layouts:                  # slide role -> layout of master.pptx",
        *(
            f"  {role}: {json.dumps(layout, ensure_ascii=False)}"
            for role, layout in mapping.items()
        ),
        "scheme:                   # the template's own colour scheme, as imported",
        *(f'  {slot}: "{value}"' for slot, value in scheme.items()),
    ]
    return "\n".join(lines) + "\n"
