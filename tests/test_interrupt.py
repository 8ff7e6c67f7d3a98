"""Ctrl-C, a dead worker, a render over budget: one line, exit codes, nothing half-published."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rich.console import Console

from briefing.build import batch
from briefing.build.batch import build_all
from briefing.build.manifest import check_outputs, read
from briefing.build.pipeline import build
from briefing.errors import RenderError

from .conftest import REPO, SAMPLE_CLIENTS, copy_built, copy_project, settings_for, shared_build

CLIENT = "maison-aurele"


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    """The CLI in its own process group, as a terminal runs it (Ctrl-C reaches the group)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_like_a_terminal,
    )


def _like_a_terminal() -> None:
    """A command started in the background by a script ignores SIGINT (so may this test
    run, in CI); a command typed at a terminal does not."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_when_rendering(
    process: subprocess.Popen[str], processes: int, settle: float = 0.3
) -> tuple[float, str]:
    """Wait until ``processes`` descendants run (workers, renders) and the CLI listens to
    Ctrl-C, press it; the seconds until the CLI exited, and what it printed on stderr."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if _descendants(process.pid) >= processes and _listens_to_ctrl_c(process.pid):
            break
        time.sleep(0.01)
    time.sleep(settle)
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # fail this test only, not the next one too
        process.communicate()
        raise
    return time.monotonic() - started, err


def _listens_to_ctrl_c(pid: int) -> bool:
    """False while the CLI ignores SIGINT (it does while forking workers, so that they are
    born ignoring it). A Ctrl-C pressed in that moment is lost: a gap in batch.py (blocking
    SIGINT there would keep it pending), not what these tests are about."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return not int(line.split()[1], 16) & 1 << (signal.SIGINT - 1)
    return True


def _live(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes that still run (a zombie has ended; only its exit status is left)."""
    running = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
    return running


def _descendants(pid: int) -> int:
    """Live forks below ``pid`` (while it runs: workers, renders), not the programs a library
    runs while loading (ctypes' find_library runs gcc and ld)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        cli = psutil.Process(pid)
        command = cli.cmdline()
        return len([p for p in _live(cli.children(recursive=True)) if _command(p) == command])
    return 0


def _command(process: psutil.Process) -> list[str]:
    with contextlib.suppress(psutil.NoSuchProcess):
        return process.cmdline()
    return []


PF_EXITING = 0x4  # a task flag (linux/sched.h): the kernel is tearing the process down


def _stopping(pid: int) -> bool:
    """Whether a process can never run again: it is exiting, or SIGKILL is pending (as for a
    render whose worker was killed: the kernel sends it SIGKILL when its parent dies)."""
    try:
        flags = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[6])
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (OSError, IndexError):
        return True  # gone
    pending = 0
    for line in status:
        if line.startswith(("SigPnd:", "ShdPnd:")):
            pending |= int(line.split()[1], 16)
    return bool(flags & PF_EXITING or pending & 1 << (signal.SIGKILL - 1))


def _left_in_group(pgid: int) -> list[str]:
    """Processes that still run in the process group the CLI started (pid == pgid), however
    deep and whoever adopted them after the CLI exited; asked once, no waiting."""
    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(process.pid) == pgid:
                members.append(process)
    left = [p for p in _live(members) if not _stopping(p.pid)]
    return [f"{p.pid}: {' '.join(_command(p))}" for p in left]


def _assert_every_output_folder_is_one_build(root: Path) -> None:
    out = root / "out"
    for folder in out.iterdir() if out.exists() else []:
        if not folder.name.startswith("."):
            assert check_outputs(folder, read(folder)).ok, folder


@pytest.mark.parametrize(
    ("processes", "settle"),
    [(2, 0.0), (3, 0.3)],
    ids=["while-workers-start", "while-rendering"],
)
def test_ctrl_c_stops_a_batch_with_one_line_and_exit_130(
    tmp_path: Path, processes: int, settle: float
) -> None:
    """Two workers just forked (still importing), or two workers and a render running."""
    root = copy_project(tmp_path / "project")
    process = _start(root, "build", "--all", "-j", "2", "--force")
    seconds, err = _interrupt_when_rendering(process, processes, settle)
    print(f"batch stopped {seconds:.2f} s after Ctrl-C")  # shown with -s; never asserted
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "Interrupted: nothing half-done was published or sent"
    assert err.count("Interrupted") == 1
    assert _left_in_group(process.pid) == []  # no worker or render left running, orphan or not
    _assert_every_output_folder_is_one_build(root)


def test_ctrl_c_stops_a_single_build(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    root = copy_built(shared_build(tmp_path_factory, [CLIENT], CLIENT), tmp_path / "project")
    before = (root / "out" / CLIENT / "manifest.json").read_bytes()
    process = _start(root, "build", CLIENT, "--force")
    _, err = _interrupt_when_rendering(process, 1)  # the render child
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.count("Interrupted") == 1
    assert _left_in_group(process.pid) == []  # the render child is gone too
    assert (root / "out" / CLIENT / "manifest.json").read_bytes() == before


def test_a_render_over_its_time_budget_is_stopped_and_publishes_nothing(
    tmp_path: Path, fresh_renders: None
) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    with pytest.raises(RenderError, match=r"still rendering after 0.2 s.*BRIEFING_RENDER_TIMEOUT"):
        build(settings_for(root, render_timeout=0.2), CLIENT)
    assert not (root / "out").exists()


def test_a_render_over_its_memory_budget_is_stopped(tmp_path: Path, fresh_renders: None) -> None:
    root = copy_project(tmp_path / "project", [CLIENT])
    with pytest.raises(RenderError, match=r"more than 64 MB.*BRIEFING_RENDER_MEMORY_MB"):
        build(settings_for(root, render_memory_mb=64), CLIENT)
    assert not (root / "out").exists()


_REAL_BUILD_ONE = batch._build_one


def _die_on_the_second_client(settings: object, job: tuple[str, str]) -> object:
    """Runs in a batch worker (pickled by name): kills the worker on one client."""
    if job[0] == SAMPLE_CLIENTS[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_BUILD_ONE(settings, job)  # type: ignore[arg-type]


def test_a_dead_worker_fails_its_clients_and_the_summary_still_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "project", SAMPLE_CLIENTS[:3])
    monkeypatch.setattr(batch, "_build_one", _die_on_the_second_client)
    outcomes = build_all(
        settings_for(root), SAMPLE_CLIENTS[:3], jobs=1, console=Console(quiet=True)
    )
    by_client = {o.client_id: o for o in outcomes}
    assert by_client[SAMPLE_CLIENTS[1]].status == "failed"
    assert "worker process died" in by_client[SAMPLE_CLIENTS[1]].errors[0]
    assert by_client[SAMPLE_CLIENTS[0]].status == "built"
    assert len(outcomes) == 3


def _die_once_on_the_second_client(settings: object, job: tuple[str, str]) -> object:
    """A worker killed once (by hand, or the OOM killer while another process peaked)."""
    marker = Path(os.environ["BRIEFING_TEST_MARKER"])
    if job[0] == SAMPLE_CLIENTS[1] and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_BUILD_ONE(settings, job)  # type: ignore[arg-type]


def test_one_killed_worker_costs_no_other_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One killed worker marked 7 of 9 editions failed: every job not finished broke with it.
    They are built again in a fresh pool."""
    clients = SAMPLE_CLIENTS[:4]
    root = copy_project(tmp_path / "project", clients)
    monkeypatch.setenv("BRIEFING_TEST_MARKER", str(tmp_path / "killed-once"))
    monkeypatch.setattr(batch, "_build_one", _die_once_on_the_second_client)
    outcomes = build_all(settings_for(root), clients, jobs=2, console=Console(quiet=True))
    assert (tmp_path / "killed-once").exists()
    assert [(o.client_id.split(" ")[0], o.status) for o in outcomes if " " not in o.client_id] == [
        (client, "built") for client in clients
    ]
    _assert_every_output_folder_is_one_build(root)


