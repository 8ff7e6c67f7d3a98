"""Text measurement with the real metrics of installed fonts, for overflow decisions."""

from __future__ import annotations

import functools
import math
import subprocess
import unicodedata
from dataclasses import dataclass

from briefing.errors import SystemDependencyError


@functools.cache
def font_file(family: str, bold: bool = False) -> tuple[str, int]:
    """The file and face index fontconfig uses for ``family`` (what LibreOffice would pick)."""
    pattern = f"{family}:bold" if bold else family
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}\n%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SystemDependencyError(f"fc-match failed for '{family}': {exc}") from exc
    found, path, index = out.split("\n")
    if family not in found.split(","):
        raise SystemDependencyError(
            f"font '{family}' is not installed (fontconfig offers '{found}' instead)"
        )
    return path, int(index)


@dataclass(frozen=True)
class Fonts:
    """The faces a run uses: ``latin`` for most text, ``cjk`` (a:ea) for Chinese."""

    latin: str
    cjk: str

    def for_char(self, ch: str) -> str:
        return self.cjk if _is_cjk(ch) else self.latin


@dataclass(frozen=True)
class _Metrics:
    widths: dict[int, int]  # advance per code point, in font units
    units_per_em: float
    line_gap: float  # ascent + descent + gap, in em


@functools.cache
def _metrics(family: str, bold: bool) -> _Metrics:
    from fontTools.ttLib import TTFont

    path, index = font_file(family, bold)
    with TTFont(path, fontNumber=index, lazy=True) as font:
        advances = font["hmtx"].metrics
        widths = {code: advances[glyph][0] for code, glyph in font.getBestCmap().items()}
        upem = float(font["head"].unitsPerEm)
        hhea = font["hhea"]
        line_gap = (hhea.ascent - hhea.descent + hhea.lineGap) / upem
    return _Metrics(widths, upem, line_gap)


def text_width(text: str, fonts: Fonts, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` points (no kerning: a slight overestimate)."""
    total = 0.0
    for ch in text:
        metrics = _metrics(fonts.for_char(ch), bold)
        advance = metrics.widths.get(ord(ch), metrics.units_per_em)
        total += advance / metrics.units_per_em
    return total * size


def line_height(fonts: Fonts, size: float) -> float:
    """Single line spacing as PowerPoint applies it: the taller face's line metrics."""
    return max(_metrics(f, False).line_gap for f in (fonts.latin, fonts.cjk)) * size


def missing_glyphs(text: str, fonts: Fonts) -> set[str]:
    """Characters neither face can draw (they would show as boxes)."""
    return {
        ch
        for ch in text
        if not ch.isspace() and ord(ch) not in _metrics(fonts.for_char(ch), False).widths
    }


def _tokens(text: str) -> list[str]:
    """Break opportunities: after spaces, and around every CJK character."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if _is_cjk(ch):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def line_count(text: str, fonts: Fonts, size: float, width: float, bold: bool = False) -> int:
    """Lines that greedy wrapping needs for ``text`` in a box ``width`` points wide."""
    lines, current = 1, 0.0
    for token in _tokens(text):
        token_width = text_width(token, fonts, size, bold)
        trimmed = text_width(token.rstrip(" "), fonts, size, bold)
        if current and current + trimmed > width:
            lines += 1
            current = 0.0
        if token_width > width:  # a single long word wraps by character
            lines += math.ceil(token_width / width) - 1
            current = token_width % width
        else:
            current += token_width
    return lines
