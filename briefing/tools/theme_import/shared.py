"""What every step of a theme import shares: the OOXML names and the report it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pptx.opc.constants import CONTENT_TYPE as CT

from briefing import files

MAIN = CT.PML_PRESENTATION_MAIN
TEMPLATE_TYPES = (  # python-pptx names no macro-enabled template type
    CT.PML_TEMPLATE_MAIN,
    CT.PML_PRES_MACRO_MAIN,
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)
MB = files.MB
CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted OOXML file is a compound document


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def part_name(part: Any) -> str:
    """A master's or layout's name as PowerPoint shows it (else its part name)."""
    return part._element.cSld.get("name") or str(part.partname)
