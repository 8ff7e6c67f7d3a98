"""Fixtures: a copy of the project in a temp folder, so tests can break it safely.

Tests of code never read the live data/: they build from the frozen sample in
tests/roots/sample/ (a copy of data/ as it was), with the sample themes named here and the
repository's assets. Adding a client, a figure or a theme the README's way, or breaking a file
in data/, leaves them as they were; only tests/test_shipped_data.py reads data/, on purpose.
One date for every test: 2026-11-25.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with maison-aurele already built (shared by read-only tests)."""
    from briefing.build import build

    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    build(settings_for(root), "maison-aurele")
    return root


@pytest.fixture(scope="session")
def all_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with every sample client built (two workers)."""
    from rich.console import Console

    from briefing.batch import build_all

    root = copy_project(tmp_path_factory.mktemp("all") / "project")
    outcomes = build_all(settings_for(root), SAMPLE_CLIENTS, jobs=2, console=Console(quiet=True))
    assert {o.status for o in outcomes} == {"built"}, [o.errors for o in outcomes]
    return root


def settings_for(root: Path, **overrides: object) -> Settings:
    """The settings the CLI would load in ``root``, on the suite's one date (also for
    module-scoped fixtures, which run before the autouse fixture sets the environment)."""
    return Settings.load(root, **{"SOURCE_DATE_EPOCH": int(SOURCE_DATE_EPOCH), **overrides})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the same day and none of the developer's BRIEFING_* settings."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    for name in os.environ:
        if name.upper().startswith("BRIEFING_"):
            monkeypatch.delenv(name)
