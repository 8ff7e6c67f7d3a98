"""Theme chain (client theme -> parents -> default): files, brand tokens and asset lookup."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError

from briefing import files
from briefing.errors import DataError, Problem, TemplateError, relative
from briefing.project import images
from briefing.project.fields import Email, Line, Slug, Strict, not_a_slug
from briefing.project.load import Document, load_yaml_file
from briefing.project.validate import model_problems

Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
FontName = Annotated[str, StringConstraints(pattern=r"^[\w ._-]{1,64}$")]  # 微软雅黑 too
SchemeSlot = Literal[
    "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5",
    "accent6", "hlink", "folHlink",
]  # fmt: skip


class Colours(Strict):
    primary: Colour | None = None  # headings, cover band, chart series 1
    accent: Colour | None = None  # highlights, chart series 2
    text: Colour | None = None
    muted: Colour | None = None  # captions, footers, table rules
    background: Colour | None = None


class Fonts(Strict):
    latin: FontName | None = None
    cjk: FontName | None = None
    heading: FontName | None = None


class DeckFonts(Strict):
    """Faces the deck asks PowerPoint for, where they differ from ``fonts`` (which the PDF
    embeds): a deck is opened on the client's PC, so it names a face installed there."""

    cjk: FontName | None = None


class DeckSizes(Strict):
    """Type sizes in points; the deck renderer measures text at exactly these sizes."""

    title: Annotated[int, Field(ge=12, le=60)] | None = None
    body: Annotated[int, Field(ge=10, le=40)] | None = None
    table: Annotated[int, Field(ge=8, le=24)] | None = None


class Agency(Strict):
    name: Line | None = None
    email: Email | None = None
    website: Line | None = None


SlideRole = Literal[
    "title",  # the first slide: client, date, logos
    "section",  # a divider (e.g. the appendix)
    "content",  # a title and one body: bullets, a chart or a table
    "two-content",  # a title and two bodies side by side
    "title-only",  # a title; cards, matrices and roadmaps are drawn below it
    "comparison",  # two headed columns
    "closing",  # thanks and contacts
]


class ThemeFile(Strict):
    """One theme.yaml; every field may be left to the parent theme."""

    name: Line | None = None
    extends: Slug | None = None
    colours: Colours = Colours()
    fonts: Fonts = Fonts()
    logo: Line | None = None  # SVG or PNG, for the PDF; in this folder or under assets/
    deck_logo: Line | None = None  # PNG or JPEG for the deck; defaults to `logo` if raster
    agency: Agency = Agency()
    deck: DeckSizes = DeckSizes()
    deck_fonts: DeckFonts = DeckFonts()
    layouts: dict[SlideRole, Line] = {}  # slide role -> layout name in master.pptx
    css: Literal["add", "replace"] | None = None  # report.css adds to the parent's (default)
    scheme: dict[SchemeSlot, Colour] = {}  # an imported template's own scheme (theme import)


class BrandColours(Strict):
    """The merged ``colours``: every one set somewhere along the chain."""

    primary: Colour
    accent: Colour
    text: Colour
    muted: Colour
    background: Colour


class BrandFonts(Strict):
    """The merged ``fonts``: the faces the PDF embeds and the deck measures with."""

    latin: FontName
    cjk: FontName
    heading: FontName

    def families(self) -> set[str]:
        return {self.latin, self.cjk, self.heading}


class BrandDeckSizes(Strict):
    title: int
    body: int
    table: int


class BrandAgency(Strict):
    name: Line
    email: Email | None = None
    website: Line | None = None


class ThemeTokens(Strict):
    """The brand tokens of a resolved theme: its theme.yaml files merged along the chain, the
    most specific winning key by key. Each layer was checked as a ``ThemeFile``; this model
    says which tokens the chain as a whole must set."""

    name: Line | None = None
    colours: BrandColours
    fonts: BrandFonts
    logo: Line
    deck_logo: Line  # the logo's raster twin: see _deck_logo
    agency: BrandAgency
    deck: BrandDeckSizes
    deck_fonts: DeckFonts = DeckFonts()
    layouts: dict[SlideRole, Line] = {}
    scheme: dict[SchemeSlot, Colour] = {}


class NotInTheme(TemplateError):
    """A file that no folder of the theme chain has (callers tell it from a file that is
    there but refused by its type, not by the message's wording)."""

    def __init__(self, filename: str, folders: ThemeFolders) -> None:
        self.filename, self.searched = filename, folders.searched
        where = f"theme '{folders.name}' (searched {self.searched})"
        super().__init__(f"{filename}: not found in {where}")


