"""The validation's re-scan of published text for personal data, on every core.

Re-running the detectors over the whole dataset is the one validation step whose
cost grows with the corpus (about 1/12 s per MB per core), and it runs after the
pipeline, when the launcher is otherwise alone on the machine: so large datasets
are scanned by a pool of processes, small ones in-process (a pool costs ~2 s to
start). Texts travel to the pool in chunks, with a bounded number in flight, so
memory holds a few chunks, not the dataset.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from schemas.pii import PiiAction, PiiSettings

log = logging.getLogger(__name__)
CHUNK_BYTES = 2 << 20
POOL_THRESHOLD_BYTES = 16 << 20

_counter: Callable[[list[str]], list[int]] | None = None


def residual_counter(settings: PiiSettings, key: bytes) -> Callable[[list[str]], list[int]]:
    """Texts -> per text, findings of entity types policy does not keep."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    # Presidio announces every recognizer it loads at INFO: noise in a run's log.
    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
    from transforms.pii import PiiEngine

    engine = PiiEngine(settings)

    def count(texts: list[str]) -> list[int]:
        return [
            sum(
                1
                for finding in engine.scan(text, key)
                if settings.action_for(finding.entity_type) is not PiiAction.KEEP
            )
            for text in texts
        ]

    return count


def _init_worker(settings: PiiSettings, key: bytes) -> None:
    global _counter
    _counter = residual_counter(settings, key)


def _count_in_worker(texts: list[str]) -> list[int]:
    return _counter(texts)


def _chunks(batches: Iterable[list[str]]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for batch in batches:
        for text in batch:
            chunk.append(text)
            size += len(text)
            if size >= CHUNK_BYTES:
                yield chunk
                chunk, size = [], 0
    if chunk:
        yield chunk


class ResidualPiiScanner:
    """Callable over batches of texts -> counts in order; a context manager owning the pool."""

    def __init__(self, settings: PiiSettings, key: bytes, workers: int | None = None) -> None:
        self._settings = settings
        self._key = key
        self._workers = workers or os.cpu_count() or 1
        self._local: Callable[[list[str]], list[int]] | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ResidualPiiScanner:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __call__(self, batches: Iterable[list[str]]) -> Iterator[int]:
        chunks = _chunks(batches)
        head, size = [], 0
        for chunk in chunks:
            head.append(chunk)
            size += sum(len(text) for text in chunk)
            if size >= POOL_THRESHOLD_BYTES and self._workers > 1:
                yield from self._in_pool(head, chunks)
                return
        for chunk in head:
            yield from self._count_locally(chunk)

    def _count_locally(self, texts: list[str]) -> list[int]:
        if self._local is None:
            self._local = residual_counter(self._settings, self._key)
        return self._local(texts)

    def _in_pool(self, head: list[list[str]], rest: Iterator[list[str]]) -> Iterator[int]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                # spawn, not fork: the launcher still has gRPC threads from the pipeline.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self._settings, self._key),
            )
        chunks = itertools.chain(head, rest)
        pending: collections.deque = collections.deque()
        try:
            for chunk in chunks:
                pending.append((chunk, self._pool.submit(_count_in_worker, chunk)))
                if len(pending) >= 2 * self._workers:
                    yield from pending[0][1].result()
                    pending.popleft()
            while pending:
                yield from pending[0][1].result()
                pending.popleft()
        except BrokenProcessPool as error:
            # e.g. a calling script without an `if __name__ == "__main__":` guard, which
            # spawned processes cannot import: slower, but the check still runs in full.
            log.warning("validation pool unavailable (%s); re-scanning in-process", error)
            self._workers = 1
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
            for chunk, _ in pending:
                yield from self._count_locally(chunk)
            for chunk in chunks:
                yield from self._count_locally(chunk)
