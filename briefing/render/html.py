"""The only place that renders the HTML report template."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from briefing import charts as chart_specs
from briefing import i18n, plan, templating
from briefing.charts import ChartSpec
from briefing.model import Briefing
from briefing.theme import Theme


def template_context(briefing: Briefing, theme: Theme) -> dict[str, Any]:
    """What every template sees: the briefing, its client, the theme tokens and the charts."""
    leads = plan.leads(briefing.plan) if briefing.plan else {}
    return {
        "b": briefing,
        "client": briefing.client,
        "theme": theme.context(),
        "charts": chart_specs.for_briefing(briefing),
        "plan": briefing.plan,
        "funnel": plan.matrix(briefing.plan) if briefing.plan else [],
        "leads": leads,
        "lead_stage": {p.id: stage for stage, ps in leads.items() for p in ps},
        "proper_names": proper_names(briefing),
        "lang": i18n.lang(),  # the edition's language: 'en', 'zh-CN'
    }


def proper_names(briefing: Briefing) -> list[str]:
    """Names that keep their capital when a template puts text mid-sentence (lowerfirst)."""
    client = briefing.client
    names = [client.name, client.called, *client.all_cities]
    if briefing.plan:
        names += [p.platform.name for p in briefing.plan.placed]
    return sorted(set(names), key=lambda name: (-len(name), name))


def report_context(briefing: Briefing, theme: Theme) -> dict[str, Any]:
    """What report.html.j2 sees: the common context and ``chart_svg`` to draw a chart."""
    colours, fonts = theme.tokens["colours"], theme.tokens["fonts"]

    def chart_svg(chart: ChartSpec) -> Markup:
        return Markup(
            chart_specs.svg(
                chart, colours["primary"], colours["text"], colours["muted"], fonts["latin"]
            )
        )

    return {**template_context(briefing, theme), "chart_svg": chart_svg}


def render_html(briefing: Briefing, theme: Theme) -> str:
    env = templating.environment(theme, "html")
    context = report_context(briefing, theme)
    return templating.render_template(theme, env, "report.html.j2", context)
