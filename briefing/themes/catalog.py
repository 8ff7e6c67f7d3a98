"""The English messages a theme chain's templates and the package's code translate, with
where each is used: what an edition's catalog must cover (and what `make i18n` extracts)."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.extract import extract
from jinja2.ext import babel_extract

from briefing import files
from briefing.errors import TemplateError, relative
from briefing.themes.theme import Theme

PACKAGE = Path(__file__).resolve().parent.parent  # the briefing package: its code has messages too
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true"}

Use = tuple[str, str, int]  # (msgid, file relative to the project root, line)


def used(theme: Theme) -> list[Use]:
    """Every message of the templates the chain uses (each file once: the first along the
    chain wins, and a child that extends its parent's file uses both) and of the code."""
    found: list[Use] = []
    for folder in theme.dirs:
        for path in sorted(folder.glob("*.j2")):
            try:
                messages = _template(path, files.stamp(path), theme.root)
            except files.FileRefused as exc:
                raise TemplateError(f"theme '{theme.name}': {exc}") from None
            found += [(msgid, relative(path, theme.root), line) for msgid, line in messages]
    for path in sorted(PACKAGE.rglob("*.py")):
        found += [
            (msgid, f"briefing/{path.relative_to(PACKAGE)}", line)
            for msgid, line in _python(path, path.stat().st_mtime_ns)
        ]
    return found


@functools.lru_cache(maxsize=256)
def _template(path: Path, stamp: int, root: Path) -> tuple[tuple[str, int], ...]:
    """The messages of one template, read like every theme file (a FIFO or a link to
    /dev/zero named *.j2 is refused, never opened)."""
    data = files.read_bytes(path, root / "templates", root, files.LIMITS["template"])
    return tuple(
        (m, line)
        for line, _, message, _ in babel_extract(
            io.BytesIO(data), list(KEYWORDS), [], JINJA_OPTIONS
        )
        for m in _ids(message)
    )


@functools.lru_cache(maxsize=256)
def _python(path: Path, stamp: int) -> tuple[tuple[str, int], ...]:
    text = files.read_bytes(path, PACKAGE, PACKAGE, files.LIMITS["template"])
    if b"_(" not in text and b"ngettext(" not in text:
        return ()
    return tuple(
        (m, line)
        for line, message, _, _ in extract("python", io.BytesIO(text), KEYWORDS)
        for m in _ids(message)
    )


def _ids(message: str | tuple | None) -> list[str]:
    if isinstance(message, tuple):
        return [m for m in message if m]
    return [message] if message else []
