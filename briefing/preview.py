"""Live preview: the briefing's pages and the deck's slides in the browser, rebuilt on save.

One warm process keeps the heavy imports loaded, watches data/, templates/ and assets/, and
rebuilds in memory (never out/ or state/). PDF pages are rasterised from the real PDF with
pdfium, lazily, so the pages in view come first; slides are the real .pptx converted by a
LibreOffice kept warm by unoserver, with the fitted slide plan as an outline meanwhile. The page
learns of each build through server-sent events and shows build errors above the last good
preview. Only its own page and rendered images are served: no URL reaches the file system.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from briefing import build, i18n
from briefing.errors import BriefingError, DataError
from briefing.log import LOGGER
from briefing.render import deck, html, pdf
from briefing.settings import Settings

PAGE = Path(__file__).with_name("preview.html")
WATCHED = ("data", "templates", "assets")
DEBOUNCE_MS = 80  # a save often writes twice; one rebuild for both
SCALE = 1.5  # rasterising scale of PDF pages and slides (1 = 72 dpi)
BOTH = frozenset({"pdf", "deck"})
PDF_ONLY = {"report.css", "report.html.j2"}  # a save of these rebuilds only the PDF
DECK_ONLY = {"deck.yaml.j2", "master.pptx"}  # and of these only the deck


def outputs_for(paths: set[str]) -> frozenset[str]:
    """Which outputs a set of saved files can change (both, unless all are one side's)."""
    names = {Path(p).name for p in paths}
    if names and names <= PDF_ONLY:
        return frozenset({"pdf"})
    if names and names <= DECK_ONLY:
        return frozenset({"deck"})
    return BOTH


@dataclasses.dataclass
class Snapshot:
    """The last good build (and the errors of a newer, failed one)."""

    number: int = 0
    pdf: bytes = b""
    pages: int = 0
    deck_number: int = 0  # the build whose slides are rendered
    slides_pdf: bytes = b""
    slides: int = 0
    outline: tuple[tuple[str, tuple[str, ...]], ...] = ()
    page_ratio: float = 210 / 297  # width / height of the PDF's first page
    deck_state: str = "waiting"  # rendering, ready, outline (no LibreOffice), failed
    errors: tuple[str, ...] = ()

    def public(self, client: str, theme: str | None) -> dict[str, Any]:
        fields = ("number", "pages", "page_ratio", "deck_number", "slides", "deck_state", "errors")
        state = {name: getattr(self, name) for name in fields}
        state["outline"] = [{"title": t, "lines": list(lines)} for t, lines in self.outline]
        return {**state, "client": client, "theme": theme or ""}


class LibreOffice:
    """A LibreOffice kept warm by unoserver (run from a venv of the system python, where
    Debian's python3-uno imports), converting decks to PDF in memory."""

    def __init__(self, root: Path) -> None:
        self.server = _find_unoserver(root)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def available(self) -> bool:
        return self.server is not None

    def start(self) -> None:
        if self.server is None or self.process is not None:
            return
        self.port, uno_port = free_port(), free_port()
        command = [str(self.server), "--interface", "127.0.0.1", "--port", str(self.port)]
        command += ["--uno-interface", "127.0.0.1", "--uno-port", str(uno_port)]
        self.process = subprocess.Popen(  # its own group: LibreOffice goes with it on stop
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

    def convert(self, pptx: bytes) -> bytes:
        from unoserver.client import UnoClient

        self.start()
        self._wait_until_listening()
        client = UnoClient(server="127.0.0.1", port=str(self.port))
        return client.convert(indata=pptx, convert_to="pdf")

    def _wait_until_listening(self, seconds: float = 60) -> None:
        """unoserver takes a few seconds to start LibreOffice; its own client would then
        retry every 10 s, so wait here for the port instead (a request queues until ready)."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process is None or self.process.poll() is not None:
                raise ConnectionError("the LibreOffice server is not running")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """End unoserver and the LibreOffice it started (which would outlive it)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        group = process.pid  # start_new_session: its own process group, led by it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=3)
        with contextlib.suppress(ProcessLookupError):  # LibreOffice's launcher ignores TERM
            os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _find_unoserver(root: Path) -> Path | None:
    local = root / ".venv-uno" / "bin" / "unoserver"  # made by `make preview`
    if local.is_file():
        return local
    found = shutil.which("unoserver")
    return Path(found) if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Previewer:
    """Builds one client in one theme, in memory, and serves what it built."""

    def __init__(self, settings: Settings, client: str, office: LibreOffice | None = None):
        self.settings = settings
        self.client = client
        self.office = office or LibreOffice(settings.root)
        self.snapshot = Snapshot(deck_state="waiting" if self.office.available else "outline")
        self.images: dict[tuple[str, int, int], bytes] = {}
        self.lock = threading.Lock()  # one build at a time
        self._prepared: build.Prepared | None = None  # waiting for its deck
        self._deck_seq = 0

    def select(self, client: str, theme: str | None) -> None:
        build.check_client_id(client)
        if theme:
            build.check_theme_name(theme)
        self.client = client
        self.settings = self.settings.model_copy(update={"theme": theme or None})

    def rebuild(self, outputs: frozenset[str] = BOTH) -> Snapshot:
        """Load, then render the PDF if asked (served at once); the deck follows in
        ``render_slides``. A failure keeps the last good preview and shows its lines."""
        with self.lock:
            started = time.perf_counter()
            try:
                prepared = build.prepare(self.settings, self.client)
                if "pdf" in outputs:
                    with i18n.language(prepared.catalog):
                        document = html.render_html(prepared.briefing, prepared.theme)
                    rendered = pdf.render_pdf(document, prepared.theme, self.settings.pdf_variant)
            except BriefingError as exc:
                self.snapshot = dataclasses.replace(self.snapshot, errors=_lines(exc))
                self._prepared = None
                return self.snapshot
            self._prepared = prepared if "deck" in outputs else None
            self.snapshot = dataclasses.replace(self.snapshot, errors=())
            if "pdf" in outputs:
                self.snapshot = dataclasses.replace(
                    self.snapshot,
                    number=self.snapshot.number + 1,
                    pdf=rendered.data,
                    pages=rendered.pages,
                    page_ratio=page_ratio(rendered.data),
                )
            LOGGER.info("preview: rebuilt %s in %.2f s", "+".join(sorted(outputs)),
                        time.perf_counter() - started)  # fmt: skip
            return self.snapshot

    def render_slides(self) -> Snapshot:
        """The deck of the newest build: its slide plan at once, then LibreOffice's slides."""
        with self.lock:
            prepared, self._prepared = self._prepared, None
            if prepared is None:
                return self.snapshot
            self._deck_seq += 1
            seq = self._deck_seq
            try:
                with i18n.language(prepared.catalog):
                    slides = deck.render_deck(prepared.briefing, prepared.theme)
            except BriefingError as exc:
                self.snapshot = dataclasses.replace(
                    self.snapshot, errors=_lines(exc), deck_state="failed"
                )
                return self.snapshot
            state = "rendering" if self.office.available else "outline"
            self.snapshot = dataclasses.replace(
                self.snapshot, outline=slides.outline, deck_state=state
            )
        if not self.office.available:
            return self.snapshot
        try:
            converted = self.office.convert(slides.data)
        except Exception as exc:  # LibreOffice died or refused: the outline stays up
            LOGGER.warning("preview: LibreOffice could not render the deck: %s", exc)
            self.snapshot = dataclasses.replace(self.snapshot, deck_state="failed")
            return self.snapshot
        if seq == self._deck_seq:  # not overtaken by a newer deck
            self.snapshot = dataclasses.replace(
                self.snapshot,
                deck_number=seq,
                slides_pdf=converted,
                slides=slides.slides,
                deck_state="ready",
            )
        return self.snapshot

    def image(self, kind: str, number: int, index: int) -> bytes | None:
        """Page or slide ``index`` (from 1) of build ``number`` as PNG, cached; None if gone."""
        snapshot = self.snapshot
        source = snapshot.pdf if kind == "page" else snapshot.slides_pdf
        current = snapshot.number if kind == "page" else snapshot.deck_number
        key = (kind, number, index)
        if key in self.images:
            return self.images[key]
        if number != current or not source:
            return None
        png = rasterise(source, index)
        if png is not None:
            self.images = {k: v for k, v in self.images.items() if k[1] >= number - 1}
            self.images[key] = png
        return png


def _lines(exc: BriefingError) -> tuple[str, ...]:
    """The CLI's lines for an error: one per located problem."""
    return tuple(str(p) for p in (exc.problems if isinstance(exc, DataError) else [exc]))


def page_ratio(document: bytes) -> float:
    import pypdfium2

    pdf_file = pypdfium2.PdfDocument(document)
    try:
        width, height = pdf_file[0].get_size()
        return round(width / height, 4)
    finally:
        pdf_file.close()


def rasterise(document: bytes, index: int, scale: float = SCALE) -> bytes | None:
    import pypdfium2

    pdf_file = pypdfium2.PdfDocument(document)
    try:
        if not 1 <= index <= len(pdf_file):
            return None
        image = pdf_file[index - 1].render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return buffer.getvalue()
    finally:
        pdf_file.close()


def create_app(previewer: Previewer, watch: bool = True) -> Any:
    """The Starlette app: the page, its state and events, and the rendered images."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    version = {"n": 0}
    waiters: set[asyncio.Queue[int]] = set()

    def state() -> dict[str, Any]:
        theme = previewer.settings.theme
        return {**previewer.snapshot.public(previewer.client, theme), "version": version["n"]}

    def announce() -> None:
        version["n"] += 1
        for queue in waiters:
            queue.put_nowait(version["n"])

    async def run_build(outputs: frozenset[str] = BOTH) -> None:
        await asyncio.to_thread(previewer.rebuild, outputs)
        announce()  # the new pages are served now; the slides follow
        if "deck" in outputs and not previewer.snapshot.errors:
            await asyncio.to_thread(previewer.render_slides)
            announce()

    async def page(request: Request) -> Response:
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    async def current(request: Request) -> Response:
        return JSONResponse(state())

    async def events(request: Request) -> Response:
        queue: asyncio.Queue[int] = asyncio.Queue()
        waiters.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"data: {json.dumps(state())}\n\n"
                while True:
                    try:
                        await asyncio.wait_for(queue.get(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    yield f"data: {json.dumps(state())}\n\n"
            finally:
                waiters.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def image(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in ("page", "slide"):
            return Response(status_code=404)
        number, index = request.path_params["number"], request.path_params["index"]
        png = await asyncio.to_thread(previewer.image, kind, number, index)
        if png is None:
            return Response(status_code=404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    async def select(request: Request) -> Response:
        form = await request.json()
        try:
            previewer.select(str(form.get("client", "")), str(form.get("theme", "")) or None)
        except BriefingError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        asyncio.get_running_loop().create_task(run_build())
        return JSONResponse({"ok": True})

    async def choices(request: Request) -> Response:
        root = previewer.settings.root
        clients = sorted(p.stem for p in (root / "data/clients").glob("*.yaml"))
        themes = sorted(p.parent.name for p in (root / "templates").glob("*/theme.yaml"))
        return JSONResponse({"clients": clients, "themes": themes})

    async def watcher() -> None:
        import watchfiles

        folders = [
            previewer.settings.root / f for f in WATCHED if (previewer.settings.root / f).is_dir()
        ]
        async for changes in watchfiles.awatch(*folders, debounce=DEBOUNCE_MS, step=20):
            await run_build(outputs_for({path for _, path in changes}))

    async def lifespan(app: Any) -> AsyncIterator[None]:
        tasks = [asyncio.get_running_loop().create_task(run_build())]
        if watch:
            tasks.append(asyncio.get_running_loop().create_task(watcher()))
        yield
        for task in tasks:
            task.cancel()
        await asyncio.to_thread(previewer.office.stop)

    routes = [
        Route("/", page),
        Route("/state", current),
        Route("/events", events),
        Route("/choices", choices),
        Route("/select", select, methods=["POST"]),
        Route("/{kind:str}/{number:int}/{index:int}.png", image),
    ]
    return Starlette(routes=routes, lifespan=contextlib.asynccontextmanager(lifespan))


def serve(settings: Settings, client: str, host: str, port: int) -> None:
    """Run the preview until Ctrl-C."""
    import uvicorn

    build.prepare(settings, client)  # a wrong client or theme is a clear error, before serving
    previewer = Previewer(settings, client)
    if host not in ("127.0.0.1", "localhost", "::1"):
        LOGGER.warning(
            "preview: listening on %s, not only this machine: anyone who can reach it sees "
            "the client's briefing",
            host,
        )
    if not previewer.office.available:
        LOGGER.warning(
            "preview: no LibreOffice server (run `make preview`, which sets up .venv-uno): "
            "slides are shown as an outline of the slide plan"
        )
    print(f"Preview of {client}: http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    uvicorn.run(create_app(previewer), host=host, port=port, log_level="warning")
