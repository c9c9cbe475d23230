"""Per-source gates (TC260): a source whose share of disqualifying records is too high
is not used at all, and a reproducible review sample per source goes to people.

The rate is measured over every record of the source (we have them all, so no
sampling error); the review sample is a bottom-k sample by keyed hash of
`doc_id`, so the same run gives the same sample on any runner.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.actions import Action
from schemas.gate import GateSettings
from schemas.reason_codes import SourceReason
from schemas.record import AuditRecord, Signal
from transforms.common.stage import StageContract

STAGE = "gate"
GATE_EXCEEDED = SourceReason.GATE_EXCEEDED.value
# A gate is all or nothing: every record of a source over the threshold is rejected.
GATE_ACTION = Action.REJECT


def is_disqualifying(codes: Iterable[str], patterns: Iterable[str]) -> bool:
    patterns = tuple(patterns)
    return any(fnmatch.fnmatchcase(code, pattern) for code in codes for pattern in patterns)


def gate_exceeded(records: int, disqualifying: int, threshold: float) -> bool:
    """Strictly above the threshold, as TC260 words it ("more than 5%")."""
    return records > 0 and disqualifying / records > threshold


def sample_key(seed: str, doc_id: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{doc_id}".encode()).hexdigest()


def _flag(record: AuditRecord, patterns: tuple[str, ...]) -> tuple[str, tuple[int, int]]:
    codes = [signal.code for signal in record.signals]
    return record.source.source_id, (1, int(is_disqualifying(codes, patterns)))


def _add_pairs(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    records = disqualifying = 0
    for count, bad in pairs:
        records += count
        disqualifying += bad
    return records, disqualifying


class ApplyGate(beam.DoFn):
    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def process(self, record: AuditRecord, rates: dict[str, tuple[int, int]]):
        records, disqualifying = rates.get(record.source.source_id, (0, 0))
        if gate_exceeded(records, disqualifying, self.threshold):
            Metrics.counter(STAGE, f"exceeded.{record.source.source_id}").inc()
            record = record.with_signals(
                Signal(
                    code=GATE_EXCEEDED,
                    action=GATE_ACTION,
                    stage=STAGE,
                    detail=f"{disqualifying}/{records} disqualifying records "
                    f"({disqualifying / records:.1%}) > {self.threshold:.0%}",
                )
            )
        yield record


class SourceGate(beam.PTransform):
    """Rejects every record of a source whose disqualifying rate exceeds the threshold.

    `rates_from`: an earlier PCollection of the same records, when no step between it
    and the gate adds a code the gate counts (`is_disqualifying`). The rates are then known
    before the records reach the gate, so records flow through without waiting at a
    barrier for the rates; on the local runner that wait meant writing and reading
    every record once more.
    """

    # Rates count every stage's signals, duplicates' included when the policy says so.
    contract = StageContract.declare(
        STAGE, requires=("pii_findings", "rights", "consent_status", "dedup")
    )

    def __init__(self, settings: GateSettings, rates_from=None) -> None:
        super().__init__()
        self.settings = settings
        self.rates_from = rates_from

    def expand(self, records):
        patterns = tuple(self.settings.disqualifying)
        counted = records if self.rates_from is None else self.rates_from
        rates = (
            counted
            | "Flag" >> beam.Map(_flag, patterns)
            | "Rates" >> beam.CombinePerKey(_add_pairs)
        )
        return records | "Apply" >> beam.ParDo(
            ApplyGate(self.settings.threshold), rates=beam.pvalue.AsDict(rates)
        )


def _sample_row(record: AuditRecord, seed: str) -> tuple[str, tuple[str, tuple[str, dict]]]:
    row = {
        "doc_id": record.doc_id,
        "source_id": record.source.source_id,
        "locator": record.document.locator,
        "decision": str(record.decision),
        "reasons": list(record.reasons),
    }
    if record.detached is None:
        raise ValueError(f"record {record.doc_id}: the review sample takes detached records")
    return record.source.source_id, (sample_key(seed, record.doc_id), (record.detached.file, row))


class ReviewSample(beam.PTransform):
    """Bottom-k per source by keyed hash: reproducible, order-independent, bounded memory.

    Takes detached records and yields (sidecar file, doc_id, row without text);
    `AttachTexts` adds the text as published.
    """

    def __init__(self, settings: GateSettings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, records):
        return (
            records
            | "SampleKey" >> beam.Map(_sample_row, self.settings.sample_seed)
            | "BottomK"
            >> beam.combiners.Top.PerKey(
                self.settings.sample_size, key=lambda kv: kv[0], reverse=True
            )
            | "Rows"
            >> beam.FlatMap(lambda item: [(path, row["doc_id"], row) for _, (path, row) in item[1]])
        )
