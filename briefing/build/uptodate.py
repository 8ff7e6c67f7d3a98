"""Is a built edition still up to date? Decided from its manifest's digests, parsing no YAML.

A build records, beside its manifest's options and inputs, what a later check needs to decide
without loading the project (the edition's ``check`` field): a digest of every data file the
build could depend on (all of data/ but other clients' files: ranking reads every platform, a
new article may be chosen), a digest of the theme chain's folders, the client's editions, the
settings, the code, and the last day on which today's date leaves the dated figures as they
are. ``fresh`` answers True only when all of that still holds and the outputs are intact;
False means "not known": the caller then prepares the edition in full, which decides.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.build import publish as output
from briefing.project import layout
from briefing.project.rules import is_dated, is_slug, months_before
from briefing.state import identity

CHECK = "check"  # the edition's field in out/<client>/manifest.json


def record(
    settings: Any,
    client_id: str,
    lang: str,
    listing: dict[str, str],
    theme_dirs: Sequence[Path],
    editions: Sequence[str],
    dated_until: dt.date | None,
) -> dict[str, Any]:
    """The ``check`` field of an edition built from ``listing`` (data file -> sha256, as read
    by the build) in the theme whose folders are ``theme_dirs``."""
    root = settings.root
    themes = [Path(os.path.relpath(d, root)).as_posix() for d in theme_dirs]
    try:
        trees = tree_digest(root, tuple(themes))
    except (OSError, _Unsure):  # a link in a theme folder: later checks defer to the full path
        return {}
    return {
        "data": data_digest(listing, client_id),
        "themes": themes,
        "theme_files": trees,
        "editions": list(editions),
        "dated_until": dated_until.isoformat() if dated_until else None,
        "settings": settings_key(settings, lang),
        "code": code_digest(),
    }


def fresh_editions(settings: Any, client_id: str) -> list[str] | None:
    """The client's editions, if every one is known to be up to date (else None)."""
    return Checker(settings).fresh_editions(client_id)


def fresh(settings: Any, client_id: str, lang: str) -> bool:
    """True when the ``lang`` edition's outputs are what building it now would make."""
    return Checker(settings).fresh(client_id, lang)


class Checker:
    """Up-to-date checks that share their reading of the files: for one command's run."""

    def __init__(self, settings: Any) -> None:
        self.settings, self.root = settings, settings.root
        self.digests: dict[Path, str] = {}
        self.trees: dict[tuple[str, ...], str] = {}
        self.data: dict[str, str] | None = None

    def fresh_editions(self, client_id: str) -> list[str] | None:
        """The client's editions, if every one is known to be up to date (else None)."""
        if self.settings.lang:
            return [self.settings.lang] if self.fresh(client_id, self.settings.lang) else None
        for lang, edition in _editions(self.settings, client_id).items():
            langs = (edition.get(CHECK) or {}).get("editions")
            if isinstance(langs, list) and self.fresh(client_id, lang):
                # This edition read today's client file: its list of editions is the client's.
                ok = all(isinstance(x, str) and self.fresh(client_id, x) for x in langs)
                return list(langs) if ok else None
        return None

    def fresh(self, client_id: str, lang: str) -> bool:
        """True when the ``lang`` edition's outputs are what building it now would make."""
        settings = self.settings
        if settings.theme is not None or not is_slug(client_id):
            return False  # a pitch in another theme, or an id the full path must refuse
        edition: dict[str, Any] = _editions(settings, client_id).get(lang) or {}
        check = edition.get(CHECK)
        if not isinstance(check, dict):
            return False
        options, inputs = edition.get("options") or {}, edition.get("inputs") or {}
        themes, today = tuple(check.get("themes", ())), settings.today
        try:
            return (
                check.get("settings") == settings_key(settings, lang)
                and check.get("code") == code_digest()
                and options.get("version") == __version__
                # the date printed is the day the content last changed (briefing.state.identity)
                and str(options.get("date")) <= today.isoformat()
                and _dated_same(check.get("dated_until"), today)
                and check.get("data") == data_digest(self.listing(), client_id)
                and check.get("theme_files") == self.tree(themes)
                and self.other_inputs_same(inputs, themes)
                and options.get("since") == _since(settings, client_id, lang, inputs)
                and self.outputs_intact(client_id, edition.get("outputs") or {})
            )
        except (OSError, ValueError, TypeError, _Unsure):
            return False

    def digest(self, path: Path) -> str:
        if path not in self.digests:
            self.digests[path] = _file_digest(path)
        return self.digests[path]

    def listing(self) -> dict[str, str]:
        if self.data is None:
            self.data = listing(self.root, self.digest)
        return self.data

    def tree(self, folders: tuple[str, ...]) -> str:
        if folders not in self.trees:
            self.trees[folders] = tree_digest(self.root, folders, self.digest)
        return self.trees[folders]

    def other_inputs_same(self, inputs: dict[str, str], themes: tuple[str, ...]) -> bool:
        """Logos and fonts, each as the manifest recorded it (themes and data are whole)."""
        covered = (f"{layout.DATA}/", *(f"{t}/" for t in themes))
        for key, recorded in inputs.items():
            if key.startswith(covered):
                continue
            if key.startswith("font:"):
                info = os.stat(key[len("font:") :])
                current = f"{info.st_size}-{info.st_mtime_ns}"
            else:
                current = self.digest(self.root / key)
            if current != recorded:
                return False
        return True

    def outputs_intact(self, client_id: str, outputs: dict[str, str]) -> bool:
        folder = self.settings.out_dir / client_id
        return bool(outputs) and all(self.digest(folder / n) == d for n, d in outputs.items())


