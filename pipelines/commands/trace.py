"""`provenance trace RUN_DIR DOC_ID`: one record's story, for an auditor or a data subject.

Everything comes from the ledger and dead-letter files (tokens, never values),
read file by file with a filter on `doc_id`.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.publish.outputs import parquet_files
from schemas.reason_codes import explain


class NotFound(Exception):
    """The doc id is in neither the ledger nor the dead letter of this run."""


def _find(directory: Path, doc_id: str) -> dict | None:
    for path in parquet_files(directory):
        table = pq.read_table(path)
        match = table.filter(pc.equal(table.column("doc_id"), doc_id))
        if match.num_rows:
            return match.to_pylist()[0]
    return None


def _cluster_members(ledger_dir: Path, cluster_id: str) -> list[dict]:
    members = []
    for path in parquet_files(ledger_dir):
        table = pq.read_table(path, columns=["doc_id", "source_id", "decision", "cluster_id"])
        match = table.filter(pc.equal(table.column("cluster_id"), cluster_id))
        members += match.to_pylist()
    return sorted(members, key=lambda row: row["doc_id"])


def trace_record(run_dir: str | Path, doc_id: str) -> str:
    run_dir = Path(run_dir)
    row = _find(run_dir / "ledger", doc_id)
    if row is None:
        dead = _find(run_dir / "dead_letter", doc_id)
        if dead is None:
            raise NotFound(f"{doc_id} is in neither ledger/ nor dead_letter/ of {run_dir}")
        return (
            f"Record {doc_id} could not be read.\n"
            f"  source   {dead['source_id']}\n  locator  {dead['locator']}\n"
            f"  error    {dead['error_code']}: {dead['message']}\n"
            f"  bytes    {dead['byte_length']} (sha256 {dead['raw_sha256']})\n"
        )
    lines = [
        f"Record {doc_id}",
        f"  source     {row['source_id']} ({row['source_type']}), legal basis "
        f"{row['legal_basis']}, declared license {row['declared_license'] or '-'}",
        f"  locator    {row['locator']}",
        f"  content    sha256 {row['content_sha256']}, {row['byte_length']} bytes",
        f"  decision   {row['decision']}" + ("  (text redacted)" if row["redacted"] else ""),
    ]
    for reason in row["reasons"]:
        lines.append(f"    - {reason}: {explain(reason)}")
    lines.append("  personal data found (HMAC tokens, never values):")
    if not row["pii_findings"]:
        lines.append("    none")
    for finding in row["pii_findings"]:
        lines.append(
            f"    - {finding['entity_type']} at {finding['start']}-{finding['end']} "
            f"(score {finding['score']:.2f}, {finding['recognizer']}) "
            f"token {finding['value_token'][:16]}…"
        )
    for finding in row["identifier_findings"]:
        lines.append(
            f"    - {finding['entity_type']} in the {finding['field']} (masked there) "
            f"token {finding['value_token'][:16]}…"
        )
    lines.append(
        f"  license    {row['license_spdx'] or '-'} ({row['license_category']}), conflict: "
        f"{bool(row['license_conflict'])}"
    )
    for evidence in row["license_evidence"]:
        lines.append(
            f"    - {evidence['kind']} {evidence['spdx'] or evidence['detail']} at "
            f"{evidence['start']}-{evidence['end']} (confidence {evidence['confidence']:.2f})"
        )
    for statement in row["copyrights"]:
        years = statement["year_start"] or ""
        if statement["year_end"] and statement["year_end"] != statement["year_start"]:
            years = f"{years}-{statement['year_end']}"
        lines.append(f"    - copyright {years} {', '.join(statement['holders'])}".rstrip())
    lines.append(
        f"  consent    {row['consent_status']} ({len(row['subject_tokens'])} subject token(s))"
    )
    for signal in row["optout_signals"]:
        state = "reserved" if signal["reserved"] else "not reserved"
        lines.append(f"    - opt-out {signal['kind']} via {signal['source']}: {state}")
    if row["cluster_id"]:
        lines.append(f"  duplicates cluster {row['cluster_id']} ({row['cluster_size']} members)")
        kept = row["duplicate_of"] or doc_id
        lines.append(f"    kept copy {kept}" + (" (this record)" if kept == doc_id else ""))
        for member in _cluster_members(run_dir / "ledger", row["cluster_id"]):
            lines.append(f"    - {member['doc_id']} {member['source_id']} {member['decision']}")
    else:
        lines.append("  duplicates none")
    return "\n".join(lines) + "\n"
