"""Figures from a spreadsheet into data/platforms/*.yaml, keeping comments and order.

Columns: platform, metric, value, unit, as_of, source, url, confidence. A row with the same
platform, metric and as_of as a stored figure replaces it; any other as_of adds a figure, so
the earlier ones stay as history (the outputs show the newest of each name).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from briefing import files, load, output, validate
from briefing.errors import DataError, Problem
from briefing.model import Confidence, metric_id

COLUMNS = ("platform", "metric", "value", "unit", "as_of", "source", "url", "confidence")


@dataclass(frozen=True)
class Row:
    line: int
    platform: str
    metric: dict[str, Any]


@dataclass(frozen=True)
class Change:
    platform: str
    action: str  # "replace" or "add"
    old: dict[str, Any] | None
    new: dict[str, Any]

    def __str__(self) -> str:
        new = _describe(self.new)
        if self.action == "replace" and self.old is not None:
            return f"{self.platform}: replace {_describe(self.old)} -> {new}"
        return f"{self.platform}: add {new}"


def read_rows(path: Path, root: Path, known: set[str]) -> list[Row]:
    """Every row checked; all problems raised together as ``FILE.csv:line: column: problem``."""
    shown = files.display(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(shown, f"cannot be read as UTF-8 text ({exc})")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError([Problem(shown, f"missing column(s): {', '.join(missing)}", 1)])
    rows, problems = [], []
    for record in reader:
        line = reader.line_num
        metric, found = _check(record, known)
        problems += [Problem(shown, message, line, None, column) for column, message in found]
        if not found:
            rows.append(Row(line, record["platform"].strip(), metric))
    if problems:
        raise DataError(problems, what=shown)
    return rows


def _check(record: dict[str, str], known: set[str]) -> tuple[dict[str, Any], list[tuple]]:
    values = {c: (record.get(c) or "").strip() for c in COLUMNS}
    problems = [(c, "is empty") for c in COLUMNS if not values[c] and c != "url"]
    if values["platform"] and values["platform"] not in known:
        hint = validate.suggest(values["platform"], known)
        problems.append(("platform", f"unknown platform '{values['platform']}'{hint}"))
    metric: dict[str, Any] = {}
    try:
        value = float(values["value"].replace(",", ""))
        if not math.isfinite(value) or value < 0:
            raise ValueError
        metric["value"] = int(value) if value.is_integer() else value
    except ValueError:
        if values["value"]:
            problems.append(("value", f"'{values['value']}' is not a number of 0 or more"))
    try:
        metric["as_of"] = dt.date.fromisoformat(values["as_of"])
    except ValueError:
        if values["as_of"]:
            problems.append(("as_of", f"'{values['as_of']}' is not a date (YYYY-MM-DD)"))
    if values["confidence"] and values["confidence"] not in get_args(Confidence):
        allowed = ", ".join(get_args(Confidence))
        problems.append(("confidence", f"'{values['confidence']}' is not one of: {allowed}"))
    if values["url"] and not values["url"].startswith(("https://", "http://")):
        problems.append(("url", f"'{values['url']}' is not a web address"))
    metric = {
        "id": metric_id(values["metric"], metric.get("as_of")),
        "name": values["metric"],
        "value": metric.get("value"),
        "unit": values["unit"],
        "as_of": metric.get("as_of"),
        "source": values["source"],
        **({"url": values["url"]} if values["url"] else {}),
        "confidence": values["confidence"],
    }
    return metric, problems


def plan(rows: list[Row], root: Path) -> tuple[list[Change], dict[str, Any]]:
    """The changes, and each changed platform's round-trip document with them applied."""
    yaml = _yaml()
    documents: dict[str, Any] = {}
    changes = []
    for row in rows:
        if row.platform not in documents:
            path = root / "data/platforms" / f"{row.platform}.yaml"
            documents[row.platform] = yaml.load(path.read_text(encoding="utf-8"))
        metrics = documents[row.platform].setdefault("metrics", [])
        same = next(
            (
                i
                for i, m in enumerate(metrics)
                if m.get("name") == row.metric["name"] and m.get("as_of") == row.metric["as_of"]
            ),
            None,
        )
        entry = CommentedMap(row.metric)
        if same is None:
            metrics.append(entry)
            changes.append(Change(row.platform, "add", None, row.metric))
        else:
            old = dict(metrics[same])
            entry["id"] = metrics[same].get("id", entry["id"])  # translations refer to it
            for key in ("quote", "note"):  # kept unless the sheet says otherwise
                if key in metrics[same]:
                    entry[key] = metrics[same][key]
            metrics[same] = entry
            changes.append(Change(row.platform, "replace", old, row.metric))
    return changes, documents


def write(documents: dict[str, Any], root: Path) -> list[Path]:
    """Check every changed file as the build would read it, then write them all."""
    yaml = _yaml()
    texts = {}
    problems = []
    for pid, document in documents.items():
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        path = root / "data/platforms" / f"{pid}.yaml"
        doc = load.Document(path=path, rel=files.display(path, root))
        load.parse_yaml(buffer.getvalue(), doc)
        problems += validate.document_problems(doc, "platforms")
        texts[path] = buffer.getvalue()
    if problems:
        raise DataError(problems, what="the imported figures")
    for path, text in texts.items():
        output.write_atomic(path, text.encode("utf-8"))
    return list(texts)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting survive
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _describe(metric: dict[str, Any]) -> str:
    return (
        f"{metric['name']} = {metric['value']:,} {metric['unit']} as of {metric['as_of']} "
        f"({metric['confidence']}, {metric['source']})"
    )
