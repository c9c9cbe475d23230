"""What `provenance diff OLD NEW` reads from two ledgers and what its report holds.

The diff joins two published versions by `doc_id` (stable across versions: it comes
from source id + locator, never from content), so every record falls in one cell of a
decision matrix per source: kept, added (no old row), removed (no new row). A record
whose decision or reasons, rights or content changed is counted under what changed.
Like the ledger, the report names records by `doc_id` and subjects by HMAC token,
never by a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from schemas.consent import ConsentStatus
from schemas.reason_codes import ConsentReason

DIFF_FORMAT = "provenance-diff/1"
DIFF_JSON = "diff.json"
DIFF_HTML = "diff.html"
# Reason the erasure command adds to every record it removes (`pipelines/commands/erase.py`).
ERASURE_REASON = "erasure.requested"
REJECT = "reject"
# Records named per change, and withdrawn subjects listed by name: the report stays a
# page a person reads however large the corpus; the counts are always complete.
EXAMPLES_PER_CHANGE = 5
SUBJECTS_LISTED = 1000

LEDGER_COLUMNS = (
    "doc_id",
    "source_id",
    "content_sha256",
    "decision",
    "reasons",
    "license_spdx",
    "license_category",
    "consent_status",
    "subject_tokens",
    "cluster_id",
)


class LedgerFacts(NamedTuple):
    """The ledger columns the diff compares: ids, hashes, codes and tokens only."""

    doc_id: str
    source_id: str
    content_sha256: str
    decision: str
    reasons: tuple[str, ...]
    license_spdx: str | None
    license_category: str | None
    consent_status: str
    subject_tokens: tuple[str, ...]
    cluster_id: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LedgerFacts:
        return cls(
            doc_id=row["doc_id"],
            source_id=row["source_id"],
            content_sha256=row["content_sha256"],
            decision=row["decision"],
            reasons=tuple(sorted(row["reasons"] or ())),
            license_spdx=row["license_spdx"],
            license_category=row["license_category"],
            consent_status=row["consent_status"],
            subject_tokens=tuple(row["subject_tokens"] or ()),
            cluster_id=row["cluster_id"],
        )

    @property
    def published(self) -> bool:
        """In the version's dataset: every decision but reject publishes the record."""
        return self.decision != REJECT

    @property
    def withdrawn(self) -> bool:
        """The record's own subject withdrew, or an erasure removed it."""
        return self.consent_status == ConsentStatus.WITHDRAWN or ERASURE_REASON in self.reasons

    @property
    def removed_as_copy(self) -> bool:
        return ConsentReason.WITHDRAWN_COPY in self.reasons


class ChangeKind(StrEnum):
    # One per record in either version: its decision before -> after ("" = absent).
    RECORD = "record"
    DECISION = "decision"  # the decision or its reasons changed
    RIGHTS = "rights"  # the license expression or category changed
    CONTENT = "content"  # same record (source + locator), different bytes
    UNCHANGED = "unchanged"  # in both versions, none of the above changed


class Change(NamedTuple):
    """What the diff counts: one cell of one table of the report."""

    kind: str
    source_id: str
    before: str = ""
    after: str = ""
    reasons_gained: tuple[str, ...] = ()
    reasons_lost: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountedChange:
    change: Change
    records: int
    examples: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "source_id": self.change.source_id,
            "before": self.change.before or None,
            "after": self.change.after or None,
            "reasons_gained": list(self.change.reasons_gained),
            "reasons_lost": list(self.change.reasons_lost),
            "records": self.records,
            "example_doc_ids": list(self.examples),
        }


@dataclass(frozen=True)
class SubjectTally:
    """One subject's side of the diff, summed over its records (a CombineFn's accumulator).

    `withdrawn_before`: OLD already rejected the subject, so nothing new was removed for
    them; `removed_from_dataset`: their records OLD published and NEW does not;
    `copies_removed`: other records of their near-duplicate clusters NEW removed as copies.
    """

    withdrawn_before: bool = False
    withdrawn_records: int = 0
    removed_from_dataset: int = 0
    copies_removed: int = 0

    def __add__(self, other: SubjectTally) -> SubjectTally:
        return SubjectTally(
            self.withdrawn_before or other.withdrawn_before,
            self.withdrawn_records + other.withdrawn_records,
            self.removed_from_dataset + other.removed_from_dataset,
            self.copies_removed + other.copies_removed,
        )

    @property
    def newly_withdrawn(self) -> bool:
        return not self.withdrawn_before and self.withdrawn_records > 0


@dataclass(frozen=True)
class WithdrawnSubject:
    subject_tokens: tuple[str, ...]
    records: int
    removed_from_dataset: int
    copies_removed: int


@dataclass(frozen=True)
class GateFlip:
    source_id: str
    before: str  # "passed" or "exceeded"
    after: str
    rate_before: float
    rate_after: float


@dataclass(frozen=True)
class VersionFacts:
    """Where a compared version is and what made it, from its manifest."""

    location: str
    run_id: str
    kind: str
    finished_at: str
    policy: str
    policy_sha256: str
    config_sha256: str
    hmac_key_id: str | None
    signed_by: str | None


@dataclass
class DiffReport:
    old: VersionFacts
    new: VersionFacts
    records: list[CountedChange] = field(default_factory=list)
    decisions: list[CountedChange] = field(default_factory=list)
    rights: list[CountedChange] = field(default_factory=list)
    content: list[CountedChange] = field(default_factory=list)
    unchanged: int = 0
    subjects_withdrawn: int = 0
    subjects_listed: list[WithdrawnSubject] = field(default_factory=list)
    gates_flipped: list[GateFlip] = field(default_factory=list)
