"""What an earlier version found in a record, and putting it back without re-scanning.

`provenance run --previous OLD` skips the text scans (PII, licenses, the duplicate
sketch) for an input record OLD already audited: same locator, same content hash,
same declared license, and (checked once for the whole run) the same scanner
versions and scanning settings. Its findings come back from OLD's ledger and its
sketch from OLD's index; everything that depends on today's policy, registry or
corpus (consent, duplicate clusters, the gate, the decision) is made again. Pure:
no Beam, so the rules can be tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.actions import Action
from schemas.dedup import DedupSketch
from schemas.licenses import CopyrightStatement, LicenseEvidence, RightsVerdict
from schemas.pii import PiiFinding, PiiSettings
from schemas.reason_codes import ScanReason
from schemas.record import AuditRecord, Decision, Signal
from transforms.pii.redaction import apply_pii_policy

# The stages whose results are carried over; their signals come back with them.
CARRIED_STAGES = ("pii", "licenses")
PRIOR_LEDGER_COLUMNS = (
    "doc_id",
    "locator",
    "content_sha256",
    "declared_license",
    "decision",
    "signals",
    "pii_findings",
    "pii_counts",
    "license_evidence",
    "copyrights",
    "rights",
)
PRIOR_INDEX_COLUMNS = ("doc_id", "locator", "content_sha256", "exact_key", "signature")
_LATER_PASS = "(pass "


@dataclass(frozen=True)
class PriorScan:
    """One record of OLD as the reuse step needs it: its identity and its scan results."""

    doc_id: str
    locator: str
    content_sha256: str
    declared_license: str | None
    decision: str
    signals: tuple[Signal, ...] = ()
    pii_findings: tuple[PiiFinding, ...] = ()
    pii_counts: dict[str, int] = field(default_factory=dict)
    license_evidence: tuple[LicenseEvidence, ...] = ()
    copyrights: tuple[CopyrightStatement, ...] = ()
    rights: RightsVerdict | None = None
    sketch: DedupSketch | None = None
    # Why it cannot be reused whatever today's input is (e.g. its scan ran out of time).
    not_reusable: str = ""

    @property
    def published(self) -> bool:
        return self.decision != Decision.REJECT.value


def prior_from_ledger(row: dict[str, Any]) -> PriorScan:
    """A ledger row (`PRIOR_LEDGER_COLUMNS`) as a `PriorScan`, still without its sketch."""
    signals = tuple(
        Signal(code=s["code"], action=Action(s["action"]), stage=s["stage"], detail=s["detail"])
        for s in row["signals"]
        if s["stage"] in CARRIED_STAGES
    )
    over_budget = any(signal.code == ScanReason.TIME_BUDGET_EXCEEDED.value for signal in signals)
    rights = row["rights"]
    return PriorScan(
        doc_id=row["doc_id"],
        locator=row["locator"],
        content_sha256=row["content_sha256"],
        declared_license=row["declared_license"],
        decision=row["decision"],
        signals=signals,
        pii_findings=tuple(PiiFinding(**finding) for finding in row["pii_findings"]),
        pii_counts=dict(row["pii_counts"]),
        license_evidence=tuple(
            LicenseEvidence(**{**evidence, "unknown_ids": tuple(evidence["unknown_ids"] or ())})
            for evidence in row["license_evidence"]
        ),
        copyrights=tuple(CopyrightStatement(**statement) for statement in row["copyrights"]),
        rights=RightsVerdict(**rights) if rights is not None else None,
        not_reusable="its scan ran out of time" if over_budget else "",
    )


def sketch_from_index(row: dict[str, Any]) -> DedupSketch | None:
    if row["exact_key"] is None or row["signature"] is None:
        return None
    return DedupSketch(exact_key=row["exact_key"], signature=row["signature"])


@dataclass(frozen=True)
class RecordIdentity:
    """What decides reuse of a record read today: small, so it is what crosses the join."""

    doc_id: str
    sidecar_file: str  # where its text and the record itself wait meanwhile
    locator: str
    content_sha256: str
    declared_license: str

    @classmethod
    def of(cls, record: AuditRecord, sidecar_file: str = "") -> RecordIdentity:
        document = record.document
        return cls(
            document.doc_id,
            sidecar_file,
            document.locator,
            document.content_sha256,
            record.source.declared_license,
        )


def why_not_reused(
    prior: PriorScan | None, record: RecordIdentity, sketch_needed: bool
) -> str | None:
    """None when `record` may take `prior`'s results; else the counter name saying why not."""
    if prior is None:
        return "new"
    if prior.content_sha256 != record.content_sha256 or prior.locator != record.locator:
        return "changed"
    if prior.declared_license != record.declared_license:
        return "declared_license_changed"
    if prior.not_reusable:
        return "over_budget"
    if sketch_needed and prior.sketch is None:
        return "no_sketch"
    return None


def replay_redaction(text: str, findings: tuple[PiiFinding, ...], settings: PiiSettings):
    """The PII stage's redaction again, from its findings: pass 1 on the text as read, each
    later pass (marked in `recognizer`) on the text the pass before produced."""
    passes: dict[int, list[PiiFinding]] = {}
    for finding in findings:
        number = 1
        if _LATER_PASS in finding.recognizer:
            number = int(finding.recognizer.split(_LATER_PASS, 1)[1].split(",", 1)[0])
        passes.setdefault(number, []).append(finding)
    outcome = apply_pii_policy(text, passes.get(1, []), settings)
    redacted = outcome.redacted
    for number in sorted(passes.keys() - {1}):
        outcome = apply_pii_policy(outcome.redacted_text, passes[number], settings)
        redacted = redacted or outcome.redacted
    return outcome.redacted_text if redacted else None


def restore(record: AuditRecord, prior: PriorScan, settings: PiiSettings) -> AuditRecord:
    """`record` (with its text) as the skipped stages would have left it."""
    changes: dict[str, Any] = {
        "pii_findings": list(prior.pii_findings),
        "pii_counts": dict(prior.pii_counts),
        "license_evidence": list(prior.license_evidence),
        "copyrights": list(prior.copyrights),
        "rights": prior.rights,
        "dedup_sketch": prior.sketch,
    }
    redacted_text = replay_redaction(record.document.text, prior.pii_findings, settings)
    if redacted_text is not None:
        changes["redacted_text"] = redacted_text
    return record.with_signals(*prior.signals, **changes)
