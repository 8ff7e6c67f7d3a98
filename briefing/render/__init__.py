"""Renderers: the registry of output formats (``RENDERERS``) and their shared face.

Importing this package is cheap: each renderer imports its heavy library (WeasyPrint,
python-pptx) when it first renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from briefing.render.base import Outline, Rendered, Renderer, Template
from briefing.render.context import EMAIL_TEMPLATES, AttachedFile, email_context
from briefing.render.deck import DECK
from briefing.render.pdf import PDF
from briefing.render.plan_json import PLAN_JSON

if TYPE_CHECKING:
    from briefing.project.model import Briefing
    from briefing.themes.templating import TemplateKind
    from briefing.themes.theme import Theme

RENDERERS: list[Renderer] = [PDF, DECK, PLAN_JSON]  # the build renders them in this order


def warm_up() -> None:
    """Load what every renderer of the current edition reads, once per process: a Chinese
    edition's word dictionary (~0.7 s). The build calls it before forking its renders, so
    they share one copy instead of each loading its own (a batch worker keeps it)."""
    from briefing.render import breaks
    from briefing.themes import i18n

    if i18n.is_chinese():
        breaks.load_dictionary()


def owners(file_name: str) -> set[str]:
    """The outputs whose own templates or theme files include ``file_name`` (none: a file
    any output may read, such as theme.yaml or a partial)."""
    return {r.name for r in RENDERERS
            if file_name in {t.name for t in r.templates} | set(r.theme_files)}  # fmt: skip


def by_name(name: str) -> Renderer:
    for renderer in RENDERERS:
        if renderer.name == name:
            return renderer
    raise KeyError(name)


def for_file(file_name: str) -> Renderer | None:
    """The renderer that writes files named like ``file_name`` (by suffix), if any."""
    return next((r for r in RENDERERS if file_name.endswith(r.suffix)), None)


def sample_attachments(client_id: str) -> list[AttachedFile]:
    """The files an e-mail to ``client_id`` attaches, for checks that run without a build."""
    return [AttachedFile(f"{client_id}-{r.kind}{r.suffix}") for r in RENDERERS if r.attach]


def every_template(
    briefing: Briefing, theme: Theme, attachments: Sequence[Any] = ()
) -> list[tuple[TemplateKind, str, dict[str, Any]]]:
    """Each template a theme must provide, how it is escaped, and the context it is rendered
    with: every output's, then the e-mail's (``theme check`` renders them all)."""
    jobs = [
        (template.kind, template.name, renderer.context(briefing, theme))
        for renderer in RENDERERS
        for template in renderer.templates
    ]
    mail = email_context(briefing, theme, attachments)
    return jobs + [(template.kind, template.name, mail) for template in EMAIL_TEMPLATES]


__all__ = [
    "RENDERERS",
    "Outline",
    "Rendered",
    "Renderer",
    "Template",
    "by_name",
    "every_template",
    "for_file",
    "owners",
    "sample_attachments",
    "warm_up",
]
