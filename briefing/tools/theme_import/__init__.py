"""`briefing theme import FILE NAME`: a theme from the client's own PowerPoint template.

Writes templates/NAME/ with the template's master (example slides removed), a theme.yaml with
tokens read from the template's theme part and a `layouts:` mapping found by layout name
(English, German, French, Chinese), then by placeholder signature, then by a stated fallback,
and import-report.txt saying how each role was matched.
"""

from __future__ import annotations

import json
from pathlib import Path

from briefing.errors import UsageError, relative
from briefing.project.fields import not_a_slug
from briefing.render.pptx_theme import TOKEN_SLOT
from briefing.themes import theme as themes
from briefing.tools.theme_import.layouts import discover, number_placeholders, read_layouts
from briefing.tools.theme_import.safety import (
    check_pictures,
    drop_slides,
    keep_one_master,
    open_template,
    saved,
    strip_unsafe,
)
from briefing.tools.theme_import.shared import Report
from briefing.tools.theme_import.tokens import (
    Imported,
    check_fonts,
    read_tokens,
    text_sizes,
    two_line_titles,
)


def import_template(root: Path, source: Path, name: str, parent: str, master: int | None) -> Path:
    """Create templates/<name>/ from ``source``; return the report's path."""
    problem = not_a_slug(name, "a theme name", "a folder in templates/")
    if problem:
        raise UsageError(problem)
    folder = root / "templates" / name
    if folder.exists():
        raise UsageError(f"{relative(folder, root)} already exists; choose another name")
    inherited = themes.resolve(parent, root).tokens  # the parent must exist and be valid
    presentation = open_template(source)
    report = Report()
    keep_one_master(presentation, master, source)
    drop_slides(presentation, report)
    strip_unsafe(presentation, report)
    number_placeholders(presentation, report)
    layouts = read_layouts(presentation)
    mapping = discover(layouts, report)
    tokens = read_tokens(presentation, report)
    tokens.deck = text_sizes(presentation, mapping, report)
    check_fonts(tokens.fonts, report)
    two_line_titles(presentation, mapping, tokens, inherited, report)
    check_pictures(presentation)
    master_pptx = saved(presentation)
    folder.mkdir(parents=True)
    (folder / "master.pptx").write_bytes(master_pptx)
    (folder / "theme.yaml").write_text(_theme_yaml(name, parent, tokens, mapping, source), "utf-8")
    path = folder / "import-report.txt"
    text = [f"Imported {source.name} as theme '{name}' (extends {parent}).", "", *report.lines]
    if report.warnings:
        text += ["", "Warnings:", *(f"  {w}" for w in report.warnings)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


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
