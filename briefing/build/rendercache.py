"""Renders kept by what they were made from: an output whose inputs did not change is not
rendered again, though another output of the edition (or another project's) was.

A designer who edits the deck's template rebuilds every client, and each PDF, which nothing
of that edit reaches, would be laid out again (~3 s each). The key is a digest of all a
renderer reads: the assembled briefing (its JSON: every figure, date and sentence), the
manifest's inputs (every theme file, the client's logo, the fonts' files) and options (date,
language, variant, strict, the tool's code and version), and the versions of the libraries
that draw. An entry is one file, its description (JSON) then its bytes, read back through the
guarded reader and checked against its digest; anything missing, corrupt or of another shape
is a miss, and the output is rendered as before. Only renders that succeeded are kept.

The folder is ``.cache/briefing/renders`` under the project (``make clean`` deletes it; nothing
in it is state), or ``BRIEFING_RENDER_CACHE``; ``off`` renders every time, as ``--force`` does.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from briefing import files
from briefing.constants import MB
from briefing.render import RENDERERS, Rendered

FOLDER = ".cache/briefing/renders"  # under the project root
OFF = "off"
LIMIT = 512 * MB  # one entry (a PDF with its images is a few MB)
KEEP = 400  # entries kept; the oldest go first (a sample client's pair is ~0.7 MB)
LIBRARIES = ("weasyprint", "pydyf", "python-pptx", "fonttools", "pillow", "jieba", "jinja2")


def folder(settings: Any) -> Path | None:
    """Where renders are kept for these settings, or None (off)."""
    chosen = settings.render_cache
    if chosen == OFF:
        return None
    return Path(chosen) if chosen else settings.root / FOLDER


def key(name: str, briefing: Any, inputs: dict[str, str], options: dict[str, Any]) -> str:
    """The digest of everything renderer ``name`` reads for one edition."""
    digest = hashlib.sha256(f"{name}\0{_libraries()}\0".encode())
    read = {path: sha for path, sha in inputs.items() if not _theirs(name, path)}
    digest.update(json.dumps([read, options], sort_keys=True, default=str).encode())
    digest.update(briefing.model_dump_json().encode())
    return digest.hexdigest()


def _assets(root: Path) -> list[tuple[str, int, int]]:
    """Every file under assets/ by size and time: an article's image is no manifest input,
    and a replaced image must not leave its old pixels in a reused PDF."""
    found = []
    for path in sorted((root / "assets").rglob("*")):
        with contextlib.suppress(OSError):
            info = path.lstat()
            found.append((path.relative_to(root).as_posix(), info.st_size, info.st_mtime_ns))
    return found


def _theirs(name: str, path: str) -> bool:
    """A theme file only other outputs read (the deck's template, for the PDF): editing it
    leaves this output as it was, as the preview's ``outputs_for`` knows too."""
    if not path.startswith("templates/"):
        return False
    file_name = path.rsplit("/", 1)[-1]
    owners = [r.name for r in RENDERERS
              if file_name in {t.name for t in r.templates} | set(r.theme_files)]  # fmt: skip
    return bool(owners) and name not in owners


@functools.cache
def _libraries() -> str:
    versions = []
    for library in LIBRARIES:
        try:
            versions.append(f"{library}={metadata.version(library)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{library}=none")
    return ",".join(versions)


class Kept:
    """The kept renders of one edition: ``get`` one by its renderer's name, ``put`` a new one."""

    def __init__(
        self, settings: Any, briefing: Any, inputs: dict[str, str], options: dict[str, Any]
    ) -> None:
        self.where, self.root = folder(settings), settings.root
        assets = {"assets": _assets(settings.root)} if self.where else {}
        self.made_from = (briefing, inputs, {**options, **assets})

    def get(self, name: str) -> Rendered | None:
        if self.where is None:
            return None
        entry = key(name, *self.made_from)
        found = read(self.where, entry, self.root)
        if found is not None:
            _touch(self.where / entry)
        return found

    def put(self, name: str, rendered: Rendered) -> None:
        if self.where is not None:
            write(self.where, key(name, *self.made_from), rendered)


def read(where: Path, entry: str, root: Path) -> Rendered | None:
    """The kept render ``entry``, or None when there is no sound one."""
    try:
        raw = files.read_bytes(where / entry, where, root, LIMIT)
        head, _, data = raw.partition(b"\n")
        stored = json.loads(head)
        if stored["sha256"] != hashlib.sha256(data).hexdigest():
            return None
        outline = tuple((title, tuple(lines)) for title, lines in stored["outline"])
        stats = {str(k): int(v) for k, v in stored["stats"].items()}
        return Rendered(data, stats, tuple(map(str, stored["warnings"])), outline)
    except (files.FileRefused, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(where: Path, entry: str, rendered: Rendered) -> None:
    """Keep a render; a full or read-only disk only means rendering again next time."""
    head = {
        "sha256": hashlib.sha256(rendered.data).hexdigest(),
        "stats": rendered.stats,
        "warnings": list(rendered.warnings),
        "outline": [[title, list(lines)] for title, lines in rendered.outline],
    }
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=where, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(head, ensure_ascii=False).encode() + b"\n")
                handle.write(rendered.data)
            os.replace(temp, where / entry)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _prune(where)
    except (OSError, TypeError, ValueError):
        pass


def _prune(where: Path) -> None:
    """The newest ``KEEP`` entries stay (an entry read is touched, so it counts as new)."""
    entries = []
    for path in where.iterdir():
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache is still read
        os.utime(path)
