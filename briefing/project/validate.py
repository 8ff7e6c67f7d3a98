"""Schema and cross-reference checks; every problem is collected, nothing raises midway."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefing.errors import Problem
from briefing.project import articles, images, playbook_checks, reference_checks
from briefing.project.fields import SLUG_PATTERN, not_a_slug
from briefing.project.knowledge import KnowledgeBase
from briefing.project.load import Document, KeyPath, Project, field_name
from briefing.project.model import Article, ArticleMeta, Client, Platform
from briefing.project.playbook import Industry
from briefing.project.reference import (
    AssumptionFile,
    BenchmarkFile,
    CalendarFile,
    FxFile,
)

_MODELS: dict[str, type[BaseModel]] = {
    "clients": Client,
    "industries": Industry,
    "platforms": Platform,
    "articles": ArticleMeta,
    "benchmarks": BenchmarkFile,
    "assumptions": AssumptionFile,
    "calendar": CalendarFile,
    "fx": FxFile,
}


def suggest(word: str, choices: Iterable[object]) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def model_problems(doc: Document, exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Map pydantic errors to the YAML positions of the fields they name."""
    problems = []
    errors = exc.errors(include_url=False)
    branches = {_untag(e["loc"]) for e in errors if _untag(e["loc"]) != tuple(e["loc"])}
    for err in errors:
        loc = _untag(err["loc"])
        last = err["loc"][-1] if err["loc"] else None
        scalar_branch = isinstance(last, str) and (last in _SCALAR_TAGS or "str" in last)
        if scalar_branch and any(b[: len(loc)] == loc and b != loc for b in branches):
            continue  # "not a string" from the plain-text branch of a mapping item: noise
        if err["type"] == "model_type" and isinstance(err.get("input"), str):
            continue  # "not a mapping" from the mapping branch of a plain-text item: noise
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _known_fields(model, loc[:-1])
            message = f"unknown field '{loc[-1]}'{suggest(loc[-1], known)}"
            line, col = doc.where(loc, key=True)
        elif kind == "missing":
            meaning = _description(model, loc)
            message = "required field is missing" + (f" (expected: {meaning})" if meaning else "")
            line, col = doc.where(loc[:-1])
        else:
            message = _message(err)
            line, col = doc.where(loc)
        problems.append(Problem(doc.file_for(loc), message, line, col, field_name(loc) or None))
    return sorted(problems, key=lambda p: (p.line or 0, p.col or 0))


_SCALAR_TAGS = {"str", "int", "float", "bool"}


def _untag(loc: tuple) -> tuple:
    """The field path without pydantic's union-branch tags ('Goal', 'str') and index labels."""
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and ("[" in p or p in _SCALAR_TAGS or p[:1].isupper()))
    )


def _message(err: ErrorDetails) -> str:
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch" and err["ctx"].get("pattern") == SLUG_PATTERN:
        return not_a_slug(str(err["input"]), "an id") or msg
    if err["type"] == "literal_error":
        return f"got {err['input']!r}; {msg.lower()}"
    if err["type"].endswith("_type") and err.get("input", "") is None:
        return f"no value given ({msg[:1].lower()}{msg[1:]})"  # a scaffold's empty field
    if err["type"].endswith("_type") or err["type"].endswith("_parsing"):
        return f"{msg} (got {err['input']!r})"
    return msg


def _description(model: type[BaseModel], loc: KeyPath) -> str | None:
    """What the field at ``loc`` holds, from its model's description (keys of a mapping, like a
    platform id under `roles`, are stepped over)."""
    current: Any = model
    info = None
    for part in loc:
        fields = getattr(current, "model_fields", {})
        info = None if isinstance(part, int) else fields.get(part)
        if info is not None:
            current = _inner_model(info.annotation)
    return info.description if info is not None else None  # the last part is a field


def _known_fields(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Field names of the (nested) model at ``loc``, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        current = _inner_model(info.annotation)
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(project: Project) -> tuple[KnowledgeBase, list[Problem]]:
    """Check every document, then every reference between them."""
    kb = KnowledgeBase(root=project.root, files=project.files(), documents=project.documents)
    problems: list[Problem] = []
    for kind, docs in project.documents.items():
        for ident, doc in docs.items():
            problems += _check_document(kb, kind, ident, doc)
    problems += _check_references(kb, project)
    problems += reference_checks.check(kb, project)
    problems += playbook_checks.check(kb, project.documents)
    return kb, sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0))


