"""Thin Beam wrappers around the policy core: attach source context, then decide."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.document import Document
from schemas.policy import Policy
from schemas.reason_codes import SourceReason
from schemas.record import Action, AuditRecord, Signal, SourceContext
from transforms.decision.policy import decide

MISSING_EVIDENCE = SourceReason.MISSING_EVIDENCE.value


class AttachSource(beam.DoFn):
    """Wrap each Document in an AuditRecord carrying its source's declared facts."""

    def __init__(self, contexts: dict[str, SourceContext]) -> None:
        self.contexts = contexts

    def process(self, document: Document):
        record = AuditRecord(document=document, source=self.contexts[document.source_id])
        if record.source.missing_evidence:
            record.add_signal(
                Signal(
                    code=MISSING_EVIDENCE,
                    action=Action.REJECT,
                    stage="source",
                    detail="; ".join(
                        gap.split(":", 1)[0] for gap in record.source.missing_evidence
                    ),
                )
            )
        yield record


class Decide(beam.DoFn):
    """Every decision and every reason increments a counter named after it (C4's lesson)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def process(self, record: AuditRecord):
        decision, reasons = decide(
            record.signals, self.policy, record.source.source_id, record.source.source_type
        )
        record.decision = decision
        record.reasons = reasons
        Metrics.counter("decision", str(decision)).inc()
        Metrics.counter("decision", f"{decision}.{record.source.source_id}").inc()
        for reason in reasons:
            Metrics.counter("reason", reason).inc()
        yield record
