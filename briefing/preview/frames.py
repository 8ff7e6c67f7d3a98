"""Length-prefixed pickle frames between the preview and its render worker (our own child)."""

from __future__ import annotations

import os
import pickle
import struct
from typing import Any

HEAD = struct.Struct(">Q")


def send(fd: int, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(HEAD.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or None at end of file (the other side ended)."""
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> Any:
    """The next value, or raise EOFError when the other side has ended."""
    head = read_exactly(fd, HEAD.size)
    data = None if head is None else read_exactly(fd, HEAD.unpack(head)[0])
    if data is None:
        raise EOFError
    return pickle.loads(data)
