"""Language editions of data/: the text of a file in another language, in a sibling file.

``data/platforms/wechat.zh-CN.yaml`` holds the text fields of ``wechat.yaml`` in Simplified
Chinese, under the same keys; items of a list are matched by their ``id`` (never by position),
mappings keyed by ids (``fit``, ``roles``) by their keys, and a list of plain names
(``cities``) by a mapping from each name to its translation. Articles are translated whole, as
``<slug>.zh-CN.md`` (front matter ``title`` and ``summary``, then the body).

``overlay(project, lang)`` returns the project as that edition reads it: each document's text
replaced by its translation, positions pointing into the sibling so a problem with a translated
value names the sibling's line. Missing translations, unknown keys or ids, values that are not
text and siblings with no base file are problems, all reported at once.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

from briefing.errors import Problem
from briefing.project.layout import SINGLES, data_path, record_prefix
from briefing.project.load import Document, KeyPath, Project, field_name
from briefing.settings import LANGUAGES, unsupported_language

SOURCE = "en"

TEXT = "text"  # a translatable text field
NAMES = "names"  # a list of plain names, translated by a mapping name -> translation
ROLE = {"awareness": TEXT, "consideration": TEXT, "conversion": TEXT, "loyalty": TEXT}
FIT = {"rationale": TEXT}
TACTIC = {"text": TEXT, "short": TEXT}
RISK = {"risk": TEXT, "mitigation": TEXT}
PLAYBOOK = {
    "name": TEXT,
    "summary": TEXT,
    "fit": {"*": FIT},
    "roles": {"*": ROLE},
    "tactics": [TACTIC],
    "risks": [RISK],
}
CONTACT = {"title": TEXT}
SPECS: dict[str, dict[str, Any]] = {  # what each kind's sibling may hold; [spec]: list by id
    "platforms": {
        "owner": TEXT,
        "tagline": TEXT,
        "summary": TEXT,
        "audience": TEXT,
        "watch": TEXT,
        "replaced_by": TEXT,
        "features": [{"name": TEXT, "description": TEXT}],
        "facts": [{"statement": TEXT, "source": TEXT}],
        "metrics": [{"name": TEXT, "unit": TEXT, "note": TEXT, "source": TEXT}],
    },
    "industries": {
        **PLAYBOOK,
        "kpis": [{"name": TEXT, "unit": TEXT, "owner_role": TEXT, "benchmark": {"unit": TEXT}}],
        "segments": [PLAYBOOK],
    },
    "clients": {
        "name": TEXT,
        "short_name": TEXT,
        "contact": CONTACT,
        "account_manager": CONTACT,
        "goals": [{"goal": TEXT, "target": {"unit": TEXT}}],
        "cities": NAMES,
        "competitors": [{"name": TEXT, "note": TEXT, "presence": [{"activity": TEXT}]}],
        "notes": TEXT,
    },
    "articles": {"title": TEXT, "summary": TEXT, "author": TEXT},
    "benchmarks": {"benchmarks": [{"name": TEXT, "note": TEXT, "unit": TEXT}]},
    "assumptions": {"assumptions": [{"name": TEXT, "rationale": TEXT, "unit": TEXT}]},
    "calendar": {"moments": [{"name": TEXT, "note": TEXT}]},
    "fx": {"rates": [{"source": TEXT}]},  # codes and numbers stay; a source may be translated
}
# Text a translation may leave in the source language (names of people and brands; a source
# line is often a publisher and a date, but its notes read better translated).
OPTIONAL: dict[str, set[tuple[str, ...]]] = {
    "platforms": {("facts", "source"), ("metrics", "source")},
    "fx": {("rates", "source")},
    "clients": {("name",), ("short_name",), ("competitors", "name")},
    "articles": {("author",)},
}
# items named by another field
ID_DEFAULTS = {"goals": "kpi", "presence": "platform", "rates": "currency"}


def in_scope(problems: list[Problem], kb: Any, lang: str) -> list[Problem]:
    """The problems of files some client's ``lang`` edition reads: every platform and article,
    and the clients listing ``lang`` in `editions` with their industries."""
    clients = {cid for cid, c in kb.clients.items() if lang in c.editions}
    industries = {kb.clients[cid].industry for cid in clients}
    read = (
        *(record_prefix(kind) for kind in ("platforms", "articles", "benchmarks", *SINGLES)),
        *(record_prefix("clients", cid) for cid in clients),
        *(record_prefix("industries", name) for name in industries),
    )
    return [p for p in problems if p.path.startswith(read)]


def sibling_name(stem: str, lang: str) -> str:
    return f"{stem}.{lang}"


def overlay(
    project: Project, lang: str, allow_missing: bool = False
) -> tuple[Project, list[Problem], list[str]]:
    """The project in ``lang``, its translation problems, and (with ``allow_missing``) the
    warnings for text left in English."""
    if lang == SOURCE:
        return project, [], []
    problems: list[Problem] = []
    missing: list[Problem] = []
    documents: dict[str, dict[str, Document]] = {}
    for kind, docs in project.documents.items():
        documents[kind] = {}
        siblings = project.siblings.get(kind, {})
        for stem, sibling in siblings.items():
            base, _, sibling_lang = stem.rpartition(".")
            if sibling_lang not in LANGUAGES or sibling_lang == SOURCE:
                problems.append(
                    Problem(sibling.rel, f"{unsupported_language(sibling_lang)}: rename the file "
                            "or remove it")
                )  # fmt: skip
            elif base not in docs:
                problems.append(
                    Problem(sibling.rel, f"a translation of {base}, but there is no "
                            f"{data_path(kind, base)}: rename it or remove it")
                )  # fmt: skip
        for stem, doc in docs.items():
            own = siblings.get(sibling_name(stem, lang))
            merged, found, gaps = translated(kind, doc, own, lang)
            documents[kind][stem] = merged
            problems += found
            missing += gaps
    if allow_missing:
        warnings = [f"{p} (English used)" for p in missing]
        return replace(project, documents=documents), problems, warnings
    return replace(project, documents=documents), problems + missing, []


def translated(
    kind: str, doc: Document, sibling: Document | None, lang: str
) -> tuple[Document, list[Problem], list[Problem]]:
    """``doc`` with its text in ``lang``; the problems; the missing translations."""
    if doc.problem is not None or not isinstance(doc.data, dict):
        return doc, [], []  # the base file's own problem is reported by validation
    expected = doc.rel.rsplit(".", 1)[0] + f".{lang}{'.md' if kind == 'articles' else '.yaml'}"
    if sibling is None:
        wanted = _texts(doc.data, SPECS[kind], (), kind)
        if not wanted and not (kind == "articles" and doc.body.strip()):
            return doc, [], []
        gap = Problem(
            doc.rel,
            f"no {lang} translation: {expected} does not exist (the {lang} edition needs it; "
            f"the English edition alone builds with --lang en)",
        )
        return doc, [], [gap]
    if sibling.problem is not None:
        return doc, [sibling.problem], []
    merger = _Merger(kind, doc, sibling, lang)
    data = merger.merge(doc.data, sibling.data or {}, SPECS[kind], (), ())
    if kind == "platforms" and isinstance(data.get("name_zh"), str):
        # The edition names a platform as its readers do: 微信 (WeChat), its English name aside.
        data = {**data, "name": data["name_zh"], "name_zh": data["name"]}
    merged = copy.copy(doc)
    merged.data = data
    merged.values = {
        **doc.values,
        **{loc: sibling.values[at] for loc, at in merger.placed.items() if at in sibling.values},
    }
    merged.translated = {**doc.translated, **dict.fromkeys(merger.placed, sibling.rel)}
    merged.digest = doc.digest + sibling.digest  # the edition changes when either file does
    if kind == "articles":
        if not sibling.body.strip():
            line = sibling.body_line
            merger.problems.append(Problem(sibling.rel, "the article's text is missing", line))
        merged.body, merged.body_line = sibling.body, sibling.body_line
        merged.translated[("body",)] = sibling.rel
    return merged, merger.problems, merger.missing


def _texts(data: Any, spec: Any, loc: KeyPath, kind: str) -> list[KeyPath]:
    """Where the base data holds text the spec says must be translated."""
    found: list[KeyPath] = []
    if spec == TEXT:
        return [loc] if isinstance(data, str) and not _optional(kind, loc) else []
    if spec == NAMES:
        return [loc] if data else []
    if isinstance(spec, list) and isinstance(data, list):
        for i, item in enumerate(data):
            found += _texts(item, spec[0], (*loc, i), kind)
    elif isinstance(spec, dict) and isinstance(data, dict):
        for key, value in data.items():
            inner = spec.get(key, spec.get("*"))
            if inner is not None:
                found += _texts(value, inner, (*loc, key), kind)
    return found


def _optional(kind: str, loc: KeyPath) -> bool:
    named = tuple(part for part in loc if isinstance(part, str))
    return named in OPTIONAL.get(kind, set())


class _Merger:
    """Walks a base document and its sibling together, collecting what does not match. ``loc``
    is a place in the base (and merged) data, ``at`` the same place in the sibling: list
    items may stand in another order there."""

    def __init__(self, kind: str, doc: Document, sibling: Document, lang: str) -> None:
        self.kind, self.doc, self.sibling, self.lang = kind, doc, sibling, lang
        self.problems: list[Problem] = []
        self.missing: list[Problem] = []
        self.placed: dict[KeyPath, KeyPath] = {}  # merged place -> the sibling's place

    def problem(self, at: KeyPath, message: str, *, key: bool = False) -> None:
        line, col = self.sibling.where(at, key=key)
        self.problems.append(Problem(self.sibling.rel, message, line, col, field_name(at) or None))

    def gap(self, loc: KeyPath) -> None:
        line, col = self.doc.where(loc)
        self.missing.append(
            Problem(self.doc.rel, f"no {self.lang} translation in {self.sibling.rel}",
                    line, col, field_name(loc))
        )  # fmt: skip

    def gaps(self, base: Any, spec: Any, loc: KeyPath) -> None:
        for where in _texts(base, spec, loc, self.kind):
            self.gap(where)

    def merge(self, base: Any, other: Any, spec: Any, loc: KeyPath, at: KeyPath) -> Any:
        if spec == TEXT:
            return self.text(base, other, loc, at)
        if spec == NAMES:
            return self.names(base, other, loc, at)
        if isinstance(spec, list):
            return self.items(base, other, spec[0], loc, at)
        return self.mapping(base, other, spec, loc, at)

    def text(self, base: Any, other: Any, loc: KeyPath, at: KeyPath) -> Any:
        if not isinstance(other, str) or not other.strip():
            self.problem(at, "expected the translated text")
            return base
        self.placed[loc] = at
        return other

    def names(self, base: Any, other: Any, loc: KeyPath, at: KeyPath) -> Any:
        if not isinstance(other, dict) or not isinstance(base, list):
            self.problem(at, "expected a mapping from each name to its translation")
            return base
        for name in other:
            if name not in base:
                self.problem((*at, name), f"'{name}' is not in {field_name(loc)}", key=True)
        for name, text in other.items():
            if name in base and (not isinstance(text, str) or not text.strip()):
                self.problem((*at, name), f"'{name}': expected its translation")
        for i, name in enumerate(base):
            if name not in other:
                self.gap((*loc, i))
        for i, name in enumerate(base):
            if name in other:
                self.placed[(*loc, i)] = (*at, name)
        return [
            other[name] if isinstance(other.get(name), str) and other[name].strip() else name
            for name in base
        ]

    def mapping(self, base: Any, other: Any, spec: dict, loc: KeyPath, at: KeyPath) -> Any:
        if not isinstance(other, dict) or not isinstance(base, dict):
            self.problem(at, "expected a mapping, like the base file's")
            return base
        merged = dict(base)
        for key, value in other.items():
            inner = spec.get(key, spec.get("*") if key in base else None)
            if inner is None:
                self.unknown(key, spec, base, at)
            elif key not in base or base[key] is None:
                self.problem((*at, key), f"{self.doc.rel} has no '{key}' here", key=True)
            else:
                merged[key] = self.merge(base[key], value, inner, (*loc, key), (*at, key))
        for key, value in base.items():
            inner = spec.get(key, spec.get("*"))
            if inner is not None and key not in other:
                self.gaps(value, inner, (*loc, key))
        return merged

    def unknown(self, key: Any, spec: dict, base: dict, at: KeyPath) -> None:
        if key in base or key == "id":
            message = f"'{key}' is not text to translate: it stays as in {self.doc.rel}"
        elif "*" in spec:
            message = f"'{key}' is not one of the platforms {self.doc.rel} has here"
        else:
            known = ", ".join(k for k in spec if k != "*")
            message = f"unknown field '{key}' (translatable here: {known})"
        self.problem((*at, key), message, key=True)

    def items(self, base: Any, other: Any, spec: dict, loc: KeyPath, at: KeyPath) -> Any:
        if not isinstance(other, list) or not isinstance(base, list):
            self.problem(at, "expected a list of items, each with the id of a base item")
            return base
        ids = {_item_id(item, loc): i for i, item in enumerate(base) if _item_id(item, loc)}
        for i, item in enumerate(base):
            if not _item_id(item, loc) and _texts(item, spec, (*loc, i), self.kind):
                line, col = self.doc.where((*loc, i))
                self.problems.append(
                    Problem(self.doc.rel, "this item needs an id for its translation to name",
                            line, col, field_name((*loc, i)))
                )  # fmt: skip
        given: dict[Any, int] = {}
        for j, item in enumerate(other):
            ident = item.get("id") if isinstance(item, dict) else None
            if ident is not None and not isinstance(ident, str | int):
                self.problem((*at, j, "id"), "expected the id of a base item (a plain word)")
            elif ident is None:
                self.problem((*at, j), "each item needs the id of the item it translates")
            elif ident not in ids:
                known = ", ".join(str(k) for k in ids if k) or "none"
                self.problem((*at, j, "id"), f"unknown id '{ident}' (ids here: {known})")
            elif ident in given:
                self.problem((*at, j, "id"), f"id '{ident}' is translated twice")
            else:
                given[ident] = j
        merged = []
        for ident, i in ids.items():
            if ident in given:
                j = given[ident]
                fields = {k: v for k, v in other[j].items() if k != "id"}
                merged.append(self.merge(base[i], fields, spec, (*loc, i), (*at, j)))
            else:
                self.gaps(base[i], spec, (*loc, i))
                merged.append(base[i])
        return merged


def _item_id(item: Any, loc: KeyPath) -> Any:
    if not isinstance(item, dict):
        return None
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    return item.get("id") or item.get(ID_DEFAULTS.get(field, ""))


HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Latin word of two or more letters with a lowercase one ('WeChat', 'Trip.com'): 'B站',
# 'UP主', 'BOSS直聘' and '蓝V' are written solid, as Chinese writers do.
_WORD = r"[A-Za-z][A-Za-z.'&-]*[a-z][A-Za-z.'&-]*"
_SPACE_BETWEEN = re.compile(rf"(?<=[{HAN}])(?={_WORD})|(?<=[a-z])(?=[{HAN}])")
_NO_SPACE = re.compile(rf"(?<=[{HAN}])[ \u00a0]+(?=[0-9])|(?<=[0-9%])[ \u00a0]+(?=[{HAN}])")


def tidy_spacing(text: str) -> str:
    """One rule for space between Chinese and Latin text in an edition: a space between
    Chinese and a Latin word ('使用微信 WeChat 小程序'), none between Chinese and a figure
    ('14亿', '2026年11月')."""
    return _NO_SPACE.sub("", _SPACE_BETWEEN.sub(" ", text))
