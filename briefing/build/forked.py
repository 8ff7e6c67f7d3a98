"""Renders run in forked children of a warm process, each under a time and memory budget.

Forking keeps what the parent has already imported and loaded (WeasyPrint, fonts), so a batch
worker or the preview server stays warm, while a render that runs away (a 10 MB article, a
page of 1 km, a bomb of an image) is stopped: the parent watches the child's wall time and
resident memory and kills it past ``BRIEFING_RENDER_TIMEOUT`` or ``BRIEFING_RENDER_MEMORY_MB``;
the child also has an address-space limit, so an allocation spike fails inside it.
A child never outlives its parent (PR_SET_PDEATHSIG) and never prints a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from briefing.constants import MB
from briefing.errors import BriefingError, RenderError

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Budget:
    seconds: float = 120.0
    memory_mb: int = 2048


class Job(Generic[T]):
    """``function(*args)`` running in a child process; ``result()`` waits for it."""

    def __init__(self, label: str, budget: Budget, function: Callable[..., T], *args: Any):
        self.label, self.budget = label, budget
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(write_fd, label, budget, function, args)  # never returns
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd
        self._started = time.monotonic()

    def result(self) -> T:
        """The function's value, or its exception raised here; a budget overrun is a
        RenderError and the child is stopped."""
        try:
            data = self._collect()
            status = os.waitpid(self._pid, 0)[1]
            self._pid = 0
        finally:
            self.cancel()
        if not data:
            raise RenderError(
                f"{self.label}: the render process ended without a result ({_describe(status)})"
            )
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def _collect(self) -> bytes:
        chunks: list[bytes] = []
        deadline = self._started + self.budget.seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError(
                    f"{self.label}: still rendering after {self.budget.seconds:g} s, so it was "
                    "stopped (BRIEFING_RENDER_TIMEOUT); look for a very long article or table, "
                    "or a huge page size in report.css"
                )
            ready, _, _ = select.select([self._fd], [], [], min(0.1, remaining))
            if ready:
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
            if resident_mb(self._pid) > self.budget.memory_mb:
                raise RenderError(
                    f"{self.label}: used more than {self.budget.memory_mb} MB, so it was stopped "
                    "(BRIEFING_RENDER_MEMORY_MB); look for very large images or articles"
                )

    def cancel(self) -> None:
        """Stop the child if it still runs (the parent failed, or was interrupted)."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def run(label: str, budget: Budget, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a budgeted child; wait for it."""
    return Job(label, budget, function, *args).result()


def _child(
    write_fd: int, label: str, budget: Budget, function: Callable[..., Any], args: Any
) -> None:
    code = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            if signal.getsignal(signum) is not signal.SIG_IGN:  # ignored stays ignored
                signal.signal(signum, signal.SIG_DFL)  # end quietly; the parent reports
        _die_with_parent()
        _limit_address_space(budget.memory_mb)
        payload = pickle.dumps(_call(label, budget, function, args))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)


def _call(
    label: str, budget: Budget, function: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[str, Any]:
    try:
        return "ok", function(*args)
    except BriefingError as exc:
        error: Exception = exc
    except MemoryError:
        error = RenderError(
            f"{label}: needed more than {budget.memory_mb} MB, so it was stopped "
            "(BRIEFING_RENDER_MEMORY_MB); look for very large images or articles"
        )
    except Exception as exc:
        error = InternalError(exc, label=label)
    try:
        pickle.dumps(error)
    except Exception:
        error = InternalError(error, label=label)
    return "error", error


class InternalError(RenderError):
    """An unexpected exception inside a render: one line for users, the traceback for --debug."""

    def __init__(self, exc: BaseException | str, detail: str = "", label: str = "") -> None:
        if isinstance(exc, BaseException):
            detail = "".join(traceback.format_exception(exc))
            exc = f"{label}: " * bool(label) + f"unexpected {type(exc).__name__}: {exc}"
        self.detail = detail
        super().__init__(exc, detail)

    def __str__(self) -> str:
        return str(self.args[0])


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _limit_address_space(memory_mb: int) -> None:
    """Room for ``memory_mb`` more than the warm parent already maps (and some slack)."""
    current = _virtual_mb(os.getpid())
    if current <= 0:
        return
    limit = int((current + 2 * memory_mb) * MB)
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _statm(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return [int(field) for field in handle.read().split()]
    except (OSError, ValueError):
        return []


def resident_mb(pid: int) -> float:
    """A process's resident memory in MB (0 once it is gone): the one reading both the
    build's renders and the preview's warm worker are held to."""
    fields = _statm(pid)
    return fields[1] * os.sysconf("SC_PAGE_SIZE") / MB if fields else 0.0


def _virtual_mb(pid: int) -> float:
    fields = _statm(pid)
    return fields[0] * os.sysconf("SC_PAGE_SIZE") / MB if fields else 0.0


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return f"killed by {name}; out of memory?" if name == "SIGKILL" else f"killed by {name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
