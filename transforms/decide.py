"""Thin Beam wrappers around the policy core: attach source context, then decide."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.document import Document
from schemas.policy import Policy
from schemas.record import AuditRecord, SourceContext
from transforms.policy import decide


class AttachSource(beam.DoFn):
    """Wrap each Document in an AuditRecord carrying its source's declared facts."""

    def __init__(self, contexts: dict[str, SourceContext]) -> None:
        self.contexts = contexts

    def process(self, document: Document):
        yield AuditRecord(document=document, source=self.contexts[document.source_id])


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
