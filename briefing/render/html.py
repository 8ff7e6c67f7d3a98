"""The only place that renders the HTML report template."""

from __future__ import annotations

from briefing import theme as themes
from briefing.model import Briefing
from briefing.theme import Theme


def render_html(briefing: Briefing, theme: Theme) -> str:
    env = themes.environment(theme, html=True)
    return themes.render_template(theme, env, "report.html.j2", template_context(briefing, theme))


def template_context(briefing: Briefing, theme: Theme) -> dict[str, object]:
    """What every template sees: the briefing, its client and the theme tokens."""
    return {"b": briefing, "client": briefing.client, "theme": theme.context()}
