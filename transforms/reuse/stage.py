"""Reuse as Beam: which records an earlier version already scanned, decided without moving them.

    records with text -> DetachForReuse: text and packed record to a sidecar file
        -> (doc_id, RecordIdentity) --\
                                       CoGroupByKey(doc_id) -> (sidecar file, doc_id, prior?)
        OLD's (doc_id, prior, sketch) -/                    -> OLD records whose input is gone
        -> grouped by sidecar file -> one worker streams the file: each record back with its
           text; "reused" with OLD's results put back, "scan" for the stages to scan

Neither text nor records cross a grouping step here: the join moves a small
identity per record and OLD's findings for the records that match, the
grouping by file moves doc ids and those findings. On the local runner every
element crossing a step is held in, and copied through, the launcher (see
transforms/read/sidecar.py); records there are the costly part.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.pii import PiiSettings
from schemas.record import AuditRecord, Decision
from transforms.common.packing import pack, unpack
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.common.stage import TEXT, Counters, StageContract
from transforms.read.sidecar import TEXT_AND_RECORD_SCHEMA, SidecarWriter, stream_wanted
from transforms.reuse.prior import PriorScan, RecordIdentity, restore, why_not_reused

NAMESPACE = "reuse"
REUSED, SCAN = "reused", "scan"
# What the reused records carry on leaving; the scanned ones get the same from the stages.
CONTRACT = StageContract.declare(
    NAMESPACE,
    requires=(TEXT, "source"),
    provides=(
        "pii_findings",
        "pii_counts",
        "redacted_text",
        "license_evidence",
        "copyrights",
        "rights",
        "dedup_sketch",
    ),
)


class DetachForReuse(beam.DoFn):
    """A record with text -> its identity; the text and the record wait in a sidecar file."""

    def __init__(self, directory: str) -> None:
        self._directory = directory
        self._writer = SidecarWriter(directory, TEXT_AND_RECORD_SCHEMA)

    def start_bundle(self) -> None:
        self._writer = SidecarWriter(self._directory, TEXT_AND_RECORD_SCHEMA)

    def process(self, record: AuditRecord) -> Iterator[tuple[str, RecordIdentity]]:
        without_text = replace(record, document=replace(record.document, text=""))
        path = self._writer.add(record.doc_id, record.document.text, pack(without_text))
        yield record.doc_id, RecordIdentity.of(record, path)

    def finish_bundle(self) -> None:
        self._writer.close()

    def teardown(self) -> None:
        self._writer.abandon()


class MatchPrior(beam.DoFn):
    """One doc id's record (at most one) and OLD's row: reuse it, scan it, or count it gone."""

    def __init__(self, sketch_needed: bool, refused: str = "") -> None:
        self._sketch_needed = sketch_needed
        # Set when nothing may be reused (OLD scanned with other versions or settings).
        self._refused = refused
        self._counters = Counters(NAMESPACE)

    def _count(self, name: str) -> None:
        self._counters.inc(name)

    def setup(self) -> None:
        scrub_worker_output()

    def process(self, item: tuple[str, dict[str, Iterable]]) -> Iterator:
        _, grouped = item
        records: list[RecordIdentity] = list(grouped["record"])
        priors: list[PriorScan] = [unpack(packed) for packed in grouped["prior"]]
        sketches = list(grouped["sketch"])
        if len(priors) == 1 and len(sketches) == 1:
            priors = [replace(priors[0], sketch=sketches[0])]
        if not records:
            if priors:
                self._count("removed")
                if priors[0].published:
                    self._count("removed_published")
            return
        prior = priors[0] if len(priors) == 1 else None
        for record in records:
            why: str | None
            if self._refused and prior is not None:
                why = self._refused
            elif len(records) > 1:
                why = "repeated_doc_id"
            else:
                why = why_not_reused(prior, record, self._sketch_needed)
            self._count(REUSED if why is None else f"rescanned.{why}")
            kept = prior if why is None else None
            before = prior.decision if prior is not None else None
            yield record.sidecar_file, pack((record.doc_id, before, kept))


class _Reattach(beam.DoFn):
    """One sidecar file's records back with their text; reused ones with OLD's results too."""

    def __init__(self, pii: PiiSettings) -> None:
        self._pii = pii

    def setup(self) -> None:
        scrub_worker_output()

    def process(self, item: tuple[str, Iterable[bytes]]) -> Iterator:
        path, packed = item
        wanted: dict[str, tuple[str | None, PriorScan | None]] = {}
        for blob in packed:
            doc_id, before, prior = unpack(blob)
            wanted[doc_id] = (before, prior)
        for doc_id, text, blob in stream_wanted(path, list(wanted), ("text", "record")):
            before, prior = wanted[doc_id]
            record: AuditRecord = unpack(blob)
            record = replace(
                record, document=replace(record.document, text=text), previous_decision=before
            )
            if prior is not None:
                yield restore(record, prior, self._pii)
            else:
                yield beam.pvalue.TaggedOutput(SCAN, record)


class ReuseOrScan(beam.PTransform):
    """Records with text -> `reused` (restored, with text) and `scan` (with text, to scan).

    `priors`: PCollection[(doc_id, packed PriorScan)] of the earlier version (its ledger);
    `sketches`: PCollection[(doc_id, DedupSketch | None)] (its index). `refused`: the
    reason nothing may be reused, counted as `rescanned.<refused>`.
    """

    contract = CONTRACT

    def __init__(
        self,
        priors,
        sketches,
        sidecar_dir: str,
        pii: PiiSettings,
        sketch_needed: bool,
        refused: str = "",
    ) -> None:
        super().__init__()
        self._priors = priors
        self._sketches = sketches
        self._refused = refused
        self._sidecar_dir = sidecar_dir
        self._pii = pii
        self._sketch_needed = sketch_needed

    def expand(self, records):
        identities = records | "DetachForReuse" >> beam.ParDo(DetachForReuse(self._sidecar_dir))
        by_file = (
            {"record": identities, "prior": self._priors, "sketch": self._sketches}
            | "JoinPrior" >> beam.CoGroupByKey()
            | "MatchPrior" >> beam.ParDo(MatchPrior(self._sketch_needed, self._refused))
            | "BySidecarFile" >> beam.GroupByKey()
        )
        split = by_file | "Reattach" >> beam.ParDo(_Reattach(self._pii)).with_outputs(
            SCAN, main=REUSED
        )
        return split[REUSED], split[SCAN]


class CountDecisionChanges(beam.DoFn):
    """Decided records OLD rejected and this run publishes (`newly_accepted`), the other way
    round (`newly_rejected`), and the decisions on records OLD did not have (`new.*`)."""

    def __init__(self) -> None:
        self._counters = {
            name: Metrics.counter(NAMESPACE, name)
            for name in ("newly_accepted", "newly_rejected", "new.accepted", "new.rejected")
        }

    def process(self, record: AuditRecord) -> Iterator[AuditRecord]:
        before, rejects = record.previous_decision, record.decision == Decision.REJECT
        if before is None:
            self._counters["new.rejected" if rejects else "new.accepted"].inc()
        elif rejects and before != Decision.REJECT.value:
            self._counters["newly_rejected"].inc()
        elif not rejects and before == Decision.REJECT.value:
            self._counters["newly_accepted"].inc()
        yield record
