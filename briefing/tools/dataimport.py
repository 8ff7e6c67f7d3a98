"""Figures from a spreadsheet into data/platforms/*.yaml, keeping comments and order.

Columns: platform, metric, value, unit, as_of, source, url, confidence. A row with the same
platform, metric and as_of as a stored figure replaces it; any other as_of adds a figure, so
the earlier ones stay as history (the outputs show the newest of each name).

Numbers are read strictly: a comma separates thousands (1,234,567) and a point decimals; with
``decimal_comma`` the other way round (1.234.567,5). "3,5" is refused as ambiguous, never read
as 35. A sheet, and every file it changes, stays within the loader's limits; a new figure of a
platform with translations gets its translated name and unit (reused from an earlier figure
of the same name and unit, or written in English to translate, and reported).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from briefing import files
from briefing.build import publish as output
from briefing.errors import DataError, Problem, relative
from briefing.project import load, validate
from briefing.project.layout import data_path
from briefing.project.model import Confidence, metric_id
from briefing.settings import LANGUAGES

COLUMNS = ("platform", "metric", "value", "unit", "as_of", "source", "url", "confidence")
MAX_SHEET = 5 * files.MB  # a CSV of figures (10,000 rows are ~1.5 MB)
MAX_ROWS = 10_000
NUMBER = {  # (thousands separator, decimal mark) -> the forms accepted
    False: re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?"),
    True: re.compile(r"\d+(,\d+)?|\d{1,3}(\.\d{3})+(,\d+)?"),
}


@dataclass(frozen=True)
class Row:
    line: int
    platform: str
    metric: dict[str, Any]
    sheet: str = ""  # the CSV, as the user knows it


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


def read_rows(
    path: Path, root: Path, known: set[str], today: dt.date, decimal_comma: bool = False
) -> list[Row]:
    """Every row checked; all problems raised together as ``FILE.csv:line: column: problem``."""
    shown = relative(path, root)
    reader = csv.DictReader(io.StringIO(_read_sheet(path, shown)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError([Problem(shown, f"missing column(s): {', '.join(missing)}", 1)])
    rows: list[Row] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}  # (platform, id) -> line, name
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            raise DataError([Problem(shown, f"more than {MAX_ROWS:,} rows; split the sheet")])
        metric, found = _check(record, known, today, decimal_comma)
        if not found:
            found = _duplicate(record["platform"].strip(), metric, line, seen)
        problems += [Problem(shown, message, line, None, column) for column, message in found]
        if not found:
            rows.append(Row(line, record["platform"].strip(), metric, shown))
    if problems:
        raise DataError(problems, what=shown)
    return rows


def _read_sheet(path: Path, shown: str) -> str:
    """The sheet's text: a regular file, within the size limit, UTF-8 (a BOM allowed)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DataError([Problem(shown, "is not a regular file (a pipe, device or folder)")])
        if info.st_size > MAX_SHEET:
            raise DataError(
                [Problem(shown, f"is {info.st_size / files.MB:.1f} MB, over the "
                         f"{MAX_SHEET // files.MB} MB a sheet of figures may be; split it")]
            )  # fmt: skip
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(shown, f"cannot be read as UTF-8 text ({exc})")]) from None


def _duplicate(
    platform: str, metric: dict[str, Any], line: int, seen: dict[tuple[str, str], tuple[int, str]]
) -> list[tuple]:
    """A second row for the same figure (or one whose id would collide) is refused: the last
    row used to win silently."""
    key = (platform, metric["id"])
    if key not in seen:
        seen[key] = (line, metric["name"])
        return []
    first, name = seen[key]
    if name == metric["name"]:
        return [("metric", f"same platform, metric and as_of as line {first}")]
    return [("metric", f"'{metric['name']}' gets the id '{metric['id']}', as '{name}' on line "
             f"{first} does; name them apart")]  # fmt: skip


def _number(text: str, decimal_comma: bool) -> float:
    """A figure as a spreadsheet writes it; ValueError if it is not one, or is ambiguous."""
    if not NUMBER[decimal_comma].fullmatch(text):
        raise ValueError
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    return float(text.replace(thousands, "").replace(decimal, "."))


def _check(
    record: dict[str, str], known: set[str], today: dt.date, decimal_comma: bool = False
) -> tuple[dict[str, Any], list[tuple]]:
    values = {c: (record.get(c) or "").strip() for c in COLUMNS}
    problems = [(c, "is empty") for c in COLUMNS if not values[c] and c != "url"]
    if values["platform"] and values["platform"] not in known:
        hint = validate.suggest(values["platform"], known)
        problems.append(("platform", f"unknown platform '{values['platform']}'{hint}"))
    metric: dict[str, Any] = {}
    try:
        value = _number(values["value"], decimal_comma)
        if not math.isfinite(value) or value < 0:
            raise ValueError
        metric["value"] = int(value) if value.is_integer() else value
    except ValueError:
        if values["value"]:
            problems.append(("value", _not_a_number(values["value"], decimal_comma)))
    try:
        metric["as_of"] = dt.date.fromisoformat(values["as_of"])
        if metric["as_of"] > today:
            problems.append(("as_of", f"{values['as_of']} is after today ({today})"))
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


