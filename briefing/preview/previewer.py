"""What the preview shows: one client's edition, each registered output, the last good build.

The preview loops over ``render.RENDERERS`` like the build: each output with a ``preview`` kind
gets a view (its pages as images), keyed by the renderer's name. A "pdf" output's bytes are
rasterised as they are; an "office" output is converted by LibreOffice first, and its outline
(the fitted plan) is shown meanwhile. Rendering and rasterising happen in the render worker only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefing import render
from briefing.build import forked
from briefing.errors import UsageError
from briefing.log import LOGGER
from briefing.preview.office import Office, OfficeError
from briefing.preview.supervisor import RenderWorker, RequestFailed, WorkerStopped
from briefing.project import translate
from briefing.project.layout import client_ids
from briefing.settings import Settings

CONVERSIONS_KEPT = 8  # LibreOffice's PDFs kept in memory, by their office file's digest


def shown() -> list[render.Renderer]:
    """The outputs the preview shows, in the registry's order."""
    return [r for r in render.RENDERERS if r.preview]


def outputs_for(paths: Iterable[str]) -> frozenset[str]:
    """Which outputs a set of saved files can change: only a renderer's own templates and
    theme files rebuild only it; anything else (data, theme.yaml, assets) rebuilds all."""
    every = frozenset(r.name for r in shown())
    touched: set[str] = set()
    for name in {Path(p).name for p in paths}:
        mine = render.owners(name) & every
        if not mine:
            return every
        touched |= mine
    return frozenset(touched) or every


def themes(root: Path) -> list[str]:
    return sorted(p.parent.name for p in (root / "templates").glob("*/theme.yaml"))


