"""Fill and overflow of each slide, measured on LibreOffice's rendering of the deck.

Our own text fitter predicts line breaks; this module checks the prediction against a real
renderer. LibreOffice converts the deck to PDF, ``pdftotext -bbox-layout`` gives every drawn
line's box, and those boxes are compared with the shapes python-pptx reads from the file:

- overflow: a line outside every shape that can hold text (LibreOffice draws text that does
  not fit beyond the bottom of a fixed-size box) or outside the slide. pdftotext drops the
  characters that start beyond the page, so text entirely off the slide is unseen; an
  overflowing box still shows through its lines drawn between its bottom and the slide's;
- fill: the share of the area below the title covered by drawn lines and content shapes
  (cards, tables, charts, pictures), so a slide that is mostly empty is caught.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.shapes.picture import Picture
from pptx.util import Emu

from briefing.render.deck import CONTENT_ROLES

TOLERANCE = 2.0  # pt a line may stick out of its box on any side (rounding, side bearings)
SLIDE_TOLERANCE = 0.5  # pt a line may stick out of the slide (page-size rounding)
# pdftotext's line box spans the font's whole ascent and descent, more than the glyphs: in a
# tightly fitted title (44-pt DejaVu Sans) it passes the box's bottom by 3 pt while every
# descender is inside. So a line may also stick out vertically by this share of its height;
# a line LibreOffice pushes out of a full box sticks out by about its whole height.
METRIC_SHARE = 0.1
TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
FOOTERS = (PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER)
CONVERT_TIMEOUT = 120
XHTML = "{http://www.w3.org/1999/xhtml}"


class Box(NamedTuple):
    """A rectangle in slide points, origin top left (as in PDF text output and in PowerPoint)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, line: Box, tolerance: float) -> bool:
        """Whether a text line's box lies within this one (see METRIC_SHARE)."""
        dy = tolerance + METRIC_SHARE * (line.y1 - line.y0)
        return (
            line.x0 >= self.x0 - tolerance
            and line.y0 >= self.y0 - dy
            and line.x1 <= self.x1 + tolerance
            and line.y1 <= self.y1 + dy
        )

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def __str__(self) -> str:
        return f"({self.x0:.0f},{self.y0:.0f})-({self.x1:.0f},{self.y1:.0f}) pt"


class Line(NamedTuple):
    text: str
    box: Box


class Placed(NamedTuple):
    """A shape with its box on the slide (group children transformed) and whether it sits in
    a decorative group, whose children are background too."""

    shape: Any
    box: Box
    decorative: bool


@dataclass
class SlideCheck:
    number: int
    role: str
    title: str
    fill: float | None  # None: not a content slide (title, section, closing)
    overflow: list[str]


def check_deck(pptx: Path, workdir: Path) -> list[SlideCheck]:
    """Convert ``pptx`` with LibreOffice and check every visible slide against its page."""
    return check_decks([pptx], workdir)[pptx]


def check_decks(decks: list[Path], workdir: Path) -> dict[Path, list[SlideCheck]]:
    """Each deck's checks, converting them together (LibreOffice starts once per batch)."""
    pdfs = to_pdfs(decks, workdir)
    return {deck: check_converted(deck, pdfs[deck]) for deck in decks}


def check_converted(pptx: Path, pdf: Path) -> list[SlideCheck]:
    """Every visible slide of ``pptx`` against its page in ``pdf``, LibreOffice's rendering."""
    try:
        presentation = Presentation(str(pptx))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise RuntimeError(f"not a PowerPoint deck ({exc})") from exc
    width, height = presentation.slide_width, presentation.slide_height
    if width is None or height is None:  # optional in the file; every deck we make sets it
        raise RuntimeError("not a deck this can check: it declares no slide size")
    size = (Emu(width).pt, Emu(height).pt)
    pages = read_lines(pdf, size)
    slides = [(n, s) for n, s in enumerate(presentation.slides, 1) if s._element.get("show") != "0"]
    if len(pages) != len(slides):  # hidden slides are not exported, so compare visible ones
        raise RuntimeError(f"LibreOffice drew {len(pages)} pages for {len(slides)} visible slides")
    return [check_slide(n, s, lines, size) for (n, s), lines in zip(slides, pages, strict=True)]


def _run(command: list[str], what: str, timeout: float = CONVERT_TIMEOUT) -> None:
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"{command[0]} not found: install {what}")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{command[0]} took over {timeout:.0f} s") from exc
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise RuntimeError(f"{command[0]} failed: {detail[-1] if detail else result.returncode}")


