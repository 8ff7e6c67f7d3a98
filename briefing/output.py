"""out/<client>/: every file written to a temp file then os.replace'd; the manifest last."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.log import LOGGER


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` so that ``target`` is either the old file or the complete new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide outputs from the team
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def client_lock(out_dir: Path, client_id: str, wait_seconds: float = 300) -> Iterator[None]:
    """Hold out/.locks/<client>.lock; a second build of the same client waits its turn.

    flock is released by the kernel when a process dies, so a crash leaves no stale lock.
    """
    folder = out_dir / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{client_id}.lock", "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BriefingError(
                        f"another build of '{client_id}' has been running for "
                        f"over {wait_seconds:.0f} s; try again later"
                    ) from None
                if not announced:
                    LOGGER.info("Waiting for another build of %s to finish", client_id)
                    announced = True
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish(outputs: dict[str, bytes], folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Replace each output, then the manifest that vouches for all of them."""
    written = []
    for name, data in outputs.items():
        write_atomic(folder / name, data)
        written.append(folder / name)
    manifest = {**manifest, "outputs": {name: sha256(data) for name, data in outputs.items()}}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(folder / "manifest.json", text.encode("utf-8"))
    return written
