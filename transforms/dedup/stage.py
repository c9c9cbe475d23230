"""The duplicate stage as Beam: rank each record's rights, cluster, keep the best copy.

The copy to keep is the one we have the strongest right to use: records that
other stages already reject rank last, then consent status, then license
category, then the configured source priority; `doc_id` breaks the remaining
ties inside the dedup core. Every other member gets a rejecting
`dedup.exact_duplicate` / `dedup.near_duplicate` signal naming the kept copy, and
when any member's subject withdrew or refused consent, every member of the
cluster is rejected with `consent.withdrawn_copy`.
"""

from __future__ import annotations

from dataclasses import replace

import apache_beam as beam

from schemas.actions import Action
from schemas.dedup import DedupAssignment, DedupFingerprint, DedupSettings
from schemas.reason_codes import ConsentReason, DedupReason
from schemas.record import AuditRecord, Signal
from transforms.common.packing import pack, unpack
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.common.stage import TEXT, ScanStage, StageContract
from transforms.dedup.beam import ClusterFingerprints
from transforms.dedup.core import MinHasher, singleton_assignment, sketch_texts

STAGE = "dedup"
EXACT_DUPLICATE = DedupReason.EXACT_DUPLICATE.value
NEAR_DUPLICATE = DedupReason.NEAR_DUPLICATE.value
WITHDRAWN_COPY = ConsentReason.WITHDRAWN_COPY.value
STOPPED_CONSENT = ("withdrawn", "refused")
# Every code this stage adds (stages after it may need to know what it can add).
SIGNAL_CODES = (EXACT_DUPLICATE, NEAR_DUPLICATE, WITHDRAWN_COPY)
SKETCH_CONTRACT = StageContract.declare(STAGE, requires=(TEXT,), provides=("dedup_sketch",))
# The copy kept is ranked on every earlier rejection, on consent and on the license
# category (`keep_rank`), so all of those stages must have run; the text need not.
CONTRACT = StageContract.declare(
    STAGE,
    requires=("dedup_sketch", "pii_findings", "rights", "consent_status"),
    provides=("dedup",),
)

CONSENT_RANK = {"granted": 0, "not_required": 1, "not_checked": 1, "missing": 2}
LICENSE_RANK = {
    "public-domain": 0,
    "permissive": 0,
    "weak-copyleft": 1,
    "copyleft": 2,
    "unknown": 3,
}
WORST = 9


def keep_rank(record: AuditRecord) -> tuple[int, int, int, int]:
    """Lower is better. Pure, so tests can state the ranking rules directly."""
    already_rejected = any(signal.action == Action.REJECT for signal in record.signals)
    category = record.rights.category if record.rights else "unknown"
    return (
        1 if already_rejected else 0,
        CONSENT_RANK.get(record.consent_status, WORST),
        LICENSE_RANK.get(category, WORST),
        record.source.priority,
    )


def to_fingerprint(record: AuditRecord) -> DedupFingerprint:
    if record.dedup_sketch is None:
        raise ValueError(
            f"record {record.doc_id} reached the duplicate stage without a sketch; "
            "SketchForDedup must run before the text is detached"
        )
    return DedupFingerprint(
        doc_id=record.doc_id,
        source_id=record.source.source_id,
        sketch=record.dedup_sketch,
        rank=keep_rank(record),
        stops_cluster=record.consent_status in STOPPED_CONSENT,
    )


def keyed_for_join(record: AuditRecord) -> tuple[str, bytes]:
    """Keyed for the join, packed (transforms.common.packing), minus the 0.5 KB sketch the
    clustering branch already used."""
    return record.doc_id, pack(replace(record, dedup_sketch=None))


class _Sketch(ScanStage):
    contract = SKETCH_CONTRACT

    def __init__(self, settings: DedupSettings) -> None:
        super().__init__()
        self.settings = settings

    def setup(self) -> None:
        scrub_worker_output()
        self._hasher = MinHasher.from_settings(self.settings)

    def process(self, batch: list[AuditRecord]):
        for record, sketch in zip(
            batch, sketch_texts(self._hasher, [r.document.text for r in batch]), strict=True
        ):
            yield self.updated(record, dedup_sketch=sketch)


class SketchForDedup(beam.PTransform):
    """Exact key and MinHash of each record's text, computed while the text is in memory.

    Runs fused with reading and scanning, so the duplicate stage itself never
    needs the text (see transforms/read/sidecar.py for why that matters).
    """

    contract = SKETCH_CONTRACT

    def __init__(self, settings: DedupSettings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, records):
        if not self.settings.enabled:
            return records
        return (
            records
            | "Batch"
            >> beam.BatchElements(min_batch_size=1, max_batch_size=self.settings.batch_size)
            | "MinHash" >> beam.ParDo(_Sketch(self.settings))
        )


def duplicate_signal(assignment: DedupAssignment) -> Signal | None:
    if assignment.duplicate_of is None:
        return None
    code = EXACT_DUPLICATE if assignment.kind == "exact" else NEAR_DUPLICATE
    return Signal(
        code=code,
        action=Action.REJECT,
        stage=STAGE,
        detail=f"duplicate_of={assignment.duplicate_of} cluster={assignment.cluster_id}",
    )


class AttachAssignment(ScanStage):
    """The record with its assignment; a copy of a person's text is still their text, so
    in a cluster where any member's subject withdrew or refused consent, every other
    member is rejected too."""

    contract = CONTRACT

    def process(self, item: tuple[str, dict]):
        _, grouped = item
        for packed in grouped["record"]:
            record = unpack(packed)
            [assignment] = grouped["assignment"]
            signals = []
            signal = duplicate_signal(assignment)
            if signal is not None:
                signals.append(signal)
                self.count(f"removed.{record.source.source_id}")
            if assignment.cluster_withdrawn and record.consent_status not in STOPPED_CONSENT:
                signals.append(
                    self.signal(WITHDRAWN_COPY, Action.REJECT, f"cluster={assignment.cluster_id}")
                )
            yield self.updated(record, signals, dedup=assignment)


class DedupStage(beam.PTransform):
    """PCollection[AuditRecord] (sketched, text optional) -> with cluster ids and signals."""

    contract = CONTRACT

    def __init__(self, settings: DedupSettings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, records):
        if self.settings.enabled:
            assignments = (
                records
                | "ToFingerprint" >> beam.Map(to_fingerprint)
                | "Cluster" >> ClusterFingerprints(self.settings)
            )
        else:
            assignments = records | "NoDedup" >> beam.Map(
                lambda record: singleton_assignment(record.doc_id)
            )
        assignments = assignments | "KeyAssignments" >> beam.Map(
            lambda assignment: (assignment.doc_id, assignment)
        )
        keyed = records | "KeyRecords" >> beam.Map(keyed_for_join)
        return (
            {"record": keyed, "assignment": assignments}
            | "Join" >> beam.CoGroupByKey()
            | "Attach" >> beam.ParDo(AttachAssignment())
        )