def to_pdf(pptx: Path, workdir: Path) -> Path:
    """The deck as LibreOffice renders it."""
    return to_pdfs([pptx], workdir)[pptx]


def to_pdfs(decks: list[Path], workdir: Path) -> dict[Path, Path]:
    """Each deck as LibreOffice renders it: one soffice run converts a batch of decks with
    distinct names (a PDF is named by its deck's stem; a further batch writes to a subfolder).
    A private profile under ``workdir``: concurrent runs (and a desktop LibreOffice) never
    share a profile, which would hand the job over."""
    workdir.mkdir(parents=True, exist_ok=True)
    profile = (workdir / "lo-profile").resolve()
    pdfs: dict[Path, Path] = {}
    for number, batch in enumerate(_distinct_stems(decks)):
        outdir = workdir / f"batch-{number + 1}" if number else workdir
        for deck in batch:
            pdfs[deck] = outdir / f"{deck.stem}.pdf"
            pdfs[deck].unlink(missing_ok=True)  # soffice exits 0 even when it cannot load one
        command = [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, batch),
        ]
        _run(command, "LibreOffice (soffice)", CONVERT_TIMEOUT * len(batch))
        for deck in batch:
            if not pdfs[deck].is_file():
                raise RuntimeError(f"LibreOffice wrote no PDF of {deck} (is the deck readable?)")
    return pdfs


