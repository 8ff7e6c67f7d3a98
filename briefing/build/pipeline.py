"""build(settings, client): one screen that reads like the pipeline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing import render, state
from briefing.build import forked, manifest, rendercache, uptodate
from briefing.build import publish as output
from briefing.build.prepared import (
    Knowledge,
    Prepared,
    check_client_id,
    check_layouts,
    check_theme_name,
    client_knowledge,
    editions,
    layout_problems,
    load_knowledge,
    output_folder,
    prepare,
)
from briefing.build.warnings import brief_warnings, mail_size_warnings, stale_warnings
from briefing.errors import BriefingError, DataError, Problem
from briefing.log import LOGGER
from briefing.project import translate
from briefing.project.model import Briefing
from briefing.settings import Settings
from briefing.state import ledger
from briefing.themes import i18n, theme

__all__ = [  # the build's public face: callers import these from briefing.build
    "BuildResult",
    "Edition",
    "Knowledge",
    "Prepared",
    "brief_warnings",
    "build",
    "build_editions",
    "check_client_id",
    "check_layouts",
    "check_theme_name",
    "client_knowledge",
    "editions",
    "layout_problems",
    "load_knowledge",
    "mail_size_warnings",
    "output_folder",
    "prepare",
    "render_all",
    "stale_warnings",
]

STEPS = 4


@dataclass
class BuildResult:
    client_id: str
    paths: list[Path]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stats: dict[str, dict[str, int]] = field(default_factory=dict)  # renderer -> {"pages": 20}
    sizes: dict[str, int] = field(default_factory=dict)  # file name -> bytes


def build_editions(settings: Settings, client_id: str, force: bool = False) -> list[Edition]:
    """Every edition of one client (or ``settings.lang``'s). All are checked before any is
    published: an edition that cannot be built (a translation file missing, say) stops the
    build with nothing written, instead of after the others were published."""
    ready: dict[str, tuple[Settings, Prepared]] = {}
    problems: list[Problem] = []
    source = None if settings.lang else load_knowledge(settings, translate.SOURCE)
    for lang in editions(settings, client_id, source):  # the English edition reuses ``source``
        edition = settings.model_copy(update={"lang": lang})
        try:
            known = source if lang == translate.SOURCE else None
            ready[lang] = (edition, prepare(edition, client_id, known))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(list(dict.fromkeys(problems)))
    done: list[Edition] = []
    for lang, (edition, prepared) in ready.items():
        if not force and prepared.up_to_date():
            done.append(Edition(lang, None))
            continue
        try:
            done.append(Edition(lang, build(edition, client_id, prepared=prepared)))
        except BriefingError as exc:  # a render failed: say which editions were published
            published = [e.lang for e in done if e.result is not None]
            if published and not getattr(exc, "published", False):
                exc.published = published  # type: ignore[attr-defined]
                exc.failed = lang  # type: ignore[attr-defined]
            raise
    return done


@dataclass
class Edition:
    lang: str
    result: BuildResult | None  # None: it was up to date


def build(
    settings: Settings,
    client_id: str,
    knowledge: Knowledge | None = None,
    *,
    overlap: bool = True,
    prepared: Prepared | None = None,
) -> BuildResult:
    """Build every output for one client; write nothing unless all renderers succeed.

    Each render runs in a forked child under the settings' time and memory budget. ``overlap``
    renders every output at once: right for one build on an idle machine, wrong in a batch
    whose workers already use every core. ``prepared``: checked already (build_editions).
    """
    started = time.perf_counter()
    _step(1, "Loading and validating data for %s", client_id)
    prepared = prepared or prepare(settings, client_id, knowledge)
    with i18n.language(prepared.catalog):
        return _render_and_publish(settings, prepared, started, overlap)


def _render_and_publish(
    settings: Settings, prepared: Prepared, started: float, overlap: bool
) -> BuildResult:
    briefing, chosen, client_id = prepared.briefing, prepared.theme, prepared.briefing.client_id
    output.check_writable(prepared.folder)  # a read-only out/ is found before rendering
    _step(2, "Checking the %s edition of %s", prepared.lang, client_id)
    for message in prepared.warnings:  # text left in English (--allow-missing-translations)
        LOGGER.warning("%s", message)
    warnings = prepared.warnings + stale_warnings(briefing, settings) + brief_warnings(briefing)
    labels = " and ".join(r.label for r in render.RENDERERS)
    _step(3, "Rendering the %s with theme '%s'", labels, chosen.name)
    rendered = render_all(settings, briefing, chosen, overlap, (prepared.inputs, prepared.options))
    for result in rendered.values():
        warnings += result.warnings
    outputs = {prepared.name(r.kind, r.suffix): rendered[r.name].data for r in render.RENDERERS}
    warnings += mail_size_warnings(outputs, settings)
    _step(4, "Publishing %s/", prepared.folder.relative_to(settings.root))
    # A lock per client: a concurrent build or send of the same client comes before or after
    # this switch, never in between.
    with state.client_lock(settings.state_dir, client_id):
        ledger.migrate(settings.out_dir, settings.state_dir, client_id)  # before out/ is swapped
        others = manifest.editions(manifest.read(prepared.folder))
        others.pop(prepared.lang, None)  # the other editions stay published, as they were
        edition = {
            "built": settings.now().isoformat(timespec="minutes"),
            "options": prepared.options,
            "inputs": prepared.inputs,
            "outputs": {name: output.sha256(data) for name, data in outputs.items()},
            uptodate.CHECK: prepared.check,
        }
        record = {"client": client_id, "editions": {**others, prepared.lang: edition}}
        carry = [name for other in others.values() for name in other.get("outputs", {})]
        paths = output.publish(outputs, prepared.folder, record, carry)
    return BuildResult(
        client_id,
        paths,
        warnings,
        time.perf_counter() - started,
        stats={name: result.stats for name, result in rendered.items()},
        sizes={name: len(data) for name, data in outputs.items()},
    )


def render_all(
    settings: Settings,
    briefing: Briefing,
    chosen: theme.Theme,
    overlap: bool,
    made_from: tuple[dict[str, str], dict[str, Any]] | None = None,
) -> dict[str, render.Rendered]:
    """Every registered output, each in a child under the settings' time and memory budget:
    all at once (``overlap``), or one after another. With ``made_from`` (the edition's
    manifest inputs and options), an output rendered before from the same is reused."""
    kept = rendercache.Kept(settings, briefing, *made_from) if made_from else None
    done = {r.name: found for r in render.RENDERERS if kept and (found := kept.get(r.name))}
    for reused in done.values():
        for line in reused.warnings:  # as the render said them (a glyph no font has)
            LOGGER.warning("%s", line)
    missing = [r for r in render.RENDERERS if r.name not in done]
    if missing:
        render.warm_up()
    for name, result in _render(settings, briefing, chosen, overlap, missing).items():
        if kept:
            kept.put(name, result)
        done[name] = result
    return {r.name: done[r.name] for r in render.RENDERERS}


def _render(
    settings: Settings,
    briefing: Briefing,
    chosen: theme.Theme,
    overlap: bool,
    renderers: list[render.Renderer],
) -> dict[str, render.Rendered]:
    budget = forked.Budget(settings.render_timeout, settings.render_memory_mb)
    if not overlap or len(renderers) < 2:
        return {
            r.name: forked.run(r.label, budget, r.render, briefing, chosen, settings)
            for r in renderers
        }
    jobs = [forked.Job(r.label, budget, r.render, briefing, chosen, settings) for r in renderers]
    try:
        return {r.name: job.result() for r, job in zip(renderers, jobs, strict=True)}
    finally:
        for job in jobs:
            job.cancel()  # a failed output must not leave the others rendering (or printing)


def _step(number: int, message: str, *args: object) -> None:
    LOGGER.info(f"Step {number}/{STEPS} - {message}", *args)
