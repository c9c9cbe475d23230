"""How the end-to-end corpus is cut and written: document parts, posts, gzip JSONL shards.

Why a module: these are the rules the pipeline's own ids depend on. A record's locator
(`shard:L<line>`) is what `corpus_build.doc_id` hashes, so the truth file can name a
document the ledger will know; and the caps keep documents shaped like ordinary source
files and under the run's document limit.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from corpus_pools import MIB

# Generated headers (amdgpu register maps) reach 24 MB; parts keep documents
# shaped like ordinary source files and under the run's document limit.
DOC_CAP_BYTES = 64 * 1024
MAX_PARTS = 16
SHARD_BYTES = 8 * MIB
POST_CHUNK_BYTES = 6 * 1024


class ShardWriter:
    """gzip JSONL shards of about SHARD_BYTES of text; tracks each record's locator."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.prefix = prefix
        directory.mkdir(parents=True, exist_ok=True)
        self.index = -1
        self.handle: gzip.GzipFile | None = None
        self.line = 0
        self.text_bytes = 0
        self.documents = 0
        self._shard_bytes = SHARD_BYTES

    def _roll(self) -> None:
        if self.handle:
            self.handle.close()
        self.index += 1
        self.name = f"{self.prefix}-{self.index:05d}.jsonl.gz"
        # Level 1: the corpus is rebuilt per size; the pipeline's gzip cost is the same.
        self.handle = gzip.open(  # noqa: SIM115 - one open shard at a time, closed on roll
            self.directory / self.name, "wb", compresslevel=1
        )
        self.line = 0
        self._shard_bytes = 0

    def write(self, record: dict, text_bytes: int) -> str:
        """Write one record; return its locator (`shard:L<line>`, the pipeline's rule)."""
        if self.handle is None or self._shard_bytes >= SHARD_BYTES:
            self._roll()
        assert self.handle is not None
        self.handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        self.line += 1
        self._shard_bytes += text_bytes
        self.text_bytes += text_bytes
        self.documents += 1
        return f"{self.name}:L{self.line}"

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def document_parts(text: str) -> Iterator[tuple[int, str]]:
    """(part number, text) of at most DOC_CAP_BYTES each, cut at line breaks."""
    data = text.encode("utf-8")
    start = 0
    for number in range(MAX_PARTS):
        if start >= len(data):
            return
        cut = data[start : start + DOC_CAP_BYTES]
        if start + DOC_CAP_BYTES < len(data):
            newline = cut.rfind(b"\n")
            cut = cut[: newline + 1] if newline > 0 else cut
        start += len(cut)
        part = cut.decode("utf-8", errors="ignore")
        if part.strip():
            yield number, part


def post_chunks(text: str) -> Iterator[str]:
    """Man page -> posts of at most POST_CHUNK_BYTES, cut at paragraph breaks."""
    current: list[str] = []
    size = 0
    for paragraph in text.split("\n\n"):
        length = len(paragraph.encode("utf-8")) + 2
        if current and size + length > POST_CHUNK_BYTES:
            yield "\n\n".join(current)
            current, size = [], 0
        current.append(paragraph[: POST_CHUNK_BYTES * 2])
        size += length
    if current:
        yield "\n\n".join(current)
