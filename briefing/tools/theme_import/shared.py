"""What every step of a theme import shares: the OOXML names and the report it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from briefing import files

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


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def part_name(part: Any) -> str:
    """A master's or layout's name as PowerPoint shows it (else its part name)."""
    return part._element.cSld.get("name") or str(part.partname)
