"""JSON Schemas of the data and theme files, generated from the models, for YAML editors."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from briefing.project.model import ArticleMeta, Client, Platform
from briefing.project.playbook import Industry
from briefing.project.reference import AssumptionFile, BenchmarkFile, CalendarFile, FxFile
from briefing.render.plan_json import PlanData
from briefing.themes.theme import ThemeFile

SCHEMAS: dict[str, type[BaseModel]] = {
    "client": Client,
    "industry": Industry,
    "platform": Platform,
    "article": ArticleMeta,
    "theme": ThemeFile,
    "benchmarks": BenchmarkFile,
    "assumptions": AssumptionFile,
    "calendar": CalendarFile,
    "fx": FxFile,
    "plan": PlanData,  # the plan JSON every build writes (out/<id>/<id>-plan.json)
}


def render_schemas() -> dict[str, str]:
    """File name -> JSON text of every schema."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{name}.schema.json",
            **schema,
        }
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def write_schemas(root: Path) -> list[Path]:
    folder = root / "schemas"
    folder.mkdir(exist_ok=True)
    written = []
    for filename, text in render_schemas().items():
        (folder / filename).write_text(text, encoding="utf-8")
        written.append(folder / filename)
    return written