def test_an_unexpected_error_in_one_client_is_its_line_in_the_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_renders: None,
) -> None:
    from briefing.cli import main
    from briefing.render import deck

    root = copy_project(tmp_path / "project", SAMPLE_CLIENTS[:2])

    def broken(*args: object) -> None:
        raise ValueError("unsupported image format")

    monkeypatch.setattr(deck, "render_deck", broken)
    monkeypatch.chdir(root)
    assert main(["build", "--all", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "Batch summary" in err and "Traceback" not in err
    for client in SAMPLE_CLIENTS[:2]:
        assert f"{client} failed:" in err
    assert "deck: unexpected ValueError: unsupported image format" in err


def test_a_failed_pdf_stops_the_deck_render_silently(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    fresh_renders: None,
) -> None:
    """The deck renders beside the PDF; when the PDF fails the deck's process is stopped:
    nothing prints after the error, nothing keeps running."""
    root = copy_project(tmp_path / "project", [CLIENT])
    css = root / "templates/default/report.css"
    css.write_text('@import url("file:///etc/hosts");\n' + css.read_text("utf-8"), "utf-8")
    before = {p.pid for p in _live(psutil.Process().children(recursive=True))}
    with pytest.raises(RenderError, match="refused to read '/etc/hosts'"):
        build(settings_for(root), CLIENT)
    after = {p.pid for p in _live(psutil.Process().children(recursive=True))}
    assert after <= before  # not the deck's render (an earlier test's LibreOffice may run)
    assert "Traceback" not in capfd.readouterr().err
    assert not (root / "out").exists()


def _children(pid: int) -> list[int]:
    """Live forks right below ``pid`` (the workers)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        cli = psutil.Process(pid)
        command = cli.cmdline()
        return [p.pid for p in _live(cli.children()) if _command(p) == command]
    return []


def test_workers_leave_ctrl_c_to_the_parent(tmp_path: Path) -> None:
    """SIGINT delivered to the workers alone changes nothing: they are born ignoring it, and
    only the parent decides to stop (deterministic, unlike racing a group-wide Ctrl-C)."""
    root = copy_project(tmp_path / "project", SAMPLE_CLIENTS[:2])
    process = _start(root, "build", "--all", "-j", "2", "--force")
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    for worker in _children(process.pid):
        os.kill(worker, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def _published(root: Path) -> dict[str, bytes]:
    """Every published manifest under out/ (one per build set), by folder."""
    out = root / "out"
    return {
        f.name: (f / "manifest.json").read_bytes()
        for f in (out.iterdir() if out.exists() else [])
        if (f / "manifest.json").exists() and not f.name.startswith(".")
    }


def _wait_for_workers(pid: int, workers: int = 2) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_batch_workers(pid)) < workers:
        time.sleep(0.01)
    assert len(_batch_workers(pid)) >= workers
    time.sleep(1.0)  # importing done, rendering under way


def _batch_workers(pid: int) -> list[int]:
    """The pool workers of the batch ``pid`` is (the CLI) or runs (make)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        cli = psutil.Process(pid)
        for process in [cli, *cli.children(recursive=True)]:  # make -> (sh ->) briefing
            if "--all" in _command(process):
                return _children(process.pid)
    return []


def _nothing_published_after(root: Path, before: dict[str, bytes], pgid: int) -> None:
    time.sleep(3)  # what an orphaned worker would have published meanwhile (it did: B-03)
    left = _left_in_group(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)  # fail this test only, not the next ones too
    assert left == []  # no worker and no render left, orphan or not
    assert _published(root) == before
    _assert_every_output_folder_is_one_build(root)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_stops_a_batch_like_ctrl_c(tmp_path: Path, signum: int) -> None:
    root = copy_project(tmp_path / "project", SAMPLE_CLIENTS[:4])
    process = _start(root, "build", "--all", "-j", "2", "--force")
    _wait_for_workers(process.pid)
    os.kill(process.pid, signum)  # the CLI alone, as `timeout`, systemd or a CI runner does
    before = _published(root)
    _, err = process.communicate(timeout=60)
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == (
        f"Stopped by {name}: nothing half-done was published or sent"
    )
    assert "Traceback" not in err
    _nothing_published_after(root, before, process.pid)


def _make_project(root: Path) -> Path:
    """A project that `make` can drive: this checkout's Makefile, and the running venv (the
    code comes from PYTHONPATH: this checkout)."""
    for name in ("Makefile", "pyproject.toml", "scripts/system-deps"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    venv = Path(sys.prefix)
    (root / ".venv").symlink_to(venv)
    stamp = (venv / ".installed").stat().st_mtime
    for name in ("pyproject.toml", "scripts/system-deps"):  # older than the venv's stamp
        os.utime(root / name, (stamp - 60, stamp - 60))
    return root


def test_sigterm_to_make_all_stops_the_batch_and_publishes_nothing_after(tmp_path: Path) -> None:
    root = _make_project(copy_project(tmp_path / "project", SAMPLE_CLIENTS[:4]))
    make = subprocess.Popen(
        ["make", "all", "FORCE=1", "JOBS=2"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_like_a_terminal,
    )
    _wait_for_workers(make.pid)
    os.kill(make.pid, signal.SIGTERM)  # make alone, as a CI runner or supervisor does
    before = _published(root)
    _, err = make.communicate(timeout=60)
    assert make.returncode != 0
    _nothing_published_after(root, before, make.pid)
    assert "Traceback" not in err


def test_workers_end_when_the_batch_is_killed(tmp_path: Path) -> None:
    """SIGKILL (or the OOM killer) leaves no handler to run: the workers die with it."""
    root = copy_project(tmp_path / "project", SAMPLE_CLIENTS[:4])
    process = _start(root, "build", "--all", "-j", "2", "--force")
    _wait_for_workers(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    before = _published(root)
    process.wait(timeout=60)  # not its pipes: an orphaned worker would hold them open
    for pipe in (process.stdout, process.stderr):
        pipe.close()  # type: ignore[union-attr]
    _nothing_published_after(root, before, process.pid)


def test_make_does_not_run_shell_code_in_a_variable(tmp_path: Path) -> None:
    """Make expands a command-line value when it exports it; `$(value ...)` keeps it text."""
    root = _make_project(copy_project(tmp_path / "project", [CLIENT]))
    marker = tmp_path / "pwned"
    for args, refusal in (
        ([f"CLIENT=$(shell touch {marker}){CLIENT}"], "is not a client id"),
        ([f"CLIENT={CLIENT}", f"ARGS=--dry-run $(shell touch {marker})"], "unrecognized"),
    ):
        target = "email" if len(args) == 2 else "briefing"
        result = subprocess.run(
            ["make", target, *args],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert refusal in result.stderr  # the CLI ran, and refused the text as given
        assert not marker.exists(), args