@dataclass(frozen=True)
class ThemeFolders:
    """The folders of a theme chain (most specific first) and the files found along them;
    all a Jinja loader needs."""

    name: str
    dirs: tuple[Path, ...]
    root: Path
    css_replaces: tuple[bool, ...] = ()  # per folder in ``dirs``: its theme.yaml says css: replace

    def find(self, filename: str, kind: str = "template") -> Path:
        """The first file named ``filename`` along the chain, checked to be a regular file
        inside templates/ (resolved: a link out of the project is refused, not followed)."""
        for folder in self.dirs:
            if os.path.lexists(folder / filename):
                return self.contained(folder / filename, self.root / "templates", kind)
        raise NotInTheme(filename, self)

    @property
    def searched(self) -> str:
        """The chain's folders as an error names them: 'templates/child, templates/default'."""
        return ", ".join(relative(d, self.root) for d in self.dirs)

    def asset(self, name: str) -> Path:
        """A file named by a token: under assets/ if it says so, else along the chain."""
        if name.startswith("assets/"):
            return self.contained(self.root / name, self.root / "assets", "asset")
        return self.find(name, "asset")

    def contained(self, path: Path, allowed: Path, kind: str) -> Path:
        """``path``, checked like every file a build reads (see briefing.files)."""
        try:
            return files.contained(path, allowed, self.root, files.LIMITS[kind])
        except files.FileRefused as exc:
            raise TemplateError(f"theme '{self.name}': {exc}") from None

    def read(self, path: Path, kind: str = "template") -> bytes:
        """The bytes of a file of the theme chain (a template, catalog or stylesheet): inside
        templates/, a regular file, within the limit of its ``kind``; never blocks."""
        try:
            return files.read_bytes(path, self.root / "templates", self.root, files.LIMITS[kind])
        except files.FileRefused as exc:
            raise TemplateError(f"theme '{self.name}': {exc}") from None

    def read_text(self, path: Path, kind: str = "template") -> str:
        """``read``, as UTF-8 text."""
        try:
            return files.read_text(path, self.root / "templates", self.root, files.LIMITS[kind])
        except files.FileRefused as exc:
            raise TemplateError(f"theme '{self.name}': {exc}") from None

    def stylesheets(self) -> list[Path]:
        """Every report.css along the chain, parent first: a child's rules add to (and win
        over) its parent's; a theme with ``css: replace`` starts afresh from its own."""
        sheets = []
        for folder, replaces in zip(self.dirs, self.css_replaces, strict=True):
            if os.path.lexists(folder / "report.css"):
                sheets.append(
                    self.contained(folder / "report.css", self.root / "templates", "template")
                )
                if replaces:
                    break
        if not sheets:
            self.find("report.css")  # raises, naming the folders searched
        return list(reversed(sheets))


@dataclass(frozen=True, kw_only=True)
class Theme(ThemeFolders):
    """A resolved theme: its folders and its merged, typed tokens."""

    tokens: ThemeTokens

    @property
    def deck_cjk(self) -> str:
        """The East Asian face the deck names: ``deck_fonts.cjk``, else the PDF's."""
        return self.tokens.deck_fonts.cjk or self.tokens.fonts.cjk

    @property
    def logo(self) -> Path:
        return self.asset(self.tokens.logo)

    @property
    def deck_logo(self) -> Path:
        return self.asset(self.tokens.deck_logo)

    def context(self) -> dict[str, Any]:
        """Tokens for templates (as the mapping theme.yaml reads as: a token no theme sets is
        absent), with the logo as a path relative to the project root."""
        tokens = self.tokens.model_dump(exclude_none=True)
        return {**tokens, "logo": relative(self.logo, self.root), "name": self.name}

    def css_variables(self) -> str:
        """Brand tokens as CSS custom properties, the single source for report.css."""
        colours, fonts = self.tokens.colours.model_dump(), self.tokens.fonts.model_dump()
        lines = [f"  --brand-{k}: {v};" for k, v in colours.items()]
        lines += [f'  --font-{k}: "{v}";' for k, v in fonts.items()]
        return ":root {\n" + "\n".join(lines) + "\n}\n"


def resolve(name: str, root: Path) -> Theme:
    """Follow ``extends`` from ``name`` to ``default``; validate each theme.yaml, merge them
    (the most specific wins, key by key) and validate the result as ``ThemeTokens``."""
    folders, layers = _chain(name, root)
    merged = _merge(
        [f.model_dump(exclude_none=True, exclude={"extends", "css"}) for _, f in reversed(layers)]
    )
    _deck_logo(merged, layers)
    problems: list[Problem] = []
    tokens: ThemeTokens | None = None
    try:
        tokens = ThemeTokens.model_validate(merged)
    except ValidationError as exc:
        problems += _chain_problems(exc, layers)
    for field in ("logo", "deck_logo"):
        if field not in merged:
            continue
        if field == "deck_logo" and problems and merged[field] == merged.get("logo"):
            continue  # the same file, already reported as the logo
        _check_file(folders, layers, field, merged[field], problems)
    if problems or tokens is None:
        raise DataError(problems, what="themes")
    return Theme(
        name=folders.name,
        dirs=folders.dirs,
        root=folders.root,
        css_replaces=folders.css_replaces,
        tokens=tokens,
    )


