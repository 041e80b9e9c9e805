"""What a test of secrets reads of the logs: every record of every logger (the libraries'
too), at DEBUG, as the line a handler would write (``log_lines``, a fixture in conftest)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Lines(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def every_log_line() -> Iterator[list[str]]:
    """The log lines written while open, every logger at DEBUG meanwhile (as they were,
    after). A server started inside may set its own loggers' levels: ``all_at_debug`` again."""
    lines: list[str] = []
    handler = _Lines(lines)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with all_at_debug():
            yield lines
    finally:
        root.removeHandler(handler)


@contextmanager
def all_at_debug() -> Iterator[None]:
    """Every logger that exists, the root too, at DEBUG while open."""
    levels = {name: logging.getLogger(name).level for name in list(logging.root.manager.loggerDict)}
    levels[""] = logging.getLogger().level
    for name in levels:
        logging.getLogger(name or None).setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name or None).setLevel(level)
