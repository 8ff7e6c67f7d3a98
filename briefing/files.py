"""Reading project files: only regular files inside their root, and never too large.

Every file a build or the preview reads (data, templates, catalogs, stylesheets, assets,
theme logos, fonts) goes through ``contained``, ``read_bytes`` or ``read_text``: the path is
resolved (so a symlink counts where it points), must stay inside the folder it belongs to,
must be a regular file (a FIFO would hang the build, /dev/zero would fill memory) and must be
within a size limit.

``rewrite_zip`` is the one way a zip package (a .pptx, a workbook inside it) is copied with
some members changed.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from briefing.constants import KB, MB
from briefing.errors import BriefingError, relative

LIMITS = {
    "data": 1 * MB,  # one YAML file of data/
    "article": 512 * KB,  # one markdown article (a long article is ~30 kB)
    "template": 1 * MB,  # theme.yaml, templates, report.css
    "asset": 20 * MB,  # images, logos, master.pptx
    "font": 64 * MB,  # one font file (a CJK collection is ~20-30 MB)
}


class FileRefused(BriefingError):
    """A file that is outside its folder, not a regular file, or too large."""

    def __init__(self, shown: str, reason: str) -> None:
        self.shown, self.reason = shown, reason
        super().__init__(f"{shown}: {reason}")


def contained(path: Path, allowed: Path | tuple[Path, ...], project: Path, limit: int) -> Path:
    """``path`` resolved, if it is a regular file inside ``allowed`` and at most ``limit``."""
    shown = relative(path, project)
    folders = allowed if isinstance(allowed, tuple) else (allowed,)
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise FileRefused(shown, "no such file") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission problem
        raise FileRefused(shown, f"cannot be read ({exc})") from None
    if not any(resolved.is_relative_to(folder.resolve()) for folder in folders):
        inside = " or ".join(relative(folder, project) + "/" for folder in folders)
        raise FileRefused(
            shown, f"is a link to {resolved}, outside {inside}; only files inside it are read"
        )
    info = os.stat(resolved)
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(shown, f"is {_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise FileRefused(
            shown, f"is {_size(info.st_size)}, over the {_size(limit)} limit for such a file"
        )
    return resolved


def read_bytes(path: Path, allowed: Path | tuple[Path, ...], project: Path, limit: int) -> bytes:
    """The bytes of a contained file; never blocks on a FIFO, never reads past ``limit``."""
    resolved = contained(path, allowed, project, limit)
    fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):  # swapped for a FIFO or device after the check
            raise FileRefused(relative(path, project), f"is {_kind(mode)}, not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew after the check
        raise FileRefused(relative(path, project), f"is over the {_size(limit)} limit")
    return data


def read_text(path: Path, allowed: Path | tuple[Path, ...], project: Path, limit: int) -> str:
    """The UTF-8 text of a contained file (see ``read_bytes``)."""
    data = read_bytes(path, allowed, project, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(relative(path, project), f"not UTF-8 text (byte {exc.start})") from None


def stamp(path: Path) -> int:
    """A cache key for ``path``'s content (its mtime; -1 if it cannot be stat'ed, so the
    guarded read that follows reports why)."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def rewrite_zip(
    archive: zipfile.ZipFile,
    member: Callable[[zipfile.ZipInfo], tuple[zipfile.ZipInfo, bytes]],
) -> bytes:
    """A copy of ``archive`` (deflated) in which each entry is what ``member`` makes of it:
    its entry (name, time, attributes) and its bytes, read or replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            copy.writestr(*member(info))
    return out.getvalue()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def _size(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size / KB:.0f} kB"