def settings_key(settings: Any, lang: str) -> dict[str, Any]:
    """The settings a build's outcome depends on, besides those its options record."""
    return {
        "lang": lang,
        "strict": settings.strict,
        "stale_months": settings.stale_months,
        "pdf_variant": settings.pdf_variant,
        "allow_missing_translations": settings.allow_missing_translations,
    }


def dated_until(as_of: list[dt.date], today: dt.date, stale_months: int) -> dt.date | None:
    """The last day on which the figures dated ``as_of`` that are current today are still
    current (None: none is, so no later day dates another)."""
    current = [a for a in as_of if not is_dated(a, months_before(today, stale_months))]
    if not current:
        return None
    soonest = min(current)
    low, high = today.toordinal(), today.toordinal() + 31 * (stale_months + 1)
    while low < high:  # the last day whose limit is not past ``soonest`` (limits only rise)
        middle = (low + high + 1) // 2
        if is_dated(soonest, months_before(dt.date.fromordinal(middle), stale_months)):
            high = middle - 1
        else:
            low = middle
    return dt.date.fromordinal(low)


def _dated_same(until: str | None, today: dt.date) -> bool:
    return until is None or today <= dt.date.fromisoformat(until)


class _Unsure(Exception):
    """A file the check will not read (a link, a FIFO): the full path decides."""


def listing(root: Path, digest: Any = None) -> dict[str, str]:
    """Every file of data/ a build reads -> sha256 (as ``load.load_project`` finds them)."""
    digest = digest or _file_digest
    return {p.relative_to(root).as_posix(): digest(p) for _, p in layout.data_files(root)}


def data_digest(files: dict[str, str], client_id: str) -> str:
    """One digest of the data files an edition of ``client_id`` may depend on: all but other
    clients' files (and their translations)."""
    clients, own = layout.record_prefix("clients"), layout.record_prefix("clients", client_id)
    digest = hashlib.sha256()
    for rel in sorted(files):
        if rel.startswith(clients) and not rel.startswith(own):
            continue
        digest.update(f"{rel}\0{files[rel]}\n".encode())
    return digest.hexdigest()


def tree_digest(root: Path, folders: tuple[str, ...], digest: Any = None) -> str:
    """One digest of every file (names and bytes) under the theme ``folders``."""
    digest, total = digest or _file_digest, hashlib.sha256()
    for folder in folders:
        if not folder.startswith("templates/"):
            raise _Unsure(folder)
        for path in sorted((root / folder).rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            total.update(f"{path.relative_to(root).as_posix()}\0{digest(path)}\n".encode())
    return total.hexdigest()


def _since(settings: Any, client_id: str, lang: str, inputs: dict[str, str]) -> str | None:
    """The sent briefing the 'What changed' page compares with, as prepare finds it."""
    from briefing.state import history

    earlier = history.previous(settings.state_dir, client_id, lang, identity.inputs_digest(inputs))
    return earlier.folder.name if earlier else None


def _file_digest(path: Path) -> str:
    """sha256 of a regular file, never following a link nor opening a FIFO or device."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _Unsure(str(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _editions(settings: Any, client_id: str) -> dict[str, Any]:
    try:
        text = (settings.out_dir / client_id / output.MANIFEST).read_text(encoding="utf-8")
        editions = json.loads(text).get("editions")
    except (OSError, ValueError, AttributeError):
        return {}
    return editions if isinstance(editions, dict) else {}


@functools.cache
def code_digest() -> str:
    """The package's own source: a changed or upgraded tool rebuilds, as new inputs would
    (the manifest records this digest; the no-op check compares it)."""
    package = Path(__file__).resolve().parent.parent  # the whole briefing package
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
