"""Fixtures: a copy of the project in a temp folder, so tests can break it safely.

Tests of code never read the live data/: they build from the frozen sample in
tests/roots/sample/ (a copy of data/ as it was), with the sample themes named here and the
repository's assets. Adding a client, a figure or a theme the README's way, or breaking a file
in data/, leaves them as they were; only tests/test_shipped_data.py reads data/, on purpose.
One date for every test: 2026-11-25.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from briefing.settings import Settings

from .smtp_server import smtp  # noqa: F401 (the local SMTP server fixture, for every test)

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests/roots/sample"  # the frozen sample data: read it, never data/
TODAY = dt.date(2026, 11, 25)
SOURCE_DATE_EPOCH = "1795564800"  # 2026-11-25 00:00 UTC, the same day as TODAY
SAMPLE_CLIENTS = [
    "harbourview-university",
    "hartley-finch",
    "lakeshore-business-school",
    "maison-aurele",
    "nordlys-travel",
    "northwind-robotics",
    "stormglass-studios",
    "voltera-motors",
]
SAMPLE_THEMES = ["default", "meridian"]


def copy_project(target: Path, clients: list[str] = SAMPLE_CLIENTS) -> Path:
    """A project root with the frozen sample data, the sample themes and the assets."""
    shutil.copytree(SAMPLE / "data", target / "data", ignore=shutil.ignore_patterns("clients"))
    (target / "data/clients").mkdir()
    for client in clients:
        shutil.copy2(SAMPLE / f"data/clients/{client}.yaml", target / "data/clients")
        for edition in (SAMPLE / "data/clients").glob(f"{client}.*.yaml"):  # its translations
            shutil.copy2(edition, target / "data/clients")
    for theme in SAMPLE_THEMES:
        shutil.copytree(REPO / "templates" / theme, target / "templates" / theme)
    shutil.copytree(REPO / "assets", target / "assets")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample project (data, templates, assets)."""
    return copy_project(tmp_path / "project")


def shared_folder(
    factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]
) -> Path:
    """A folder ``make(folder)`` fills once per test run, to read or to copy, never to edit.

    With pytest-xdist each worker has its own temp folder; their parent is the run's, so the
    first worker that asks makes it under a lock and the others wait for it and reuse it. A
    run without workers keeps it in its own temp folder (never reused by a later run)."""
    folder = _run_folder(factory) / "shared" / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{folder}.lock"):
        done = folder.with_name(f"{name}.done")
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a failed attempt's leftovers
            with pytest.MonkeyPatch.context() as monkeypatch:  # whichever test asks first
                _reproducible_environment(monkeypatch)
                make(folder)
            done.touch()
    return folder


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    if base.name == f"popen-{os.environ.get('PYTEST_XDIST_WORKER')}":  # xdist's worker gw<n>
        base = base.parent  # the run's folder, shared by its workers (not a pytest it starts)
    return base


RENDER_CACHE = "BRIEFING_RENDER_CACHE"


@pytest.fixture(scope="session", autouse=True)
def _one_render_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One render cache for the whole run (build/rendercache.py): a test that builds what
    another test built reuses its renders, as a designer's second build does. A test of
    rendering itself (a budget, a crash, an interrupt) renders with ``fresh_renders``."""
    os.environ[RENDER_CACHE] = str(_run_folder(tmp_path_factory) / "renders")


@pytest.fixture
def fresh_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test renders every output itself (no reused renders)."""
    monkeypatch.setenv(RENDER_CACHE, "off")


def shared_root(
    factory: pytest.TempPathFactory,
    name: str,
    clients: list[str],
    make: Callable[[Path], object],
) -> Path:
    """A copy of the project with ``clients`` that ``make(root)`` prepares (builds) once per
    test run (see ``shared_folder``), to read or to copy with ``copy_built``, never to edit."""
    folder = shared_folder(factory, name, lambda f: make(copy_project(f / "project", clients)))
    return folder / "project"


def copy_built(source: Path, target: Path) -> Path:
    """This test's own copy of a shared root (data, templates, assets, out/, state/)."""
    return Path(shutil.copytree(source, target, symlinks=True))


def shared_build(factory: pytest.TempPathFactory, clients: list[str], client: str) -> Path:
    """The shared project of ``clients`` with ``client`` built (every file as a fresh build
    leaves it): copy it with ``copy_built`` to edit it."""
    from briefing.build.pipeline import build

    name = f"{'all' if clients == SAMPLE_CLIENTS else '+'.join(clients)}.built-{client}"
    return shared_root(factory, name, clients, lambda root: build(settings_for(root), client))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with maison-aurele already built (shared by read-only tests)."""
    shared = shared_build(tmp_path_factory, SAMPLE_CLIENTS, "maison-aurele")
    return copy_built(shared, tmp_path_factory.mktemp("built") / "project")


def _build_all(root: Path) -> None:
    from rich.console import Console

    from briefing.build.batch import build_all

    outcomes = build_all(settings_for(root), SAMPLE_CLIENTS, jobs=2, console=Console(quiet=True))
    assert {o.status for o in outcomes} == {"built"}, [o.errors for o in outcomes]


@pytest.fixture(scope="session")
def all_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with every sample client built (two workers); read-only."""
    return shared_root(tmp_path_factory, "all-built", SAMPLE_CLIENTS, _build_all)


@pytest.fixture(scope="session")
def sample_decks_as_pdf(
    all_built: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Every sample client's deck as LibreOffice renders it (one soffice run for all)."""
    from briefing.tools.deckcheck import to_pdfs

    decks = {c: all_built / f"out/{c}/{c}-deck.pptx" for c in SAMPLE_CLIENTS}
    folder = shared_folder(
        tmp_path_factory, "decks-as-pdf", lambda f: to_pdfs([*decks.values()], f)
    )
    return {c: folder / f"{deck.stem}.pdf" for c, deck in decks.items()}


def settings_for(root: Path, **overrides: object) -> Settings:
    """The settings the CLI would load in ``root``, on the suite's one date (also for
    module-scoped fixtures, which run before the autouse fixture sets the environment)."""
    return Settings.load(root, **{"SOURCE_DATE_EPOCH": int(SOURCE_DATE_EPOCH), **overrides})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.hookimpl(trylast=True)  # after pytest-randomly has shuffled the order
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``slow`` tests first (in their shuffled order): pytest-xdist hands out tests in
    collection order (its groups before single tests), so a long test collected last could
    keep one worker busy for minutes after the other ran out of work."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the same day and none of the developer's BRIEFING_* settings."""
    _reproducible_environment(monkeypatch)


@pytest.fixture(autouse=True)
def _logging_as_pytest_left_it() -> Iterator[None]:
    """A test that runs the CLI in-process configures the ``briefing`` logger (its own
    handler, no propagation), which hid every later warning from ``caplog`` on that worker:
    a test passed or failed by the order pytest-randomly chose."""
    yield
    logger = logging.getLogger("briefing")
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


def _reproducible_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    for name in os.environ:
        if name.upper().startswith("BRIEFING_") and name != RENDER_CACHE:
            monkeypatch.delenv(name)
