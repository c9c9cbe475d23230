"""Reading back what a run wrote: row counts, per-source counts, file digests.

The digest formula is defined once here: the audit pipeline's workers compute it
per file (`batches_digest`), `provenance verify` and erasure recompute it over a
directory (`content_digest`); both give the same value for the same rows.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def parquet_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob("*.parquet"))


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def parquet_rows(path: str | Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


@dataclass(frozen=True)
class FileEntry:
    """A written file as the manifest lists it; `path` is relative to the run directory."""

    path: str
    bytes: int
    sha256: str
    rows: int

    def to_json(self) -> dict:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256, "rows": self.rows}


def relative_files(root: str | Path) -> list[str]:
    root = Path(root)
    found = []
    for directory, _, names in os.walk(root):
        for name in names:
            found.append(str((Path(directory) / name).relative_to(root)))
    return sorted(found)


DIGEST_MODULUS = 1 << 256
# Columns hashed as raw bytes after the row's JSON instead of inside it: escaping a
# document's text as JSON and decoding it to Python first cost most of the digest time.
RAW_COLUMNS = ("text",)


def content_digest(directory: str | Path) -> dict:
    """An order-independent digest of every row in a Parquet output directory.

    Beam decides how rows are spread over shards, so file bytes differ between
    runs with different worker counts; the rows do not. Each row is hashed (its
    columns as canonical JSON, then the raw UTF-8 of its text) and the hashes are
    added modulo 2**256 (a multiset hash), so the digest depends only on the set
    of rows, is computed one row group at a time in bounded memory, needs no
    global sort, and row groups can be hashed in parallel (`digest_parts`).
    """
    return combine_digest_parts(
        row_group_digest(path, index) for path, index in digest_parts(directory)
    )


def digest_parts(directory: str | Path) -> list[tuple[str, int]]:
    """(file, row group) pieces whose digests `combine_digest_parts` adds up."""
    return [
        (str(path), index)
        for path in parquet_files(directory)
        for index in range(pq.ParquetFile(path).metadata.num_row_groups)
    ]


def row_group_digest(path: str, index: int) -> tuple[int, int]:
    """(rows, sum of row hashes mod 2**256) of one row group."""
    return batches_digest(pq.ParquetFile(path).iter_batches(batch_size=4096, row_groups=[index]))


def batches_digest(batches: Iterable[pa.RecordBatch]) -> tuple[int, int]:
    """(rows, sum of row hashes mod 2**256) of any run of record batches: a row group,
    a whole file (the audit pipeline's per-file check), ... Parts add up the same way."""
    rows = total = 0
    for batch in batches:
        raw = [name for name in RAW_COLUMNS if name in batch.schema.names]
        structured = batch.drop_columns(raw).to_pylist()
        raw_values = [batch.column(name).cast(pa.binary()).to_pylist() for name in raw]
        for position, row in enumerate(structured):
            digest = hashlib.sha256(
                json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode()
            )
            for values in raw_values:
                value = values[position]
                digest.update(b"\x00" if value is None else b"\x01" + value)
            total += int.from_bytes(digest.digest())
        rows += len(structured)
    return rows, total % DIGEST_MODULUS


def digest_json(rows: int, total: int) -> dict:
    """A digest as the manifest's `content_digests` records it."""
    return {"rows": rows, "sha256_sum": f"{total % DIGEST_MODULUS:064x}"}


def combine_digest_parts(parts) -> dict:
    rows = total = 0
    for part_rows, part_total in parts:
        rows += part_rows
        total = (total + part_total) % DIGEST_MODULUS
    return digest_json(rows, total)