def _distinct_stems(decks: list[Path]) -> list[list[Path]]:
    """The decks in batches in which no two share a file name's stem (out/<id>/ and a pitch's
    out/<id>.<theme>/ hold decks of the same name)."""
    batches: list[list[Path]] = []
    for deck in decks:
        batch = next((b for b in batches if all(d.stem != deck.stem for d in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(deck)
    return batches


def read_lines(pdf: Path, slide_size: tuple[float, float]) -> list[list[Line]]:
    """Per page, the non-empty text lines pdftotext finds, scaled to slide points (the PDF
    page may differ from the slide by rounding, e.g. 960.009 pt for 960 pt)."""
    xhtml = pdf.with_suffix(".bbox.html")
    _run(["pdftotext", "-bbox-layout", str(pdf), str(xhtml)], "poppler-utils (pdftotext)")
    pages = []
    for page in etree.parse(str(xhtml)).iter(f"{XHTML}page"):
        sx = slide_size[0] / float(page.get("width"))
        sy = slide_size[1] / float(page.get("height"))
        lines = []
        for line in page.iter(f"{XHTML}line"):
            text = " ".join(w.text or "" for w in line.iter(f"{XHTML}word")).strip()
            if text:
                x0, y0, x1, y1 = (float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
                lines.append(Line(text, Box(x0 * sx, y0 * sy, x1 * sx, y1 * sy)))
        pages.append(lines)
    return pages


def _xfrm_box(shape: Any) -> Box | None:
    if shape.left is None or shape.width is None:
        return None  # a placeholder with no position anywhere in its inheritance chain
    x, y = Emu(shape.left).pt, Emu(shape.top).pt
    return Box(x, y, x + Emu(shape.width).pt, y + Emu(shape.height).pt)


def _is_decorative(shape: Any) -> bool:
    """Background panels: named "Panel…" or described as decorative by the deck builder."""
    described = shape._element.xpath("./*[1]/p:cNvPr/@descr")
    return shape.name.startswith("Panel") or (bool(described) and described[0] == "decorative")


def _walk(
    shapes: Any, transform: tuple[float, ...] = (1, 1, 0, 0), deco: bool = False
) -> Iterator[Placed]:
    """Every shape with its box in slide points; group children are stored in the group's
    own coordinate space (chOff/chExt), so map them through the group's transform."""
    sx, sy, dx, dy = transform
    for shape in shapes:
        box = _xfrm_box(shape)
        if box is None:
            continue
        box = Box(box.x0 * sx + dx, box.y0 * sy + dy, box.x1 * sx + dx, box.y1 * sy + dy)
        decorative = deco or _is_decorative(shape)
        yield Placed(shape, box, decorative)
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            xfrm = shape._element.grpSpPr.xfrm
            if xfrm is None or xfrm.chExt is None or not xfrm.chExt.cx or not xfrm.chExt.cy:
                continue
            gx = (box.x1 - box.x0) / Emu(xfrm.chExt.cx).pt
            gy = (box.y1 - box.y0) / Emu(xfrm.chExt.cy).pt
            inner = (
                gx,
                gy,
                box.x0 - Emu(xfrm.chOff.x).pt * gx,
                box.y0 - Emu(xfrm.chOff.y).pt * gy,
            )
            yield from _walk(shape.shapes, inner, decorative)


def _holds_text(shape: Any) -> bool:
    return bool(
        shape.is_placeholder
        or shape.has_text_frame
        or shape.has_table
        or shape.has_chart
        or shape.shape_type == MSO_SHAPE_TYPE.GROUP
    )


def _is_content(placed: Placed) -> bool:
    """Shapes that count towards fill by their whole box: pictures, tables, charts, and cards
    (auto shapes, text boxes) that are not placeholders; text placeholders count only by the
    lines LibreOffice draws, so an empty or half-empty body does not look full."""
    shape = placed.shape
    if placed.decorative or shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return False
    if isinstance(shape, Picture) or shape.has_table or shape.has_chart:
        return True
    cards = (MSO_SHAPE_TYPE.AUTO_SHAPE, MSO_SHAPE_TYPE.TEXT_BOX, MSO_SHAPE_TYPE.FREEFORM)
    return not shape.is_placeholder and shape.shape_type in cards


def _kind(shape: Any) -> Any:
    """The placeholder type (title, footer, ...), or None for a shape that is not one."""
    return shape.placeholder_format.type if shape.is_placeholder else None


def check_slide(
    number: int, slide: Any, lines: list[Line], size: tuple[float, float]
) -> SlideCheck:
    """Overflow and fill of one slide, given the lines LibreOffice drew on its page."""
    placed = list(_walk(slide.shapes))
    # Footer placeholders of the layout too: LibreOffice may draw master footer fields.
    boxes = [_xfrm_box(p) for p in slide.slide_layout.placeholders if _kind(p) in FOOTERS]
    footers = [b for b in boxes if b is not None]
    holders = sorted(
        [(p.box, _kind(p.shape)) for p in placed if _holds_text(p.shape)]
        + [(b, PP_PLACEHOLDER.FOOTER) for b in footers],
        key=lambda holder: holder[0].area,  # a line belongs to the smallest box holding it
    )
    overflow, body = _sort_lines(lines, holders, Box(0, 0, *size))
    titles = [p.box for p in placed if _kind(p.shape) in TITLES]
    title = next((p.shape.text_frame.text for p in placed if _kind(p.shape) in TITLES), "")
    role = slide._element.cSld.get("name") or "content"
    fill = None
    if role in CONTENT_ROLES:
        # Below the title, between its edges, down to the footer row (no title: whole slide).
        top, x0, x1 = (titles[0].y1, titles[0].x0, titles[0].x1) if titles else (0, 0, size[0])
        area = Box(x0, top, x1, min((b.y0 for b in footers), default=size[1]))
        shapes = [p.box for p in placed if _is_content(p)]
        fill = coverage(area, [b for b in body if _centre_in(b, area)] + shapes)
    return SlideCheck(number, role, " ".join(title.split()), fill, overflow)


def _sort_lines(
    lines: list[Line], holders: list[tuple[Box, Any]], slide: Box
) -> tuple[list[str], list[Box]]:
    """The overflow messages, and the boxes of the lines that count as body text (not in the
    title or the footer row; a line outside every box still shows, so it counts)."""
    overflow, body = [], []
    for line in lines:
        holder = next((h for h in holders if h[0].holds(line.box, TOLERANCE)), None)
        outside = [] if holder else ["every text box"]
        outside += [] if slide.holds(line.box, SLIDE_TOLERANCE) else ["the slide"]
        if outside:
            shown = line.text if len(line.text) <= 40 else line.text[:39] + "…"
            overflow.append(f"'{shown}' at {line.box} is outside {' and '.join(outside)}")
        if holder is None or (holder[1] not in TITLES and holder[1] not in FOOTERS):
            body.append(line.box)
    return overflow, body


def _centre_in(box: Box, area: Box) -> bool:
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return area.x0 <= cx <= area.x1 and area.y0 <= cy <= area.y1


def coverage(area: Box, boxes: list[Box]) -> float:
    """Share of ``area`` covered by the union of ``boxes`` (clipped to it), on 1-pt cells:
    overlapping boxes (a card and its text) count once, without a geometry library."""
    width, height = round(area.x1 - area.x0), round(area.y1 - area.y0)
    if width <= 0 or height <= 0:
        return 0.0
    grid = bytearray(width * height)
    for box in boxes:
        c0 = max(0, round(box.x0 - area.x0))
        c1 = min(width, round(box.x1 - area.x0))
        r0 = max(0, round(box.y0 - area.y0))
        r1 = min(height, round(box.y1 - area.y0))
        if c1 <= c0:
            continue
        for row in range(r0, r1):
            grid[row * width + c0 : row * width + c1] = b"\x01" * (c1 - c0)
    return grid.count(1) / (width * height)
