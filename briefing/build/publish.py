"""Publishing: a build's files appear in out/<folder>/ together, or not at all.

A build stages its complete set (outputs, then the manifest that vouches for them) in a hidden
sibling folder, ``out/.<folder>.new-XXXX``, then switches it with the published folder:

- on Linux, in one step: ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically, so
  ``out/<folder>/`` always holds one complete build;
- elsewhere (or on a file system without it), with a pair of renames through
  ``out/.<folder>.old``; ``recover()`` puts the previous set back if a crash fell between them.

Callers hold the client's lock (briefing.state) around ``publish``; ``recover`` runs first,
and removes what a crash left behind (staging folders, temp files of older versions).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError

MANIFEST = "manifest.json"
_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


class OutputError(BriefingError):
    """The outputs could not be written (disk full, read-only, permissions)."""

    published = False  # True once the new set is in place (only making it durable failed)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish(
    outputs: dict[str, bytes],
    folder: Path,
    manifest: dict[str, Any],
    carry: Iterable[str] = (),
) -> list[Path]:
    """Make ``outputs`` plus their manifest the contents of ``folder``, as one set.

    ``carry`` names files of the current set to keep in the new one unchanged (another
    language edition, say); the manifest lists them with the new outputs.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        recover(folder)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    except OSError as exc:
        raise OutputError(_explain(exc, folder)) from None
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's 0700 would hide outputs from the team
        digests = _stage(staging, folder, outputs, carry)
        record = {**manifest, "outputs": digests}
        text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        _write_file(staging / MANIFEST, text.encode("utf-8"))
        _fsync_dir(staging)
        _switch(staging, folder)
    except OSError as exc:
        raise OutputError(_explain(exc, folder)) from None
    else:
        _sync_published(folder)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)  # the previous set after a switch, or a failed stage
    return [folder / name for name in outputs]


def _stage(
    staging: Path, folder: Path, outputs: dict[str, bytes], carry: Iterable[str]
) -> dict[str, str]:
    digests = {}
    for name in carry:
        if name not in outputs and (folder / name).is_file():
            data = (folder / name).read_bytes()
            _write_file(staging / name, data)
            digests[name] = sha256(data)
    for name, data in outputs.items():
        _write_file(staging / name, data)
        digests[name] = sha256(data)
    return digests


def check_writable(folder: Path) -> None:
    """Fail before rendering, not after, when ``folder``'s parent cannot take the new set
    (a read-only mount, a missing permission)."""
    existing = folder.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # out/ may not exist yet: its parent must take it
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise OutputError(_explain(exc, existing)) from None


def _switch(staging: Path, folder: Path) -> None:
    """Put ``staging`` where ``folder`` is; afterwards ``staging`` holds the previous set."""
    if not folder.exists():
        os.rename(staging, folder)
    elif not _exchange(staging, folder):
        old = _old(folder)
        os.rename(folder, old)
        os.rename(staging, folder)
        os.rename(old, staging)


def _sync_published(folder: Path) -> None:
    """Make the switch durable. It has happened: a failure here must not be reported as
    "the previous outputs are unchanged" (they are not)."""
    try:
        _fsync_dir(folder.parent)
    except OSError as exc:
        error = OutputError(
            f"the new outputs are published in {folder}, but syncing {folder.parent} failed: "
            f"{exc.strerror or exc}; a power cut now could lose the switch, so check the disk"
        )
        error.published = True
        raise error from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where that is not available."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    status = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if status == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def recover(folder: Path) -> None:
    """Finish or undo a switch a crash interrupted, and remove what crashes left behind."""
    old = _old(folder)
    if old.exists():
        if folder.exists():
            shutil.rmtree(old)  # the switch happened; only the cleanup was missed
        else:
            os.rename(old, folder)  # roll back to the previous complete set
    for leftover in folder.parent.glob(f".{folder.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if folder.is_dir():
        for temp in folder.glob(".*.tmp"):  # written by versions before set-atomic publishing
            temp.unlink(missing_ok=True)


def _old(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.old"


def write_atomic(target: Path, data: bytes) -> None:
    """Write one file so that ``target`` is either the old file or the complete new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.close(fd)
        _write_file(Path(tmp), data)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise OutputError(_explain(exc, target)) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        os.chmod(path, 0o666 & ~_umask())  # mkstemp's 0600 would hide outputs from the team
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


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


def _explain(exc: OSError, where: Path) -> str:
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some space, then build again",
        errno.EROFS: "the folder is on a read-only file system",
        errno.EACCES: "check the folder's permissions",
    }.get(exc.errno or 0, "")
    return (
        f"cannot write {where}: {reason}"
        + (f" ({hint})" if hint else "")
        + ("; the previous outputs are unchanged")
    )
