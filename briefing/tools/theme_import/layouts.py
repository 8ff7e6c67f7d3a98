"""Which of the template's layouts plays each role of a deck: by name (in four languages), then
by placeholder signature, then by a stated fallback; placeholders numbered as the deck expects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pptx.oxml.ns import qn

from briefing.errors import UsageError
from briefing.themes.theme import SlideRole
from briefing.tools.theme_import.shared import Report

# The usual names of each role's layout, lower case, in four languages.
NAMES: dict[SlideRole, list[str]] = {
    "title": ["title slide", "titelfolie", "diapositive de titre", "标题幻灯片"],
    "content": ["title and content", "titel und inhalt", "titre et contenu", "标题和内容"],
    "section": ["section header", "abschnittsüberschrift", "en-tête de section", "节标题"],
    "two-content": ["two content", "zwei inhalte", "deux contenus", "两栏内容"],
    "comparison": ["comparison", "vergleich", "comparaison", "比较"],
    "title-only": ["title only", "nur titel", "titre seul", "仅标题"],
}
# role -> (layout type in the file, title kind, its other placeholders)
SIGNATURES: dict[SlideRole, tuple[str, str, tuple[str, ...]]] = {
    "title": ("title", "ctrTitle", ("subTitle",)),
    "content": ("obj", "title", ("obj",)),
    "section": ("secHead", "title", ("body",)),
    "two-content": ("twoObj", "title", ("obj", "obj")),
    "comparison": ("twoTxTwoObj", "title", ("body", "body", "obj", "obj")),
    "title-only": ("titleOnly", "title", ()),
}
FIXED_IDX = {"dt": "10", "ftr": "11", "sldNum": "12"}  # date, footer, slide number
IGNORED = set(FIXED_IDX)  # not content: left out of a layout's signature
# A role with no layout of its own borrows one (said in the report).
FALLBACK: dict[SlideRole, list[SlideRole]] = {
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


def number_placeholders(presentation: Any, report: Report) -> None:
    """Give placeholders the indexes PowerPoint gives them (body 1, 2, … in reading order;
    date 10, footer 11, number 12) where the file has none or repeats them, as files saved by
    LibreOffice do: slides find their layout's boxes by index."""
    master = presentation.slide_masters[0]
    renumbered = 0
    for owner in [master, *master.slide_layouts]:
        bodies, fixed = [], []
        for shape in owner.placeholders:
            ph = shape._element.find(f".//{qn('p:ph')}")
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


def read_layouts(presentation: Any) -> list[Layout]:
    found = []
    for layout in presentation.slide_masters[0].slide_layouts:
        title, others, vertical = None, [], False
        for ph in layout._element.iter(qn("p:ph")):
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
