"""One process pool for the checks that follow the pipeline, shared so no core idles.

After the Beam workers exit the launcher is alone on the machine, and three jobs
remain whose cost grows with the corpus: the summary and the ledger checks (in the
launcher), the residual-PII re-scan of the dataset text, and the content digests
of every Parquet row. Run one after the other they left a core idle for most of
that time. Here the re-scan goes to the pool first and the digests queue behind
it, both row group by row group and read by the pool's workers themselves (no
text crosses a pipe), while the launcher works on the summary and the ledger.

The pool is spawned on first use (spawn, not fork: the launcher still has the
pipeline's gRPC threads) and only for outputs big enough to repay its ~2 s start.
A pool that breaks (e.g. a calling script without an `if __name__ == "__main__":`
guard, which spawned processes cannot import) is given up, and the work runs
in-process instead: slower, never skipped.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow.parquet as pq

from expectations.frames import TEXT_BATCH_ROWS, ResidualCounter
from pipelines.publish.outputs import (
    combine_digest_parts,
    content_digest,
    digest_parts,
    parquet_files,
    row_group_digest,
)
from schemas.actions import Action
from schemas.pii import PiiSettings

log = logging.getLogger(__name__)
POOL_THRESHOLD_BYTES = 16 << 20

_worker_settings: tuple[PiiSettings, bytes] | None = None
_worker_counter: Callable[[list[str]], list[int]] | None = None


def residual_counter(settings: PiiSettings, key: bytes) -> Callable[[list[str]], list[int]]:
    """Texts -> per text, findings of entity types policy does not keep."""
    # Presidio announces every recognizer it loads at INFO: noise in a run's log.
    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
    # Lazy: Presidio and spaCy (~60 MB, ~2 s) load only in the pool process that re-scans.
    from transforms.pii.engine import PiiEngine

    engine = PiiEngine(settings)

    def count(texts: list[str]) -> list[int]:
        return [
            sum(
                1
                for finding in engine.scan(text, key)
                if settings.action_for(finding.entity_type) is not Action.KEEP
            )
            for text in texts
        ]

    return count


def _init_worker(settings: PiiSettings, key: bytes) -> None:
    global _worker_settings
    _worker_settings = (settings, key)


def local_residual(settings: PiiSettings, key: bytes) -> ResidualCounter:
    """Counts text batches in this process: datasets too small to repay a pool, and the
    pool's fallback. The engine is built on the first batch."""
    counter: Callable[[list[str]], list[int]] | None = None

    def count(batches: Iterator[list[str]]) -> Iterator[int]:
        nonlocal counter
        for batch in batches:
            if counter is None:
                counter = residual_counter(settings, key)
            yield from counter(batch)

    return count


def residual_counts_of_row_group(path: str, index: int) -> list[int]:
    """Counts for one dataset row group, read by the worker itself: no text crosses a pipe.

    The worker's engine is built on its first row group, so digest tasks never wait
    for it."""
    global _worker_counter
    if _worker_counter is None:
        if _worker_settings is None:
            raise RuntimeError("after-run pool worker started without its PII settings")
        _worker_counter = residual_counter(*_worker_settings)
    counts: list[int] = []
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(
        batch_size=TEXT_BATCH_ROWS, row_groups=[index], columns=["text"]
    ):
        counts.extend(_worker_counter([t or "" for t in batch.column("text").to_pylist()]))
    return counts


def text_bytes(path: Path) -> int:
    """Uncompressed bytes of a dataset file's text column, from its Parquet footer."""
    metadata = pq.ParquetFile(path).metadata
    return sum(
        group.column(index).total_uncompressed_size
        for group in (metadata.row_group(i) for i in range(metadata.num_row_groups))
        for index in range(group.num_columns)
        if group.column(index).path_in_schema == "text"
    )


class AfterRunPool:
    """A lazily spawned process pool, or None where it is not worth it or broke."""

    def __init__(self, settings: PiiSettings, key: bytes, workers: int | None = None) -> None:
        self.settings = settings
        self.key = key
        self.workers = workers or os.cpu_count() or 1
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> AfterRunPool:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    @property
    def usable(self) -> bool:
        return self.workers > 1

    @property
    def started(self) -> bool:
        return self._executor is not None

    def executor(self) -> ProcessPoolExecutor | None:
        if not self.usable:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.settings, self.key),
            )
        return self._executor

    def give_up(self, error: BaseException) -> None:
        log.warning("after-run process pool unavailable (%s); continuing in-process", error)
        self.workers = 1
        self.shutdown()

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


class PendingResidual:
    """The residual-PII re-scan of every dataset file, on the pool, row group by row group.

    Submitted as soon as the pipeline ends, so the re-scan runs while the launcher
    builds the summary and checks the ledger; `counter_for` then hands validation
    the counts of one file (validation still reads every text for its hash check).
    """

    def __init__(self, pool: AfterRunPool, dataset_dir: Path) -> None:
        self._pool = pool
        self._futures: dict[str, list[Future]] = {}
        files = parquet_files(dataset_dir)
        if sum(text_bytes(path) for path in files) < POOL_THRESHOLD_BYTES:
            return
        executor = pool.executor()
        if executor is None:
            return
        try:
            for path in files:
                groups = pq.ParquetFile(path).metadata.num_row_groups
                self._futures[str(path)] = [
                    executor.submit(residual_counts_of_row_group, str(path), index)
                    for index in range(groups)
                ]
        except BrokenProcessPool as error:
            pool.give_up(error)
            self._futures = {}

    def counter_for(self, path: Path) -> ResidualCounter | None:
        """A counter for this file's text batches, or None to count them the usual way."""
        futures = self._futures.get(str(path))
        if futures is None:
            return None

        def counter(batches: Iterator[list[str]]) -> Iterator[int]:
            try:
                counts = [count for future in futures for count in future.result()]
            except BrokenProcessPool as error:
                self._pool.give_up(error)
                yield from local_residual(self._pool.settings, self._pool.key)(batches)
                return
            texts = sum(len(batch) for batch in batches)
            if texts != len(counts):
                raise RuntimeError(
                    f"residual re-scan of {path.name} counted {len(counts)} texts, "
                    f"validation read {texts}"
                )
            yield from counts

        return counter


class PendingDigests:
    """Content digests of Parquet output directories, computed on the pool if it is worth it."""

    def __init__(self, pool: AfterRunPool | None, directories: dict[str, Path]) -> None:
        self._pool = pool
        self._directories = directories
        self._futures: dict[str, list[Future]] = {}
        size = sum(p.stat().st_size for d in directories.values() for p in parquet_files(d))
        if pool is None or size < POOL_THRESHOLD_BYTES:
            return
        executor = pool.executor()
        if executor is None:
            return
        try:
            self._futures = {
                name: [executor.submit(row_group_digest, *part) for part in digest_parts(d)]
                for name, d in directories.items()
            }
        except BrokenProcessPool as error:
            pool.give_up(error)
            self._futures = {}

    def result(self) -> dict[str, dict]:
        try:
            if self._futures:
                return {
                    name: combine_digest_parts(future.result() for future in futures)
                    for name, futures in self._futures.items()
                }
        except BrokenProcessPool as error:
            if self._pool is not None:  # futures exist only when a pool ran them
                self._pool.give_up(error)
        return {name: content_digest(d) for name, d in self._directories.items()}
