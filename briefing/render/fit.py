"""Text measurement with the real metrics of installed fonts, for overflow decisions."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing import files
from briefing.errors import SystemDependencyError
from briefing.render.breaks import break_units, dictionary_words, is_cjk, rules

FONT_DIRS = tuple(
    Path(folder).expanduser()
    for folder in (
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "~/.local/share/fonts",
        "~/.fonts",
    )
)


def _fc_match(pattern: str, fmt: str) -> str:
    try:
        return subprocess.run(
            ["fc-match", "-f", fmt, pattern], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SystemDependencyError(
            f"fc-match failed for '{pattern}' ({exc}); install fontconfig"
        ) from exc


# Office fonts a client's template names, and the installed fonts with the same metrics that
# LibreOffice, WeasyPrint and our measuring use in their place (Debian packages in brackets).
SUBSTITUTES = {
    "Calibri": "Carlito",  # fonts-crosextra-carlito
    "Cambria": "Caladea",  # fonts-crosextra-caladea
    "Arial": "Liberation Sans",  # fonts-liberation2
    "Helvetica": "Liberation Sans",
    "Times New Roman": "Liberation Serif",
    "Courier New": "Liberation Mono",
    "Microsoft YaHei": "Noto Sans CJK SC",  # fonts-noto-cjk
    "SimHei": "Noto Sans CJK SC",
    "DengXian": "Noto Sans CJK SC",
    "PingFang SC": "Noto Sans CJK SC",
    "SimSun": "Noto Serif CJK SC",
    "微软雅黑": "Noto Sans CJK SC",
    "黑体": "Noto Sans CJK SC",
    "等线": "Noto Sans CJK SC",
    "宋体": "Noto Serif CJK SC",
}


@functools.cache
def font_file(family: str, bold: bool = False) -> tuple[str, int]:
    """The file and face index fontconfig uses for ``family`` (what LibreOffice would pick);
    for an Office font that is not installed, its metric-compatible substitute's."""
    pattern = f"{family}:bold" if bold else family
    found, path, index = _fc_match(pattern, "%{family}\n%{file}\n%{index}").split("\n")
    if family not in found.split(","):
        substitute = SUBSTITUTES.get(family)
        if substitute:
            return font_file(substitute, bold)
        raise SystemDependencyError(
            f"font '{family}' is not installed (fontconfig offers '{found}' instead; for "
            "Noto Sans/Serif CJK SC: apt-get install fonts-noto-cjk; Office fonts with "
            f"metric-compatible substitutes: {', '.join(SUBSTITUTES)})"
        )
    resolved = Path(path).resolve()
    parts = resolved.parts
    in_assets = any(parts[i : i + 2] == ("assets", "fonts") for i in range(len(parts) - 1))
    if not (in_assets or any(resolved.is_relative_to(folder) for folder in FONT_DIRS)):
        raise SystemDependencyError(
            f"font '{family}' resolves to {resolved}, outside the system's font folders and "
            "assets/fonts/; install it there"
        )
    try:  # a regular file of a sane size: a FIFO would hang FreeType, a device fill memory
        files.contained(resolved, resolved.parent, Path("/"), files.LIMITS["font"])
    except files.FileRefused as exc:
        raise SystemDependencyError(f"font '{family}': {exc}") from None
    return str(resolved), int(index)


@dataclass(frozen=True)
class FacePair:
    """The two faces a run is measured and drawn with: ``latin`` for most text, ``cjk`` (a:ea)
    for Chinese. Built from the theme's font tokens (``themes.theme.Fonts``), which name the
    faces; this pair is what one piece of text uses (body, heading, or CJK throughout)."""

    latin: str
    cjk: str

    def for_char(self, ch: str) -> str:
        return self.cjk if is_cjk(ch) else self.latin


REFERENCE_SIZE = 100  # fonts are opened once at this size and measurements scaled


@functools.cache
def _face(family: str, bold: bool) -> Any:
    """The installed face, opened with FreeType (Pillow): cheap to open, exact advances."""
    from PIL import ImageFont

    path, index = font_file(family, bold)
    return ImageFont.truetype(path, REFERENCE_SIZE, index=index)


