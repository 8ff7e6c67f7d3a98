"""Many clients: a pool of warm workers, up-to-date checks, a progress bar and a summary."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from briefing.build import uptodate
from briefing.constants import MB
from briefing.errors import BriefingError, DataError
from briefing.log import LOGGER

PR_SET_PDEATHSIG = 1  # linux/prctl.h

if TYPE_CHECKING:  # imported when a client is built: a batch of no-ops needs neither
    from concurrent.futures import Future, ProcessPoolExecutor

    from briefing.build import pipeline as build
    from briefing.render.base import Renderer
    from briefing.settings import Settings


@dataclass
class Outcome:
    """What happened to one client in a batch."""

    client_id: str
    status: str  # "built", "up to date" or "failed"
    seconds: float = 0.0
    stats: dict[str, dict[str, int]] = field(default_factory=dict)  # renderer -> counts
    sizes: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    peak_mb: float = 0.0  # the worker's peak resident memory so far


Job = tuple[str, str]  # (client id, language of the edition)


def label(client_id: str, lang: str) -> str:
    """How the summary names an edition: 'acme', 'acme (zh-CN)'."""
    return client_id if lang == "en" else f"{client_id} ({lang})"


def plan(
    settings: Settings, client_ids: list[str], force: bool, knowledge: dict[str, build.Knowledge]
) -> tuple[list[Job], list[Outcome]]:
    """Split the clients' editions into those to build and those up to date (or invalid)."""
    from briefing.build import pipeline as build

    to_build, settled = [], []
    for client_id in client_ids:
        client = knowledge["en"].kb.clients.get(client_id)
        for lang in [settings.lang] if settings.lang else (client.editions if client else ["en"]):
            edition = settings.model_copy(update={"lang": lang})
            if lang not in knowledge:
                knowledge[lang] = build.load_knowledge(edition, lang)
            try:
                prepared = build.prepare(edition, client_id, knowledge[lang])
            except BriefingError as exc:
                settled.append(Outcome(label(client_id, lang), "failed", errors=_lines(exc)))
                continue
            if not force and prepared.up_to_date():
                settled.append(Outcome(label(client_id, lang), "up to date"))
            else:
                to_build.append((client_id, lang))
    return to_build, settled


def _lines(exc: BriefingError) -> list[str]:
    if isinstance(exc, DataError):
        return [str(p) for p in exc.problems]
    return str(exc).splitlines()


def _warm_worker(parent: int) -> None:
    """Tie the worker to the batch, then import the heavy renderers once per worker, not once
    per client."""
    _die_with(parent)
    import pptx  # noqa: F401
    import weasyprint  # noqa: F401

    LOGGER.setLevel(logging.ERROR)  # steps and warnings are counted in the summary instead


