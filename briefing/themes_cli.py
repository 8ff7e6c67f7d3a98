"""`briefing theme new` and `briefing theme check`: start and verify a brand without a build."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from briefing import theme as themes
from briefing.errors import BriefingError, DataError, Problem, UsageError, relative
from briefing.model import SLUG_PATTERN
from briefing.render.fit import font_file

SCAFFOLD = """\
# Theme '{name}'. Only what differs from '{parent}' needs to be set; delete what you keep.
# Files placed next to this one (report.css, report.html.j2, deck.yaml.j2, master.pptx,
# email.txt.j2, email.html.j2, logos) replace the parent's files of the same name.
# Check it with:  briefing theme check {name}
name: {title}
extends: {parent}
colours:                  # #rrggbb
  primary: "#B3261E"      # headings, cover band, chart bars
  accent: "#1F4E79"       # links, highlights
  # text: "#1D1D1F"
  # muted: "#6E6E73"
  # background: "#FFFFFF"
# fonts:                  # must be installed: see `fc-list : family`
#   latin: Noto Sans CJK SC
#   cjk: Noto Sans CJK SC
#   heading: Noto Serif CJK SC
# logo: logo.svg          # SVG or PNG for the PDF, in this folder (or assets/...)
# deck_logo: logo.png     # PNG or JPEG for the deck
agency:
  name: {title}
#  email: hello@example.com
"""


def new_theme(root: Path, name: str, parent: str = "default") -> Path:
    """Create templates/<name>/theme.yaml with every token commented."""
    if not re.match(SLUG_PATTERN, name):
        raise UsageError(f"'{name}' is not a theme name (lowercase letters, digits and '-')")
    themes.resolve(parent, root)  # the parent must exist and be valid
    folder = root / "templates" / name
    if folder.exists():
        raise UsageError(f"{relative(folder, root)} already exists")
    folder.mkdir(parents=True)
    title = name.replace("-", " ").title()
    path = folder / "theme.yaml"
    path.write_text(SCAFFOLD.format(name=name, parent=parent, title=title), encoding="utf-8")
    return path


def check_theme(root: Path, name: str) -> list[str]:
    """Validate tokens, files, fonts, templates and the master; raise with every problem."""
    theme = themes.resolve(name, root)  # tokens and logos; raises DataError
    problems = _fonts(theme) + _templates(theme) + _master(theme)
    if problems:
        raise DataError(problems, what=f"theme '{name}'")
    return [relative(d, root) for d in theme.dirs]


def _fonts(theme: themes.Theme) -> list[Problem]:
    problems = []
    for key, family in theme.tokens["fonts"].items():
        try:
            font_file(family)
        except BriefingError as exc:
            problems.append(Problem(_declaring(theme, "fonts"), str(exc), field=f"fonts.{key}"))
    return problems


def _declaring(theme: themes.Theme, key: str) -> str:
    for folder in theme.dirs:
        text = (folder / "theme.yaml").read_text(encoding="utf-8")
        if re.search(rf"^{key}:", text, re.MULTILINE):
            return relative(folder / "theme.yaml", theme.root)
    return relative(theme.dirs[0] / "theme.yaml", theme.root)


def _templates(theme: themes.Theme) -> list[Problem]:
    problems = []
    kinds = {
        "html": ("report.html.j2", "email.html.j2"),
        "yaml": ("deck.yaml.j2",),
        "text": ("email.txt.j2",),
    }
    for kind, names in kinds.items():
        env = themes.environment(theme, kind)
        for filename in names:
            try:
                path = theme.find(filename)
            except BriefingError as exc:
                problems.append(Problem(relative(theme.dirs[0], theme.root), str(exc)))
                continue
            try:
                env.parse(path.read_text(encoding="utf-8"), filename=str(path))
            except jinja2.TemplateSyntaxError as exc:
                problems.append(Problem(relative(path, theme.root), exc.message, exc.lineno))
    return problems


def _master(theme: themes.Theme) -> list[Problem]:
    """Every slide role of the theme must map to a layout that master.pptx has."""
    from pptx import Presentation

    master = theme.find("master.pptx")
    layouts = {lay.name for lay in Presentation(str(master)).slide_layouts}
    problems = []
    for role, layout in sorted(theme.tokens.get("layouts", {}).items()):
        if layout not in layouts:
            source = next(
                (d / "theme.yaml" for d in theme.dirs if f"{role}:" in _read(d / "theme.yaml")),
                theme.dirs[0] / "theme.yaml",
            )
            problems.append(
                Problem(
                    relative(source, theme.root),
                    f"role '{role}' maps to layout '{layout}', which is not in "
                    f"{relative(master, theme.root)} (it has: {', '.join(sorted(layouts))})",
                    field=f"layouts.{role}",
                )
            )
    return problems


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""
