"""Reading a client's template safely and keeping only what a theme may carry: sizes checked
before anything is inflated, one master kept, example slides dropped, macros, OLE objects,
ActiveX controls and outside links stripped, pictures checked, the result within the limit."""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree
from pptx.oxml.ns import qn

from briefing import files
from briefing.errors import UsageError
from briefing.project import images
from briefing.tools.theme_import.shared import (
    CFB,
    MAIN,
    MB,
    TEMPLATE_TYPES,
    Report,
    part_name,
)

MAX_SOURCE = 200 * MB  # the template file as the client sends it
MAX_MEMBER = 50 * MB  # one part, uncompressed
MAX_TOTAL = 300 * MB  # every part, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for a part over 1 MB (a zip bomb is ~1000:1)
MAX_MEMBERS = 5000


def open_template(source: Path) -> Any:
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


def saved(presentation: Any) -> bytes:
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


def keep_one_master(presentation: Any, master: int | None, source: Path) -> None:
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


def drop_slides(presentation: Any, report: Report) -> None:
    id_list = presentation.slides._sldIdLst
    count = len(id_list)
    for entry in list(id_list):
        presentation.part.drop_rel(entry.rId)
        id_list.remove(entry)
    if count:
        report.lines.append(f"Removed {count} example slide(s).")


R = qn("r:id")[: -len("id")]  # "{…/relationships}": any r:id, r:embed, r:link, …
R_ID, R_LINK = qn("r:id"), qn("r:link")
FORBIDDEN = {  # relationship types (their last segment) a theme never carries
    "vbaProject": "macros (vbaProject)",
    "oleObject": "an embedded OLE object",
    "package": "an embedded OLE object",
    "control": "an ActiveX control",
    "activeXControlBinary": "an ActiveX control",
    "attachedTemplate": "a link to another template",
}
WEB = ("http://", "https://", "mailto:")
LINKS = {qn("a:hlinkClick"), qn("a:hlinkHover"), qn("a:snd"), qn("p:sndTgt")}
SHAPES = {qn("p:pic"), qn("p:graphicFrame"), qn("p:sp"), qn("p:cxnSp"), qn("p:grpSp"), qn("p:bg")}


def strip_unsafe(presentation: Any, report: Report) -> None:
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
        return f"master '{part_name(part)}'"
    if part in {layout.part for layout in master.slide_layouts}:
        return f"layout '{part_name(part)}'"
    return "file" if part is presentation.part else f"part {part.partname}"


def check_pictures(presentation: Any) -> None:
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
