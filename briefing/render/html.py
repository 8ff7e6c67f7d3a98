"""The only place that renders the HTML report template."""

from __future__ import annotations

from briefing import templating
from briefing.model import Briefing
from briefing.render.context import report_context
from briefing.theme import Theme


def render_html(briefing: Briefing, theme: Theme) -> str:
    env = templating.environment(theme, "html")
    context = report_context(briefing, theme)
    return templating.render_template(theme, env, "report.html.j2", context)
