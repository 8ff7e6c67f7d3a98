"""Logging policy: error = unusable input, warning = suspicious data, info = build steps.

Messages go to stderr through the ``briefing`` logger, with lazy %-arguments.
"""

from __future__ import annotations

import logging
import sys

LOGGER = logging.getLogger("briefing")


def configure(verbosity: int = 0) -> None:
    """0 = steps and warnings, -1 = warnings only, 1 = debug."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = _StderrHandler()
    handler.setFormatter(_Formatter())
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {message}"
        return message


class _StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr, which tests and tools may replace."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)
