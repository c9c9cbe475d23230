"""The record that flows through the scan stages, and the decision vocabulary.

A stage takes `AuditRecord`s and returns new ones with more findings and signals;
it never drops one and never changes the record it was given (Beam forbids
mutating inputs: a runner may hand the same object to another consumer, or keep it
for a retry). Only the decision step turns signals into a decision.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import pyarrow as pa

from schemas.actions import Action
from schemas.consent import OptOutSignal
from schemas.dedup import DedupAssignment, DedupSketch
from schemas.document import Document
from schemas.licenses import CopyrightStatement, LicenseEvidence, RightsVerdict
from schemas.pii import PiiFinding
from schemas.reason_codes import AcceptReason


class Decision(StrEnum):
    ACCEPT = "accept"
    ACCEPT_REDACTED = "accept_redacted"
    REJECT = "reject"


# The reason of a record nothing objected to (the ledger stores plain strings).
ACCEPT_CLEAN: str = AcceptReason.CLEAN.value


@dataclass(frozen=True)
class Signal:
    """A reason code raised by a stage (e.g. `pii.sensitive.US_SSN`) with its default action.

    `detail` is free text for people reading the ledger; it must never hold raw
    personal data (HMAC tokens and counts only).
    """

    code: str
    action: Action
    stage: str
    detail: str = ""


@dataclass
class SourceContext:
    """Per-source facts every stage may need, attached right after reading."""

    source_id: str
    source_type: str
    declared_license: str
    legal_basis: str
    priority: int
    missing_evidence: list[str] = field(default_factory=list)


CONSENT_NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class DetachedText:
    """Where a record's output text went when it left the record, and what we still need of it.

    Records cross the global steps (duplicate join, per-source gate) without
    their text: on the local runner every record crossing a step boundary is held
    in the launcher's memory, so carrying text there made memory grow ~12x the
    corpus. The text waits in a sidecar file until the dataset is assembled.
    """

    file: str
    char_length: int
    redacted: bool


@dataclass
class AuditRecord:
    """A document plus everything the stages found about it; one per record, never dropped."""

    document: Document
    source: SourceContext
    signals: list[Signal] = field(default_factory=list)
    redacted_text: str | None = None
    pii_findings: list[PiiFinding] = field(default_factory=list)
    pii_counts: dict[str, int] = field(default_factory=dict)
    license_evidence: list[LicenseEvidence] = field(default_factory=list)
    copyrights: list[CopyrightStatement] = field(default_factory=list)
    rights: RightsVerdict | None = None
    optout_signals: list[OptOutSignal] = field(default_factory=list)
    consent_status: str = CONSENT_NOT_CHECKED
    subject_tokens: list[str] = field(default_factory=list)
    dedup_sketch: DedupSketch | None = None
    dedup: DedupAssignment | None = None
    detached: DetachedText | None = None
    decision: Decision | None = None
    reasons: list[str] = field(default_factory=list)
    # With `run --previous`: the decision the earlier version made on this doc id.
    previous_decision: str | None = None

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def output_text(self) -> str:
        """The text that goes to `dataset/`: redacted when any stage redacted it."""
        if self.detached is not None:
            raise RuntimeError(
                f"record {self.doc_id}: its text was moved to {self.detached.file}; "
                "stages after DetachText must not need it"
            )
        return self.document.text if self.redacted_text is None else self.redacted_text

    @property
    def char_length(self) -> int:
        """Length of the text as read (not as redacted)."""
        return self.detached.char_length if self.detached else len(self.document.text)

    @property
    def is_redacted(self) -> bool:
        return self.detached.redacted if self.detached else self.redacted_text is not None

    def add_signal(self, signal: Signal) -> None:
        """Mutates: only for a record its caller has just built; stages use `with_signals`."""
        self.signals.append(signal)

    def with_signals(self, *signals: Signal, **changes: Any) -> AuditRecord:
        """A new record with `signals` appended and `changes` applied; this one is untouched.

        Shallow on purpose: the text, the document and every unchanged list are shared
        with this record, not copied, so a stage pays for one small object per record.
        That is safe because no stage mutates what it received.
        """
        if signals:
            changes["signals"] = [*self.signals, *signals]
        return replace(self, **changes)

    def __reduce__(self):
        """Pickle as one compressed blob: records wait at step boundaries by the
        hundred thousand on the local runner, and pickled dataclasses repeat their
        class and field names. LZ4 (bundled with pyarrow) takes a fifth off in ~4 us;
        zlib took two fifths but cost ~75 us a record at every step boundary."""
        state = pickle.dumps(self.__dict__, protocol=pickle.HIGHEST_PROTOCOL)
        return _restore_record, (len(state), pa.compress(state, codec="lz4", asbytes=True))


def _restore_record(size: int, blob: bytes) -> AuditRecord:
    record = AuditRecord.__new__(AuditRecord)
    state = pa.decompress(blob, decompressed_size=size, codec="lz4", asbytes=True)
    record.__dict__.update(pickle.loads(state))
    return record
