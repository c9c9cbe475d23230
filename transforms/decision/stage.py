"""Thin Beam wrappers around the policy core: attach source context, then decide."""

from __future__ import annotations

from schemas.actions import Action
from schemas.document import Document
from schemas.policy import Policy
from schemas.reason_codes import SourceReason
from schemas.record import AuditRecord, SourceContext
from transforms.common.stage import TEXT, ScanStage, StageContract
from transforms.decision.policy import decide

MISSING_EVIDENCE = SourceReason.MISSING_EVIDENCE.value
# Where records begin: every later fact is added to what this provides.
ATTACH_SOURCE_CONTRACT = StageContract.declare("source", provides=("document", "source", TEXT))
# Decides on every stage's signals, so every stage must have run.
DECIDE_CONTRACT = StageContract.declare(
    "decision",
    requires=("pii_findings", "rights", "consent_status", "dedup"),
    provides=("decision", "reasons"),
)


class AttachSource(ScanStage):
    """Wrap each Document in an AuditRecord carrying its source's declared facts."""

    contract = ATTACH_SOURCE_CONTRACT

    def __init__(self, contexts: dict[str, SourceContext]) -> None:
        super().__init__()
        self.contexts = contexts

    def process(self, document: Document):
        record = AuditRecord(document=document, source=self.contexts[document.source_id])
        if record.source.missing_evidence:
            detail = "; ".join(gap.split(":", 1)[0] for gap in record.source.missing_evidence)
            record = self.updated(record, [self.signal(MISSING_EVIDENCE, Action.REJECT, detail)])
        yield record


class Decide(ScanStage):
    """Every decision and every reason increments a counter named after it (C4's lesson)."""

    contract = DECIDE_CONTRACT

    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.policy = policy

    def process(self, record: AuditRecord):
        decision, reasons = decide(
            record.signals, self.policy, record.source.source_id, record.source.source_type
        )
        self.count(str(decision))
        self.count(f"{decision}.{record.source.source_id}")
        for reason in reasons:
            self.count(reason, namespace="reason")
        yield self.updated(record, decision=decision, reasons=reasons)
