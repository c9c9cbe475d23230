"""Readers: turn input files into `Document`s or `DeadLetter`s, one per physical record.

A record is a non-blank JSONL line, a Parquet row, or a whole text file. Every
problem becomes a dead-letter item with its own code and the read goes on; a
file that cannot be opened at all is one dead-letter item naming its path.
These functions are Beam-free generators over file objects; `transforms.read.stage`
wraps them in DoFns.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from schemas.consent import WarcError
from schemas.dead_letter import DeadLetter, ReadError
from schemas.document import Document
from transforms.consent.optout import signals_from_headers, signals_from_meta, signals_from_metadata
from transforms.read.warc import iter_warc_records

ReadItem = Document | DeadLetter
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_BATCH_ROWS = 1024
_DECOMPRESSION_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


# The run config's `limits:` defaults (pipelines/run/config.py reads these).
DEFAULT_MAX_DOCUMENT_BYTES = 10_000_000
DEFAULT_MAX_DECOMPRESSED_BYTES = 20_000_000_000


@dataclass(frozen=True)
class ReadSpec:
    """What a worker needs to read one source: small, picklable, no secrets."""

    source_id: str
    format: str
    root: str
    text_field: str = "text"
    id_field: str | None = None
    metadata_fields: tuple[str, ...] = field(default_factory=tuple)
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    # Cap on the decompressed bytes of one compressed file: a gzip bomb stops here.
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES
    # kind ("email", "user_id", "phone") -> field holding the record subject's identifier
    subject_fields: tuple[tuple[str, str], ...] = ()
    collected_at_field: str | None = None
    read_optout_fields: bool = True

    def relative(self, path: str) -> str:
        prefix = self.root.rstrip("/") + "/"
        return path[len(prefix) :] if path.startswith(prefix) else path


def _stringify(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def document_from_fields(spec: ReadSpec, locator: str, record: dict, raw: bytes) -> ReadItem:
    """Shared by JSONL and Parquet: field mapping, type checks, emptiness and size."""
    text = record.get(spec.text_field)
    if text is None:
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.MISSING_TEXT,
            f"text field {spec.text_field!r} is absent or null",
            raw,
        )
    if not isinstance(text, str):
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.WRONG_TYPE,
            f"text field {spec.text_field!r} holds {type(text).__name__}, not a string",
            raw,
        )
    encoded = text.encode("utf-8", errors="surrogatepass")
    if len(encoded) > spec.max_document_bytes:
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.TOO_LARGE,
            f"text is {len(encoded)} bytes; limit is {spec.max_document_bytes}",
            raw,
        )
    if not text.strip():
        return DeadLetter.build(
            spec.source_id, locator, ReadError.EMPTY_DOCUMENT, "text is empty or whitespace", raw
        )
    metadata = {
        name: _stringify(record[name])
        for name in spec.metadata_fields
        if record.get(name) is not None
    }
    if spec.id_field and record.get(spec.id_field) is not None:
        metadata["source_record_id"] = _stringify(record[spec.id_field])
    subjects = {
        kind: _stringify(record[name])
        for kind, name in spec.subject_fields
        if record.get(name) not in (None, "")
    }
    collected_at = record.get(spec.collected_at_field) if spec.collected_at_field else None
    optout = signals_from_metadata(record) if spec.read_optout_fields else []
    return Document.from_text(
        spec.source_id,
        locator,
        text,
        encoded,
        metadata,
        subject_identifiers=subjects,
        collected_at=None if collected_at is None else _stringify(collected_at),
        optout_signals=optout,
    )


def decode_utf8(spec: ReadSpec, locator: str, raw: bytes) -> str | DeadLetter:
    """Strict UTF-8: mis-encoded input is dead-lettered, never silently repaired."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.INVALID_UTF8,
            f"invalid UTF-8 at byte {error.start}",
            raw,
        )


def parse_jsonl_line(spec: ReadSpec, locator: str, raw: bytes) -> ReadItem:
    line = decode_utf8(spec, locator, raw)
    if isinstance(line, DeadLetter):
        return line
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        detail = f"at column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.MALFORMED_JSON,
            f"not valid JSON {detail}".strip(),
            raw,
        )
    if not isinstance(record, dict):
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.NOT_AN_OBJECT,
            f"JSON value is a {type(record).__name__}, not an object",
            raw,
        )
    return document_from_fields(spec, locator, record, raw)


def _open_maybe_gzip(stream: BinaryIO, path: str) -> BinaryIO:
    """Gzip is recognised by magic bytes, so a mis-named file is still read correctly."""
    head = stream.read(2)
    stream.seek(0)
    if head == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


def _oversized_line(stream: BinaryIO, first_chunk: bytes, chunk_size: int) -> tuple[int, str]:
    """Consume the rest of an over-long line without holding it: its length and sha256."""
    digest = hashlib.sha256(first_chunk)
    length = len(first_chunk)
    chunk = first_chunk
    while not chunk.endswith(b"\n"):
        chunk = stream.readline(chunk_size)
        if not chunk:
            break
        digest.update(chunk)
        length += len(chunk)
    return length, digest.hexdigest()