def document_problems(doc: Document, kind: str) -> list[Problem]:
    """One file's own problems (syntax, schema, sources), without cross-references."""
    return _check_document(KnowledgeBase(root=doc.path.parent), kind, doc.path.stem, doc)


def _check_document(kb: KnowledgeBase, kind: str, ident: str, doc: Document) -> list[Problem]:
    problem = not_a_slug(ident, "an id", "the file name is the id: rename the file")
    if problem:
        return [Problem(doc.rel, problem)]
    if doc.problem:
        return [doc.problem]
    if not isinstance(doc.data, dict):
        return [Problem(doc.rel, "expected a mapping of fields at the top level", 1, 1)]
    model = _MODELS[kind]
    try:
        item = model.model_validate(doc.data)
    except ValidationError as exc:
        return model_problems(doc, exc, model)
    if isinstance(item, ArticleMeta):  # kind == "articles"
        kb.articles[ident] = Article(slug=ident, meta=item, body=doc.body, path=doc.rel)
        return articles.check_markdown_links(doc, kb.root) + articles.check_body_text(doc)
    getattr(kb, kind)[ident] = item
    if isinstance(item, Platform):  # kind == "platforms"
        return _check_sourced(doc, item)
    return []


def _check_sourced(doc: Document, platform: Platform) -> list[Problem]:
    """A platform the briefing describes must rest on at least one sourced fact or figure."""
    if any(f.url for f in platform.facts) or any(m.url for m in platform.metrics):
        return []
    line, col = doc.where(("name",))
    return [
        Problem(
            doc.rel,
            "no sourced fact or metric: add a fact (statement, quote, source, url, as_of) "
            "or a metric with a url",
            line,
            col,
            "facts",
        )
    ]


def _check_references(kb: KnowledgeBase, project: Project) -> list[Problem]:
    docs = project.documents
    problems = []

    def ref(kind: str, ident: str, target: str, loc: KeyPath, value: str) -> None:
        # An id whose file exists but is invalid was reported already: don't cascade.
        if value in docs[target]:
            return
        doc = docs[kind][ident]
        line, col = doc.where(loc)
        noun = "industry" if target == "industries" else "platform"
        problems.append(
            Problem(
                doc.rel,
                f"unknown {noun} '{value}'{suggest(value, docs[target])}",
                line,
                col,
                field_name(loc),
            )
        )

    # Read from each file's raw data, valid or not, so that one mistake in a file (an
    # unknown field, say) does not hide another (an unknown industry) until the next run.
    for cid, data in _raw(docs["clients"]):
        if isinstance(data.get("industry"), str):
            ref("clients", cid, "industries", ("industry",), data["industry"])
        logo = data.get("logo")
        reason = (
            isinstance(logo, str)
            and logo.startswith("assets/")
            and images.asset_problem(kb.root, logo)
        )
        if reason:
            doc = docs["clients"][cid]
            line, col = doc.where(("logo",))
            problems.append(Problem(doc.rel, f"'{logo}': {reason}", line, col, "logo"))
        for i, pid in _strings(data.get("focus_platforms")):
            ref("clients", cid, "platforms", ("focus_platforms", i), pid)
    for cid, data in _raw(docs["clients"]):
        problems += _brief_references(docs, cid, data)
    for iid, data in _raw(docs["industries"]):
        problems += _playbook_references(docs, iid, data)
    for iid, data in _raw(docs["industries"]):
        fit = data.get("fit")
        if not isinstance(fit, dict):
            continue
        doc = docs["industries"][iid]
        missing = sorted(set(_active(docs["platforms"])) - set(fit))
        if missing:
            line, col = doc.where(("fit",), key=True)
            message = f"no fit score for {', '.join(missing)} (every active platform needs one)"
            problems.append(Problem(doc.rel, message, line, col, "fit"))
        for pid in fit:
            if isinstance(pid, str):
                ref("industries", iid, "platforms", ("fit", pid), pid)
    for slug, data in _raw(docs["articles"]):
        for i, pid in _strings(data.get("platforms")):
            ref("articles", slug, "platforms", ("platforms", i), pid)
        for i, iid in _strings(data.get("industries")):
            ref("articles", slug, "industries", ("industries", i), iid)
    return problems


def _active(platforms: dict[str, Document]) -> list[str]:
    """The platforms a plan may place (closed and dormant ones need no fit score)."""
    return [
        pid
        for pid, doc in platforms.items()
        if not isinstance(doc.data, dict) or doc.data.get("status") == "active"
    ]


