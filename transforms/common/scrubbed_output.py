"""Worker processes scrub what they print: log records and anything written to stderr.

Why: an exception raised on a record can quote it ("cannot parse 'jane@...'"), and Beam's
SDK harness both logs the traceback (relayed to the launcher) and prints it straight to
the worker's stderr, which on a cluster ends up in the worker logs operators read. The
launcher scrubs its own console (pipelines/commands/cli.py); each worker process installs
this once, from the `setup()` of the DoFns that handle records.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

from schemas.scrub import scrub


class ScrubRecords(logging.Filter):
    """Scrubs a log record's message, traceback and stack before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class ScrubbingStream:
    """A text stream that scrubs each write; everything else goes to the wrapped stream."""

    def __init__(self, wrapped: TextIO) -> None:
        self.wrapped = wrapped

    def write(self, text: str) -> int:
        self.wrapped.write(scrub(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


def add_scrubbing(handler: logging.Handler) -> None:
    if not any(isinstance(f, ScrubRecords) for f in handler.filters):
        handler.addFilter(ScrubRecords())


_installed = threading.Lock()


def scrub_worker_output() -> None:
    """Idempotent: wrap stderr and filter every root handler of this process."""
    with _installed:
        if not isinstance(sys.stderr, ScrubbingStream):
            sys.stderr = ScrubbingStream(sys.stderr)
        for handler in logging.getLogger().handlers:
            add_scrubbing(handler)