def _chain(name: str, root: Path) -> tuple[ThemeFolders, list[tuple[Document, ThemeFile]]]:
    """The theme's folders and its theme.yaml files, most specific first, each validated."""
    problem = not_a_slug(name, "a theme name", "a folder in templates/")
    if problem:
        raise TemplateError(problem)
    dirs: list[Path] = []
    layers: list[tuple[Document, ThemeFile]] = []
    problems: list[Problem] = []
    current: str | None = name
    while current:
        folder = root / "templates" / current
        if folder in dirs:
            raise TemplateError(f"theme '{name}': 'extends' loops back to '{current}'")
        if not os.path.lexists(folder / "theme.yaml"):
            known = sorted(p.parent.name for p in (root / "templates").glob("*/theme.yaml"))
            raise TemplateError(f"unknown theme '{current}' (known: {', '.join(known)})")
        dirs.append(folder)
        doc, parsed = _load_theme_file(folder / "theme.yaml", root, problems)
        if parsed is None:
            break
        layers.append((doc, parsed))
        current = parsed.extends or ("default" if current != "default" else None)
    if problems:
        raise DataError(problems, what="themes")
    replaces = tuple(f.css == "replace" for _, f in layers)
    return ThemeFolders(name=name, dirs=tuple(dirs), root=root, css_replaces=replaces), layers


def _chain_problems(
    exc: ValidationError, layers: list[tuple[Document, ThemeFile]]
) -> list[Problem]:
    """What the merged tokens lack, located: a token no theme of the chain sets is reported in
    the root theme's theme.yaml (at its group, e.g. ``colours:``); any other error at the
    most specific theme.yaml that sets the value."""
    base = layers[-1][0]
    errors = exc.errors(include_url=False)
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    problems = []
    for err in errors:
        loc = tuple(err["loc"])
        if loc == ("deck_logo",) and ("logo",) in missing:
            continue  # the deck's logo defaults to the logo: one problem, not two
        if err["type"] == "missing":
            doc, message, at = (
                base,
                "required token is missing from the whole theme chain",
                loc[:-1],
            )
        else:
            doc = next((d for d, _ in layers if loc in d.values), base)
            message, at = err["msg"], loc
        line, col = doc.where(at, key=True)
        field = ".".join(str(part) for part in loc)
        problems.append(Problem(doc.rel, message, line or 1, col or 1, field))
    return problems


def _check_file(
    folders: ThemeFolders,
    layers: list[tuple[Document, ThemeFile]],
    field: str,
    value: str,
    problems: list[Problem],
) -> None:
    """A logo that is missing or unusable is an error at the line that names it."""
    named = next(((d, f) for d, f in layers if getattr(f, field) == value), None)
    doc = (named or next((d, f) for d, f in layers if f.logo is not None))[0]
    line, col = doc.where((field if named else "logo",))
    try:
        path = folders.asset(value)
    except NotInTheme as exc:
        reason = f"'{value}' not found (searched {exc.searched} and assets/)"
        problems.append(Problem(doc.rel, reason, line, col, field))
        return
    except TemplateError as exc:  # there, but refused: "theme 'x': <why>"
        problems.append(Problem(doc.rel, str(exc).split(": ", 1)[1], line, col, field))
        return
    unusable = images.problem(path, "deck" if field == "deck_logo" else "pdf")
    if unusable and not named:  # the deck falls back on `logo`
        unusable += f", then set deck_logo: {Path(value).with_suffix('.png').name}"
    if unusable:
        problems.append(Problem(doc.rel, f"'{value}' {unusable}", line, col, field))


def _deck_logo(merged: dict[str, Any], layers: list[tuple[Document, ThemeFile]]) -> None:
    """The deck's logo belongs with the PDF's: a theme that sets ``logo`` but no ``deck_logo``
    never shows its parent's deck logo (a white-label deck with the agency's mark)."""
    for _, layer in layers:  # most specific first
        if layer.deck_logo is not None:
            return
        if layer.logo is not None:
            merged.pop("deck_logo", None)
            if "logo" in merged:
                merged["deck_logo"] = merged["logo"]  # checked as a deck image below
            return


def _load_theme_file(
    path: Path, root: Path, problems: list[Problem]
) -> tuple[Document, ThemeFile | None]:
    doc = load_yaml_file(path, root, root / "templates", files.LIMITS["template"])
    if doc.problem:
        problems.append(doc.problem)
        return doc, None
    try:
        return doc, ThemeFile.model_validate(doc.data or {})
    except ValidationError as exc:
        problems.extend(model_problems(doc, exc, ThemeFile))
        return doc, None


def _merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged[key] = value
    return merged
