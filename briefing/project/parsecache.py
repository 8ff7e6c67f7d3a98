"""Parsed YAML kept on disk by content digest, as JSON (never pickle), in a disposable folder.

A document is parsed once per content and loader: the key covers the text, where it starts in
its file, and the loader's own code and libyaml's version, so an edit to either parses again.
`make clean` may delete the folder at any time (it is never in state/); an entry that is
missing, unreadable, corrupt or of another shape is simply parsed again, and entries are read
through the guarded file reader like every other project file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from briefing import files

FOLDER = ".cache/briefing/yaml"  # under the project root; `make clean` removes .cache/
LIMIT = 16 * files.MB  # an entry: the data and its position index (a data file is <= 1 MB)

# (data, values index, keys index, problem as (message, line, col) or None)
Parsed = tuple[Any, dict, dict, tuple[str, int | None, int | None] | None]


def folder(root: Path) -> Path:
    return root / FOLDER


@functools.cache
def loader_version() -> str:
    """What parsing depends on besides the text: this module, load.py, PyYAML and libyaml."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("load.py", "parsecache.py"):
        digest.update((here / name).read_bytes())
    libyaml = yaml._yaml.get_version_string() if yaml.__with_libyaml__ else "none"
    digest.update(f"{yaml.__version__}/{libyaml}".encode())
    return digest.hexdigest()


def key(text: str, line_offset: int) -> str:
    digest = hashlib.sha256(f"{loader_version()}\0{line_offset}\0".encode())
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read(root: Path, entry: str) -> Parsed | None:
    """The stored parse for ``entry``, or None when there is no usable one."""
    where = folder(root)
    try:
        raw = files.read_bytes(where / f"{entry}.json", where, root, LIMIT)
        stored = json.loads(raw)
        problem = stored["problem"]
        return (
            _decode(stored["data"]),
            {tuple(loc): (line, col) for loc, line, col in stored["values"]},
            {tuple(loc): (line, col) for loc, line, col in stored["keys"]},
            (problem[0], problem[1], problem[2]) if problem is not None else None,
        )
    except (files.FileRefused, OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # absent, or corrupt: parse again


def write(root: Path, entry: str, parsed: Parsed) -> None:
    """Store a parse; a read-only or full disk only means parsing again next time."""
    data, values, keys, problem = parsed
    try:
        text = json.dumps(
            {
                "data": _encode(data),
                "values": [[list(loc), *at] for loc, at in values.items()],
                "keys": [[list(loc), *at] for loc, at in keys.items()],
                "problem": problem,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        where = folder(root)
        where.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, where / f"{entry}.json")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError):
        pass


# JSON has no dates and only string keys: mappings, dates and timestamps are tagged objects.
def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {"m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")  # not stored: parsed each time


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "m" in value:
            return {_decode(k): _decode(v) for k, v in value["m"]}
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        return dt.date.fromisoformat(value["d"])
    return value
