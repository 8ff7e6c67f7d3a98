"""Where the project's data lives: the one place that spells paths under data/.

The loader reads by it, the up-to-date check lists by it (without loading YAML or pydantic,
so a no-op build stays fast), and messages, problem filters and manifests name files with it.
Paths are relative to the project root and '/'-separated, as ``Problem.path`` shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

DATA = "data"
# data/<kind>/<id><suffix>, each record with its translations (<id>.<lang><suffix>)
KINDS = {
    "clients": ".yaml",
    "industries": ".yaml",
    "platforms": ".yaml",
    "articles": ".md",
    "benchmarks": ".yaml",
}
SINGLES = ("assumptions", "calendar", "fx")  # one file each: data/<kind>.yaml (+ translations)


def data_path(kind: str, name: str = "", lang: str | None = None) -> str:
    """A data file's path: ``data/clients/acme.yaml``, ``data/clients/acme.zh-CN.yaml``,
    ``data/fx.yaml`` (a single kind has no name)."""
    tail = f".{lang}" if lang else ""
    if kind in SINGLES:
        return f"{DATA}/{kind}{tail}.yaml"
    return f"{DATA}/{kind}/{name}{tail}{KINDS[kind]}"


def data_folder(kind: str) -> str:
    """The folder of a kind's records: ``data/clients``."""
    return f"{DATA}/{kind}"


def record_prefix(kind: str, name: str | None = None) -> str:
    """The start every path of a record shares, its translations included
    (``data/clients/acme.``); without a name, every record of the kind (``data/clients/``)."""
    if kind in SINGLES:
        return f"{DATA}/{kind}."
    return f"{data_folder(kind)}/" if name is None else f"{data_folder(kind)}/{name}."


def is_translation(path: Path) -> bool:
    """A data file's translation (``wechat.zh-CN.yaml``), not a record of its own: an id
    never has a dot, so a stem with one names a record and a language."""
    return "." in path.stem


def data_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file of data/ a build reads, with its kind, in a stable order: the records of
    each kind and their translations, then the single files and theirs."""
    for kind, suffix in KINDS.items():
        folder = root / data_folder(kind)
        for path in sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []:
            yield kind, path
    for kind in SINGLES:  # data/fx.yaml and data/calendar.zh-CN.yaml, not data/fxnotes.yaml
        for path in sorted((root / DATA).glob(f"{kind}.*yaml")):
            yield kind, path


def client_ids(root: Path) -> list[str]:
    """The clients: data/clients/<id>.yaml, not their translations (<id>.<lang>.yaml)."""
    folder = root / data_folder("clients")
    return sorted(p.stem for p in folder.glob("*.yaml") if not is_translation(p))