def _not_a_number(text: str, decimal_comma: bool) -> str:
    if not decimal_comma and re.fullmatch(r"\d+(,\d+)+", text):
        return (
            f"'{text}' is ambiguous: a comma here separates thousands (1,234,567); for a "
            "decimal comma (3,5) import with --decimal-comma"
        )
    return f"'{text}' is not a number of 0 or more"


def plan(rows: list[Row], root: Path) -> tuple[list[Change], dict[str, Any]]:
    """The changes, and each changed platform's round-trip document with them applied."""
    yaml = _yaml()
    documents: dict[str, Any] = {}
    changes = []
    for row in rows:
        if row.platform not in documents:
            path = root / data_path("platforms", row.platform)
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
            _unique_id(metrics, row)
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


def _unique_id(metrics: list[Any], row: Row) -> None:
    """A new figure's id must not be a stored figure's (translations match items by id)."""
    taken = next((m for m in metrics if m.get("id") == row.metric["id"]), None)
    if taken is not None:
        raise DataError(
            [Problem(row.sheet, f"'{row.metric['name']}' gets the id "
                     f"'{row.metric['id']}', which {row.platform}'s '{taken.get('name')}' "
                     f"({taken.get('as_of')}) has; name them apart", row.line,
                     field="metric")],
            what=row.sheet,
        )  # fmt: skip


def translations(changes: list[Change], root: Path) -> tuple[dict[Path, Any], list[str]]:
    """Each translation file (``<platform>.<lang>.yaml``) a new figure needs an entry in, with
    it added, and a line per entry: the name and unit reused from an earlier figure of the
    same name and unit, or written in English to translate (the edition builds meanwhile)."""
    yaml, siblings, notes = _yaml(), {}, []
    for change in (c for c in changes if c.action == "add"):
        base = root / data_path("platforms", change.platform)
        for lang in (lang for lang in LANGUAGES if lang != "en"):
            path = root / data_path("platforms", change.platform, lang)
            if not path.is_file():
                continue
            if path not in siblings:
                siblings[path] = yaml.load(path.read_text(encoding="utf-8"))
            entry, note = _translation(change, lang, siblings[path], base, root)
            siblings[path].setdefault("metrics", []).append(entry)
            notes.append(f"{relative(path, root)}: {note}")
    return siblings, notes


def _translation(
    change: Change, lang: str, sibling: Any, base: Path, root: Path
) -> tuple[CommentedMap, str]:
    new = change.new
    stored = {m.get("id"): m for m in _yaml().load(base.read_text("utf-8")).get("metrics", [])}
    for item in sibling.get("metrics", []):
        earlier = stored.get(item.get("id"), {})
        if earlier.get("name") == new["name"] and earlier.get("unit") == new["unit"]:
            entry = CommentedMap(id=new["id"], name=item.get("name"), unit=item.get("unit"))
            return entry, f"{new['id']}: the {lang} name and unit of {item.get('id')}, reused"
    entry = CommentedMap(id=new["id"], name=new["name"], unit=new["unit"])
    entry.yaml_add_eol_comment(f"untranslated: write it in {lang}", "id")
    return entry, (
        f"{new['id']}: '{new['name']}' ({new['unit']}) written in English: translate it there "
        f"(until then the {lang} edition shows it in English)"
    )


def write(
    documents: dict[str, Any], root: Path, siblings: dict[Path, Any] | None = None
) -> list[Path]:
    """Check every changed file as the build would read it (its schema, the loader's size
    limit), then write them all; nothing is written if any would fail."""
    yaml = _yaml()
    texts = {}
    problems = []
    for pid, document in documents.items():
        path = root / data_path("platforms", pid)
        doc = load.Document(path=path, rel=relative(path, root))
        texts[path] = _dump(yaml, document)
        load.parse_yaml(texts[path], doc)
        problems += validate.document_problems(doc, "platforms")
    for path, document in (siblings or {}).items():
        texts[path] = _dump(yaml, document)
    for path, text in texts.items():
        size, limit = len(text.encode("utf-8")), files.LIMITS["data"]
        if size > limit:
            problems.append(
                Problem(relative(path, root), f"would be {size / files.MB:.1f} MB, over "
                        f"the {limit // files.MB} MB the loader reads; import fewer figures")
            )  # fmt: skip
    if problems:
        raise DataError(problems, what="the imported figures")
    for path, text in texts.items():
        output.write_atomic(path, text.encode("utf-8"))
    return list(texts)


def _dump(yaml: YAML, document: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


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
