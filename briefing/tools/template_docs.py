"""docs/templates.md: every variable, filter and block a template may use, generated from the
models and the default templates (``briefing schemas`` writes it; a test keeps it current)."""

from __future__ import annotations

import datetime as dt
import inspect
import types
import typing
from pathlib import Path
from typing import Any

from jinja2 import nodes
from pydantic import BaseModel

from briefing.assemble import budget, forecast, plan, roadmap
from briefing.project import model, playbook
from briefing.render.charts import Bar, ChartSpec
from briefing.themes import filters, templating
from briefing.themes.theme import Theme, resolve

SAMPLE_CLIENT = "nordlys-travel"  # the examples' client
SAMPLE_DATE = dt.date(2026, 11, 25)
MEANING = {  # every variable a template context has (render.context); a test keeps it whole
    "b": "the assembled briefing",
    "client": "the client's brief (data/clients/<id>.yaml)",
    "theme": "the merged theme tokens (theme.yaml along the chain), `theme.logo` as a path",
    "charts": "chart specs by id: `fit`, `fit-shortlist`, `audience-mau`, `audience-dau`",
    "plan": "the client's plan (same as `b.plan`)",
    "funnel": "(placed platform, {stage: role text}) for recommended and considered platforms",
    "leads": "funnel stage -> the recommended platforms that lead it for this client",
    "lead_stage": "platform id -> the funnel stage it leads",
    "proper_names": "names `lowerfirst` leaves capitalised (client, cities, platforms)",
    "chart_svg": "chart_svg(spec) draws a chart spec as inline SVG",
    "attachments": "the files attached to the e-mail (name, size)",
    "lang": "the edition's language, `en` or `zh-CN` (text goes through `_()`: see README)",
    "budget_table": "(period labels, rows): the budget by platform and type, one amount per period",
    "budget_summary": (
        "(period labels, rows): the budget by platform (every type together); "
        "by calendar year past six periods"
    ),
}
MODELS: list[type[BaseModel]] = [
    model.Briefing, model.Client, model.Contact, model.Goal, model.Target, model.Competitor,
    model.Budget, playbook.Industry, plan.Plan, plan.Placed, plan.GoalPlan, plan.PlanRisk,
    plan.NextStep, budget.PlannedBudget, budget.BudgetLine, forecast.Forecast,
    forecast.Milestone, roadmap.Step, model.Baseline, model.Presence,
    model.RankedPlatform, model.AvoidedPlatform, model.SourceEntry, model.Platform,
    model.Metric, model.Fact, model.Feature, playbook.Fit, playbook.Role, playbook.Tactic,
    playbook.Kpi, playbook.Risk, model.Article, model.ArticleMeta, ChartSpec, Bar,
]  # fmt: skip


def render(root: Path) -> str:
    """The whole reference, with examples from the sample client on a fixed date."""
    theme = resolve("default", root)
    jobs = _sample_templates(root, theme)
    parts = [
        "# Template reference\n",
        "Generated from the models and the default templates by `briefing schemas` (`make "
        "schemas`); do not edit by hand: a test fails when it is out of date. Examples are "
        f"from the sample client `{SAMPLE_CLIENT}`.\n",
        'A theme\'s template may `{% extends "<theme>/<file>" %}` any theme of its chain '
        "and override only the blocks it changes; `{{ super() }}` keeps the parent's block. "
        "`briefing theme check NAME` renders a theme's templates against a sample client and "
        "reports undefined names, unknown filters and syntax errors with file and line.\n",
        _templates_section(theme, jobs),
        _variables_section(jobs),
        _filters_section(),
        _models_section(),
    ]
    return "\n".join(parts)


def write(root: Path) -> Path:
    path = root / "docs" / "templates.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(render(root), encoding="utf-8")
    return path


Job = tuple[templating.TemplateKind, str, dict[str, Any]]  # (escaping, template, context)