@dataclasses.dataclass(frozen=True)
class View:
    """One output as the page shows it."""

    name: str
    label: str
    unit: str
    number: int = 0  # the build whose images are served (0: none yet)
    count: int = 0  # pages or slides
    ratio: float = 16 / 9  # width / height of its first page
    state: str = "waiting"  # waiting, rendering (outline meanwhile), ready, outline, failed
    outline: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The last good build of each output, and the errors of a newer, failed one."""

    number: int = 0  # successful builds so far
    views: tuple[View, ...] = ()
    errors: tuple[str, ...] = ()

    def public(self) -> dict[str, Any]:
        views = [dataclasses.asdict(v) for v in self.views]
        for view in views:
            view["outline"] = [{"title": t, "lines": list(lines)} for t, lines in view["outline"]]
        return {"number": self.number, "errors": list(self.errors), "outputs": views}


class Previewer:
    """Builds one client's edition in memory (never out/ or state/) and serves its images."""

    def __init__(self, settings: Settings, client: str, office: Office | None = None) -> None:
        self.settings, self.client = settings, client
        self.office = office or Office(settings.root, settings.render_timeout)
        budget = forked.Budget(settings.render_timeout, settings.render_memory_mb)
        self.worker = RenderWorker(budget, on_restart=self._note)
        idle = "waiting" if self.office.available else "outline"
        views = tuple(
            View(r.name, r.label, r.unit, state="waiting" if r.preview == "pdf" else idle)
            for r in shown()
        )
        self.snapshot = Snapshot(views=views)
        self.announce: Callable[[], None] = lambda: None
        self.images: dict[tuple[str, int, int], bytes] = {}
        self.notice, self._noticed = "", 0.0  # e.g. the worker crashed and a new one took over
        self._loop: asyncio.AbstractEventLoop | None = None  # the app's, once it runs
        self._tasks: set[asyncio.Task[None]] = set()  # conversions under way
        self._lock = asyncio.Lock()  # one build at a time
        self._queued, self._wanted = False, set[str]()  # the next build and its outputs
        self._latest: dict[str, int] = {}  # per office output: the newest build to convert
        self._converted: dict[bytes, bytes] = {}  # an office file's digest -> its pages (PDF)

    def state(self) -> dict[str, Any]:
        theme, lang = self.settings.theme or "", self.settings.lang or translate.SOURCE
        return {**self.snapshot.public(), "notice": self.notice, "client": self.client,
                "theme": theme, "lang": lang}  # fmt: skip

    def select(self, client: str, theme: str | None, lang: str | None = None) -> None:
        """Switch client, theme or language; refuses anything not in the project."""
        if client not in client_ids(self.settings.root):
            raise UsageError(f"unknown client '{client}'")
        if theme and theme not in themes(self.settings.root):
            raise UsageError(f"unknown theme '{theme}'")
        if lang and lang not in translate.LANGUAGES:
            raise UsageError(f"unknown language '{lang}'")
        self.client = client
        update = {"theme": theme or None} | ({"lang": lang} if lang else {})
        self.settings = self.settings.model_copy(update=update)

    async def rebuild(self, names: Iterable[str] | None = None) -> None:
        """Render the named outputs (default: all) in the worker; a failure keeps the last
        good preview and shows its lines. Office outputs are converted afterwards. Calls made
        while one build runs are merged into the next (ten quick switches: two builds), which
        uses the client and theme selected by then."""
        self._loop = asyncio.get_running_loop()
        self._wanted |= set(names or (r.name for r in shown()))
        if self._queued:  # a rebuild already waits for the lock: it takes these too
            return
        self._queued = True
        async with self._lock:
            self._queued = False
            wanted, self._wanted = sorted(self._wanted), set()
            number, started = self.snapshot.number + 1, time.monotonic()
            try:
                request = ("build", self.settings, self.client, wanted, number)
                outputs = await self.worker.call(*request)
            except (RequestFailed, WorkerStopped) as exc:
                lines = exc.lines if isinstance(exc, RequestFailed) else [str(exc)]
                self._update(errors=tuple(lines))
                return
            if self._noticed < started:
                self.notice = ""  # a build that began after the last incident went well
            conversions = self._publish(number, outputs)
            LOGGER.info("preview: rebuilt %s in %.2f s", "+".join(wanted),
                        time.monotonic() - started)  # fmt: skip
        for name, data in conversions:  # referenced until done (asyncio keeps weak ones)
            task = asyncio.get_running_loop().create_task(self._convert(name, number, data))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _publish(self, number: int, outputs: dict[str, dict[str, Any]]) -> list[tuple[str, bytes]]:
        conversions = []
        views = list(self.snapshot.views)
        for i, view in enumerate(views):
            out = outputs.get(view.name)
            if out is None:
                continue
            if render.by_name(view.name).preview == "pdf":
                views[i] = dataclasses.replace(view, number=number, count=out["count"],
                                               ratio=out["ratio"], state="ready")  # fmt: skip
                self._keep(view.name, number, out["data"])
            else:
                state = "rendering" if self.office.available else "outline"
                views[i] = dataclasses.replace(view, outline=out["outline"], state=state)
                if self.office.available:
                    self._latest[view.name] = number
                    conversions.append((view.name, out["data"]))
        self._update(number=number, views=tuple(views), errors=())
        return conversions

    async def _convert(self, name: str, number: int, data: bytes) -> None:
        """LibreOffice's pages of an office output, unless a newer build overtook it."""
        if self._latest.get(name) != number:
            return
        try:
            pdf = await self._office_pages(data)
            if self._latest.get(name) != number:  # overtaken meanwhile: the worker keeps
                return  # only what is shown (and the one before)
            info = await self.worker.call("store", name, number, pdf)
        except (OfficeError, RequestFailed, WorkerStopped) as exc:
            LOGGER.warning("preview: LibreOffice could not render the %s: %s", name, exc)
            self._set_view(name, state="failed")
            return
        self._keep(name, number, pdf)
        self._set_view(name, number=number, count=info["count"], ratio=info["ratio"],
                       state="ready")  # fmt: skip

    async def _office_pages(self, data: bytes) -> bytes:
        """LibreOffice's PDF of an office file; the same bytes (a client or theme switched
        back to) are not converted again."""
        digest = hashlib.sha256(data).digest()
        if digest not in self._converted:
            self._converted[digest] = await self.office.convert(data)
            while len(self._converted) > CONVERSIONS_KEPT:
                del self._converted[next(iter(self._converted))]  # the oldest
        return self._converted[digest]

    async def image(self, name: str, number: int, index: int) -> bytes | None:
        """Page ``index`` (from 1) of an output's build ``number`` as PNG; None if gone."""
        key = (name, number, index)
        if key in self.images:
            return self.images[key]
        if (name, number) not in self.worker.documents:
            return None
        for _ in range(2):  # a crashed worker is replaced once, with the same documents
            try:
                png = await self.worker.call("raster", name, number, index)
                break
            except RequestFailed:
                return None
            except WorkerStopped as exc:
                self._note(str(exc))
        else:
            return None
        if png is not None and (name, number) in self.worker.documents:
            self.images[key] = png
        return png

    def _keep(self, name: str, number: int, pdf: bytes) -> None:
        """The document a view shows (and the one before, for requests in flight)."""
        documents = self.worker.documents
        documents[(name, number)] = pdf
        for old in sorted(k for k in documents if k[0] == name)[:-2]:
            del documents[old]
        self.images = {k: v for k, v in self.images.items() if k[:2] in documents}

    def _set_view(self, name: str, **changes: Any) -> None:
        views = tuple(dataclasses.replace(v, **changes) if v.name == name else v
                      for v in self.snapshot.views)  # fmt: skip
        self._update(views=views)

    def _update(self, **changes: Any) -> None:
        self.snapshot = dataclasses.replace(self.snapshot, **changes)
        self.announce()

    def _note(self, line: str) -> None:
        LOGGER.warning("preview: %s", line)
        self.notice, self._noticed = line, time.monotonic()
        if self._loop is not None:  # called from the worker's thread too
            self._loop.call_soon_threadsafe(self.announce)

    def close(self) -> None:
        self.worker.close()
        self.office.close()
