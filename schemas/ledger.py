"""The ledger: one row per record read and parsed, accepted or not, and never its text.

It is what privacy officers audit and what erasure searches, so it carries ids,
hashes, decisions, reasons and findings (HMAC tokens, never values). Stage
columns are composed from each stage's own schema module.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.consent import OPTOUT_SIGNAL_TYPE
from schemas.licenses import (
    copyright_row,
    copyright_statement_list_type,
    evidence_row,
    license_evidence_list_type,
    rights_verdict_type,
    verdict_row,
)
from schemas.pii import identifier_finding_list, pii_finding_struct
from schemas.record import AuditRecord
from schemas.scrub import scrub, scrub_tree

SIGNAL_TYPE = pa.struct(
    [
        pa.field("code", pa.string()),
        pa.field("action", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("detail", pa.string()),
    ]
)

LICENSE_SUMMARY_FIELDS = [
    pa.field("license_spdx", pa.string()),
    pa.field("license_category", pa.string()),
    pa.field("attribution_required", pa.bool_()),
    pa.field("share_alike", pa.bool_()),
    pa.field("license_conflict", pa.bool_()),
]

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
        # personal information
        pa.field("pii_findings", pa.list_(pii_finding_struct()), nullable=False),
        pa.field("pii_counts", pa.map_(pa.string(), pa.int64()), nullable=False),
        # licenses and copyright
        *LICENSE_SUMMARY_FIELDS,
        pa.field("license_evidence", license_evidence_list_type(), nullable=False),
        pa.field("copyrights", copyright_statement_list_type(), nullable=False),
        pa.field("rights", rights_verdict_type()),
        # consent and opt-outs
        pa.field("consent_status", pa.string(), nullable=False),
        pa.field("subject_tokens", pa.list_(pa.string()), nullable=False),
        pa.field("identifier_findings", identifier_finding_list(), nullable=False),
        pa.field("optout_signals", pa.list_(OPTOUT_SIGNAL_TYPE), nullable=False),
        # duplicates
        pa.field("cluster_id", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("duplicate_kind", pa.string()),
        pa.field("cluster_size", pa.int64()),
    ]
)


def license_summary(record: AuditRecord) -> dict:
    rights = record.rights
    if rights is None:
        return {field.name: None for field in LICENSE_SUMMARY_FIELDS}
    return {
        "license_spdx": scrub(rights.spdx_expression),
        "license_category": rights.category,
        "attribution_required": rights.attribution_required,
        "share_alike": rights.share_alike,
        "license_conflict": rights.conflict,
    }


def _copyright_rows(record: AuditRecord) -> list[dict]:
    rows = []
    for statement in record.copyrights:
        row = copyright_row(statement)
        row["holders"] = [scrub(holder) for holder in row["holders"]]
        rows.append(row)
    return rows


def ledger_row(record: AuditRecord) -> dict:
    document = record.document
    dedup = record.dedup
    return {
        "doc_id": document.doc_id,
        "source_id": document.source_id,
        "source_type": record.source.source_type,
        "locator": document.locator,
        "content_sha256": document.content_sha256,
        "byte_length": document.byte_length,
        "char_length": record.char_length,
        "declared_license": record.source.declared_license,
        "legal_basis": record.source.legal_basis,
        "decision": str(record.decision),
        "reasons": list(record.reasons),
        "signals": [
            {"code": s.code, "action": str(s.action), "stage": s.stage, "detail": scrub(s.detail)}
            for s in record.signals
        ],
        "redacted": record.is_redacted,
        "pii_findings": [finding.to_row() for finding in record.pii_findings],
        "pii_counts": sorted(record.pii_counts.items()),
        **license_summary(record),
        "license_evidence": [
            scrub_tree(evidence_row(evidence)) for evidence in record.license_evidence
        ],
        "copyrights": _copyright_rows(record),
        "rights": scrub_tree(verdict_row(record.rights)) if record.rights is not None else None,
        "consent_status": record.consent_status,
        "subject_tokens": list(record.subject_tokens),
        "identifier_findings": [f.to_row() for f in document.identifier_findings],
        "optout_signals": [signal.to_row() for signal in record.optout_signals],
        "cluster_id": dedup.cluster_id if dedup else None,
        "duplicate_of": dedup.duplicate_of if dedup else None,
        "duplicate_kind": dedup.kind if dedup else None,
        "cluster_size": dedup.cluster_size if dedup else None,
    }