def _raw(documents: dict[str, Document]) -> list[tuple[str, dict[str, Any]]]:
    return [(i, d.data) for i, d in documents.items() if isinstance(d.data, dict)]


def _strings(value: Any) -> list[tuple[int, str]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
        if isinstance(value, list)
        else []
    )


def _brief_references(docs: dict[str, dict[str, Document]], cid: str, data: dict) -> list[Problem]:
    """A client's segment and goal KPIs must exist in its industry's playbook."""
    industry = docs["industries"].get(str(data.get("industry")))
    if industry is None or not isinstance(industry.data, dict):
        return []  # an unknown industry is reported on its own
    doc, problems = docs["clients"][cid], []
    playbook = industry.data
    segments = _ids(playbook.get("segments"))
    segment = data.get("segment")
    if isinstance(segment, str) and segment not in segments:
        line, col = doc.where(("segment",))
        known = f" (segments of {industry.rel}: {', '.join(segments) or 'none'})"
        hint = suggest(segment, segments) or known
        problems.append(
            Problem(doc.rel, f"unknown segment '{segment}'{hint}", line, col, "segment")
        )
    kpis = _ids(playbook.get("kpis"))
    for i, goal in enumerate(data.get("goals") or []):
        kpi = goal.get("kpi") if isinstance(goal, dict) else None
        if isinstance(kpi, str) and kpi not in kpis:
            line, col = doc.where(("goals", i, "kpi"))
            hint = suggest(kpi, kpis) or f" (KPIs of {industry.rel}: {', '.join(kpis)})"
            problems.append(
                Problem(doc.rel, f"unknown KPI '{kpi}'{hint}", line, col, f"goals[{i}].kpi")
            )
    return problems


def _playbook_references(
    docs: dict[str, dict[str, Document]], iid: str, data: dict
) -> list[Problem]:
    """Roles, features and tactics name real platforms and features; ids are unique."""
    doc, problems = docs["industries"][iid], []
    platforms = docs["platforms"]

    def unknown(loc: KeyPath, message: str) -> None:
        line, col = doc.where(loc)
        problems.append(Problem(doc.rel, message, line, col, field_name(loc)))

    role_maps = [(("roles",), data.get("roles"))] + [
        (("segments", i, "roles"), seg.get("roles"))
        for i, seg in enumerate(data.get("segments") or [])
        if isinstance(seg, dict)
    ]
    for base, roles in role_maps:
        for pid, role in (roles or {}).items() if isinstance(roles, dict) else []:
            if pid not in platforms:
                unknown((*base, pid), f"unknown platform '{pid}'{suggest(pid, platforms)}")
                continue
            features = _ids((platforms[pid].data or {}).get("features"))
            listed = role.get("features") if isinstance(role, dict) else None
            for i, fid in _strings(listed):
                if fid not in features:
                    hint = suggest(fid, features) or f" ({pid} has: {', '.join(features)})"
                    unknown((*base, pid, "features", i), f"unknown feature '{fid}'{hint}")
    kpis = _ids(data.get("kpis"))
    for loc, item in _items(data):
        for i, kid in _strings(item.get("kpis") if loc[-2] == "tactics" else None):
            if kid not in kpis:
                unknown((*loc, "kpis", i), f"unknown KPI '{kid}'{suggest(kid, kpis)}")
    seen: dict[str, KeyPath] = {}
    for loc, item in _items(data):
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                unknown((*loc, "id"), f"duplicate id '{ident}' (also at {field_name(seen[ident])})")
            seen.setdefault(ident, loc)
        pid = item.get("platform")
        if isinstance(pid, str) and pid not in platforms:
            unknown((*loc, "platform"), f"unknown platform '{pid}'{suggest(pid, platforms)}")
    return problems


def _items(data: dict) -> list[tuple[KeyPath, dict]]:
    """Every list item with an id in a playbook (segments' own lists included)."""
    found: list[tuple[KeyPath, dict]] = []
    for key in ("tactics", "kpis", "risks", "segments"):
        for i, item in enumerate(data.get(key) or []):
            if isinstance(item, dict):
                found.append(((key, i), item))
    for s, segment in enumerate(data.get("segments") or []):
        if isinstance(segment, dict):
            for key in ("tactics", "risks"):
                for i, item in enumerate(segment.get(key) or []):
                    if isinstance(item, dict):
                        found.append((("segments", s, key, i), item))
    return found


def _ids(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(i["id"]) for i in items if isinstance(i, dict) and "id" in i]
