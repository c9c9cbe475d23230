"""The personal-information stage as Beam: batches of records through the PII core.

The Presidio engine and the HMAC key are built in `setup()`, once per worker
process; the key is read there from its configured location, so it never
travels inside the pipeline graph.
"""

from __future__ import annotations

import os

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.pii import PiiSettings
from schemas.record import Action, AuditRecord, Signal
from transforms.keys import KeySource

STAGE = "pii"
REJECTING_PREFIXES = ("pii.sensitive.", "pii.secret.")


def signal_for(reason: str) -> Signal:
    action = Action.REJECT if reason.startswith(REJECTING_PREFIXES) else Action.REDACT
    return Signal(code=reason, action=action, stage=STAGE)


class ScanPii(beam.DoFn):
    def __init__(self, settings: PiiSettings, key_source: KeySource) -> None:
        self.settings = settings
        self.key_source = key_source

    def setup(self) -> None:
        # tldextract (inside Presidio's email/URL recognizers) must not fetch the
        # public-suffix list: set before Presidio is imported in this worker.
        os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
        from transforms.pii import PiiEngine

        self.engine = PiiEngine(self.settings)
        self.key = self.key_source.load()
        self.scanned_bytes = Metrics.counter(STAGE, "bytes_scanned")

    def process(self, batch: list[AuditRecord]):
        from transforms.pii_redaction import redact_until_stable

        texts = [record.output_text for record in batch]
        for record, text, findings in zip(
            batch, texts, self.engine.scan_batch(texts, self.key), strict=True
        ):
            self.scanned_bytes.inc(record.document.byte_length)
            findings, outcome = redact_until_stable(
                text, findings, self.settings, lambda redacted: self.engine.scan(redacted, self.key)
            )
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

    def __init__(self, settings: PiiSettings, key_source: KeySource) -> None:
        super().__init__()
        self.settings = settings
        self.key_source = key_source

    def expand(self, records):
        return (
            records
            | "Batch" >> beam.BatchElements(min_batch_size=8, max_batch_size=128)
            | "Scan" >> beam.ParDo(ScanPii(self.settings, self.key_source))
        )
