"""The per-source review sample (TC260): ids plus the text as published, for human review."""

from __future__ import annotations

import pyarrow as pa

REVIEW_SAMPLE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("decision", pa.string(), nullable=False),
        pa.field("reasons", pa.list_(pa.string()), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)
