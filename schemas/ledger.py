"""The ledger: one row per record read and parsed, accepted or not, and never its text.

It is what privacy officers audit and what erasure searches, so it carries ids,
hashes, decisions, reasons and findings summaries (HMAC tokens, never values).
"""

from __future__ import annotations

import pyarrow as pa

from schemas.record import AuditRecord

SIGNAL_TYPE = pa.struct(
    [
        pa.field("code", pa.string()),
        pa.field("action", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("detail", pa.string()),
    ]
)

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_type", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("byte_length", pa.int64(), nullable=False),
        pa.field("char_length", pa.int64(), nullable=False),
        pa.field("declared_license", pa.string()),
        pa.field("legal_basis", pa.string()),
        pa.field("decision", pa.string(), nullable=False),
        pa.field("reasons", pa.list_(pa.string()), nullable=False),
        pa.field("signals", pa.list_(SIGNAL_TYPE), nullable=False),
        pa.field("redacted", pa.bool_(), nullable=False),
    ]
)


def ledger_row(record: AuditRecord) -> dict:
    document = record.document
    return {
        "doc_id": document.doc_id,
        "source_id": document.source_id,
        "source_type": record.source.source_type,
        "locator": document.locator,
        "content_sha256": document.content_sha256,
        "byte_length": document.byte_length,
        "char_length": len(document.text),
        "declared_license": record.source.declared_license,
        "legal_basis": record.source.legal_basis,
        "decision": str(record.decision),
        "reasons": list(record.reasons),
        "signals": [
            {"code": s.code, "action": str(s.action), "stage": s.stage, "detail": s.detail}
            for s in record.signals
        ],
        "redacted": record.redacted_text is not None,
    }
