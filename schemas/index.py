"""The sketch index: per record, what a later run needs to dedup against this one.

`provenance run --previous OLD` carries a record's scan results over from OLD's
ledger instead of re-scanning its text; the ledger holds everything but the
duplicate sketch (it is 0.5 KB of MinHash minima a privacy officer never reads), so
the sketch is published beside it here. No text and no personal data: ids, hashes
and MinHash minima of the text, which cannot be turned back into it.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.record import AuditRecord

INDEX_DIR = "index"

INDEX_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        # Both null when deduplication was off in the run that wrote the index.
        pa.field("exact_key", pa.string()),
        pa.field("signature", pa.binary()),
    ]
)


def index_row(record: AuditRecord) -> dict:
    document, sketch = record.document, record.dedup_sketch
    return {
        "doc_id": document.doc_id,
        "locator": document.locator,
        "content_sha256": document.content_sha256,
        "exact_key": sketch.exact_key if sketch else None,
        "signature": sketch.signature if sketch else None,
    }
