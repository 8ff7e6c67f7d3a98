"""The preview's LibreOffice: reachable by the preview alone, gone when the preview ends."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from briefing.preview.office import Office

from .preview_server import (
    REPO,
    PreviewProcess,
    alive,
    lean_project,
    needs_office,
    state,
    tcp_listeners,
    until,
    view,
)


def _deck(root: Path) -> bytes:
    from briefing.build import pipeline as build
    from briefing.render import DECK
    from briefing.themes import i18n

    from .conftest import settings_for

    settings = settings_for(root)
    prepared = build.prepare(settings, "maison-aurele")
    with i18n.language(prepared.catalog):
        return DECK.render(prepared.briefing, prepared.theme, settings).data


def _connect_as_nobody(path: str) -> subprocess.CompletedProcess[str]:
    """Try to open the Unix socket ``path`` as user nobody; prints the outcome."""
    probe = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n    s.connect(sys.argv[1]); print('connected')\n"
        "except OSError as e:\n    print(type(e).__name__)\n"
    )
    command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
               "/usr/bin/python3", "-c", probe, path]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@needs_office
def test_libreoffice_is_reachable_by_the_preview_alone(tmp_path: Path) -> None:
    """No TCP port; the UNO pipe is a 0700 socket of ours, which user nobody cannot open,
    in a private profile folder; decks go in and PDFs come out over the helper's pipes."""
    office = Office(REPO)
    try:
        pdf = office.convert_now(_deck(lean_project(tmp_path / "project")))
        assert pdf.startswith(b"%PDF")
        helper = office.process
        assert helper is not None and helper.poll() is None
        group = {p for p in _pids() if os.getpgid(p) == helper.pid}
        assert len(group) >= 2  # the helper and soffice.bin
        assert tcp_listeners(group) == set()  # nothing listens on TCP
        pipe = f"/tmp/OSL_PIPE_{os.getuid()}_{office.pipe}"
        info = os.stat(pipe)
        assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077 == 0
        assert info.st_uid == os.getuid()
        folder = os.stat(office.folder)
        assert stat.S_IMODE(folder.st_mode) == 0o700 and folder.st_uid == os.getuid()
        with socket.socket(socket.AF_UNIX) as mine:  # the path is right: we can connect
            mine.connect(pipe)
        if os.getuid() == 0 and shutil.which("setpriv"):
            outcome = _connect_as_nobody(pipe)
            assert outcome.stdout.strip() == "PermissionError", outcome
    finally:
        office.close()
    until(lambda: not any(alive(p) for p in group), 60, "LibreOffice outlived the helper")
    assert not os.path.exists(pipe) and not os.path.exists(office.folder)


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and alive(int(p.name))]


@needs_office
@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_no_libreoffice_of_the_preview_remains_after_it_ends(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """Ctrl-C, SIGTERM or kill -9: its worker, helper and LibreOffice end with it. Meanwhile
    nothing of the preview listens on TCP but its own port."""
    project = lean_project(tmp_path / "project")  # its first build and slides come sooner
    (project / ".venv-uno").symlink_to(REPO / ".venv-uno")
    preview = PreviewProcess(project, tmp_path / "preview.log")
    try:
        until(lambda: any("soffice.bin" in c for c in preview.descendants().values()), 300,
              "LibreOffice did not start", 0.2)  # fmt: skip
        children = preview.descendants()
        assert any("briefing.preview.worker" in c for c in children.values())
        assert any("office_helper.py" in c for c in children.values())
        assert tcp_listeners({preview.process.pid, *children}) == {preview.port}
        if signum == signal.SIGINT:  # a full round first: a build and its slides
            until(lambda: view(state(preview.base, preview.token), "deck")["state"] == "ready", 300,
                  "the slides were not rendered", 0.5)  # fmt: skip
            worker = next(p for p, c in children.items() if "briefing.preview.worker" in c)
            for library in ("pdfium", "libpango"):  # only the worker renders and rasterises
                assert library in Path(f"/proc/{worker}/maps").read_text(), library
                assert library not in Path(f"/proc/{preview.process.pid}/maps").read_text()
    finally:
        preview.stop(signum)
    until(lambda: not any(alive(pid) for pid in children), 60, f"left after {signum.name}")
    log = preview.log.read_text("utf-8", "replace")
    assert "Traceback" not in log, log


def test_the_next_helper_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    """kill -9 leaves the helper's folder and LibreOffice's pipe file; the next helper removes
    those of dead helpers, and only those (and only its own user's)."""
    from briefing.preview.office_helper import clean_up_after_the_dead

    ended = subprocess.Popen(["true"])
    ended.wait()
    dead, live, uid = ended.pid, os.getpid(), os.getuid()
    (tmp_path / f"briefing-office-{dead}-abc_1").mkdir()
    (tmp_path / f"briefing-office-{dead}-abc_1/profile").mkdir()
    (tmp_path / f"OSL_PIPE_{uid}_briefing-{dead}-0f3a").touch()
    (tmp_path / f"briefing-office-{live}-xyz").mkdir()
    (tmp_path / f"OSL_PIPE_{uid}_briefing-{live}-99").touch()
    (tmp_path / "briefing-office-notes").mkdir()
    removed = clean_up_after_the_dead(str(tmp_path), uid)
    assert sorted(removed) == [
        f"OSL_PIPE_{uid}_briefing-{dead}-0f3a",
        f"briefing-office-{dead}-abc_1",
    ]
    kept = {
        f"OSL_PIPE_{uid}_briefing-{live}-99",
        "briefing-office-notes",
        f"briefing-office-{live}-xyz",
    }
    assert {p.name for p in tmp_path.iterdir()} == kept
