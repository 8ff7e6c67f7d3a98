"""`briefing theme new` and `briefing theme check`: start and verify a brand without a build."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from briefing import files
from briefing.build import forked
from briefing.errors import BriefingError, DataError, Problem, UsageError, relative
from briefing.project.fields import not_a_slug
from briefing.render.fit import font_file
from briefing.themes import templating
from briefing.themes import theme as themes

SCAFFOLD = """\
# Theme '{name}'. Only what differs from '{parent}' needs to be set; delete what you keep.
# report.css here adds to the parent's; report.html.j2 extends the parent's and overrides
# only its blocks (docs/templates.md). Other files placed next to this one (deck.yaml.j2,
# master.pptx, email templates, logos) replace the parent's, or extend them the same way.
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
# deck_fonts:             # the deck's own faces: installed on the client's PC
#   cjk: Microsoft YaHei
# logo: logo.svg          # SVG or PNG for the PDF, in this folder (or assets/...)
# deck_logo: logo.png     # PNG or JPEG for the deck
# agency:                # the agency named on the cover, in footers and on the last
#   name: Agency Name     # slide; default: the parent's (set it only for a white label)
#   email: hello@example.com
"""


CSS_SCAFFOLD = """\
/* Theme '{name}': rules here are added after '{parent}' and its parents' report.css, so
   write only what changes; the same selector here wins. Brand colours and fonts are
   variables set from theme.yaml: var(--brand-primary), var(--font-heading), ...
   To start from a blank page instead, put `css: replace` in theme.yaml.

   Example (uncomment to try):
   .cover-title {{ letter-spacing: 0.02em; }}
*/
"""

HTML_SCAFFOLD = """\
{{#- Theme '{name}': the PDF briefing, from '{parent}'. Override only the blocks you change;
    {{{{ super() }}}} puts the parent's version of the block where you write it. Blocks and
    variables: docs/templates.md. Check with:  briefing theme check {name} -#}}
{{% extends "{parent}/report.html.j2" %}}

{{% block cover %}}{{{{ super() }}}}{{% endblock %}}
"""


def new_theme(root: Path, name: str, parent: str = "default") -> Path:
    """Create templates/<name>/ with theme.yaml (every token commented), an empty report.css
    and a report.html.j2 that extends the parent: none changes the output until edited."""
    problem = not_a_slug(name, "a theme name", "a folder in templates/")
    if problem:
        raise UsageError(problem)
    themes.resolve(parent, root)  # the parent must exist and be valid
    folder = root / "templates" / name
    if folder.exists():
        raise UsageError(f"{relative(folder, root)} already exists")
    folder.mkdir(parents=True)
    title = name.replace("-", " ").title()
    path = folder / "theme.yaml"
    path.write_text(SCAFFOLD.format(name=name, parent=parent, title=title), encoding="utf-8")
    (folder / "report.css").write_text(CSS_SCAFFOLD.format(name=name, parent=parent), "utf-8")
    (folder / "report.html.j2").write_text(
        HTML_SCAFFOLD.format(name=name, parent=parent), encoding="utf-8"
    )
    return path


def check_theme(
    root: Path,
    name: str,
    client: str | None = None,
    budget: forked.Budget | None = None,
    *,
    today: dt.date,
) -> list[str]:
    """Validate tokens, files, fonts, templates (rendered against a sample client: ``client``,
    else the first that uses the theme, else the first, in a child under ``budget``, as a
    build renders them, dated ``today``: Settings.today) and the master; raise with every
    problem at once."""
    theme = themes.resolve(name, root)  # tokens and logos; raises DataError
    problems = _files(theme)
    if problems:  # a FIFO or a link out would hang or mislead the checks below
        raise DataError(problems, what=f"theme '{name}'")
    rendered = forked.run(
        "theme check", budget or forked.Budget(), _templates, theme, client, today
    )
    problems = _fonts(theme) + rendered + _master(theme)
    if problems:
        raise DataError(problems, what=f"theme '{name}'")
    return [relative(d, root) for d in theme.dirs]


THEME_FILES = ("*.j2", "*.css", "*.yaml", "locale/*/LC_MESSAGES/*.po")


def _files(theme: themes.Theme) -> list[Problem]:
    """Every template, stylesheet and catalog of the chain is a readable regular file inside
    templates/, within the size limit (what a build reads them through)."""
    problems, templates = [], theme.root / "templates"
    for folder in theme.dirs:
        for pattern in THEME_FILES:
            for path in sorted(folder.glob(pattern)):
                try:
                    files.read_bytes(path, templates, theme.root, files.LIMITS["template"])
                except files.FileRefused as exc:
                    problems.append(Problem(exc.shown, exc.reason))
    return problems


def _fonts(theme: themes.Theme) -> list[Problem]:
    problems = []
    faces = {
        "fonts": theme.tokens.fonts.model_dump(),
        "deck_fonts": theme.tokens.deck_fonts.model_dump(exclude_none=True),
    }
    for section, named in faces.items():
        for key, family in named.items():
            try:
                font_file(family)  # or its metric twin, for an Office font
            except BriefingError as exc:
                where = _declaring(theme, rf"{section}:")
                problems.append(Problem(where, str(exc), field=f"{section}.{key}"))
    return problems


def _declaring(theme: themes.Theme, line: str) -> str:
    """The most specific theme.yaml of the chain with a line starting with ``line`` (a regex)."""
    for folder in theme.dirs:
        text = theme.read_text(folder / "theme.yaml")
        if re.search(rf"^{line}", text, re.MULTILINE):
            return relative(folder / "theme.yaml", theme.root)
    return relative(theme.dirs[0] / "theme.yaml", theme.root)


def _templates(theme: themes.Theme, client: str | None, today: dt.date) -> list[Problem]:
    """Render every template of the chain against a sample client: syntax errors, unknown
    filters and every undefined name, each at its file and line."""
    from briefing.assemble import assemble
    from briefing.project.load import load_project
    from briefing.project.validate import validate
    from briefing.render import every_template, sample_attachments

    kb, _ = validate(load_project(theme.root))
    if not kb.clients:
        return []
    mine = sorted(cid for cid, c in kb.clients.items() if c.theme == theme.name)
    chosen = client or (mine or sorted(kb.clients))[0]
    if chosen not in kb.clients:
        raise UsageError(f"unknown client '{chosen}' (known: {', '.join(sorted(kb.clients))})")
    briefing = assemble(kb, chosen, today=today)
    jobs = every_template(briefing, theme, sample_attachments(chosen))
    return templating.check_templates(theme, jobs)


def _master(theme: themes.Theme) -> list[Problem]:
    """Every slide role of the theme must map to a layout that master.pptx has."""
    from pptx import Presentation

    master = theme.find("master.pptx", "asset")
    layouts = {lay.name for lay in Presentation(str(master)).slide_layouts}
    problems = []
    for role, layout in sorted(theme.tokens.layouts.items()):
        if layout not in layouts:
            problems.append(
                Problem(
                    _declaring(theme, rf"\s+{re.escape(role)}:"),
                    f"role '{role}' maps to layout '{layout}', which is not in "
                    f"{relative(master, theme.root)} (it has: {', '.join(sorted(layouts))})",
                    field=f"layouts.{role}",
                )
            )
    return problems
