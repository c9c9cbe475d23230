"""Reading a published version's Parquet files on workers, each checked against its manifest.

Used wherever a job builds on a published version (`provenance diff`, `provenance
run --previous`): a file whose bytes do not hash to the sha256 its manifest
recorded is never read, it becomes a problem line instead, so a tampered or torn
version can not quietly feed a new one. The launcher only lists the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.publish import store

PROBLEMS = "problems"
BATCH_ROWS = 4096


def listed_files(manifest: dict, output: str) -> list[tuple[str, str]]:
    """(relative path, sha256) of an output's Parquet files, as the manifest lists them."""
    return [
        (entry["path"], entry["sha256"])
        for entry in manifest.get("outputs", [])
        if entry["path"].startswith(f"{output}/") and entry["path"].endswith(".parquet")
    ]


class _ReadVerifiedFile(beam.DoFn):
    def __init__(
        self, label: str, root: str, columns: tuple[str, ...], to_item: Callable[[dict], Any]
    ):
        self._label = label
        self._root = root
        self._columns = columns
        self._to_item = to_item

    def process(self, entry: tuple[str, str]) -> Iterator:
        relative, expected = entry
        location = store.join(self._root, *relative.split("/"))
        try:
            actual, _ = store.sha256_of(location)
        except OSError as error:
            yield beam.pvalue.TaggedOutput(
                PROBLEMS, f"{self._label}: {relative} could not be read ({error})"
            )
            return
        if actual != expected:
            yield beam.pvalue.TaggedOutput(
                PROBLEMS,
                f"{self._label}: {relative} does not match its manifest (sha256 "
                f"{actual[:16]}…, manifest says {expected[:16]}…); run `provenance verify`",
            )
            return
        try:
            with store.open_for_reading(location) as stream:
                parquet = pq.ParquetFile(stream)
                for batch in parquet.iter_batches(BATCH_ROWS, columns=list(self._columns)):
                    for row in batch.to_pylist():
                        yield self._to_item(row)
        except (pa.ArrowInvalid, KeyError) as error:
            yield beam.pvalue.TaggedOutput(
                PROBLEMS,
                f"{self._label}: {relative} is not a file this version reads ({error})",
            )


class ReadVerifiedParquet(beam.PTransform):
    """Rows of listed files as `to_item(row)`; returns (items, problem lines)."""

    def __init__(
        self,
        label: str,
        root: str,
        files: list[tuple[str, str]],
        columns: tuple[str, ...],
        to_item: Callable[[dict], Any],
    ):
        super().__init__()
        self._label = label
        self._root = root
        self._files = files
        self._columns = columns
        self._to_item = to_item

    def expand(self, pbegin):
        read = (
            pbegin
            | "Files" >> beam.Create(self._files)
            | "Spread" >> beam.Reshuffle()
            | "Read"
            >> beam.ParDo(
                _ReadVerifiedFile(self._label, self._root, self._columns, self._to_item)
            ).with_outputs(PROBLEMS, main="rows")
        )
        return read.rows, read[PROBLEMS]