def _die_with(parent: int) -> None:
    """The worker ends when the batch does, however it ends (SIGKILL, OOM): the kernel kills
    it when its parent dies (the main thread forks the pool, so this fires at the process's
    end). SIGTERM and SIGHUP to the worker alone end it (the parent's handler, which would
    raise Stopped here, is not the worker's); SIGINT stays ignored (the parent decides)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above: end now
        os._exit(1)


_KNOWLEDGE: dict[str, build.Knowledge] = {}  # per language: read by the parent, forked


def _build_one(settings: Settings, job: Job) -> Outcome:
    from briefing.build import pipeline as build

    client_id, lang = job
    edition = settings.model_copy(update={"lang": lang})
    try:
        # -j N means N busy cores: no extra deck process inside a worker.
        result = build.build(edition, client_id, _KNOWLEDGE.get(lang), overlap=False)
    except BriefingError as exc:
        return Outcome(label(*job), "failed", errors=_lines(exc), peak_mb=_peak_mb())
    except Exception as exc:  # one client's bug or fault never takes the batch down
        line = f"{type(exc).__name__}: {exc} (build it alone with --debug for the traceback)"
        return Outcome(label(*job), "failed", errors=[line], peak_mb=_peak_mb())
    return Outcome(
        label(*job),
        "built",
        result.seconds,
        result.stats,
        result.sizes,
        len(result.warnings),
        peak_mb=_peak_mb(),
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_all(
    settings: Settings,
    client_ids: list[str],
    *,
    jobs: int | None = None,
    force: bool = False,
    console: Console | None = None,
) -> list[Outcome]:
    """Build every client that needs it, in ``jobs`` worker processes; never stop early."""
    global _KNOWLEDGE
    console = console or Console(stderr=True)
    outcomes = [] if force else _fresh(settings, client_ids)  # nothing loaded for these
    settled = {o.client_id.split(" ")[0] for o in outcomes}
    rest = [c for c in client_ids if c not in settled]
    if not rest:
        return _in_order(outcomes, client_ids)
    from briefing.build import pipeline as build

    _KNOWLEDGE = {"en": build.load_knowledge(settings, "en")}
    to_build, planned = plan(settings, rest, force, _KNOWLEDGE)
    outcomes += planned
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(to_build) or 1))
    if to_build:
        outcomes += _run_pool(settings, to_build, jobs, console)
    return _in_order(outcomes, client_ids)


def _fresh(settings: Settings, client_ids: list[str]) -> list[Outcome]:
    """The clients whose every edition is known up to date from its manifest alone."""
    checker = uptodate.Checker(settings)
    outcomes = []
    for client_id in client_ids:
        langs = checker.fresh_editions(client_id)
        outcomes += [Outcome(label(client_id, lang), "up to date") for lang in langs or []]
    return outcomes


def _in_order(outcomes: list[Outcome], client_ids: list[str]) -> list[Outcome]:
    order = {cid: i for i, cid in enumerate(client_ids)}
    return sorted(outcomes, key=lambda o: (order[o.client_id.split(" ")[0]], o.client_id))


def _run_pool(
    settings: Settings, client_ids: list[Job], jobs: int, console: Console
) -> list[Outcome]:
    """Every job in a pool; when a worker dies (killed, out of memory) the pool breaks and
    every job not finished with it: those are built again once in a fresh pool, so one dead
    worker costs at most the client it was building, not the rest of the batch."""
    outcomes: list[Outcome] = []
    todo = client_ids
    for attempt in range(2):
        done, todo = _run_round(settings, todo, jobs, console)
        outcomes += done
        if not todo:
            return outcomes
        if attempt == 0:
            LOGGER.warning(
                "a worker process died (killed, or out of memory); building the %d edition(s) "
                "it left unfinished again",
                len(todo),
            )
    reason = (
        "not built: a worker process died (killed, or out of memory) while building it or a "
        "client beside it, twice"
    )
    return outcomes + [Outcome(label(*job), "failed", errors=[reason]) for job in todo]


def _run_round(
    settings: Settings, client_ids: list[Job], jobs: int, console: Console
) -> tuple[list[Outcome], list[Job]]:
    """One pool over ``client_ids``: the outcomes, and the jobs a dead worker took with it."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from rich import progress as bar

    outcomes, broken = [], []
    columns = (
        bar.TextColumn("[bold]Building"),
        bar.BarColumn(),
        bar.MofNCompleteColumn(),
        bar.TimeElapsedColumn(),
        bar.TextColumn("{task.description}"),
    )
    context = multiprocessing.get_context("fork")  # workers inherit the loaded modules
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_warm_worker, initargs=(os.getpid(),)
    )
    try:
        # Submitting forks the workers: do it before the progress bar starts its thread, and
        # with Ctrl-C ignored, so that workers are born ignoring it. Ctrl-C is the parent's:
        # it stops every worker at once, and a worker killed mid-publish leaves its client's
        # previous set (publishing is atomic as a set).
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            futures = {pool.submit(_build_one, settings, cid): cid for cid in client_ids}
        finally:
            signal.signal(signal.SIGINT, previous)
        with bar.Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("", total=len(client_ids))
            for future in as_completed(futures):
                outcome = _outcome(future)
                if outcome is None:
                    broken.append(futures[future])
                    continue
                outcomes.append(outcome)
                progress.update(
                    task, advance=1, description=f"{outcome.client_id}: {outcome.status}"
                )
    except BaseException:
        _stop_workers(pool)  # Ctrl-C: stop now, not after the clients already started
        raise
    pool.shutdown()
    return outcomes, [job for job in client_ids if job in broken]  # in the batch's order


def _outcome(future: Future[Outcome]) -> Outcome | None:
    """The job's outcome; None if a worker died before it finished."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    for process in list((pool._processes or {}).values()):  # no public handle on the workers
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def summary_table(outcomes: list[Outcome]) -> Table:
    """One row per edition; per output, what it counts (pages, slides) and its size. When
    nothing was built (every edition up to date), no output columns: the renderers' modules
    are not loaded at all, which was most of a no-op's time."""
    renderers: list[Renderer] = []
    if any(o.status == "built" for o in outcomes):
        from briefing import render

        renderers = list(render.RENDERERS)
    table = Table(title="Batch summary", title_justify="left")
    table.add_column("client")
    table.add_column("status")
    for renderer in renderers:
        table.add_column(renderer.unit, justify="right")
    table.add_column("seconds", justify="right")
    for renderer in renderers:  # each file's size, headed by its type: PDF, PPTX
        table.add_column(renderer.suffix[1:].upper(), justify="right")
    table.add_column("warnings", justify="right")
    style = {"built": "green", "up to date": "dim", "failed": "bold red"}
    for o in outcomes:
        counts = [str(o.stats.get(r.name, {}).get(r.unit) or "") for r in renderers]
        sizes = [
            _mb(next((size for name, size in o.sizes.items() if name.endswith(r.suffix)), None))
            for r in renderers
        ]
        table.add_row(
            o.client_id,
            f"[{style[o.status]}]{o.status}[/]",
            *counts,
            f"{o.seconds:.1f}" if o.seconds else "",
            *sizes,
            str(o.warnings or ""),
        )
    return table


def _mb(size: int | None) -> str:
    return f"{size / MB:.2f} MB" if size else ""
