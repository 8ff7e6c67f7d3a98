"""The no-op check: an edition is up to date, decided from its manifest without parsing YAML,
and never when anything a build would read or decide differently has changed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.build import pipeline as build
from briefing.build import uptodate
from briefing.cli import main
from briefing.project import load
from briefing.project.rules import is_dated, months_before

from .conftest import SOURCE_DATE_EPOCH, copy_project, settings_for

CLIENT = "maison-aurele"


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("fresh") / "project", [CLIENT, "hartley-finch"])
    build.build(settings_for(root), CLIENT)
    return root


@pytest.fixture
def root(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built project, free to edit."""
    return Path(shutil.copytree(built_once, tmp_path / "project", symlinks=True))


def fresh(root: Path, **overrides: object) -> bool:
    return uptodate.fresh(settings_for(root, **overrides), CLIENT, "en")


def test_a_build_is_up_to_date_without_parsing_yaml(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.prepare(settings_for(root, lang="en"), CLIENT).up_to_date()  # the full check
    monkeypatch.setattr(load, "load_project", _no_parsing)
    assert fresh(root)
    assert uptodate.fresh_editions(settings_for(root), CLIENT) == ["en"]
    monkeypatch.chdir(root)
    assert main(["build", CLIENT]) == 0
    assert f"{CLIENT} (en) is up to date" in capsys.readouterr().err


def test_the_batch_settles_up_to_date_clients_without_parsing_yaml(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from briefing.build.batch import build_all

    monkeypatch.setattr(load, "load_project", _no_parsing)
    outcomes = build_all(settings_for(root), [CLIENT], console=Console(quiet=True))
    assert [(o.client_id, o.status) for o in outcomes] == [(CLIENT, "up to date")]


def _no_parsing(*args: object) -> None:
    raise AssertionError("the no-op check parsed the project")


@pytest.mark.parametrize(
    "edit",
    [
        f"data/clients/{CLIENT}.yaml",
        "data/industries/luxury.yaml",
        "data/platforms/wechat.yaml",  # ranking reads every platform
        "data/articles/wechat-offline-to-online.md",
        "templates/default/report.css",
    ],
)
def test_any_input_edit_is_not_up_to_date(root: Path, edit: str) -> None:
    with (root / edit).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert not fresh(root)


@pytest.mark.parametrize(
    "new",
    [
        "data/platforms/zz-new.yaml",  # a new platform could rank among the recommended
        "data/articles/zz-new.md",  # a new article could be chosen
        f"data/clients/{CLIENT}.zh-CN.yaml",  # a translation of this client
        "templates/default/partials/zz-new.html.j2",
    ],
)
def test_a_new_file_that_could_matter_is_not_up_to_date(root: Path, new: str) -> None:
    (root / new).parent.mkdir(parents=True, exist_ok=True)
    (root / new).write_text("name: New\n", encoding="utf-8")
    assert not fresh(root)


def test_another_clients_edit_leaves_it_up_to_date(root: Path) -> None:
    with (root / "data/clients/hartley-finch.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    (root / "data/clients/zz-new.yaml").write_text("name: New\n", encoding="utf-8")
    assert fresh(root)


@pytest.mark.parametrize(
    "option",
    [{"strict": True}, {"stale_months": 6}, {"pdf_variant": "none"}, {"theme": "meridian"}],
)
def test_a_changed_option_is_not_up_to_date(root: Path, option: dict[str, object]) -> None:
    assert not fresh(root, **option)


def test_another_day_is_up_to_date_until_a_figure_turns_dated(root: Path) -> None:
    """The printed date is the day the content last changed (briefing.state.identity): the next
    day is up to date; past ``dated_until`` a figure would turn dated, and it is not."""
    assert fresh(root, SOURCE_DATE_EPOCH=int(SOURCE_DATE_EPOCH) + 86_400)
    path = root / f"out/{CLIENT}/manifest.json"
    record = json.loads(path.read_text("utf-8"))
    edition = record["editions"]["en"]
    built_on = dt.date.fromisoformat(edition["options"]["date"])
    until = edition["check"]["dated_until"]  # None: every figure shown is dated already
    assert until is None or dt.date.fromisoformat(until) >= built_on
    edition["check"]["dated_until"] = (built_on - dt.timedelta(days=1)).isoformat()
    path.write_text(json.dumps(record), "utf-8")
    assert not fresh(root)


def test_dated_until_is_the_last_day_before_a_figure_turns_dated() -> None:
    today = dt.date(2026, 11, 25)
    as_of = [dt.date(2025, 1, 31), dt.date(2025, 12, 31), dt.date(2026, 3, 1)]
    until = uptodate.dated_until(as_of, today, 12)
    assert until is not None

    def dated(day: dt.date) -> set[dt.date]:
        return {a for a in as_of if is_dated(a, months_before(day, 12))}

    assert dated(until) == dated(today) != dated(until + dt.timedelta(days=1))
    assert uptodate.dated_until([dt.date(2020, 1, 1)], today, 12) is None  # all dated already


def test_tampered_outputs_or_a_missing_manifest_are_not_up_to_date(root: Path) -> None:
    pdf = root / f"out/{CLIENT}/{CLIENT}-briefing.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    assert not fresh(root)
    (root / f"out/{CLIENT}/manifest.json").unlink()
    assert not fresh(root)
    assert uptodate.fresh_editions(settings_for(root), CLIENT) is None


def test_a_link_in_data_is_left_to_the_full_check(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("name: Outside\n", encoding="utf-8")
    (root / "data/platforms/zz-link.yaml").symlink_to(outside)
    assert not fresh(root)


def test_the_code_digest_matches_the_manifests() -> None:
    """uptodate decides with the same code digest the manifest records."""
    from briefing.build import manifest

    assert uptodate.code_digest() == manifest.code_digest()


def test_the_no_op_check_loads_no_renderer() -> None:
    """briefing.build stays light: its pipeline's names load on first use, not with uptodate."""
    code = (
        "import sys; from briefing.build import uptodate; "
        "heavy = ('weasyprint', 'pptx', 'jinja2', 'briefing.build.pipeline', 'briefing.render'); "
        "print([m for m in sys.modules if m.startswith(heavy)]); "
        "from briefing.build import build, pipeline; assert build is pipeline.build"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_batch_of_no_ops_loads_no_renderer_and_no_model(all_built: Path, tmp_path: Path) -> None:
    """`make all` with every edition up to date (noop_all_s): the summary table loaded every
    renderer and the up-to-date check every pydantic model, most of the no-op's time."""
    from .conftest import copy_built

    root = copy_built(all_built, tmp_path / "project")
    code = (
        "import sys; from briefing.cli import main; rc = main(['build', '--all']); "
        "heavy = ('weasyprint', 'pptx', 'jinja2', 'yaml', 'briefing.render', "
        "'briefing.project.model', 'briefing.build.pipeline'); "
        "print(rc, sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    env = {**os.environ, "BRIEFING_ROOT": str(root)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr
    assert "up to date" in done.stderr and "built" not in done.stderr.replace("Batch", "")


def test_a_replaced_article_image_is_not_up_to_date(tmp_path: Path) -> None:
    """An article's image lives in assets/, outside data/ and the theme: the manifest lists
    it among the inputs, so replacing it rebuilds (and voids an approval)."""
    from PIL import Image

    root = copy_project(tmp_path / "project", [CLIENT])
    image = root / "assets/images/qr.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (40, 40), "black").save(image)
    article = root / "data/articles/china-social-landscape.md"  # one the briefing includes
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\n![Scan to follow](assets/images/qr.png)\n")
    build.build(settings_for(root), CLIENT)
    assert fresh(root)
    Image.new("RGB", (40, 40), "white").save(image)
    assert not fresh(root)
    assert not build.prepare(settings_for(root, lang="en"), CLIENT).up_to_date()
