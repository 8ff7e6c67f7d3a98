"""What templates see: one builder for the report, the deck, the e-mail and `theme check`.

Every template gets ``template_context``; an output adds only what is its own (the report's
``chart_svg``, the e-mail's ``attachments``). docs/templates.md is generated from these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from briefing.assemble import budget, plan
from briefing.project.model import Briefing
from briefing.render import charts as chart_specs
from briefing.render.base import Template
from briefing.render.charts import ChartSpec
from briefing.themes import i18n
from briefing.themes.theme import Theme

EMAIL_TEMPLATES = (Template("email.txt.j2", "text"), Template("email.html.j2", "html"))


@dataclass(frozen=True)
class AttachedFile:
    """What the e-mail templates see of an attached file (a sent one, or a sample for
    `theme check` and the template reference)."""

    name: str
    size: str = "1.2 MB"


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
        "budget_table": budget.table(briefing.plan.budget) if briefing.plan else ([], []),
        "budget_summary": budget.summary(briefing.plan.budget) if briefing.plan else ([], []),
    }


def proper_names(briefing: Briefing) -> list[str]:
    """Names that keep their capital when a template puts text mid-sentence (lowerfirst)."""
    client = briefing.client
    names = [client.name, client.called, *client.all_cities, *(c.name for c in client.competitors)]
    if briefing.plan:
        names += [p.platform.name for p in briefing.plan.placed]
    return sorted(set(names), key=lambda name: (-len(name), name))


def report_context(briefing: Briefing, theme: Theme) -> dict[str, Any]:
    """What report.html.j2 sees: the common context and ``chart_svg`` to draw a chart."""
    colours, latin = theme.tokens.colours, theme.tokens.fonts.latin

    def chart_svg(chart: ChartSpec) -> Markup:
        return Markup(chart_specs.svg(chart, colours.primary, colours.text, colours.muted, latin))

    return {**template_context(briefing, theme), "chart_svg": chart_svg}


def email_context(briefing: Briefing, theme: Theme, attachments: Sequence[Any]) -> dict[str, Any]:
    """What email.txt.j2 and email.html.j2 see: the common context and the attached files
    (each with ``name`` and ``size``)."""
    return {**template_context(briefing, theme), "attachments": list(attachments)}
