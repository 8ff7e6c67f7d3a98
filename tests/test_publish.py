"""Publishing as a set: a kill at any moment, a failed render, a concurrent build or a pitch
build never leaves out/<client>/ holding anything but one complete build."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing import state
from briefing.build import publish as output
from briefing.build.manifest import check_outputs, read
from briefing.build.pipeline import build
from briefing.errors import TemplateError

from .conftest import REPO, copy_built, copy_project, settings_for, shared_build

CLIENT = "maison-aurele"
FORK = multiprocessing.get_context("fork")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder``: its bytes and inode (an untouched file keeps its inode)."""
    return {p.name: (p.read_bytes(), p.stat().st_ino) for p in sorted(folder.iterdir())}


def contents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(folder).items()}


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != "manifest.json"}


def rename_client(root: Path, new_name: str) -> None:
    """Change an input every output depends on (the name is on the cover and title slide)."""
    path = root / f"data/clients/{CLIENT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Maison Aurèle", f"name: {new_name}", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build A of the client, and the rendered files of a different build B."""
    built_a = shared_build(tmp_path_factory, [CLIENT], CLIENT)
    root = copy_built(built_a, tmp_path_factory.mktemp("publish") / "project")
    set_a = contents(root / "out" / CLIENT)
    scratch = copy_project(tmp_path_factory.mktemp("publish-b") / "project", [CLIENT])
    rename_client(scratch, "Maison Aurèle Paris")
    build(settings_for(scratch), CLIENT)
    set_b = contents(scratch / "out" / CLIENT)
    renamed = [n for n in set_a if not n.endswith("-plan.json")]  # the plan names no one
    assert set_a.keys() == set_b.keys() and all(set_a[n] != set_b[n] for n in renamed)
    return {"root": root, "a": set_a, "b": set_b}


@pytest.fixture
def published(two_builds: dict[str, Any], tmp_path: Path) -> Path:
    """A private project whose out/<client>/ holds build A."""
    root = tmp_path / "project"
    shutil.copytree(two_builds["root"], root)
    return root


# -- a kill at every step of publishing ------------------------------------------------------

STEPS = ("mkdtemp", "fsync", "rename", "exchange", "rmtree")


def _kill_at(step: int, patch: pytest.MonkeyPatch, exchange: bool) -> None:
    """From now on, this process SIGKILLs itself at its ``step``-th publishing operation."""
    count = [0]

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)

        return wrapper

    real_exchange = output._exchange if exchange else (lambda a, b: False)
    patch.setattr(output, "_exchange", counted(real_exchange))
    patch.setattr(output.tempfile, "mkdtemp", counted(output.tempfile.mkdtemp))
    for name in ("fsync", "rename"):
        patch.setattr(os, name, counted(getattr(os, name)))
    patch.setattr(output.shutil, "rmtree", counted(output.shutil.rmtree))


def _publish_b_and_die(root: str, outputs: dict[str, bytes], step: int, exchange: bool) -> None:
    with pytest.MonkeyPatch.context() as patch:
        _kill_at(step, patch, exchange)
        folder = Path(root) / "out" / CLIENT
        manifest = {"client": CLIENT}
        with state.client_lock(Path(root) / "state", CLIENT):
            output.publish(outputs, folder, manifest)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_a_kill_at_any_publishing_step_leaves_one_complete_build(
    two_builds: dict[str, Any], tmp_path: Path, exchange: bool
) -> None:
    set_a, set_b = two_builds["a"], two_builds["b"]
    outputs_b = without_manifest(set_b)
    killed_at = []
    for step in range(1, 40):
        root = tmp_path / f"step{step}"
        shutil.copytree(two_builds["root"], root)
        folder = root / "out" / CLIENT
        child = FORK.Process(target=_publish_b_and_die, args=(str(root), outputs_b, step, exchange))
        child.start()
        child.join(60)
        if child.exitcode == 0:
            break
        assert child.exitcode == -signal.SIGKILL
        killed_at.append(step)
        if not exchange:
            output.recover(folder)  # what the next build or send does first, under the lock
        found = contents(folder)
        assert check_outputs(folder, read(folder)).ok, f"killed at step {step}"
        assert set(found) - {"manifest.json"} == set(read(folder)["outputs"])
        assert found == set_a or without_manifest(found) == outputs_b, f"step {step}: mixed set"
        output.recover(folder)
        assert not [p for p in (root / "out").iterdir() if p.name.startswith(".")]
    assert len(killed_at) >= 8  # every file written, fsynced, the switch and the cleanup
    assert without_manifest(contents(folder)) == outputs_b


def test_a_kill_while_rendering_changes_nothing(published: Path, fresh_renders: None) -> None:
    before = snapshot(published / "out" / CLIENT)
    rename_client(published, "Maison Aurèle Paris")

    def render_then_die(root: str) -> None:
        from briefing.render import pdf

        def killed(*args: Any, **kwargs: Any) -> Any:  # runs in the render child
            os.kill(os.getppid(), signal.SIGKILL)  # the build process dies mid-render
            time.sleep(5)

        pdf.render_pdf = killed
        build(settings_for(Path(root)), CLIENT)

    child = FORK.Process(target=render_then_die, args=(str(published),))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert snapshot(published / "out" / CLIENT) == before


# -- failures, locks and pitch builds --------------------------------------------------------


def test_a_failed_deck_leaves_every_previous_file_untouched(published: Path) -> None:
    """The PDF's inputs change too, so a PDF published before the deck failed would show."""
    folder = published / "out" / CLIENT
    before = snapshot(folder)
    rename_client(published, "Maison Aurèle Paris")
    template = published / "templates/default/deck.yaml.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{{ client.nmae }}\n", "utf-8")
    with pytest.raises(TemplateError, match=r"templates/default/deck.yaml.j2:\d+: .*'nmae'"):
        build(settings_for(published), CLIENT)
    assert snapshot(folder) == before
    assert sorted(p.name for p in (published / "out").iterdir()) == [CLIENT]