def text_width(text: str, fonts: FacePair, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` points, each character in the face that draws it."""
    return _reference_width(text, fonts, bold) * size / REFERENCE_SIZE


@functools.lru_cache(maxsize=65536)
def _reference_width(text: str, fonts: FacePair, bold: bool) -> float:
    drawn = sum(_face(family, bold).getlength(run) for family, run in _runs(text, fonts))
    return drawn + _autospace(text) * AUTOSPACE * REFERENCE_SIZE


AUTOSPACE = 0.3  # em LibreOffice puts where Chinese meets other text (measured: 5.3 pt at 18 pt)


def _autospace(text: str) -> int:
    """Where Chinese meets other text ('1项', '● 主导', '微信 WeChat'): LibreOffice spaces
    them apart (its Asian typography, on by default), so measuring leaves room for it."""
    return sum(1 for a, b in itertools.pairwise(text) if is_cjk(a) != is_cjk(b))


def _runs(text: str, fonts: FacePair) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for ch in text:
        family = fonts.for_char(ch)
        if runs and runs[-1][0] == family:
            runs[-1] = (family, runs[-1][1] + ch)
        else:
            runs.append((family, ch))
    return runs


def line_height(fonts: FacePair, size: float) -> float:
    """Single line spacing as PowerPoint applies it: the taller face's ascent plus descent."""
    return max(sum(_face(f, False).getmetrics()) for f in (fonts.latin, fonts.cjk)) * (
        size / REFERENCE_SIZE
    )


@functools.cache
def _charset(family: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges the face covers, from fontconfig's cache."""
    ranges = []
    for item in _fc_match(family, "%{charset}").split():
        low, _, high = item.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def _covers(family: str, ch: str) -> bool:
    ranges = _charset(family)
    i = bisect.bisect_right(ranges, (ord(ch), 0x10FFFF)) - 1
    return i >= 0 and ranges[i][0] <= ord(ch) <= ranges[i][1]


def missing_glyphs(text: str, fonts: FacePair) -> set[str]:
    """Characters neither face can draw (they would show as boxes)."""
    font_file(fonts.latin)
    font_file(fonts.cjk)  # both must be installed at all
    return {
        ch
        for ch in set(text)
        if not ch.isspace() and not any(_covers(f, ch) for f in (fonts.latin, fonts.cjk))
    }


DATE_PARTS = re.compile(r"(?<=\d[年月])(?=\d)")  # where a date wider than its line breaks


def _pieces(token: str, fonts: FacePair, size: float, width: float, bold: bool) -> list[str]:
    """``token``, or where it is wider than a line, the pieces it breaks into: a date between
    its year, month and day, a term between its dictionary words ('提及量|占比'), and a
    word still too wide by character (a number and a Latin word stay whole) but for its last
    two characters ('2.25万条|线索', not '2.25万条线|索')."""
    if text_width(token, fonts, size, bold) <= width:
        return [token]
    pieces = []
    parts = [w for part in DATE_PARTS.split(token) for w in dictionary_words(part)]
    for part in parts:
        if text_width(part, fonts, size, bold) <= width:
            pieces.append(part)
            continue
        chars = break_units(part, keep=False)
        if len(chars) > 2 and all(is_cjk(c[0]) for c in chars[-2:]):
            chars[-2:] = ["".join(chars[-2:])]
        pieces += chars
    return pieces


def wrap(text: str, fonts: FacePair, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` in the lines greedy wrapping gives it (as ``line_count`` counts them): where a
    renderer would break inside a Chinese word, the deck writes these lines with breaks."""
    return [line for line, _ in _wrapped(text, fonts, size, width, bold)]


def line_count(text: str, fonts: FacePair, size: float, width: float, bold: bool = False) -> int:
    """Lines that greedy wrapping needs for ``text`` in a box ``width`` points wide: ``wrap``'s
    lines (the deck draws them), and a word wider than the box in as many as the viewer
    breaks it into, by character."""
    return sum(
        max(1, math.ceil(used / width)) for _, used in _wrapped(text, fonts, size, width, bold)
    )


def _wrapped(
    text: str, fonts: FacePair, size: float, width: float, bold: bool
) -> tuple[tuple[str, float], ...]:
    """Each line and the width it uses (more than ``width`` only for one word too long)."""
    return _wrapped_by(text, fonts, size, width, bold, rules(text))


@functools.lru_cache(maxsize=32768)  # the deck's fitter measures a row once per split it tries
def _wrapped_by(
    text: str, fonts: FacePair, size: float, width: float, bold: bool, context: tuple[Any, ...]
) -> tuple[tuple[str, float], ...]:
    del context  # the rules the text breaks by: only part of the key
    lines, current, width_so_far, used, previous = [], "", 0.0, 0.0, ""
    tokens = [
        piece for token in break_units(text) for piece in _pieces(token, fonts, size, width, bold)
    ]
    for token in tokens:
        token_width = text_width(token, fonts, size, bold)
        trimmed = text_width(token.rstrip(" "), fonts, size, bold)
        if width_so_far and previous and is_cjk(previous) != is_cjk(token[0]):
            width_so_far += AUTOSPACE * size  # the space LibreOffice adds between the two
        if width_so_far and width_so_far + trimmed > width:
            lines.append((current.rstrip(" "), used))
            current, width_so_far = "", 0.0
        current += token
        used = width_so_far + trimmed
        width_so_far += token_width
        previous = token[-1]
    return (*lines, (current.rstrip(" "), used))


def widest_word(text: str, fonts: FacePair, size: float, bold: bool = False) -> float:
    """The width of the widest word of ``text`` a viewer breaks only by character, wherever
    it runs out of room ('Novembe|r'): a Latin word or a number; a hyphenated word breaks after
    its hyphens ('e-|commerce'). Chinese breaks where ``wrap`` breaks it: between kept words,
    and a kept word wider than a line (a phrase in brackets in a narrow cell) in pieces, as the
    PDF's cells do; shrinking a whole table for it would leave the slide half empty."""
    words = (
        "".join(chars)
        for latin, chars in itertools.groupby(text, lambda ch: not (ch.isspace() or is_cjk(ch)))
        if latin
    )
    return max(
        (
            text_width(piece, fonts, size, bold)
            for word in words
            for piece in re.split(r"(?<=-)(?=\w)", word)
        ),
        default=0.0,
    )
