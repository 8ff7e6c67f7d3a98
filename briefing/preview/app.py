"""The preview's web app: its page, state and events, the rendered images, and ``serve``.

Handlers are module functions that find the previewer in ``app.state``; none renders or
touches a PDF (the render worker does). Only the page and rendered images are served: no URL
reaches the file system, and a page that does not exist is a 404, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.log import LOGGER
from briefing.preview.guard import LOOPBACK, MAX_BODY, Guard
from briefing.preview.previewer import Previewer, outputs_for, themes
from briefing.project import translate
from briefing.project.layout import client_ids, data_path
from briefing.settings import Settings, is_loopback

PAGE = Path(__file__).with_name("page.html")
WATCHED = ("data", "templates", "assets")
DEBOUNCE_MS = 80  # a save often writes twice; one rebuild for both


class Events:
    """Server-sent events: each change of state is announced to every open page."""

    def __init__(self) -> None:
        self.version = 0
        self.waiters: set[asyncio.Queue[int]] = set()

    def announce(self) -> None:
        self.version += 1
        for queue in self.waiters:
            queue.put_nowait(self.version)


def _state(request: Any) -> dict[str, Any]:
    return {**request.app.state.previewer.state(), "version": request.app.state.events.version}


async def page(request: Any) -> Any:
    from starlette.responses import HTMLResponse

    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


async def current(request: Any) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(_state(request))


async def events(request: Any) -> Any:
    from starlette.responses import StreamingResponse

    queue: asyncio.Queue[int] = asyncio.Queue()
    waiters = request.app.state.events.waiters
    waiters.add(queue)

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"data: {json.dumps(_state(request))}\n\n"
            while True:
                try:
                    await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"data: {json.dumps(_state(request))}\n\n"
        finally:
            waiters.discard(queue)

    return StreamingResponse(stream(), media_type="text/event-stream")


async def image(request: Any) -> Any:
    from starlette.responses import Response

    params = request.path_params
    previewer: Previewer = request.app.state.previewer
    png = await previewer.image(params["name"], params["number"], params["index"])
    if png is None:
        return Response("no such page\n", status_code=404, media_type="text/plain")
    return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})


async def choices(request: Any) -> Any:
    from starlette.responses import JSONResponse

    root = request.app.state.previewer.settings.root
    langs = list(translate.LANGUAGES)
    return JSONResponse({"clients": client_ids(root), "themes": themes(root), "langs": langs})


async def select(request: Any) -> Any:
    """Switch client, theme or language: a JSON object of at most MAX_BODY bytes."""
    from starlette.responses import JSONResponse

    body = b""
    async for chunk in request.stream():  # a body without Content-Length is capped here
        body += chunk
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "request body too large"}, status_code=413)
    try:
        form = json.loads(body)
        if not isinstance(form, dict):
            raise ValueError("not an object")
        values = {k: form.get(k) for k in ("client", "theme", "lang")}
        if not all(isinstance(v, str | None) for v in values.values()):
            raise ValueError("values must be strings")
    except ValueError as exc:
        return JSONResponse({"error": f"expected a JSON object: {exc}"}, status_code=400)
    previewer: Previewer = request.app.state.previewer
    try:
        previewer.select(values["client"] or "", values["theme"] or None, values["lang"] or None)
    except BriefingError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    _spawn(request.app, previewer.rebuild())
    return JSONResponse({"ok": True})


def _spawn(app: Any, work: Any) -> None:
    """A background task, referenced until it ends (asyncio keeps only weak references)."""
    task = asyncio.get_running_loop().create_task(work)
    app.state.tasks.add(task)
    task.add_done_callback(app.state.tasks.discard)


async def watch(previewer: Previewer) -> None:
    import watchfiles

    root = previewer.settings.root
    folders = [root / f for f in WATCHED if (root / f).is_dir()]
    async for changes in watchfiles.awatch(*folders, debounce=DEBOUNCE_MS, step=20):
        try:
            await previewer.rebuild(outputs_for(path for _, path in changes))
        except Exception as exc:  # keep watching: the next save may fix it
            LOGGER.warning("preview: rebuild failed: %s", exc)


def create_app(
    previewer: Previewer, token: str, watch_files: bool = True, hosts: frozenset[str] = LOOPBACK
) -> Any:
    """The Starlette app behind its Guard (loopback Host, the secret, same-origin JSON)."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        previewer.announce = app.state.events.announce
        _spawn(app, previewer.rebuild())  # starts the worker
        if previewer.office.available:  # LibreOffice starts while the PDF renders
            _spawn(app, asyncio.to_thread(previewer.office.start))
        if watch_files:
            _spawn(app, watch(previewer))
        try:
            yield
        finally:
            for task in list(app.state.tasks):
                task.cancel()
            previewer.close()

    routes = [
        Route("/", page),
        Route("/state", current),
        Route("/events", events),
        Route("/choices", choices),
        Route("/select", select, methods=["POST"]),
        Route("/image/{name:str}/{number:int}/{index:int}.png", image),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.previewer, app.state.events, app.state.tasks = previewer, Events(), set()
    return Guard(app, token, hosts)


def serve(settings: Settings, client: str, host: str, port: int) -> None:
    """Run the preview until Ctrl-C (or SIGTERM); its worker and LibreOffice end with it."""
    import uvicorn

    from briefing.build import pipeline as build

    build.check_client_id(client)
    if client not in client_ids(settings.root):
        raise BriefingError(f"unknown client '{client}' (no {data_path('clients', client)})")
    if settings.theme and settings.theme not in themes(settings.root):
        raise BriefingError(f"unknown theme '{settings.theme}' (templates/{settings.theme}/)")
    previewer = Previewer(settings, client)
    token = secrets.token_urlsafe(24)
    hosts = LOOPBACK | _address(host)  # an address, unlike a name, cannot be rebound
    if not is_loopback(host):
        LOGGER.warning(
            "preview: listening on %s, not only this machine: anyone who can reach it and "
            "has the link below sees the client's briefing",
            host,
        )
    if not previewer.office.available:
        LOGGER.warning(
            "preview: no LibreOffice helper (run `make preview`, which sets up .venv-uno): "
            "slides are shown as an outline of the slide plan"
        )
    shown = host if host in LOOPBACK - {"::1"} else "127.0.0.1"
    print(f"Preview of {client}: http://{shown}:{port}/?token={token}  (Ctrl-C to stop)",
          flush=True)  # fmt: skip
    try:
        uvicorn.run(create_app(previewer, token, hosts=hosts), host=host, port=port,
                    log_level="warning",
                    timeout_graceful_shutdown=2)  # fmt: skip
    finally:
        previewer.close()  # also when uvicorn never started (port taken)


def _address(host: str) -> frozenset[str]:
    """``host`` as a Host name to accept, if it is one IP address (not 0.0.0.0 or ::)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return frozenset()
    return frozenset() if address.is_unspecified else frozenset({str(address)})