def _sample_templates(root: Path, theme: Theme) -> list[Job]:
    """Every template with the context it is rendered with, for the sample client."""
    from briefing.assemble import assemble
    from briefing.project.load import load_project
    from briefing.project.validate import validate
    from briefing.render import every_template, sample_attachments

    kb, _ = validate(load_project(root))
    briefing = assemble(kb, SAMPLE_CLIENT, today=SAMPLE_DATE)
    return every_template(briefing, theme, sample_attachments(SAMPLE_CLIENT))


def _templates_section(theme: Theme, jobs: list[Job]) -> str:
    lines = ["## Templates, their variables and blocks\n"]
    lines += ["| template | variables | blocks, in order |", "|---|---|---|"]
    env = templating.environment(theme, "text")
    for _, name, context in jobs:
        source = theme.read_text(theme.find(name))
        blocks = [b.name for b in env.parse(source).find_all(nodes.Block)]
        names = ", ".join(f"`{v}`" for v in context)
        lines.append(f"| `{name}` | {names} | {', '.join(blocks) or '—'} |")
    return "\n".join(lines) + "\n"


def _variables_section(jobs: list[Job]) -> str:
    lines = ["## Variables\n", "| variable | type | what it is | example |", "|---|---|---|---|"]
    merged: dict[str, Any] = {}
    for _, _, context in jobs:
        merged |= context
    for name, value in merged.items():
        kind = "function" if callable(value) and not isinstance(value, type) else None
        kind = kind or _value_type(value)
        example = "" if name in ("chart_svg", "attachments") else _example(value)
        lines.append(f"| `{name}` | {kind} | {MEANING[name]} | {example} |")
    return "\n".join(lines) + "\n"


def _filters_section() -> str:
    lines = ["## Filters\n", "| filter | what it does |", "|---|---|"]
    for name, function in sorted(filters.FILTERS.items()):
        doc = (inspect.getdoc(function) or "").split("\n")[0].replace("|", "\\|")
        lines.append(f"| `{name}` | {doc} |")
    lines.append("\nJinja's built-in filters (`join`, `map`, `selectattr`, `sort`, …) work too.")
    return "\n".join(lines) + "\n"


def _models_section() -> str:
    lines = ["## Objects and their fields\n"]
    for cls in MODELS:
        doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "").split("\n")[0]
        lines += [
            f"### {cls.__name__}\n",
            doc + "\n" if doc else "",
            "| field | type |",
            "|---|---|",
        ]
        for field, info in cls.model_fields.items():
            typed = "Plan" if (cls, field) == (model.Briefing, "plan") else None
            lines.append(f"| `{field}` | {typed or _type_name(info.annotation)} |")
        extras = [n for n, v in vars(cls).items() if isinstance(v, property)]
        extras += [
            n for n, v in vars(cls).items() if inspect.isfunction(v) and not n.startswith("_")
        ]
        if extras:
            lines.append("\nAlso: " + ", ".join(f"`{e}`" for e in extras) + ".")
        lines.append("")
    return "\n".join(lines)


def _type_name(annotation: Any) -> str:
    """A readable type: ``list[Metric]``, ``str or None``, ``'a' or 'b'``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " or ".join(f"'{a}'" for a in args)
    if origin in (list, dict, tuple):
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "object"
    if isinstance(annotation, typing.ForwardRef):  # a model not rebuilt yet in this process
        return annotation.__forward_arg__.replace(" | ", " or ")
    return getattr(annotation, "__name__", str(annotation)).replace("|", "or")


def _value_type(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        inner = type(value[0]).__name__ if value else "…"
        return f"list[{inner}]"
    return type(value).__name__


def _example(value: Any) -> str:
    if isinstance(value, BaseModel) or (
        isinstance(value, list) and value and not isinstance(value[0], str)
    ):
        return ""
    if isinstance(value, dict):
        text = ", ".join(str(k) for k in list(value)[:4]) + (", …" if len(value) > 4 else "")
        return f"keys: {text}".replace("|", "\\|")
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "…"
    return f"`{text}`".replace("|", "\\|")
