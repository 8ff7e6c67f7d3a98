"""The preview's render worker: the one process that renders and rasterises, one request at a time.

Started by ``supervisor.RenderWorker`` as ``python -m briefing.preview.worker``. It owns every
call into WeasyPrint, python-pptx and pdfium (which is not thread-safe), so the web server never
renders and never touches a PDF. Requests arrive on stdin, replies leave on stdout, both as
``frames``; every reply is ``("ok", value)`` or ``("error", lines)``, after a ``("tick", None)``
as each render begins (each has its own time budget, as in a build). A request never raises
out of here, and nothing prints a traceback. Its time and memory are watched from outside.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import signal
import sys
from typing import Any

from briefing.preview import frames

SCALE = 1.5  # rasterising scale of pages and slides (1 = 72 dpi)
KEPT = 2  # documents kept per output: the one shown and the one before (requests in flight)


class Worker:
    """Renders editions and rasterises their pages; keeps the PDFs it may be asked about."""

    def __init__(self, tick: Any = None) -> None:
        self.documents: dict[tuple[str, int], Any] = {}  # (output, build) -> pdfium document
        self.tick = tick or (lambda: None)  # a render begins: its own time budget starts

    def handle(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        from briefing.errors import BriefingError

        operation, *args = request
        try:
            return "ok", getattr(self, "do_" + operation)(*args)
        except BriefingError as exc:
            return "error", _lines(exc)
        except MemoryError:
            return "error", ["render stopped: out of memory (BRIEFING_RENDER_MEMORY_MB)"]
        except Exception as exc:
            return "error", [f"unexpected {type(exc).__name__} in the preview: {exc}"]

    def do_build(self, settings: Any, client: str, names: list[str], number: int) -> dict:
        """Prepare the edition, render each named output (or reuse its render, as a build
        does: switching back to a client or theme seen before is immediate); PDFs are kept
        for rasterising."""
        from briefing import render
        from briefing.build import pipeline as build
        from briefing.build import rendercache
        from briefing.themes import i18n

        prepared = build.prepare(settings, client)
        made_from = (prepared.briefing, prepared.inputs, prepared.options)
        kept = rendercache.Kept(settings, *made_from, subfolder="preview")  # not a build's
        outputs: dict[str, dict[str, Any]] = {}
        with i18n.language(prepared.catalog):
            for renderer in render.RENDERERS:
                if renderer.name not in names:
                    continue
                self.tick()
                done = kept.get(renderer.name)
                if done is None:
                    done = renderer.render(prepared.briefing, prepared.theme, settings)
                    kept.put(renderer.name, done)
                outputs[renderer.name] = {"data": done.data, "outline": done.outline}
                if renderer.preview == "pdf":
                    outputs[renderer.name].update(self.do_store(renderer.name, number, done.data))
        return outputs

    def do_store(self, name: str, number: int, data: bytes) -> dict[str, Any]:
        """Keep a PDF to rasterise (a converted deck, or a document a new worker inherits)."""
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        self.documents[(name, number)] = document
        for old in sorted(k for k in self.documents if k[0] == name)[:-KEPT]:
            self.documents.pop(old).close()
        count = len(document)
        width, height = document[0].get_size() if count else (210, 297)
        return {"count": count, "ratio": round(width / height, 4)}

    def do_raster(self, name: str, number: int, index: int) -> bytes | None:
        """Page ``index`` (from 1) as PNG; None if there is no such document or page."""
        document = self.documents.get((name, number))
        if document is None or not 1 <= index <= len(document):
            return None
        image = document[index - 1].render(scale=SCALE).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, "PNG", compress_level=1)  # fast: these travel over loopback
        return buffer.getvalue()

    def do_ping(self) -> int:
        return os.getpid()


def _lines(exc: Exception) -> list[str]:
    """The CLI's lines for an error: one per located problem."""
    from briefing.errors import DataError

    return [str(p) for p in (exc.problems if isinstance(exc, DataError) else [exc])]


def _warm() -> None:
    """Import the renderers' libraries now, so the first build is as fast as later ones."""
    import pptx  # noqa: F401
    import pypdfium2  # noqa: F401
    import weasyprint  # noqa: F401

    from briefing.build import pipeline as build  # noqa: F401


def main() -> int:
    with contextlib.suppress(OSError, AttributeError):  # die with the preview, however it ends
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if len(sys.argv) > 1 and os.getppid() != int(sys.argv[1]):
        return 1  # the preview ended before we could tie ourselves to it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the preview decides when this ends
    requests, replies = os.dup(0), os.dup(1)
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the frames
    from briefing.log import configure

    configure(-1)  # warnings reach the terminal like the CLI's; steps are the preview's
    _warm()
    worker = Worker(tick=lambda: frames.send(replies, ("tick", None)))
    frames.send(replies, ("ok", os.getpid()))  # ready
    while True:
        try:
            request = frames.receive(requests)
        except EOFError:  # the preview closed the pipe: it has ended
            return 0
        frames.send(replies, worker.handle(request))


if __name__ == "__main__":
    sys.exit(main())
