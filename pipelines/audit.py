"""The audit pipeline graph: read -> attach source -> [scan stages] -> decide -> write.

Each scan stage is a PTransform from `PCollection[AuditRecord]` to
`PCollection[AuditRecord]` that adds findings and signals and never drops a
record; `scan_stages()` lists them in order. Only `Decide` turns signals into
decisions, so adding a stage never changes how decisions are made.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import WriteToParquet

from pipelines.config import LoadedConfig
from schemas.dataset import DATASET_SCHEMA, dataset_row
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.ledger import LEDGER_SCHEMA, ledger_row
from schemas.record import AuditRecord, Decision, SourceContext
from schemas.review_sample import REVIEW_SAMPLE_SCHEMA
from transforms.consent_stage import (
    CheckConsentAndOptOuts,
    ConsentStage,
    RegistryLocation,
    SourceSnapshots,
)
from transforms.decide import AttachSource, Decide
from transforms.dedup_stage import DedupStage
from transforms.gate import ReviewSample, SourceGate
from transforms.license_stage import LicenseStage
from transforms.pii_stage import PiiStage
from transforms.read import DEAD_LETTER_TAG, ReadSources
from transforms.readers import ReadSpec

PARQUET_OUTPUT_DIRS = ("dataset", "ledger", "dead_letter")
OUTPUT_DIRS = (*PARQUET_OUTPUT_DIRS, "reports")
PUBLISHED = (*OUTPUT_DIRS, "croissant.json")
PARQUET_CODEC = "zstd"


def read_specs(config: LoadedConfig) -> list[tuple[ReadSpec, tuple[str, ...]]]:
    limits = config.run.limits
    return [
        (
            ReadSpec(
                source_id=source.id,
                format=str(source.format),
                root=config.source_roots[source.id],
                text_field=source.fields.text,
                id_field=source.fields.id,
                metadata_fields=tuple(source.fields.metadata),
                max_document_bytes=limits.max_document_bytes,
                max_decompressed_bytes=limits.max_decompressed_bytes,
                subject_fields=source.subjects.pairs(),
                collected_at_field=source.collected_at_field,
            ),
            tuple(source.paths),
        )
        for source in config.run.sources
    ]


def source_contexts(config: LoadedConfig) -> dict[str, SourceContext]:
    return {
        source.id: SourceContext(
            source_id=source.id,
            source_type=str(source.type),
            declared_license=source.declared_license,
            legal_basis=str(source.legal_basis),
            priority=source.priority,
            missing_evidence=list(config.sources_missing_evidence.get(source.id, [])),
        )
        for source in config.run.sources
    }


def scan_stages(config: LoadedConfig) -> list[tuple[str, beam.PTransform]]:
    """The scan stages, in order. Each adds findings and signals to every AuditRecord."""
    policy = config.policy
    return [
        ("ScanPii", PiiStage(policy.pii, config.key_source)),
        ("ScanLicenses", LicenseStage(policy.licenses)),
        ("ConsentAndOptOuts", ConsentStage(consent_dofn(config))),
        ("Deduplicate", DedupStage(policy.dedup)),
        ("SourceGate", SourceGate(policy.gate)),
    ]


def consent_dofn(config: LoadedConfig) -> CheckConsentAndOptOuts:
    consent = config.run.consent
    registry = (
        RegistryLocation(
            registry=consent.registry,
            format=consent.format,
            table=consent.table,
            query=consent.query,
            purpose=consent.purpose,
        )
        if consent
        else None
    )
    snapshots = {
        source.id: SourceSnapshots(
            robots_txt=dict(source.optout.robots_txt), tdmrep=dict(source.optout.tdmrep)
        )
        for source in config.run.sources
    }
    return CheckConsentAndOptOuts(
        config.key_source,
        registry,
        snapshots,
        config.policy.consent,
        config.policy.optout,
        config.policy.pii,
    )


def _write(pcoll, directory: str, schema, label: str):
    return pcoll | f"Write{label}" >> WriteToParquet(
        FileSystems.join(directory, "part"),
        schema,
        codec=PARQUET_CODEC,
        file_name_suffix=".parquet",
    )


def is_accepted(record: AuditRecord) -> bool:
    return record.decision != Decision.REJECT


def build_audit(pipeline: beam.Pipeline, config: LoadedConfig, staging_dir: str) -> None:
    read = pipeline | "ReadSources" >> ReadSources(read_specs(config))
    records = read.documents | "AttachSource" >> beam.ParDo(AttachSource(source_contexts(config)))
    for name, stage in scan_stages(config):
        records = records | name >> stage
    decided = records | "Decide" >> beam.ParDo(Decide(config.policy))

    accepted = decided | "Accepted" >> beam.Filter(is_accepted)
    _write(
        decided | "LedgerRows" >> beam.Map(ledger_row),
        FileSystems.join(staging_dir, "ledger"),
        LEDGER_SCHEMA,
        "Ledger",
    )
    _write(
        accepted | "DatasetRows" >> beam.Map(dataset_row),
        FileSystems.join(staging_dir, "dataset"),
        DATASET_SCHEMA,
        "Dataset",
    )
    _write(
        decided | "ReviewSample" >> ReviewSample(config.policy.gate),
        FileSystems.join(staging_dir, "reports", "review_sample"),
        REVIEW_SAMPLE_SCHEMA,
        "ReviewSample",
    )
    _write(
        read[DEAD_LETTER_TAG] | "DeadLetterRows" >> beam.Map(lambda item: item.to_row()),
        FileSystems.join(staging_dir, "dead_letter"),
        DEAD_LETTER_SCHEMA,
        "DeadLetter",
    )
