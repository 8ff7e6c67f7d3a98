"""Errors a user can act on: each names a place and says what was expected."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a supervisor, `timeout`, a closed terminal): handled like Ctrl-C, so
    every clean-up that Ctrl-C gets (workers killed, nothing half-published) applies."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)


class BriefingError(Exception):
    """Any failure caused by input, templates or environment, reported without a traceback."""

    # What `briefing` exits with (the README's table): 1 failed, 2 usage, 3 not ready.
    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One located problem in a data or theme file, printed as ``path:line:col: field: message``."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class DataError(BriefingError):
    """One or more problems in data/ or a theme; all are reported at once."""

    def __init__(self, problems: list[Problem], what: str = "data/"):
        self.problems = problems
        self.what = what
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem], str]]:
        return (DataError, (self.problems, self.what))  # survives the trip from a child

    def summary(self) -> str:
        n = len(self.problems)
        return f"Aborted: {n} error{'s' if n != 1 else ''} in {self.what} (nothing was written)"


class UsageError(BriefingError):
    """A bad command-line argument (exit code 2)."""

    exit_code = 2


class NotReady(BriefingError):
    """The command is right, but the client is not ready for it yet: not built (or built from
    older data), not approved, already sent, nothing sent to compare with (exit code 3)."""

    exit_code = 3


class TemplateError(BriefingError):
    """A template that does not compile or render."""


class RenderError(BriefingError):
    """WeasyPrint or python-pptx refused the rendered content."""


class DeliveryError(BriefingError):
    """The message was not (or may not have been) delivered; the text says what to do."""


class NotReadyToSend(NotReady, DeliveryError):
    """A send refused before anything went out: no current build, no approval, a repeat."""


class SentUnrecorded(DeliveryError):
    """The server accepted the message (``reply``), but the send ledger could not record it:
    it was sent, and must not be sent again."""

    def __init__(self, message: str, reply: str) -> None:
        super().__init__(message)
        self.reply = reply

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (SentUnrecorded, (str(self), self.reply))


class SystemDependencyError(BriefingError):
    """A system library or font the build needs is missing."""


def relative(path: Path, root: Path) -> str:
    """``path`` as the user knows it, the one path-display rule: relative to the project root
    when inside it, as named (a link shows its own name, not its target); a path that was
    already resolved (briefing.files returns them so) is matched against the resolved root.
    Outside the project: the absolute path."""
    named = Path(os.path.abspath(path))
    for shown, base in ((named, Path(os.path.abspath(root))), (path.resolve(), root.resolve())):
        if shown.is_relative_to(base):
            return str(shown.relative_to(base))
    return str(named)
