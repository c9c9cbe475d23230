"""Reading back what a run wrote: row counts, per-source counts, file digests.

Used for reconciliation, the summary, the manifest and tests, always file by
file so memory stays bounded by one column of one file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq


def parquet_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob("*.parquet"))


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def count_by(directory: str | Path, *columns: str) -> Counter:
    """Counter over tuples of the given columns, across every Parquet file in `directory`."""
    counts: Counter = Counter()
    for path in parquet_files(directory):
        table = pq.read_table(path, columns=list(columns))
        values = [table.column(name).to_pylist() for name in columns]
        counts.update(zip(*values, strict=True))
    return counts


def row_count(directory: str | Path) -> int:
    return sum(pq.ParquetFile(path).metadata.num_rows for path in parquet_files(directory))


def relative_files(root: str | Path) -> list[str]:
    root = Path(root)
    found = []
    for directory, _, names in os.walk(root):
        for name in names:
            found.append(str((Path(directory) / name).relative_to(root)))
    return sorted(found)


def content_digest(directory: str | Path) -> dict:
    """An order-independent digest of every row in a Parquet output directory.

    Beam decides how rows are spread over shards, so file bytes differ between
    runs with different worker counts; the rows do not. Each row is hashed as
    canonical JSON and the hashes are added modulo 2**256 (a multiset hash), so
    the digest depends only on the set of rows, is computed file by file in
    bounded memory, and needs no global sort.
    """
    total = 0
    rows = 0
    for path in parquet_files(directory):
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                encoded = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
                total = (total + int.from_bytes(hashlib.sha256(encoded.encode()).digest())) % (
                    1 << 256
                )
                rows += 1
    return {"rows": rows, "sha256_sum": f"{total:064x}"}
