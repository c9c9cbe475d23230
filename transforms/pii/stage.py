"""The personal-information stage as Beam: batches of records through the PII core.

The Presidio engine and the HMAC key are built in `setup()`, once per worker
process; the key is read there from its configured location, so it never
travels inside the pipeline graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import apache_beam as beam

from schemas.pii import PiiFinding, PiiSettings, signal_action
from schemas.record import AuditRecord, Signal
from transforms.common.keys import KeySource
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.common.stage import TEXT, ScanStage, StageContract
from transforms.common.time_budget import Deadline, TimeBudgetExceeded
from transforms.pii.redaction import redact_until_stable

STAGE = "pii"
CONTRACT = StageContract.declare(
    STAGE, requires=(TEXT,), provides=("pii_findings", "pii_counts", "redacted_text")
)


def signal_for(reason: str) -> Signal:
    """The signal for a PII reason, with the action `policy explain` states for it."""
    return Signal(code=reason, action=signal_action(reason), stage=STAGE)


class ScanPii(ScanStage):
    contract = CONTRACT

    def __init__(
        self, settings: PiiSettings, key_source: KeySource, time_budget: float | None = None
    ) -> None:
        super().__init__(time_budget)
        self.settings = settings
        self.key_source = key_source

    def setup(self) -> None:
        scrub_worker_output()
        # Lazy on purpose: the engine module imports Presidio (~2 s, ~60 MB), which only
        # the workers that scan should pay for, not the launcher that builds the graph.
        from transforms.pii.shared import shared_engine

        self.engine = shared_engine(self.settings)
        self.key = self.key_source.load()

    def _scan_batch(self, texts: list[str]) -> Sequence[list[PiiFinding] | None]:
        """Findings per text, or None for a text that overran its own time budget.

        The batch shares one budget (per-record budget x records); if it overruns,
        each text is scanned again alone against its own budget to find the slow one.
        """
        try:
            return self.engine.scan_batch(texts, self.key, self.deadline(len(texts)))
        except TimeBudgetExceeded:
            if len(texts) == 1:
                return [None]
        return [self._scan_batch([text])[0] for text in texts]

    def process(self, batch: list[AuditRecord]):
        texts = [record.output_text for record in batch]
        for record, text, findings in zip(batch, texts, self._scan_batch(texts), strict=True):
            self.count("bytes_scanned", record.document.byte_length)
            deadline = self.deadline()
            try:
                if findings is None:
                    raise TimeBudgetExceeded(self.time_budget or 0.0)

                def rescan(redacted: str, deadline: Deadline | None = deadline) -> list[PiiFinding]:
                    return self.engine.scan(redacted, self.key, deadline)

                findings, outcome = redact_until_stable(text, findings, self.settings, rescan)
            except TimeBudgetExceeded:
                yield self.over_budget(record)
                continue
            for entity_type, count in outcome.counts.items():
                self.count(f"found.{entity_type}", count)
            redaction = {"redacted_text": outcome.redacted_text} if outcome.redacted else {}
            yield self.updated(
                record,
                [signal_for(reason) for reason in outcome.reasons],
                pii_findings=findings,
                pii_counts=dict(outcome.counts),
                **redaction,
            )


class PiiStage(beam.PTransform):
    """PCollection[AuditRecord] -> new records with PII findings, redaction and signals."""

    contract = CONTRACT

    def __init__(
        self, settings: PiiSettings, key_source: KeySource, time_budget: float | None = None
    ) -> None:
        super().__init__()
        self.settings = settings
        self.key_source = key_source
        self.time_budget = time_budget

    def expand(self, records):
        return (
            records
            | "Batch" >> beam.BatchElements(min_batch_size=8, max_batch_size=128)
            | "Scan" >> beam.ParDo(ScanPii(self.settings, self.key_source, self.time_budget))
        )
