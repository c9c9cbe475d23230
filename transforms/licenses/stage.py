"""The license and copyright stage as Beam: detectors + rights verdict + license policy.

Scanners (compiled multi-pattern databases) and the optional deep engine (ScanCode's
index) are built once per worker in `setup()`. Offsets refer to the original text, which
is what the ledger's evidence spans point into.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.licenses import LicenseEvidence, LicenseSettings
from schemas.record import AuditRecord, Signal
from transforms.common.time_budget import Deadline, TimeBudgetExceeded, budget_signal

STAGE = "licenses"


class ScanLicenses(beam.DoFn):
    def __init__(self, settings: LicenseSettings, time_budget: float | None = None) -> None:
        self.settings = settings
        self.time_budget = time_budget

    def setup(self) -> None:
        from transforms.licenses.copyrights import CopyrightScanner
        from transforms.licenses.deep import load_engine
        from transforms.licenses.detect import LicenseScanner

        self.licenses = LicenseScanner()
        self.copyrights = CopyrightScanner()
        self.deep = load_engine(self.settings.deep.engine)

    def process(self, record: AuditRecord):
        from transforms.licenses.policy_rules import license_policy
        from transforms.licenses.rights import rights_verdict

        text = record.document.text
        deadline = Deadline.after(self.time_budget) if self.time_budget else None
        deep_reasons: list[str] = []
        try:
            evidence = self.licenses.scan(text, deadline)
            statements = self.copyrights.scan(text, deadline)
        except TimeBudgetExceeded:
            # The verdict then rests on the declared license alone; the record is
            # rejected, so no unscanned text is published.
            evidence, statements = [], []
            Metrics.counter(STAGE, "time_budget_exceeded").inc()
            record.add_signal(budget_signal(STAGE, self.time_budget))
        else:
            source = record.source
            if self.deep is not None and self.settings.deep.applies_to(
                source.source_id, source.source_type
            ):
                evidence, deep_reasons = self._second_opinion(text, evidence, deadline)
        verdict = rights_verdict(
            evidence, statements, record.source.declared_license, self.settings.min_confidence
        )
        verdict.reasons.extend(deep_reasons)
        record.license_evidence = evidence
        record.copyrights = statements
        record.rights = verdict
        Metrics.counter(STAGE, f"category.{verdict.category}").inc()
        for code, action in license_policy(verdict, self.settings):
            record.add_signal(
                Signal(code=code, action=action, stage=STAGE, detail=verdict.spdx_expression)
            )
        yield record

    def _second_opinion(
        self, text: str, evidence: list[LicenseEvidence], deadline: Deadline | None
    ) -> tuple[list[LicenseEvidence], list[str]]:
        """The deep engine's view of an uncertain record; reasons also become counters."""
        from transforms.licenses.deep import second_opinion

        outcome = second_opinion(
            self.deep,
            text,
            evidence,
            lambda: bool(self.licenses.windows(text)),
            self.settings.deep,
            deadline,
        )
        for reason in outcome.reasons:
            Metrics.counter(STAGE, reason.replace(":", ".")).inc()
        return outcome.evidence, outcome.reasons


class LicenseStage(beam.PTransform):
    """PCollection[AuditRecord] -> the same records with license evidence and a rights verdict."""

    def __init__(self, settings: LicenseSettings, time_budget: float | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.time_budget = time_budget

    def expand(self, records):
        return records | "Scan" >> beam.ParDo(ScanLicenses(self.settings, self.time_budget))
