"""One run per output directory at a time, enforced.

Why: a run clears the staging directories of killed runs when it starts and swaps its
outputs in when it publishes; a second run into the same directory would delete the
first one's staging or interleave the swaps. An advisory `flock` on `OUT/.provenance.lock`
is held for the whole run (and for an erasure): the kernel releases it when the holder
exits however it exits, so a killed run never leaves a stale lock behind. Object stores
have no such lock; there the publish step refuses to overwrite a manifest that changed
while the run ran (`pipelines/publish/remote.py`).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipelines.publish.store import is_object_store

LOCK_FILE = ".provenance.lock"


class OutputBusy(Exception):
    """Another run or erasure holds the output directory: exit 2, nothing touched."""


def _holder(descriptor: int) -> str:
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        return f" ({holder['what']}, pid {holder['pid']}, since {holder['since']})"
    except (ValueError, KeyError, TypeError):
        return ""


@contextmanager
def hold_output(output: str | Path, what: str) -> Iterator[None]:
    """Hold OUT for `what` (e.g. "run 2026...") or raise OutputBusy at once (no waiting)."""
    if is_object_store(output):
        yield
        return
    directory = Path(str(output).removeprefix("file://")).absolute()
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(
                f"{directory} is in use by another run{_holder(descriptor)}; one run per "
                "output at a time. Fix: wait for it to finish, or pass another --output"
            ) from None
        since = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(descriptor, 0)
        os.pwrite(
            descriptor, json.dumps({"what": what, "pid": os.getpid(), "since": since}).encode(), 0
        )
        yield
    finally:
        os.close(descriptor)  # releases the lock
