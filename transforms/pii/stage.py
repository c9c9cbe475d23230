"""The personal-information stage as Beam: batches of records through the PII core.

The Presidio engine and the HMAC key are built in `setup()`, once per worker
process; the key is read there from its configured location, so it never
travels inside the pipeline graph.
"""

from __future__ import annotations

import os

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.pii import REJECTING_PREFIXES, PiiSettings
from schemas.record import Action, AuditRecord, Signal
from transforms.common.keys import KeySource

STAGE = "pii"


def signal_for(reason: str) -> Signal:
    action = Action.REJECT if reason.startswith(REJECTING_PREFIXES) else Action.REDACT
    return Signal(code=reason, action=action, stage=STAGE)


class ScanPii(beam.DoFn):
    def __init__(
        self, settings: PiiSettings, key_source: KeySource, time_budget: float | None = None
    ) -> None:
        self.settings = settings
        self.key_source = key_source
        self.time_budget = time_budget

    def setup(self) -> None:
        # tldextract (inside Presidio's email/URL recognizers) must not fetch the
        # public-suffix list: set before Presidio is imported in this worker.
        os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
        from transforms.pii.engine import PiiEngine

        self.engine = PiiEngine(self.settings)
        self.key = self.key_source.load()
        self.scanned_bytes = Metrics.counter(STAGE, "bytes_scanned")

    def _deadline(self, records: int):
        from transforms.common.time_budget import Deadline

        return Deadline.after(self.time_budget * records) if self.time_budget else None

    def _scan_batch(self, texts: list[str]) -> list:
        """Findings per text, or None for a text that overran its own time budget.

        The batch shares one budget (per-record budget x records); if it overruns,
        each text is scanned again alone against its own budget to find the slow one.
        """
        from transforms.common.time_budget import TimeBudgetExceeded

        try:
            return self.engine.scan_batch(texts, self.key, self._deadline(len(texts)))
        except TimeBudgetExceeded:
            if len(texts) == 1:
                return [None]
        return [self._scan_batch([text])[0] for text in texts]

    def process(self, batch: list[AuditRecord]):
        from transforms.common.time_budget import TimeBudgetExceeded, budget_signal
        from transforms.pii.redaction import redact_until_stable

        texts = [record.output_text for record in batch]
        for record, text, findings in zip(batch, texts, self._scan_batch(texts), strict=True):
            self.scanned_bytes.inc(record.document.byte_length)
            deadline = self._deadline(1)
            try:
                if findings is None:
                    raise TimeBudgetExceeded(self.time_budget)
                findings, outcome = redact_until_stable(
                    text,
                    findings,
                    self.settings,
                    lambda redacted, deadline=deadline: self.engine.scan(
                        redacted, self.key, deadline
                    ),
                )
            except TimeBudgetExceeded:
                Metrics.counter(STAGE, "time_budget_exceeded").inc()
                record.add_signal(budget_signal(STAGE, self.time_budget))
                yield record
                continue
            record.pii_findings = findings
            record.pii_counts = dict(outcome.counts)
            for entity_type, count in outcome.counts.items():
                Metrics.counter(STAGE, f"found.{entity_type}").inc(count)
            if outcome.redacted:
                record.redacted_text = outcome.redacted_text
            for reason in outcome.reasons:
                record.add_signal(signal_for(reason))
            yield record


class PiiStage(beam.PTransform):
    """PCollection[AuditRecord] -> the same records with PII findings, redaction and signals."""

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
