"""The audit pipeline graph:

    read -> attach source -> [text stages] -> detach text -> [global stages] -> decide
         -> ledger, review sample; accepted + sample rows -> attach text -> dataset

Each stage is a PTransform from `PCollection[AuditRecord]` to
`PCollection[AuditRecord]` that adds findings and signals and never drops a
record. Text stages (`text_stages()`) run fused with reading and see the text;
global stages (`global_stages()`: duplicate clusters, per-source gates) group
records across the corpus and see them without text, which waits in a sidecar
file (transforms/read/sidecar.py), so that memory on the local runner grows with
the number of records (~20-35 KB each), not with their text. Only `Decide` turns
signals into decisions, so adding a stage never changes how decisions are made.
Every written file is then checked on the workers (`AuditOutputs`), which write
the small facts the launcher builds the summary, manifest and Data Docs from.

With `--previous OLD` the text stages run only for records OLD did not already
scan; the others take OLD's results back (transforms/reuse/stage.py) and meet the
scanned ones before consent. Every run writes `index/` (the duplicate sketches)
so that the next one can build on it.

Every stage declares what it needs from a record and what it adds
(transforms/common/stage.py); `build_audit` checks each one against what the
records carry at the point where it is wired, so a stage placed before its input
exists (consent before PII, dedup after the text is gone) fails while the graph
is built, naming what is missing.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import WriteToParquet

from pipelines.run.audit_outputs import AuditOutputs
from pipelines.run.config import LoadedConfig
from pipelines.run.previous import PreviousVersion, read_previous
from pipelines.run.validation import check_settings
from schemas.dataset import DATASET_SCHEMA, dataset_fields, with_text
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.index import INDEX_DIR, INDEX_SCHEMA, index_row
from schemas.ledger import LEDGER_SCHEMA, ledger_row
from schemas.record import AuditRecord, Decision, SourceContext
from schemas.review_sample import REVIEW_SAMPLE_SCHEMA
from transforms.common.stage import StageOrder, contract_of
from transforms.consent.stage import (
    CheckConsentAndOptOuts,
    ConsentStage,
)
from transforms.decision.gate import ReviewSample, SourceGate, is_disqualifying
from transforms.decision.stage import AttachSource, Decide
from transforms.dedup.stage import SIGNAL_CODES as DEDUP_SIGNAL_CODES
from transforms.dedup.stage import DedupStage, SketchForDedup
from transforms.licenses.stage import LicenseStage
from transforms.pii.stage import PiiStage
from transforms.read.readers import ReadSpec
from transforms.read.sidecar import (
    DATASET,
    REVIEW_SAMPLE,
    AttachTexts,
    DetachText,
    add_text,
)
from transforms.read.stage import DEAD_LETTER_TAG, IdentifierScan, ReadSources
from transforms.reuse.stage import CountDecisionChanges, ReuseOrScan

PARQUET_OUTPUT_DIRS = ("dataset", "ledger", "dead_letter")
OUTPUT_DIRS = (*PARQUET_OUTPUT_DIRS, INDEX_DIR, "reports")
PUBLISHED = (*OUTPUT_DIRS, "croissant.json")
PARQUET_CODEC = "zstd"
TEXT_SIDECAR_DIR = "text"  # under staging; never published
# With --previous: each record before any scan, beside its text, while the reuse join
# runs (transforms/reuse/stage.py); never published.
RAW_TEXT_SIDECAR_DIR = "text-as-read"


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


def text_stages(config: LoadedConfig) -> list[tuple[str, beam.PTransform]]:
    """Stages that need the text, in order; they run fused with reading."""
    policy = config.policy
    budget = config.run.limits.record_time_budget_seconds
    return [
        ("ScanPii", PiiStage(policy.pii, config.key_source, budget)),
        ("ScanLicenses", LicenseStage(policy.licenses, budget)),
        ("ConsentAndOptOuts", ConsentStage(consent_dofn(config))),
        ("SketchForDedup", SketchForDedup(policy.dedup)),
    ]


def global_stages(config: LoadedConfig, entering=None) -> list[tuple[str, beam.PTransform]]:
    """Stages that look across records; they get records without text.

    `entering`: the records as they enter these stages. The gate counts its rates on
    them unless deduplication adds a code the gate counts.
    """
    policy = config.policy
    counts_dedup_codes = is_disqualifying(DEDUP_SIGNAL_CODES, policy.gate.disqualifying)
    return [
        ("Deduplicate", DedupStage(policy.dedup)),
        ("SourceGate", SourceGate(policy.gate, None if counts_dedup_codes else entering)),
    ]


def consent_dofn(config: LoadedConfig) -> CheckConsentAndOptOuts:
    return CheckConsentAndOptOuts(
        config.key_source,
        config.run.consent,
        {source.id: source.optout for source in config.run.sources},
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


def dataset_wanted(record: AuditRecord) -> tuple[str, str, dict]:
    if record.detached is None:
        raise RuntimeError(f"record {record.doc_id} reached the dataset without its text sidecar")
    return record.detached.file, record.doc_id, dataset_fields(record)


def _wire(order: StageOrder, records, name: str, stage: beam.PTransform):
    """`records | name >> stage`, once the stage's contract accepts what records carry here."""
    order.admit(name, contract_of(stage))
    return records | name >> stage


