"""The preview's LibreOffice helper: decks in on stdin, PDFs out on stdout, no network.

Run by the python of .venv-uno (where Debian's python3-uno imports), never imported by briefing.
It starts ``soffice.bin`` listening on a UNO *pipe* (a Unix socket, mode 0700 by our umask,
with a random name) and a user profile inside a private 0700 folder, so no other local user can
reach it: there is no TCP listener at all (unoserver and LibreOffice's ``socket`` acceptor have
no authentication). LibreOffice dies with this helper (PR_SET_PDEATHSIG, set before it starts),
and this helper dies with the preview (the same signal, set by the preview) or when its stdin
closes. Frames both ways: an 8-byte big-endian length, then the bytes; a reply's first byte is
``+`` (a PDF follows) or ``-`` (a one-line reason follows).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

SOFFICE = "/usr/lib/libreoffice/program/soffice.bin"  # not the launcher: it would fork it
RESTART = 81  # soffice.bin's "restart me" after it made a new profile
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> None:
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _private_and_mortal(parent: int) -> None:
    """In LibreOffice's process before it starts: its files private, its life tied to ours."""
    os.umask(0o077)
    _die_with_parent(parent)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    data = stream.read(size)
    return data if len(data) == size else None


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


class Office:
    """One soffice.bin in ``folder``, reached through a UNO pipe."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.pipe = f"briefing-{os.getpid()}-{secrets.token_hex(16)}"
        self.process: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None  # a UNO proxy (com.sun.star.frame.Desktop): untyped

    def start(self) -> None:
        profile = "file://" + os.path.join(self.folder, "profile")
        command = [SOFFICE, "--headless", "--invisible", "--nologo", "--norestore",
                   "--nodefault", "--nolockcheck", f"-env:UserInstallation={profile}",
                   f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"]  # fmt: skip
        me = os.getpid()
        env = {**os.environ, "HOME": self.folder, "TMPDIR": self.folder}
        for _ in range(3):  # a new profile makes soffice.bin ask for a restart once
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, cwd=self.folder,
                preexec_fn=lambda: _private_and_mortal(me),
            )  # fmt: skip
            try:
                self.desktop = self._connect()
                return
            except RuntimeError:
                if self.process.poll() != RESTART:
                    raise
        raise RuntimeError("LibreOffice kept asking for a restart")

    def _connect(self, seconds: float = 90) -> Any:
        import uno
        from com.sun.star.connection import NoConnectException

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + seconds
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError("LibreOffice ended while starting")
            try:
                context = resolver.resolve(url)
                break
            except NoConnectException:
                if time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start in time") from None
                time.sleep(0.1)
        return context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def convert(self, deck: bytes) -> bytes:
        import uno
        from com.sun.star.beans import PropertyValue

        def props(**values: object) -> tuple:
            return tuple(PropertyValue(Name=k, Value=v) for k, v in values.items())

        if self.desktop is None or self.process is None or self.process.poll() is not None:
            self.start()
        source = os.path.join(self.folder, "deck.pptx")
        target = os.path.join(self.folder, "deck.pdf")
        with open(source, "wb") as handle:
            handle.write(deck)
        document = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0, props(Hidden=True, ReadOnly=True)
        )
        if document is None:
            raise RuntimeError("LibreOffice could not open the deck")
        try:
            document.storeToURL(
                uno.systemPathToFileUrl(target), props(FilterName="impress_pdf_Export")
            )
        finally:
            document.close(True)
        with open(target, "rb") as result:
            return result.read()

    def stop(self) -> None:
        """Ask LibreOffice to quit (it removes its pipe), kill it if it does not."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(Exception):
                if self.desktop is not None:
                    self.desktop.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.unlink(pipe_path(self.pipe))
        self.desktop = None


def pipe_path(name: str) -> str:
    """Where LibreOffice puts a UNO pipe (a Unix socket), whatever TMPDIR says."""
    return f"/tmp/OSL_PIPE_{os.getuid()}_{name}"


def clean_up_after_the_dead(tmp: str, uid: int) -> list[str]:
    """Remove the folders and pipes of helpers that were killed (kill -9 leaves them)."""
    removed = []
    for entry in os.scandir(tmp):
        match = re.fullmatch(rf"(?:briefing-office-|OSL_PIPE_{uid}_briefing-)(\d+)-\w+", entry.name)
        if not match or entry.stat(follow_symlinks=False).st_uid != uid:
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # its helper still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        removed.append(entry.name)
    return removed


def main() -> int:
    _die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the preview decides when this ends
    os.umask(0o077)
    clean_up_after_the_dead("/tmp", os.getuid())
    folder = tempfile.mkdtemp(prefix=f"briefing-office-{os.getpid()}-", dir="/tmp")  # 0700
    office = Office(folder)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the real stdout
    try:
        _write_frame(stdout, f"{os.getpid()} {office.pipe} {folder}".encode())
        while (deck := _read_frame(stdin)) is not None:
            try:
                reply = b"+" + office.convert(deck)
            except Exception as exc:  # one line for the preview; LibreOffice restarts next time
                reply = b"-" + f"{type(exc).__name__}: {exc}".encode()[:500]
                office.stop()
            _write_frame(stdout, reply)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        office.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
