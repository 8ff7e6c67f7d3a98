"""Renders kept by what they were made from: an output whose inputs did not change is not
rendered again, though another output of the edition (or another project's) was.

A designer who edits the deck's template rebuilds every client, and each PDF, which nothing
of that edit reaches, would be laid out again (~3 s each). The key is a digest of all a
renderer reads: the assembled briefing (its JSON: every figure, date and sentence), the
manifest's inputs (every theme file, logo, article image and font file) and options (date,
language, variant, strict, the tool's code and version), every file under assets/, and the
Python and package versions that draw. An entry is one file, its description (JSON) then its
bytes, read back through the guarded reader and checked against its digest; anything missing,
corrupt or of another shape is a miss, and the output is rendered as before. Only renders that
succeeded, from files that did not change while they rendered, are kept.

The folder is ``.cache/briefing/renders`` under the project (``make clean`` deletes it; nothing
in it is state), or ``BRIEFING_RENDER_CACHE`` (relative to the project); ``off`` renders every
time, as ``--force`` does. A folder another user owns or may write to is not used: its entries
would be published. The preview keeps its own renders in a subfolder (its worker is one
long-lived process, whose state a build's fresh children do not share).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import stat
import sys
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any

from briefing import files, render
from briefing.build import publish
from briefing.constants import MB
from briefing.log import LOGGER

FOLDER = ".cache/briefing/renders"  # under the project root
OFF = ("off", "0", "false", "no")
LIMIT = 64 * MB  # one entry (a sample PDF is ~0.6 MB; the mail budget is 20 MB)
KEEP = 400  # entries kept; the oldest go first (a sample client's pair is ~0.7 MB)
ENTRY = re.compile(r"[0-9a-f]{64}")  # only these names are ever read or deleted


def folder(settings: Any, subfolder: str = "") -> Path | None:
    """Where renders are kept for these settings, or None (off, or a folder not ours)."""
    chosen = settings.render_cache
    if chosen and chosen.lower() in OFF:
        return None
    where = settings.root / (chosen or FOLDER) / subfolder  # an absolute `chosen` wins
    try:
        info = where.stat()
    except FileNotFoundError:
        return where
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        LOGGER.warning("not reusing renders from %s: another user may write to it", where)
        return None
    return where


class Kept:
    """The kept renders of one edition: ``get`` one by its renderer's name, ``put`` a new one."""

    def __init__(
        self,
        settings: Any,
        briefing: Any,
        inputs: dict[str, str],
        options: dict[str, Any],
        subfolder: str = "",
    ) -> None:
        self.where, self.root = folder(settings, subfolder), settings.root
        assets = _assets(settings.root) if self.where else {}
        self.made_from = (briefing, inputs, options, assets)
        self.files = _stamp(settings.root, inputs) if self.where else []

    def get(self, name: str) -> render.Rendered | None:
        if self.where is None:
            return None
        entry = self.key(name)
        found = read(self.where, entry, self.root)
        if found is not None:
            with contextlib.suppress(OSError):  # a read-only cache is still read
                os.utime(self.where / entry)  # newest: pruned last
        return found

    def put(self, name: str, rendered: render.Rendered) -> None:
        """Keep a render, unless a file it was made from changed while it rendered (the key
        would name the old content)."""
        if self.where is not None and _stamp(self.root, self.made_from[1]) == self.files:
            write(self.where, self.key(name), rendered)

    def key(self, name: str) -> str:
        return key(name, *self.made_from)


def key(
    name: str,
    briefing: Any,
    inputs: dict[str, str],
    options: dict[str, Any],
    assets: dict[str, str] | None = None,
) -> str:
    """The digest of everything renderer ``name`` reads for one edition (by content: the
    same project copied elsewhere has the same keys)."""
    digest = hashlib.sha256(f"{name}\0{_versions()}\0".encode())
    read = {path: sha for path, sha in inputs.items() if not _theirs(name, path)}
    digest.update(json.dumps([read, options, assets], sort_keys=True, default=str).encode())
    digest.update(briefing.model_dump_json().encode())
    return digest.hexdigest()


def _assets(root: Path) -> dict[str, str]:
    """Every file under assets/ by content: an image is read from there by whatever names it
    (an article, a template), not only by what the manifest lists."""
    found = {}
    for path in sorted((root / "assets").rglob("*")):
        with contextlib.suppress(OSError, files.FileRefused):
            if path.is_file():
                data = files.read_bytes(path, root / "assets", root, files.LIMITS["asset"])
                found[path.relative_to(root).as_posix()] = hashlib.sha256(data).hexdigest()
    return found


@functools.cache
def _versions() -> str:
    """Python, its Unicode tables, and every installed package (WeasyPrint, python-pptx and
    what they draw with): an upgrade renders again."""
    packages = sorted(f"{d.metadata['Name']}={d.version}" for d in metadata.distributions())
    return ",".join([sys.version, unicodedata.unidata_version, *packages])


def _stamp(root: Path, inputs: dict[str, str]) -> list[tuple[str, int, int, int]]:
    """Size, times and inode of every input file and of every file under assets/: a file
    saved while the outputs rendered changes it."""
    paths = {root / p for p in inputs if not p.startswith("font:")}
    paths |= set((root / "assets").rglob("*"))
    found = []
    for path in sorted(paths):
        with contextlib.suppress(OSError):
            info = path.lstat()
            mark = (info.st_size, info.st_mtime_ns, info.st_ctime_ns + info.st_ino)
            found.append((path.relative_to(root).as_posix(), *mark))
    return found


def _theirs(name: str, path: str) -> bool:
    """A theme file only other outputs read (the deck's template, for the PDF): editing it
    leaves this output as it was, as the preview's ``outputs_for`` knows too."""
    if not path.startswith("templates/"):
        return False
    owners = render.owners(path.rsplit("/", 1)[-1])
    return bool(owners) and name not in owners


def read(where: Path, entry: str, root: Path) -> render.Rendered | None:
    """The kept render ``entry``, or None when there is no sound one."""
    try:
        raw = files.read_bytes(where / entry, where, root, LIMIT)
        head, _, data = raw.partition(b"\n")
        stored = json.loads(head)
        if stored["sha256"] != hashlib.sha256(data).hexdigest():
            return None
        outline = tuple((title, tuple(lines)) for title, lines in stored["outline"])
        stats = {str(k): int(v) for k, v in stored["stats"].items()}
        return render.Rendered(data, stats, tuple(map(str, stored["warnings"])), outline)
    except (files.FileRefused, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(where: Path, entry: str, rendered: render.Rendered) -> None:
    """Keep a render; a full or read-only disk only means rendering again next time."""
    head = {
        "sha256": hashlib.sha256(rendered.data).hexdigest(),
        "stats": rendered.stats,
        "warnings": list(rendered.warnings),
        "outline": [[title, list(lines)] for title, lines in rendered.outline],
    }
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(head, ensure_ascii=False).encode() + b"\n"
        publish.write_atomic(where / entry, text + rendered.data)
        _prune(where)
    except (OSError, TypeError, ValueError, publish.OutputError):
        pass


def _prune(where: Path) -> None:
    """The newest ``KEEP`` entries stay (an entry read is touched, so it counts as new);
    nothing but entries is ever deleted, whatever folder BRIEFING_RENDER_CACHE names."""
    entries = []
    for path in where.iterdir():
        with contextlib.suppress(OSError):
            if ENTRY.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                entries.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)
