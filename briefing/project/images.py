"""Images a build embeds: checked when loaded (format, size), turned upright for the deck.

WeasyPrint (the PDF) draws PNG, JPEG and SVG and honours EXIF orientation itself; PowerPoint
draws PNG and JPEG only and ignores EXIF orientation, so deck images are rotated here.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from briefing import files

MAX_PIXELS = 40_000_000
ORIENTATION = 0x0112  # the EXIF tag
FORMATS = {"pdf": ("PNG", "JPEG", "SVG"), "deck": ("PNG", "JPEG")}
SVG_TO_PNG = "rsvg-convert -w 1200 {name} -o {png} (Debian package librsvg2-bin)"


def problem(path: Path, output: str) -> str | None:
    """Why the image at ``path`` cannot go into ``output`` ("pdf" or "deck"), or None."""
    if path.suffix.lower() == ".svg":
        if output == "deck":
            png = path.with_suffix(".png").name
            return (
                "is an SVG, which PowerPoint cannot embed: convert it to PNG, e.g. "
                + SVG_TO_PNG.format(name=path.name, png=png)
            )
        return None
    try:
        with warnings.catch_warnings():  # the size is judged below, before any decoding
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # reads the header only
                kind, (width, height) = image.format, image.size
    except Image.UnidentifiedImageError:
        return "is not an image (Pillow cannot identify its format); use PNG or JPEG"
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return f"cannot be read as an image ({type(exc).__name__}: {exc})"
    if kind not in FORMATS[output]:
        named = f" (named {path.suffix})" if path.suffix else ""
        return f"is a {kind} image{named}; use PNG or JPEG"
    if width * height > MAX_PIXELS:
        return (
            f"is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels), over the "
            f"{MAX_PIXELS // 10**6}-megapixel limit: scale it down"
        )
    return None


def upright(path: Path) -> tuple[io.BytesIO, float]:
    """The image as PowerPoint should embed it (EXIF orientation applied) and its aspect
    ratio (width / height) as seen."""
    buffer = io.BytesIO()
    with Image.open(path) as image:
        if image.getexif().get(ORIENTATION, 1) == 1:  # upright already: embed the file as is
            buffer.write(path.read_bytes())
            ratio = image.width / image.height
        else:
            turned = ImageOps.exif_transpose(image)
            turned.save(buffer, format=image.format or "PNG")
            ratio = turned.width / turned.height
    buffer.seek(0)
    return buffer, ratio


def asset_problem(root: Path, rel: str) -> str | None:
    """Why ``rel`` is not a usable image under assets/ for the PDF, or None."""
    try:
        path = files.contained(root / rel, root / "assets", root, files.LIMITS["asset"])
    except files.FileRefused as exc:
        return exc.reason
    return problem(path, "pdf")
