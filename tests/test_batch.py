"""Every client at once: skips, targeted rebuilds, failures in isolation.

Each test gets its own copy of a project built once, so tests may edit it in any order.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from briefing.assemble import assemble
from briefing.build.batch import build_all
from briefing.cli import main
from briefing.project.load import load_project
from briefing.project.validate import validate

from .conftest import TODAY, settings_for, shared_root

CLIENTS = ["hartley-finch", "maison-aurele", "northwind-robotics"]


def _build_three(root: Path) -> None:
    outcomes = build_all(settings_for(root), CLIENTS, jobs=2, console=Console(quiet=True))
    assert [o.status for o in outcomes] == ["built"] * 3


@pytest.fixture(scope="module")
def batch_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with three clients, built once per test run for every worker (never edited:
    tests copy it)."""
    return shared_root(tmp_path_factory, "batch", CLIENTS, _build_three)


@pytest.fixture
def batch_root(batch_built: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built project."""
    root = tmp_path / "project"
    shutil.copytree(batch_built, root)
    return root


def statuses(root: Path, **kwargs: object) -> dict[str, str]:
    outcomes = build_all(settings_for(root), CLIENTS, jobs=2, console=Console(quiet=True), **kwargs)
    return {o.client_id: o.status for o in outcomes}


def test_unchanged_inputs_are_skipped(batch_root: Path) -> None:
    assert set(statuses(batch_root).values()) == {"up to date"}


def test_an_edited_article_rebuilds_only_the_clients_that_include_it(batch_root: Path) -> None:
    kb, _ = validate(load_project(batch_root))
    chosen = {cid: assemble(kb, cid, today=TODAY).articles[0].slug for cid in kb.clients}
    slug = chosen["maison-aurele"]
    article = batch_root / f"data/articles/{slug}.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    expected = {cid: "built" if chosen[cid] == slug else "up to date" for cid in chosen}
    assert statuses(batch_root) == expected and "up to date" in expected.values()


def test_an_edited_client_rebuilds_only_that_client(batch_root: Path) -> None:
    client = batch_root / "data/clients/northwind-robotics.yaml"
    client.write_text(
        client.read_text(encoding="utf-8").replace("VP Marketing", "CMO"), encoding="utf-8"
    )
    assert statuses(batch_root) == {
        "hartley-finch": "up to date",
        "maison-aurele": "up to date",
        "northwind-robotics": "built",
    }


def test_force_rebuilds_everything(batch_root: Path) -> None:
    assert set(statuses(batch_root, force=True).values()) == {"built"}


def test_a_broken_client_fails_alone_with_its_error_line(
    batch_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = batch_root / "data/clients/hartley-finch.yaml"
    original = broken.read_text(encoding="utf-8")
    broken.write_text(original.replace("industry: fmcg", "industry: fmgc"), encoding="utf-8")
    manifests = {c: batch_root / f"out/{c}/manifest.json" for c in CLIENTS}
    before = {c: path.stat().st_ino for c, path in manifests.items()}
    monkeypatch.chdir(batch_root)
    assert main(["build", "--all", "-j", "2", "--force"]) == 1
    err = capsys.readouterr().err
    assert "hartley-finch failed:" in err
    assert (
        "data/clients/hartley-finch.yaml:3:11: industry: unknown industry 'fmgc' "
        "(did you mean 'fmcg'?)" in err
    )
    # The others were published anew by this batch (a new manifest is a new file: publishing
    # stages the set and switches), the broken client's previous set is left as it was.
    after = {c: path.stat().st_ino for c, path in manifests.items()}
    assert {c for c in CLIENTS if after[c] != before[c]} == {"maison-aurele", "northwind-robotics"}
    manifest = json.loads(manifests["maison-aurele"].read_text())
    assert manifest["client"] == "maison-aurele"
