"""The renderer face: what every output format provides.

A renderer turns one edition (the assembled briefing in its theme, in the language set by
``i18n.language``) into the bytes of one file. The build, the batch, the preview, the e-mail and
`theme check` loop over ``briefing.render.RENDERERS`` and never name a format, so a new output
is one module with one renderer and one entry in that registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from briefing.project.model import Briefing
    from briefing.settings import Settings
    from briefing.themes.templating import TemplateKind
    from briefing.themes.theme import Theme

Outline = tuple[tuple[str, tuple[str, ...]], ...]  # each slide's title and body lines


@dataclass(frozen=True)
class Rendered:
    """One output's bytes, what the summary counts of it, and what the build should hear."""

    data: bytes
    stats: dict[str, int] = field(default_factory=dict)  # e.g. {"pages": 20}
    warnings: tuple[str, ...] = ()
    outline: Outline = ()  # where the output has slides: what the preview shows at once


@dataclass(frozen=True)
class Template:
    """A theme template an output renders, and how its values are escaped."""

    name: str
    kind: TemplateKind


Preview = Literal["pdf", "office", ""]


class Renderer(Protocol):
    """An output format. Attributes are read by the stages that loop over the registry."""

    name: str  # "pdf", "deck": the key of results, stats and the preview's images
    label: str  # how messages name it: "PDF", "deck"
    kind: str  # the file: <client>-<kind>[.<lang>]<suffix>
    suffix: str  # ".pdf"
    mime: str  # "application/pdf": the e-mail attachment's type
    unit: str  # what ``Rendered.stats`` counts and the batch summary shows: "pages"
    attach: bool  # e-mailed to the client
    preview: Preview  # its bytes are a PDF; LibreOffice converts them; none
    templates: tuple[Template, ...]  # the theme templates it renders (theme check, preview)
    theme_files: tuple[str, ...]  # other theme files only it reads (a save rebuilds only it)

    def context(self, briefing: Briefing, theme: Theme) -> dict[str, Any]:
        """What its templates see (for `theme check` and the template reference)."""
        ...

    def render(self, briefing: Briefing, theme: Theme, settings: Settings) -> Rendered:
        """The output's bytes; raises a BriefingError for the user to act on."""
        ...
