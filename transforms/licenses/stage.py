"""The license and copyright stage as Beam: detectors + rights verdict + license policy.

Scanners (compiled multi-pattern databases) and the optional deep engine (ScanCode's
index) are built once per worker in `setup()`. Offsets refer to the original text, which
is what the ledger's evidence spans point into.
"""

from __future__ import annotations

import apache_beam as beam

from schemas.licenses import LicenseEvidence, LicenseSettings
from schemas.record import AuditRecord
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.common.stage import TEXT, ScanStage, StageContract
from transforms.common.time_budget import Deadline, TimeBudgetExceeded
from transforms.licenses import deep
from transforms.licenses.copyrights import CopyrightScanner
from transforms.licenses.detect import LicenseScanner
from transforms.licenses.policy_rules import license_policy
from transforms.licenses.rights import rights_verdict

STAGE = "licenses"
CONTRACT = StageContract.declare(
    STAGE, requires=(TEXT, "source"), provides=("license_evidence", "copyrights", "rights")
)


class ScanLicenses(ScanStage):
    contract = CONTRACT

    def __init__(self, settings: LicenseSettings, time_budget: float | None = None) -> None:
        super().__init__(time_budget)
        self.settings = settings

    def setup(self) -> None:
        scrub_worker_output()
        self.licenses = LicenseScanner()
        self.copyrights = CopyrightScanner()
        # Called through the module so a test can stand in its own engine; ScanCode
        # itself is imported only when the policy turns the deep scan on.
        self.deep = deep.load_engine(self.settings.deep.engine)

    def process(self, record: AuditRecord):
        text = record.document.text
        deadline = self.deadline()
        deep_reasons: list[str] = []
        over_budget = False
        try:
            evidence = self.licenses.scan(text, deadline)
            statements = self.copyrights.scan(text, deadline)
        except TimeBudgetExceeded:
            # The verdict then rests on the declared license alone; the record is
            # rejected, so no unscanned text is published.
            evidence, statements = [], []
            over_budget = True
        else:
            source = record.source
            if self.deep is not None and self.settings.deep.applies_to(
                source.source_id, source.source_type
            ):
                evidence, deep_reasons = self._second_opinion(self.deep, text, evidence, deadline)
        verdict = rights_verdict(
            evidence, statements, record.source.declared_license, self.settings.min_confidence
        )
        verdict.reasons.extend(deep_reasons)
        self.count(f"category.{verdict.category}")
        findings = {"license_evidence": evidence, "copyrights": statements, "rights": verdict}
        if over_budget:
            record = self.over_budget(record)
        yield self.updated(
            record,
            [
                self.signal(code, action, verdict.spdx_expression)
                for code, action in license_policy(verdict, self.settings)
            ],
            **findings,
        )

    def _second_opinion(
        self,
        engine: deep.DeepEngine,
        text: str,
        evidence: list[LicenseEvidence],
        deadline: Deadline | None,
    ) -> tuple[list[LicenseEvidence], list[str]]:
        """The deep engine's view of an uncertain record; reasons also become counters."""
        outcome = deep.second_opinion(
            engine,
            text,
            evidence,
            lambda: bool(self.licenses.windows(text)),
            self.settings.deep,
            deadline,
        )
        for reason in outcome.reasons:
            self.count(reason.replace(":", "."))
        return outcome.evidence, outcome.reasons


class LicenseStage(beam.PTransform):
    """PCollection[AuditRecord] -> new records with license evidence and a rights verdict."""

    contract = CONTRACT

    def __init__(self, settings: LicenseSettings, time_budget: float | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.time_budget = time_budget

    def expand(self, records):
        return records | "Scan" >> beam.ParDo(ScanLicenses(self.settings, self.time_budget))
