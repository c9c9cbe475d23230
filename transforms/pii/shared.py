"""One PII engine per worker process, shared by every step that scans there.

Why: the engine (Presidio recognizers, Hyperscan databases, phone metadata) is the
largest object a worker builds. The reader (masking locators and metadata), the PII
stage and the residual re-scan of the published text run in the same SDK worker
process; an engine each would hold that memory three times (not measured here; see
the memory issue). Steps may run on different bundle threads of one process, and
Hyperscan scratch space serves one scan at a time, so calls are serialised by a lock
(time spent waiting for it counts against a record's time budget).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from schemas.pii import PiiFinding, PiiSettings
from transforms.common.time_budget import Deadline

_ENGINES: dict[str, SharedEngine] = {}
_BUILDING = threading.Lock()


class SharedEngine:
    """`PiiEngine`'s scanning calls, one at a time."""

    def __init__(self, settings: PiiSettings) -> None:
        # Lazy: Presidio loads only on a worker that scans, never on the launcher.
        from transforms.pii.engine import PiiEngine

        # Presidio announces every recognizer it loads at INFO: noise in a run's log.
        logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
        self._engine = PiiEngine(settings)
        self._lock = threading.Lock()

    def scan(self, text: str, key: bytes, deadline: Deadline | None = None) -> list[PiiFinding]:
        with self._lock:
            return self._engine.scan(text, key, deadline)

    def scan_batch(
        self, texts: Sequence[str], key: bytes, deadline: Deadline | None = None
    ) -> list[list[PiiFinding]]:
        with self._lock:
            return list(self._engine.scan_batch(texts, key, deadline))


def shared_engine(settings: PiiSettings) -> SharedEngine:
    """This process's engine for these settings, built on first use."""
    name = settings.model_dump_json()
    with _BUILDING:
        if name not in _ENGINES:
            _ENGINES[name] = SharedEngine(settings)
        return _ENGINES[name]
