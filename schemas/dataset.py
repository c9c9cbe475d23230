"""The dataset: accepted records with their (possibly redacted) text and provenance."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from schemas.ledger import LICENSE_SUMMARY_FIELDS, license_summary
from schemas.record import AuditRecord

DATASET_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_type", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("text_sha256", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("declared_license", pa.string()),
        pa.field("legal_basis", pa.string()),
        pa.field("decision", pa.string(), nullable=False),
        pa.field("redacted", pa.bool_(), nullable=False),
        *LICENSE_SUMMARY_FIELDS,
        pa.field("consent_status", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string()),
        pa.field("metadata", pa.map_(pa.string(), pa.string()), nullable=False),
    ]
)


def dataset_fields(record: AuditRecord) -> dict:
    """Every dataset column but the text ones: what crosses the global steps per record."""
    document = record.document
    return {
        "doc_id": document.doc_id,
        "source_id": document.source_id,
        "source_type": record.source.source_type,
        "locator": document.locator,
        "content_sha256": document.content_sha256,
        "declared_license": record.source.declared_license,
        "legal_basis": record.source.legal_basis,
        "decision": str(record.decision),
        "redacted": record.is_redacted,
        **license_summary(record),
        "consent_status": record.consent_status,
        "cluster_id": record.dedup.cluster_id if record.dedup else None,
        "metadata": sorted(document.metadata.items()),
    }


def with_text(fields: dict, text: str) -> dict:
    """`content_sha256` hashes the raw input; `text_sha256` hashes what we publish."""
    return {**fields, "text": text, "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
