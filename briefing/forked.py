"""Run one function in a forked child while the parent carries on (POSIX; inline elsewhere).

A single build renders the deck in a child while the parent imports WeasyPrint and lays out
the PDF: on two cores that hides the deck's cost. Results and errors come back pickled.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """The result of a function running in a child process."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._value: Any = None
        self._pid = 0
        if not hasattr(os, "fork"):
            self._value = _call(function, args)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running the parent's cleanup
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(pickle.dumps(_call(function, args)))
            os._exit(0)
        os.close(write_fd)
        self._pid, self._read_fd = pid, read_fd

    def result(self) -> T:
        if self._pid:
            with os.fdopen(self._read_fd, "rb") as pipe:
                data = pipe.read()
            os.waitpid(self._pid, 0)
            self._pid = 0
            self._value = (
                pickle.loads(data)
                if data
                else ("error", RuntimeError("the deck process ended without a result"))
            )
        kind, value = self._value
        if kind == "error":
            raise value
        return value


class Done(Pending[T]):
    """The same interface, computed right here (for callers that already use every core)."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._pid = 0
        self._value = _call(function, args)


def _call(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", function(*args)
    except Exception as exc:  # sent to the parent, which raises it there
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError("".join(traceback.format_exception(exc)))
        return "error", exc
