"""`provenance erase`: GDPR Art. 17 erasure and withdrawal of consent, from the ledger alone.

Affected records are found through the HMAC tokens the ledger already holds
(the subject's own tokens and the tokens of personal data found in text), never
by re-scanning the corpus. Every other member of their near-duplicate clusters
goes too: a copy of a person's text is still their text. The result is a new
published version whose manifest chains to, and invalidates, the previous one,
plus an erasure receipt that names no identifier.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.publish.lineage import LineageEmitter
from pipelines.publish.output_lock import hold_output
from pipelines.publish.outputs import content_digest, parquet_files
from pipelines.publish.signing import SIGNATURE
from pipelines.publish.staging import (
    HISTORY,
    MANIFEST,
    new_run_id,
    previous_manifest,
    publish,
    staging_dir,
    utc_now,
    write_json,
)
from pipelines.reports.masking import mask_emails
from pipelines.run.config import load_signing_key
from pipelines.run.graph import PARQUET_OUTPUT_DIRS, PUBLISHED
from schemas.dataset import DATASET_SCHEMA
from schemas.index import INDEX_DIR, INDEX_SCHEMA
from schemas.ledger import LEDGER_SCHEMA
from schemas.run_summary import RunSummary, SummaryFormatError
from transforms.consent.registry import pii_email_token, subject_token

ERASED = "erasure.requested"
log = logging.getLogger(__name__)


class ErasureError(Exception):
    """A user error (no manifest, no key, nothing to erase by): exit 2."""


@dataclass(frozen=True)
class ErasureRequest:
    tokens: frozenset[str]
    source: str | None
    reason: str

    def describe(self) -> str:
        return f"source {self.source}" if self.source else f"{len(self.tokens)} subject token(s)"


def subject_tokens(key: bytes, email: str | None, subject_id: str | None) -> frozenset[str]:
    """Every token under which the ledger can hold this subject."""
    tokens = set()
    if email:
        tokens |= {subject_token(key, "email", email), pii_email_token(key, email)}
    if subject_id:
        tokens.add(subject_token(key, "user_id", subject_id))
    return frozenset(tokens)


def _matches(row: dict, request: ErasureRequest) -> bool:
    if request.source is not None:
        return row["source_id"] == request.source
    if request.tokens & set(row["subject_tokens"]):
        return True
    # Personal data in the text, or in the locator or metadata (masked there).
    found = (*row["pii_findings"], *row["identifier_findings"])
    return any(f["value_token"] in request.tokens for f in found)


def affected_records(ledger_dir: Path, request: ErasureRequest) -> tuple[set[str], set[str]]:
    """(doc ids, cluster ids): matching records, then every member of their clusters."""
    direct: set[str] = set()
    clusters: set[str] = set()
    columns = [
        "doc_id",
        "source_id",
        "subject_tokens",
        "pii_findings",
        "identifier_findings",
        "cluster_id",
    ]
    for path in parquet_files(ledger_dir):
        for row in pq.read_table(path, columns=columns).to_pylist():
            if _matches(row, request):
                direct.add(row["doc_id"])
                if row["cluster_id"]:
                    clusters.add(row["cluster_id"])
    members = set(direct)
    if clusters:
        for path in parquet_files(ledger_dir):
            table = pq.read_table(path, columns=["doc_id", "cluster_id"])
            for doc_id, cluster in zip(
                table.column("doc_id").to_pylist(),
                table.column("cluster_id").to_pylist(),
                strict=True,
            ):
                if cluster in clusters:
                    members.add(doc_id)
    return members, clusters


def _rewrite(source: Path, target: Path, schema: pa.Schema, transform) -> dict[str, int]:
    """File by file: keeps memory bounded by one file however large the dataset."""
    target.mkdir(parents=True, exist_ok=True)
    counts = {"rows_before": 0, "rows_after": 0}
    for path in parquet_files(source):
        rows = pq.read_table(path).to_pylist()
        counts["rows_before"] += len(rows)
        kept = [new for row in rows if (new := transform(row)) is not None]
        counts["rows_after"] += len(kept)
        pq.write_table(
            pa.Table.from_pylist(kept, schema=schema), target / path.name, compression="zstd"
        )
    return counts


def _lineage_summary(staging: Path) -> RunSummary | None:
    """The run's summary for the erasure's lineage event; an unreadable one (e.g. from an
    older version) only costs the event its count facets, never the erasure itself."""
    path = staging / RunSummary.FILE
    if not path.is_file():
        return None
    try:
        return RunSummary.read(path)
    except SummaryFormatError as error:
        log.warning("erasure lineage without summary facets: %s", error)
        return None


def erase(run_dir: Path, request: ErasureRequest, config=None) -> dict:
    """Publish a new version without the affected records; return the receipt.

    With the run's `config`, the erasure is also recorded as an OpenLineage run. Holds
    the output like a run does: an erasure never interleaves with a run's publish.
    """
    if not (run_dir / MANIFEST).is_file():
        raise ErasureError(f"{run_dir} has no {MANIFEST}; it is not a published run")
    with hold_output(run_dir, "erasure"):
        return _erase(run_dir, request, config)


def _erase(run_dir: Path, request: ErasureRequest, config) -> dict:
    manifest_path = run_dir / MANIFEST
    old = json.loads(manifest_path.read_text(encoding="utf-8"))
    signing_key = load_signing_key(config) if config is not None else None
    if SIGNATURE in old and signing_key is None:
        raise ErasureError(
            f"{manifest_path} is signed, and the run config names no `signing_key`: the new "
            "version would be unsigned. Fix: pass --config with the config that signed it"
        )
    erased, clusters = affected_records(run_dir / "ledger", request)
    version = "erase-" + new_run_id()
    staging = staging_dir(run_dir, version)
    staging.mkdir()
    lineage = None

    def drop(row: dict) -> dict | None:
        return None if row["doc_id"] in erased else row

    def mark(row: dict) -> dict:
        if row["doc_id"] in erased:
            row = dict(row, decision="reject", reasons=sorted({*row["reasons"], ERASED}))
        return row

    dataset = _rewrite(run_dir / "dataset", staging / "dataset", DATASET_SCHEMA, drop)
    _rewrite(run_dir / "ledger", staging / "ledger", LEDGER_SCHEMA, mark)
    if (run_dir / INDEX_DIR).is_dir():
        # A sketch is derived from the erased text: it goes too, so a run building on this
        # version (`--previous`) scans such a record again instead of reusing it.
        _rewrite(run_dir / INDEX_DIR, staging / INDEX_DIR, INDEX_SCHEMA, drop)
    shutil.copytree(run_dir / "dead_letter", staging / "dead_letter")
    shutil.copytree(run_dir / "reports", staging / "reports")
    if config is not None:
        lineage = LineageEmitter(config, config.run.lineage, output_dir=staging)
        lineage.emit(lineage.start(version))
    receipt = {
        "erasure_id": version,
        "requested_at": utc_now(),
        "reason": mask_emails(request.reason),
        "selector": request.describe(),
        "records_erased": len(erased),
        "clusters_followed": len(clusters),
        "dataset_rows_removed": dataset["rows_before"] - dataset["rows_after"],
        "previous_version": old.get("run_id"),
        "new_version": version,
    }
    write_json(staging / "reports" / f"erasure-{version}.json", receipt)
    manifest = dict(
        old,
        run_id=version,
        kind="erasure",
        finished_at=utc_now(),
        erasure=receipt,
        content_digests={name: content_digest(staging / name) for name in PARQUET_OUTPUT_DIRS},
        previous_manifest=previous_manifest(run_dir),
    )
    manifest.pop("outputs", None)
    manifest.pop(SIGNATURE, None)  # the old version's; publish signs the new one
    if lineage is not None:
        lineage.emit(lineage.complete(version, _lineage_summary(staging), manifest))
    publish(staging, run_dir, PUBLISHED, manifest, signing_key=signing_key)
    write_json(
        run_dir / HISTORY / f"{old.get('run_id')}.superseded.json",
        {"superseded_by": version, "invalid": True, "reason": "erasure", "at": utc_now()},
    )
    return receipt