def iter_jsonl(spec: ReadSpec, path: str, stream: BinaryIO) -> Iterator[ReadItem]:
    """Line by line, never holding more than one line (capped at the size limit) in memory."""
    relative = spec.relative(path)
    line_number = 0
    # A line may carry JSON syntax and escapes around the text, so allow some headroom.
    line_cap = spec.max_document_bytes * 2 + 1024
    decompressed = 0
    try:
        reader = _open_maybe_gzip(stream, path)
        while True:
            chunk = reader.readline(line_cap)
            if not chunk:
                return
            decompressed += len(chunk)
            if decompressed > spec.max_decompressed_bytes:
                yield DeadLetter.build(
                    spec.source_id,
                    f"{relative}:L{line_number + 1}",
                    ReadError.DECOMPRESSION_LIMIT,
                    f"decompressed size passed limits.max_decompressed_bytes "
                    f"({spec.max_decompressed_bytes}) after line {line_number}; "
                    "the rest of the file is not read",
                )
                return
            line_number += 1
            locator = f"{relative}:L{line_number}"
            if len(chunk) >= line_cap and not chunk.endswith(b"\n"):
                length, digest = _oversized_line(reader, chunk, line_cap)
                yield DeadLetter.build(
                    spec.source_id,
                    locator,
                    ReadError.TOO_LARGE,
                    f"line is {length} bytes; limit is {line_cap}",
                    byte_length=length,
                    raw_sha256=digest,
                )
                continue
            raw = chunk.rstrip(b"\r\n")
            if not raw.strip():
                continue  # blank lines separate records; they are not records
            yield parse_jsonl_line(spec, locator, raw)
    except _DECOMPRESSION_ERRORS as error:
        yield DeadLetter.build(
            spec.source_id,
            f"{relative}:L{line_number + 1}",
            ReadError.CORRUPT_COMPRESSED,
            f"compressed stream is truncated or corrupt after line {line_number} "
            f"({type(error).__name__}); the rest of the file is unreadable",
        )


def read_text_file(spec: ReadSpec, path: str, stream: BinaryIO, size: int) -> ReadItem:
    """One document per file: code and documentation trees."""
    locator = spec.relative(path)
    if size > spec.max_document_bytes:
        digest = hashlib.sha256()
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
        return DeadLetter.build(
            spec.source_id,
            locator,
            ReadError.TOO_LARGE,
            f"file is {size} bytes; limit is {spec.max_document_bytes}",
            byte_length=size,
            raw_sha256=digest.hexdigest(),
        )
    raw = stream.read()
    text = decode_utf8(spec, locator, raw)
    if isinstance(text, DeadLetter):
        return text
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return DeadLetter.build(
            spec.source_id, locator, ReadError.EMPTY_DOCUMENT, "file is empty or whitespace", raw
        )
    return Document.from_text(spec.source_id, locator, text, raw, {})


def parquet_columns(spec: ReadSpec, available: list[str]) -> list[str]:
    wanted = [spec.text_field, *spec.metadata_fields]
    if spec.id_field:
        wanted.append(spec.id_field)
    return [name for name in dict.fromkeys(wanted) if name in available]


def iter_parquet_row_group(
    spec: ReadSpec, path: str, stream: BinaryIO, row_group: int, first_row: int
) -> Iterator[ReadItem]:
    """One row group at a time, in record batches, so memory is bounded by the batch."""
    import pyarrow.parquet as pq

    relative = spec.relative(path)
    parquet = pq.ParquetFile(stream)
    columns = parquet_columns(spec, parquet.schema_arrow.names)
    row_index = first_row
    batches = parquet.iter_batches(
        batch_size=PARQUET_BATCH_ROWS, row_groups=[row_group], columns=columns
    )
    for batch in batches:
        for row in batch.to_pylist():
            locator = f"{relative}#row={row_index}"
            row_index += 1
            raw = json.dumps(row, sort_keys=True, default=str).encode("utf-8")
            yield document_from_fields(spec, locator, row, raw)


def iter_warc(spec: ReadSpec, path: str, stream: BinaryIO) -> Iterator[ReadItem]:
    """WARC response records as Documents, with the opt-outs their headers and meta tags carry."""
    relative = spec.relative(path)
    for item in iter_warc_records(stream, max_payload_bytes=spec.max_document_bytes):
        locator = f"{relative}@{item.offset}"
        if isinstance(item, WarcError):
            yield DeadLetter.build(
                spec.source_id,
                locator,
                ReadError(str(item.code)),
                item.message,
                byte_length=item.byte_length,
                raw_sha256=item.raw_sha256,
            )
            continue
        encoded = item.text.encode("utf-8", errors="surrogatepass")
        if len(encoded) > spec.max_document_bytes:
            yield DeadLetter.build(
                spec.source_id,
                locator,
                ReadError.TOO_LARGE,
                f"extracted text is {len(encoded)} bytes; limit is {spec.max_document_bytes}",
                encoded,
            )
            continue
        if not item.text.strip():
            yield DeadLetter.build(
                spec.source_id,
                locator,
                ReadError.EMPTY_DOCUMENT,
                "no text after extraction",
                byte_length=len(item.html),
                raw_sha256=item.payload_sha256,
            )
            continue
        yield Document.from_text(
            spec.source_id,
            locator,
            item.text,
            encoded,
            {"url": item.url, "fetch_time": item.fetch_time, "http_status": str(item.http_status)},
            collected_at=item.fetch_time,
            optout_signals=signals_from_headers(item.http_headers)
            + signals_from_meta(item.meta_tags),
        )
