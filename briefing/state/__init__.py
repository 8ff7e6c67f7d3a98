"""state/: what must outlive `make clean` (send ledger, locks; later approvals and history).

``out/`` holds only what a build can make again. Anything whose loss would let the same email
go to a client twice, or let two builds interleave, lives here instead:

    state/locks/<client>.lock        one lock per client: builds, pitch builds and sends
    state/<client>/sent.jsonl        the send ledger (briefing.state.ledger)
    state/<client>/history/          sent briefings (a later issue)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from briefing.errors import BriefingError
from briefing.log import LOGGER

LOCK_WAIT_SECONDS = 300.0


def client_dir(state_dir: Path, client_id: str) -> Path:
    return state_dir / client_id


@contextlib.contextmanager
def client_lock(
    state_dir: Path, client_id: str, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold state/locks/<client>.lock; a second build or send of the same client waits.

    The lock is an flock: the kernel releases it when a process dies, so a crash leaves no
    stale lock, and `make clean` cannot remove it from under a running build.
    """
    folder = state_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(folder / f"{client_id}.lock", thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        LOGGER.info("Waiting for another build or send of %s to finish", client_id)
        try:
            lock.acquire(timeout=wait_seconds)
        except filelock.Timeout:
            raise BriefingError(
                f"another build or send of '{client_id}' has held its lock for over "
                f"{wait_seconds:.0f} s ({folder / (client_id + '.lock')}); try again later"
            ) from None
    try:
        yield
    finally:
        lock.release()