def test_disk_full_while_staging_is_a_clear_error_and_changes_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = published / "out" / CLIENT
    before = snapshot(folder)
    real_write = output._write_file

    def full_disk(path: Path, data: bytes) -> None:
        if path.name.endswith(".pptx"):
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(output, "_write_file", full_disk)
    rename_client(published, "Maison Aurèle Paris")
    with pytest.raises(output.OutputError, match=r"cannot write .*No space left on device"):
        build(settings_for(published), CLIENT)
    assert snapshot(folder) == before
    assert sorted(p.name for p in (published / "out").iterdir()) == [CLIENT]


def test_a_sync_failure_after_the_switch_says_the_new_set_is_published(
    published: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An EIO syncing out/ after the switch printed "the previous outputs are unchanged",
    though the new set was published."""
    from briefing.cli import main

    real_sync = output._fsync_dir

    def failing_after_switch(path: Path) -> None:
        if path == published / "out":
            raise OSError(5, "Input/output error")
        real_sync(path)

    folder = published / "out" / CLIENT
    before = (folder / "manifest.json").read_bytes()
    monkeypatch.setattr(output, "_fsync_dir", failing_after_switch)
    monkeypatch.chdir(published)
    rename_client(published, "Maison Aurèle Lyon")
    assert main(["build", CLIENT]) == 1
    err = capsys.readouterr().err
    assert "the new outputs are published in" in err and "Input/output error" in err
    assert "unchanged" not in err
    assert check_outputs(folder, read(folder)).ok  # one complete set: the new one
    assert (folder / "manifest.json").read_bytes() != before


def _build_when_lock_reached(root: str, reached: Any) -> None:
    real_lock = state.client_lock

    def announcing(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        return real_lock(*args, **kwargs)

    state.client_lock = announcing
    build(settings_for(Path(root)), CLIENT)


def test_a_build_waits_for_the_client_lock_before_publishing(published: Path) -> None:
    folder = published / "out" / CLIENT
    before = snapshot(folder)
    rename_client(published, "Maison Aurèle Paris")
    reached = FORK.Event()
    child = FORK.Process(target=_build_when_lock_reached, args=(str(published), reached))
    with state.client_lock(published / "state", CLIENT):
        child.start()
        deadline = time.monotonic() + 120
        while not reached.is_set() and child.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # ample time to publish, were the lock not held
        assert child.is_alive(), "the build published while another process held the lock"
        assert snapshot(folder) == before
    child.join(60)
    assert child.exitcode == 0
    pdf = f"{CLIENT}-briefing.pdf"
    assert contents(folder)[pdf] != before[pdf][0]  # then it published, after the lock


def test_a_pitch_build_leaves_the_clients_own_outputs_byte_identical(published: Path) -> None:
    folder = published / "out" / CLIENT
    before = snapshot(folder)
    result = build(settings_for(published, theme="meridian"), CLIENT)
    assert snapshot(folder) == before
    pitch = published / "out" / f"{CLIENT}.meridian"
    names = [f"{CLIENT}-briefing.pdf", f"{CLIENT}-deck.pptx", f"{CLIENT}-plan.json"]
    assert result.paths == [pitch / name for name in names]
    assert check_outputs(pitch, read(pitch)).ok


def test_crash_leftovers_are_removed_by_the_next_build(published: Path) -> None:
    out = published / "out"
    (out / f".{CLIENT}.new-abcd1234").mkdir()
    (out / f".{CLIENT}.new-abcd1234" / "half.pdf").write_bytes(b"%PDF-1.7 half")
    (out / CLIENT / f".{CLIENT}-briefing.pdf.zz99.tmp").write_bytes(b"old-style temp")
    build(settings_for(published), CLIENT)  # up to date or not, publishing cleans first
    assert sorted(p.name for p in out.iterdir()) == [CLIENT]
    assert not list((out / CLIENT).glob(".*"))


def test_make_clean_keeps_state(published: Path) -> None:
    shutil.copy(REPO / "Makefile", published / "Makefile")
    (published / "state" / CLIENT).mkdir(parents=True, exist_ok=True)
    (published / "state" / CLIENT / "sent.jsonl").write_text("{}\n", encoding="utf-8")
    subprocess.run(["make", "-s", "clean"], cwd=published, check=True, capture_output=True)
    assert not (published / "out").exists()
    assert (published / "state" / CLIENT / "sent.jsonl").read_text(encoding="utf-8") == "{}\n"
    assert (published / "state" / "locks" / f"{CLIENT}.lock").exists()


def test_an_unwritable_out_folder_fails_before_rendering(
    published: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_renders: None,
) -> None:
    from briefing.render import pdf

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(30, "Read-only file system")

    def must_not_render(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("rendered although out/ cannot be written")

    monkeypatch.setattr(output.tempfile, "TemporaryFile", read_only)
    monkeypatch.setattr(pdf, "render_pdf", must_not_render)
    before = snapshot(published / "out" / CLIENT)
    with pytest.raises(output.OutputError, match=r"cannot write .*out: Read-only file system"):
        build(settings_for(published), CLIENT)
    assert snapshot(published / "out" / CLIENT) == before
