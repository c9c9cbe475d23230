"""Counting input records without the pipeline's readers, to check "nothing lost".

The rules mirror the documented record definition: a non-blank JSONL line, a
Parquet row, a text file; an unreadable file or a corrupt compressed tail counts
as one record (it becomes one dead-letter row).
"""

from __future__ import annotations

import glob
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import yaml


def count_jsonl(path: Path) -> int:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        decompressor = zlib.decompressobj(wbits=31)
        text = decompressor.decompress(data)
        complete = decompressor.eof
    else:
        text, complete = data, True
    lines = text.split(b"\n")
    if complete:
        return sum(1 for line in lines if line.strip())
    # The last, partial line is part of the unreadable tail: one dead-letter row.
    return sum(1 for line in lines[:-1] if line.strip()) + 1


def count_parquet(path: Path) -> int:
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - an unreadable file is one record
        return 1


def count_warc(path: Path) -> int:
    """Response records; a stream that breaks mid-file adds one record for its unread tail."""
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with open(path, "rb") as handle:
        try:
            for record in ArchiveIterator(handle):
                count += record.rec_type == "response"
        except Exception:  # noqa: BLE001 - the unreadable tail is one dead-letter row
            count += 1
    return count


def count_source_records(config_path: Path) -> dict[str, int]:
    config = yaml.safe_load(config_path.read_text())
    base = config_path.parent
    counts = {}
    for source in config["sources"]:
        files = set()
        for pattern in source["paths"]:
            files.update(glob.glob(str(base / pattern), recursive=True))
        counter = {
            "jsonl": count_jsonl,
            "parquet": count_parquet,
            "text": lambda _: 1,
            "warc": count_warc,
        }
        counts[source["id"]] = sum(counter[source["format"]](Path(f)) for f in files)
    return counts
