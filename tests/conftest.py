"""Fixtures: a copy of the project in a temp folder, so tests can break it safely."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from briefing.settings import Settings

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 25)


def copy_project(target: Path) -> Path:
    for folder in ("data", "templates", "assets"):
        shutil.copytree(REPO / folder, target / folder)
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


SAMPLE_CLIENTS = sorted(p.stem for p in (REPO / "data/clients").glob("*.yaml"))


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
    return Settings(root=root, out_dir=root / "out", today=TODAY, **overrides)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-24
    for name in ("BRIEFING_ROOT", "BRIEFING_STRICT", "BRIEFING_STALE_MONTHS"):
        monkeypatch.delenv(name, raising=False)