def _scan_or_reuse(order: StageOrder, records, config, staging_dir, previous):
    """The text stages; with a previous version, only for records it did not already scan."""
    if previous is None:
        for name, stage in text_stages(config):
            records = _wire(order, records, name, stage)
        return records
    priors, sketches = read_previous(records.pipeline, previous)
    policy = config.policy
    reuse = ReuseOrScan(
        priors,
        sketches,
        FileSystems.join(staging_dir, RAW_TEXT_SIDECAR_DIR),
        policy.pii,
        sketch_needed=policy.dedup.enabled,
        refused=previous.refused,
    )
    reused, scanned = records | "ReuseOrScan" >> reuse
    stages = dict(text_stages(config))
    consent = stages.pop("ConsentAndOptOuts")
    for name, stage in stages.items():
        scanned = _wire(order, scanned, name, stage)
    records = (reused, scanned) | "ReusedAndScanned" >> beam.Flatten()
    return _wire(order, records, "ConsentAndOptOuts", consent)


def build_audit(
    pipeline: beam.Pipeline,
    config: LoadedConfig,
    staging_dir: str,
    previous: PreviousVersion | None = None,
) -> None:
    order = StageOrder()
    identifiers = IdentifierScan(config.policy.pii, config.key_source)
    read = pipeline | "ReadSources" >> ReadSources(read_specs(config), identifiers)
    attach = beam.ParDo(AttachSource(source_contexts(config)))
    records = _wire(order, read.documents, "AttachSource", attach)
    records = _scan_or_reuse(order, records, config, staging_dir, previous)
    detach = beam.ParDo(DetachText(FileSystems.join(staging_dir, TEXT_SIDECAR_DIR)))
    records = _wire(order, records, "DetachText", detach)
    index = _write(
        records | "IndexRows" >> beam.Map(index_row),
        FileSystems.join(staging_dir, INDEX_DIR),
        INDEX_SCHEMA,
        "Index",
    )
    for name, stage in global_stages(config, entering=records):
        records = _wire(order, records, name, stage)
    decided = _wire(order, records, "Decide", beam.ParDo(Decide(config.policy)))
    if previous is not None:
        decided = decided | "CountDecisionChanges" >> beam.ParDo(CountDecisionChanges())

    written = {INDEX_DIR: index}
    written["ledger"] = _write(
        decided | "LedgerRows" >> beam.Map(ledger_row),
        FileSystems.join(staging_dir, "ledger"),
        LEDGER_SCHEMA,
        "Ledger",
    )
    rows = {
        DATASET: decided
        | "Accepted" >> beam.Filter(is_accepted)
        | "DatasetFields" >> beam.Map(dataset_wanted),
        REVIEW_SAMPLE: decided | "ReviewSample" >> ReviewSample(config.policy.gate),
    } | "AttachTexts" >> AttachTexts({DATASET: with_text, REVIEW_SAMPLE: add_text})
    written["dataset"] = _write(
        rows[DATASET],
        FileSystems.join(staging_dir, "dataset"),
        DATASET_SCHEMA,
        "Dataset",
    )
    written["review_sample"] = _write(
        rows[REVIEW_SAMPLE],
        FileSystems.join(staging_dir, "reports", "review_sample"),
        REVIEW_SAMPLE_SCHEMA,
        "ReviewSample",
    )
    written["dead_letter"] = _write(
        read[DEAD_LETTER_TAG] | "DeadLetterRows" >> beam.Map(lambda item: item.to_row()),
        FileSystems.join(staging_dir, "dead_letter"),
        DEAD_LETTER_SCHEMA,
        "DeadLetter",
    )
    # Each write's output is the names of its final files (Beam's FinalizeWrite step), so
    # every file is checked on a worker once it exists: the launcher reads none of them.
    _ = written | "AuditOutputs" >> AuditOutputs(check_settings(config, staging_dir))
