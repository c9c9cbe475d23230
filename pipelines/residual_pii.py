"""The validation's re-scan of published text for personal data, on every core.

Re-running the detectors over the whole dataset is the one validation step whose
cost grows with the corpus (about 1/12 s per MB per core), and it runs after the
pipeline, when the launcher is otherwise alone on the machine: so large datasets
are scanned on the after-run process pool (pipelines.after_pool), small ones
in-process (a pool costs ~2 s to start). Texts travel to the pool in chunks, with
a bounded number in flight, so memory holds a few chunks, not the dataset.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool

from pipelines import after_pool
from pipelines.after_pool import AfterRunPool, residual_counter
from schemas.pii import PiiSettings

CHUNK_BYTES = 2 << 20


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
    """Callable over batches of texts -> counts in order; a context manager.

    Uses the given after-run pool (shared with the content digests), or owns one.
    """

    def __init__(
        self,
        settings: PiiSettings,
        key: bytes,
        workers: int | None = None,
        pool: AfterRunPool | None = None,
    ) -> None:
        self._settings = settings
        self._key = key
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else AfterRunPool(settings, key, workers)
        self._local: Callable[[list[str]], list[int]] | None = None

    def __enter__(self) -> ResidualPiiScanner:
        return self

    def __exit__(self, *exc) -> None:
        if self._owns_pool:
            self._pool.shutdown()

    @property
    def pool_started(self) -> bool:
        return self._pool.started

    def __call__(self, batches: Iterable[list[str]]) -> Iterator[int]:
        chunks = _chunks(batches)
        head, size = [], 0
        for chunk in chunks:
            head.append(chunk)
            size += sum(len(text) for text in chunk)
            if size >= after_pool.POOL_THRESHOLD_BYTES and self._pool.usable:
                yield from self._in_pool(head, chunks)
                return
        for chunk in head:
            yield from self._count_locally(chunk)

    def _count_locally(self, texts: list[str]) -> list[int]:
        if self._local is None:
            self._local = residual_counter(self._settings, self._key)
        return self._local(texts)

    def _in_pool(self, head: list[list[str]], rest: Iterator[list[str]]) -> Iterator[int]:
        chunks = itertools.chain(head, rest)
        pending: collections.deque = collections.deque()
        in_flight = 2 * self._pool.workers
        try:
            executor = self._pool.executor()
            for chunk in chunks:
                pending.append((chunk, executor.submit(after_pool.count_residual_in_worker, chunk)))
                if len(pending) >= in_flight:
                    yield from pending[0][1].result()
                    pending.popleft()
            while pending:
                yield from pending[0][1].result()
                pending.popleft()
        except BrokenProcessPool as error:
            self._pool.give_up(error)
            for chunk, _ in pending:
                yield from self._count_locally(chunk)
            for chunk in chunks:
                yield from self._count_locally(chunk)
