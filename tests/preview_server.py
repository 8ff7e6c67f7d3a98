"""Helpers for the preview's tests: the app in a thread, or `briefing preview` as a process."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.preview import Previewer, create_app
from briefing.preview.office import Office

from .conftest import SAMPLE, SOURCE_DATE_EPOCH, copy_project, settings_for

REPO = Path(__file__).resolve().parent.parent
CLIENT = "maison-aurele"
OTHER = "nordlys-travel"  # the client a switch goes to
TOKEN = "test-secret-0123456789"
needs_office = pytest.mark.skipif(
    not Office(REPO).available, reason="no .venv-uno or LibreOffice (make .venv-uno sets it up)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lean_project(target: Path, clients: tuple[str, ...] = (CLIENT, OTHER)) -> Path:
    """The sample project with ``clients`` cut to what every section still needs: one goal,
    one city, no competitors or segment, a quarter of the budget (fewer platforms). About 15
    pages and 18 slides instead of 24 and 27: every save and switch renders, converts and
    rasterises both outputs, so a preview test's cost follows their length."""
    import yaml

    root = copy_project(target, clients=[])
    for client in clients:
        data = yaml.safe_load((SAMPLE / f"data/clients/{client}.yaml").read_text("utf-8"))
        data.update(goals=data["goals"][:1], cities=data["cities"][:1], editions=["en"])
        data["budget"]["amount"] //= 4
        for key in ("competitors", "focus_platforms", "account_manager", "segment"):
            data.pop(key, None)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (root / f"data/clients/{client}.yaml").write_text(text, "utf-8")
    return root


def no_office(root: Path) -> Office:
    return Office(root / "no-such-dir")


@contextlib.contextmanager
def app_in_thread(root: Path, office: Office | None = None, **settings: Any) -> Iterator[str]:
    """The preview app for a project, served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    chosen = settings_for(root).model_copy(update=settings)
    previewer = Previewer(chosen, CLIENT, office or no_office(root))
    port = free_port()
    config = uvicorn.Config(
        create_app(previewer, TOKEN), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until(lambda: server.started, 120, "the preview server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def until(ready: Callable[[], Any], seconds: float, failure: str, step: float = 0.05) -> Any:
    """Poll ``ready`` until it returns something true; ``seconds`` is an upper bound only."""
    deadline = time.monotonic() + seconds
    while True:
        value = ready()
        if value:
            return value
        assert time.monotonic() < deadline, failure
        time.sleep(step)


def state(base: str, token: str = TOKEN) -> dict[str, Any]:
    request = urllib.request.Request(base + "/state", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def view(snapshot: dict[str, Any], name: str) -> dict[str, Any]:
    return next(v for v in snapshot["outputs"] if v["name"] == name)


class PreviewProcess:
    """`python -m briefing preview CLIENT` for a project, its output kept in a file."""

    def __init__(self, root: Path, log: Path) -> None:
        self.port = free_port()
        env = {**os.environ, "BRIEFING_ROOT": str(root), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        self.log = log
        command = [sys.executable, "-m", "briefing", "preview", CLIENT, "--port", str(self.port)]
        with open(log, "wb") as sink:
            self.process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=root
            )
        self.url = until(self._printed_url, 120, "the preview printed no URL", 0.1)
        self.base, self.token = self.url.split("/?token=", 1)
        until(self._answers, 120, "the preview does not answer", 0.1)

    def _answers(self) -> bool:
        assert self.process.poll() is None, self.log.read_text("utf-8", "replace")
        try:
            return bool(state(self.base, self.token))
        except OSError:
            return False

    def _printed_url(self) -> str | None:
        assert self.process.poll() is None, self.log.read_text("utf-8", "replace")
        found = re.search(r"http://\S+\?token=\S+", self.log.read_text("utf-8", "replace"))
        return found.group(0) if found else None

    def descendants(self) -> dict[int, str]:
        """pid -> command line of every process below the preview."""
        parents: dict[int, int] = {}
        commands: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                    commands[int(entry.name)] = (
                        (entry / "cmdline")
                        .read_bytes()
                        .decode("utf-8", "replace")
                        .replace("\0", " ")
                    )
        found, frontier = {}, {self.process.pid}
        while frontier:
            children = {pid for pid, parent in parents.items() if parent in frontier}
            found.update({pid: commands[pid] for pid in children})
            frontier = children
        return found

    def stop(self, signum: int = signal.SIGINT) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def tcp_listeners(pids: set[int]) -> set[int]:
    """The TCP ports on which any of ``pids`` listens (from /proc/net/tcp and tcp6)."""
    inodes: set[str] = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as handle:
            for line in list(handle)[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
