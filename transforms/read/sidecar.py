"""Text sidecar: records cross the global steps without their text.

Why: on the local FnApiRunner every element that crosses a step boundary (the
duplicate join, the per-source gate, the decision) is held in the launcher's
memory until the run ends, so records that carried their text there made a
1 GB corpus need 17 GB. Now the fused read-and-scan step writes each record's
output text to a Parquet sidecar file of its bundle under `<staging>/text/` and
sends on a record that keeps only the file name (`DetachedText`). After the
decision, the rows that need text (dataset rows, review-sample rows) are grouped
by sidecar file, and one worker per file streams it back and attaches the text.
Text is written and read once more from disk; it is never held for the whole run.

A retried bundle leaves an orphan file that no record names: it is never read,
and it goes away with the staging directory. A row whose text cannot be found
in its file fails the run loudly; nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystems import CompressionTypes, FileSystems
from apache_beam.metrics import Metrics

from schemas.record import AuditRecord, DetachedText
from transforms.common.packing import pack, unpack
from transforms.common.stage import TEXT, StageContract

TEXT_SCHEMA = pa.schema(
    [pa.field("doc_id", pa.string(), nullable=False), pa.field("text", pa.string(), nullable=False)]
)
# With the record itself beside its text (packed), for a step that must meet each record
# with something keyed elsewhere without moving the record through a grouping step.
TEXT_AND_RECORD_SCHEMA = TEXT_SCHEMA.append(pa.field("record", pa.binary(), nullable=False))
# Text buffered before it becomes a row group: bounds memory when writing and reading back.
ROW_GROUP_BYTES = 8 << 20
# Text per sidecar file: the assembly step runs one file per worker at a time, so
# smaller files spread it over more workers.
FILE_BYTES = 64 << 20
DATASET, REVIEW_SAMPLE = "dataset", "review_sample"
NAMESPACE = "text_sidecar"


class MissingText(RuntimeError):
    """A record names a sidecar file that does not hold its text: the run must not publish."""


class _TableWriter(Protocol):
    """The part of pyarrow's ParquetWriter used here (pyarrow ships no type information)."""

    def write_table(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _OpenFile:
    """A sidecar file being written: its name, its byte stream and the Parquet writer on it."""

    path: str
    stream: BinaryIO
    writer: _TableWriter


class SidecarWriter:
    """Appends (doc_id, text[, packed record]) rows to rotating Parquet files in one
    directory; the schema says whether a record waits beside its text."""

    def __init__(self, directory: str, schema: pa.Schema = TEXT_SCHEMA) -> None:
        self._directory = directory
        self._schema = schema
        self._file: _OpenFile | None = None
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._records: list[bytes] = []
        self._pending_bytes = 0
        self._file_bytes = 0

    def add(self, doc_id: str, text: str, record: bytes | None = None) -> str:
        """Queue one text (and its packed record, with `TEXT_AND_RECORD_SCHEMA`); returns the
        file that will hold it."""
        file = self._file if self._file is not None else self._open()
        self._ids.append(doc_id)
        self._texts.append(text)
        if record is not None:
            self._records.append(record)
        self._pending_bytes += len(text)
        if self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush(file)
            if self._file_bytes >= FILE_BYTES:
                self.close()
        return file.path

    def _open(self) -> _OpenFile:
        import pyarrow.parquet as pq

        path = FileSystems.join(self._directory, f"{uuid.uuid4().hex}.parquet")
        stream = FileSystems.create(
            path,
            mime_type="application/octet-stream",
            compression_type=CompressionTypes.UNCOMPRESSED,
        )
        try:
            writer = pq.ParquetWriter(stream, self._schema, compression="zstd")
        except Exception:
            # Not yet in self._file, so abandon() cannot reach it: close it here instead.
            with contextlib.suppress(Exception):
                stream.close()
            raise
        self._file = _OpenFile(path, stream, writer)
        self._file_bytes = 0
        return self._file

    def _flush(self, file: _OpenFile) -> None:
        if not self._ids:
            return
        columns: dict[str, list] = {"doc_id": self._ids, "text": self._texts}
        if "record" in self._schema.names:
            columns["record"] = self._records
        file.writer.write_table(pa.table(columns, schema=self._schema))
        self._file_bytes += self._pending_bytes
        self._ids, self._texts, self._records, self._pending_bytes = [], [], [], 0

    def close(self) -> None:
        file = self._file
        if file is None:
            return
        self._flush(file)
        file.writer.close()
        file.stream.close()
        self._file = None

    def abandon(self) -> None:
        """Best effort after a failure: the file is an orphan no record names."""
        try:
            if self._file is not None:
                self._file.stream.close()
        except Exception:  # noqa: BLE001 - the bundle is failing already
            pass
        self._file = None


def detached(record: AuditRecord, path: str) -> AuditRecord:
    """A copy of the record without its text, naming where the output text went."""
    return replace(
        record,
        document=replace(record.document, text=""),
        redacted_text=None,
        detached=DetachedText(
            file=path,
            char_length=len(record.document.text),
            redacted=record.redacted_text is not None,
        ),
    )


class DetachText(beam.DoFn):
    """AuditRecord with text -> the same record without it; the text goes to a sidecar file."""

    contract = StageContract.declare(
        NAMESPACE, requires=(TEXT,), provides=("detached",), removes=(TEXT,)
    )

    def __init__(self, directory: str) -> None:
        self._directory = directory
        self._bytes = Metrics.counter(NAMESPACE, "bytes")
        # A writer opens no file before its first text, so one always exists; each
        # bundle starts a fresh one, and a closed one has nothing left to abandon.
        self._writer = SidecarWriter(directory)

    def start_bundle(self) -> None:
        self._writer = SidecarWriter(self._directory)

    def process(self, record: AuditRecord) -> Iterator[AuditRecord]:
        text = record.output_text
        self._bytes.inc(len(text))
        yield detached(record, self._writer.add(record.doc_id, text))

    def finish_bundle(self) -> None:
        self._writer.close()

    def teardown(self) -> None:
        self._writer.abandon()


def add_text(row: dict, text: str) -> dict:
    return {**row, "text": text}


def stream_wanted(path: str, wanted_ids: Iterable[str], columns: tuple[str, ...]) -> Iterator:
    """(doc_id, *columns) of each wanted id, streaming one sidecar file a batch at a time.

    Raises MissingText when a wanted doc_id is not in the file, so a broken sidecar can
    never shrink the dataset without anyone noticing.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    missing = set(wanted_ids)
    if not missing:
        return
    value_set = pa.array(sorted(missing), type=pa.string())
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        for batch in pq.ParquetFile(stream).iter_batches(
            batch_size=4096, columns=["doc_id", *columns]
        ):
            hits = batch.filter(pc.is_in(batch.column("doc_id"), value_set=value_set))
            values = [hits.column(name).to_pylist() for name in hits.schema.names]
            for row in zip(*values, strict=True):
                if row[0] in missing:
                    missing.discard(row[0])
                    yield row
    if missing:
        raise MissingText(
            f"{len(missing)} record(s) have no text in sidecar file {path} "
            f"(first: doc_id {min(missing)}); the run is incomplete and will not be published"
        )


def attach_texts(
    path: str, wanted: Iterable[tuple[str, str, dict]]
) -> Iterator[tuple[str, dict, str]]:
    """Stream one sidecar file and yield (kind, row, text) for each wanted row.

    `wanted` holds (kind, doc_id, row without text); see `stream_wanted` for a doc id the
    file does not hold.
    """
    by_doc: dict[str, list[tuple[str, dict]]] = {}
    for kind, doc_id, row in wanted:
        by_doc.setdefault(doc_id, []).append((kind, row))
    for doc_id, text in stream_wanted(path, list(by_doc), ("text",)):
        for kind, row in by_doc[doc_id]:
            yield kind, row, text


class _AttachTexts(beam.DoFn):
    def __init__(self, finishers: dict[str, Callable[[dict, str], dict]]) -> None:
        self._finishers = finishers

    def process(self, item: tuple[str, Iterable[tuple[str, str, bytes]]]) -> Iterator:
        path, wanted = item
        rows = ((kind, doc_id, unpack(row)) for kind, doc_id, row in wanted)
        for kind, row, text in attach_texts(path, rows):
            yield beam.pvalue.TaggedOutput(kind, self._finishers[kind](row, text))


class AttachTexts(beam.PTransform):
    """{kind: PCollection[(sidecar file, doc_id, row without text)]} -> {kind: rows with text}.

    `finishers` maps each kind to how its row takes the text (`add_text`, or
    e.g. one that also hashes it). One group per sidecar file, so a file is read
    once by one worker however many of its rows are wanted, and only rows that
    need text (never the whole corpus) cross the grouping step, packed
    (transforms.common.packing).
    """

    def __init__(self, finishers: dict[str, Callable[[dict, str], dict]]) -> None:
        super().__init__()
        self._finishers = finishers
        self._kinds = tuple(finishers)

    # `inputs` is a dict of PCollections, one per kind; left unannotated because Beam
    # reads expand()'s annotation as an element type hint, which a dict is not.
    def expand(self, inputs):
        tagged = [
            inputs[kind]
            | f"Tag{kind.title().replace('_', '')}"
            >> beam.Map(lambda item, kind=kind: (item[0], (kind, item[1], pack(item[2]))))
            for kind in self._kinds
        ]
        return (
            tagged
            | "AllWanted" >> beam.Flatten()
            | "BySidecarFile" >> beam.GroupByKey()
            | "ReadBack" >> beam.ParDo(_AttachTexts(self._finishers)).with_outputs(*self._kinds)
        )
