"""The preview's side of its render worker: one request at a time, under the build's budget.

Every request goes through one thread (a one-thread executor), so the worker is never asked two
things at once. While a request runs, its wall time (each render of a build on its own clock, as
in a build) and the worker's resident memory are watched; past ``BRIEFING_RENDER_TIMEOUT`` or
``BRIEFING_RENDER_MEMORY_MB`` the worker is killed,
the caller gets a one-line ``WorkerStopped``, and the next request starts a new worker, which
first receives the PDFs the preview is showing (so their pages still rasterise).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from briefing.build import forked
from briefing.preview import frames

_PR_SET_PDEATHSIG = 1
START_SECONDS = 120.0  # imports on a busy machine; an upper bound, never a target


class WorkerStopped(Exception):
    """The worker was stopped (over budget) or died; ``str()`` is the line for the page."""


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` that ties a child to this thread's life: SIGKILL when it ends.
    (The kernel signals when the *thread* that forked ends, so call from a long-lived one.)"""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork, not in the child

    def tie() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return tie


class RenderWorker:
    """A ``python -m briefing.preview.worker`` child and the one thread that talks to it."""

    def __init__(self, budget: forked.Budget, on_restart: Callable[[str], None] | None = None):
        self.budget = budget
        self.on_restart = on_restart or (lambda line: None)
        self.documents: dict[tuple[str, int], bytes] = {}  # what a new worker must hold
        self.process: subprocess.Popen[bytes] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="preview-worker")
        self._closed = False

    async def call(self, *request: Any) -> Any:
        """The worker's answer to ``request``: raises RequestFailed with the lines of a data or
        template error, WorkerStopped when the worker was stopped or died."""
        if self._closed:
            raise WorkerStopped("the preview is stopping")
        try:
            future = self._thread.submit(self.call_now, request)
        except RuntimeError:  # closed between the check and the submit: the preview stops
            raise WorkerStopped("the preview is stopping") from None
        return await asyncio.wrap_future(future)

    def call_now(self, request: tuple[Any, ...]) -> Any:
        if self._closed:
            raise WorkerStopped("the preview is stopping")
        if self.process is None or self.process.poll() is not None:
            self._start()
        kind, value = self._ask(request, self.budget.seconds)
        if kind == "error":
            raise RequestFailed(value)
        return value

    def _start(self) -> None:
        if self.process is not None:  # it died between requests
            line = f"the render worker crashed ({_describe(self.process)}); a new one took over"
            self._reap()
            self.on_restart(line)
        command = [sys.executable, "-m", "briefing.preview.worker", str(os.getpid())]
        self.process = subprocess.Popen(  # its own session: Ctrl-C reaches only the preview
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            preexec_fn=die_with_parent(), start_new_session=True,
        )  # fmt: skip
        self._ask(None, START_SECONDS)  # its "ready"
        for (name, number), data in sorted(self.documents.items()):
            self._ask(("store", name, number, data), self.budget.seconds)

    def _ask(self, request: tuple[Any, ...] | None, seconds: float) -> tuple[str, Any]:
        process = self.process
        assert process is not None and process.stdin and process.stdout
        try:
            if request is not None:
                frames.send(process.stdin.fileno(), request)
            while True:  # each tick (a render begins) restarts the clock
                self._wait(process, seconds)
                kind, value = frames.receive(process.stdout.fileno())
                if kind != "tick":
                    return kind, value
        except (EOFError, OSError) as exc:  # it died (a crash in a library, or killed)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
            line = f"render stopped: the render worker crashed ({_describe(process)})"
            self._reap()
            raise WorkerStopped(line + "; a new one takes over") from exc

    def _wait(self, process: subprocess.Popen[bytes], seconds: float) -> None:
        """Until the reply starts; kill the worker past the time or memory budget."""
        fd = process.stdout.fileno()  # type: ignore[union-attr]
        deadline = time.monotonic() + seconds
        while not select.select([fd], [], [], 0.05)[0]:
            if time.monotonic() > deadline:
                self._kill()
                raise WorkerStopped(
                    f"render stopped: over BRIEFING_RENDER_TIMEOUT ({seconds:g} s); look for a "
                    "very long article or table, or a huge page size in report.css"
                )
            if forked.resident_mb(process.pid) > self.budget.memory_mb:
                self._kill()
                raise WorkerStopped(
                    f"render stopped: over BRIEFING_RENDER_MEMORY_MB ({self.budget.memory_mb} "
                    "MB); look for very large images or articles"
                )

    def _kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self._reap()

    def _reap(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]

    def close(self) -> None:
        """End the worker: close its pipe (it exits), then make sure."""
        self._closed = True
        process = self.process
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # type: ignore[union-attr]
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self._thread.shutdown(wait=True, cancel_futures=True)  # its request ends with the pipe
        if self.process is not None:
            self._reap()


class RequestFailed(Exception):
    """The worker answered with error lines (a data or template problem, for the page)."""

    @property
    def lines(self) -> list[str]:
        return list(self.args[0])


def _describe(process: subprocess.Popen[bytes]) -> str:
    code = process.poll()
    if code is None:
        return "still running"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"
