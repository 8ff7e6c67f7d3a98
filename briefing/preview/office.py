"""The preview's LibreOffice: decks to PDF through ``office_helper.py``, reachable by us alone.

The helper runs under .venv-uno's python (Debian's python3-uno imports only there), in its own
process group, tied to the thread that started it (PR_SET_PDEATHSIG) and to its stdin: when the
preview ends, however it ends, the helper and its LibreOffice end too. It listens on nothing:
decks and PDFs travel over its stdin and stdout, and it reaches LibreOffice over a UNO pipe
that only our user can open.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import struct
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from briefing.preview.frames import read_exactly
from briefing.preview.supervisor import die_with_parent

HELPER = Path(__file__).with_name("office_helper.py")
START_SECONDS = 180.0  # LibreOffice's first start with a new profile, on a busy machine


class OfficeError(Exception):
    """LibreOffice could not convert the deck; ``str()`` is one line for the page."""


class Office:
    """One helper (started on first use, restarted after a failure), one request at a time."""

    def __init__(self, root: Path, timeout: float = 120.0) -> None:
        self.python = find_uno_python(root)
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.pipe = ""  # LibreOffice's UNO pipe name, reported by the helper
        self.folder = ""  # the helper's private folder (profile, files being converted)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="preview-office")

    @property
    def available(self) -> bool:
        return self.python is not None

    async def convert(self, deck: bytes) -> bytes:
        return await asyncio.wrap_future(self._thread.submit(self.convert_now, deck))

    def start(self) -> None:
        """Start the helper from its own long-lived thread (the death signal follows it)."""
        if self.available:
            self._thread.submit(self._ensure).result()

    def convert_now(self, deck: bytes) -> bytes:
        self._ensure()
        assert self.process is not None and self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(struct.pack(">Q", len(deck)) + deck)
            self.process.stdin.flush()
            reply = self._reply(self.timeout)
        except (OSError, TimeoutError) as exc:
            self.stop()
            raise OfficeError(f"LibreOffice stopped ({exc or 'no answer in time'})") from None
        if reply[:1] != b"+":
            raise OfficeError(reply[1:].decode("utf-8", "replace"))
        return reply[1:]

    def _ensure(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.stop()
        if self.python is None:
            raise OfficeError("no LibreOffice helper (run `make preview`, which sets it up)")
        command = [str(self.python), "-I", str(HELPER), str(os.getpid())]
        self.process = subprocess.Popen(  # its own group, which stop() kills as a whole
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            preexec_fn=die_with_parent(), start_new_session=True,
        )  # fmt: skip
        try:
            _, self.pipe, self.folder = self._reply(30).decode().split(" ", 2)
        except (OSError, TimeoutError, ValueError):
            self.stop()
            raise OfficeError("the LibreOffice helper did not start") from None

    def _reply(self, seconds: float) -> bytes:
        import select

        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        deadline = time.monotonic() + seconds
        while not select.select([fd], [], [], 0.1)[0]:
            if time.monotonic() > deadline:
                raise TimeoutError
        head = read_exactly(fd, 8)
        data = None if head is None else read_exactly(fd, struct.unpack(">Q", head)[0])
        if data is None:
            raise OSError("the helper ended")
        return data

    def stop(self) -> None:
        """End the helper and LibreOffice: close its stdin, then kill its whole group."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # LibreOffice too, if it lingers
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        with contextlib.suppress(OSError):
            process.stdout.close()  # type: ignore[union-attr]
        if Path(self.folder).name.startswith("briefing-office-"):  # if the helper could not
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.pipe.startswith("briefing-"):
            Path(f"/tmp/OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        self._thread.shutdown(wait=False, cancel_futures=True)


def find_uno_python(root: Path) -> Path | None:
    """.venv-uno's python (made by `make preview`), if it is there and LibreOffice is."""
    python = root / ".venv-uno" / "bin" / "python"
    soffice = Path("/usr/lib/libreoffice/program/soffice.bin")
    return python if python.is_file() and soffice.is_file() else None
