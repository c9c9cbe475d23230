"""Beam wrapper of the readers: expand globs, split files into work units, read them.

Files are listed and read inside the pipeline (not through a large
`beam.Create`), through `apache_beam.io.filesystems`, so `gs://` and `s3://`
paths work on any runner. Parquet files are split by row group so one large
file still spreads over workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import CompressionTypes, FileSystems
from apache_beam.metrics import Metrics

from schemas.dead_letter import DeadLetter, ReadError
from schemas.document import Document
from schemas.pii import PiiSettings
from transforms.common.keys import KeySource
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.read.readers import (
    ReadItem,
    ReadSpec,
    iter_jsonl,
    iter_parquet_row_group,
    iter_warc,
    read_text_file,
)

DEAD_LETTER_TAG = "dead_letter"
WHOLE_FILE = -1


@dataclass(frozen=True)
class ReadUnit:
    """One piece of reading work: a whole file, or one Parquet row group."""

    spec: ReadSpec
    path: str
    size: int
    row_group: int = WHOLE_FILE
    first_row: int = 0


def _open(path: str):
    # Compression is detected by magic bytes in the readers, not by the file name.
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def expand_patterns(
    element: tuple[ReadSpec, tuple[str, ...]],
) -> Iterator[tuple[ReadSpec, str, int]]:
    spec, patterns = element
    files: dict[str, int] = {}
    for result in FileSystems.match(list(patterns)):
        for metadata in result.metadata_list:
            files[metadata.path] = metadata.size_in_bytes
    for path in sorted(files):
        yield spec, path, files[path]


def plan_units(element: tuple[ReadSpec, str, int]) -> Iterator[ReadUnit]:
    spec, path, size = element
    if spec.format != "parquet":
        yield ReadUnit(spec, path, size)
        return
    try:
        with _open(path) as stream:
            metadata = pq.ParquetFile(stream).metadata
    except Exception:  # noqa: BLE001 - any footer failure makes the whole file one dead letter
        yield ReadUnit(spec, path, size)
        return
    first_row = 0
    for index in range(metadata.num_row_groups):
        yield ReadUnit(spec, path, size, index, first_row)
        first_row += metadata.row_group(index).num_rows


def read_unit(unit: ReadUnit) -> Iterator[ReadItem]:
    """Never raises for bad data: any failure to open or parse becomes a dead letter."""
    spec = unit.spec
    try:
        with _open(unit.path) as stream:
            if spec.format == "jsonl":
                yield from iter_jsonl(spec, unit.path, stream)
            elif spec.format == "text":
                yield read_text_file(spec, unit.path, stream, unit.size)
            elif spec.format == "warc":
                yield from iter_warc(spec, unit.path, stream)
            elif unit.row_group == WHOLE_FILE:
                raise ValueError("Parquet footer could not be read")
            else:
                yield from iter_parquet_row_group(
                    spec, unit.path, stream, unit.row_group, unit.first_row
                )
    except Exception as error:  # noqa: BLE001 - the whole unit is one dead letter
        locator = spec.relative(unit.path)
        if unit.row_group != WHOLE_FILE:
            locator = f"{locator}#row_group={unit.row_group}"
        yield DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.UNREADABLE_FILE,
            f"cannot read {spec.format} input ({type(error).__name__})",
            byte_length=unit.size,
            raw_sha256="",
        )


@dataclass(frozen=True)
class IdentifierScan:
    """How the reader masks personal data in locators and metadata: the run's PII
    settings and where its key is (loaded on the worker, never carried in the graph)."""

    settings: PiiSettings
    key_source: KeySource


class ReadUnitFn(beam.DoFn):
    def __init__(self, identifiers: IdentifierScan | None = None) -> None:
        self.identifiers = identifiers
        self.records = Metrics.counter("read", "records")
        self.bytes = Metrics.counter("read", "bytes")
        self.dead_letters = Metrics.counter("read", "dead_letters")
        self.masked = Metrics.counter("read", "identifier_values_masked")

    def setup(self) -> None:
        scrub_worker_output()
        self.masker = None
        if self.identifiers is not None:
            # Lazy: the engine module imports Presidio, which the launcher never needs.
            from transforms.pii.identifiers import IdentifierMasker
            from transforms.pii.shared import shared_engine

            engine = shared_engine(self.identifiers.settings)
            key = self.identifiers.key_source.load()
            self.masker = IdentifierMasker(
                lambda texts: engine.scan_batch(texts, key), self.identifiers.settings
            )

    def _items(self, unit: ReadUnit) -> Iterator[ReadItem]:
        if self.masker is None:
            return read_unit(unit)
        return self.masker.mask_stream(read_unit(unit))

    def process(self, unit: ReadUnit):
        source_counter = Metrics.counter("read", f"records.{unit.spec.source_id}")
        for item in self._items(unit):
            if item.identifier_findings:
                self.masked.inc(len(item.identifier_findings))
            self.records.inc()
            source_counter.inc()
            self.bytes.inc(item.byte_length)
            if isinstance(item, Document):
                yield item
            else:
                self.dead_letters.inc()
                Metrics.counter("read", f"dead_letter.{item.error_code}").inc()
                yield beam.pvalue.TaggedOutput(DEAD_LETTER_TAG, item)


class ReadSources(beam.PTransform):
    """PBegin -> {main: Document, dead_letter: DeadLetter}."""

    def __init__(
        self,
        sources: list[tuple[ReadSpec, tuple[str, ...]]],
        identifiers: IdentifierScan | None = None,
    ) -> None:
        super().__init__()
        self.sources = sources
        self.identifiers = identifiers

    def expand(self, pbegin):
        return (
            pbegin
            | "Sources" >> beam.Create(self.sources)
            | "ExpandGlobs" >> beam.FlatMap(expand_patterns)
            | "PlanUnits" >> beam.FlatMap(plan_units)
            | "Spread" >> beam.Reshuffle()
            | "Read"
            >> beam.ParDo(ReadUnitFn(self.identifiers)).with_outputs(
                DEAD_LETTER_TAG, main="documents"
            )
        )
