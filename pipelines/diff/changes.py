"""What changed for one record between two versions, and for its subject: the diff's core.

Plain functions over `LedgerFacts`, so the Beam job (`pipelines/diff/job.py`) only joins
and sums what these return. Every record yields exactly one `record` change (its cell
in the per-source decision matrix), so the matrix always adds up to both ledgers' row
counts; the other kinds say what moved inside a record that stayed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from schemas.diff import (
    EXAMPLES_PER_CHANGE,
    Change,
    ChangeKind,
    GateFlip,
    LedgerFacts,
    SubjectTally,
)
from schemas.run_summary import GateFigures


def _source(old: LedgerFacts | None, new: LedgerFacts | None) -> str:
    present = new if new is not None else old
    if present is None:
        raise ValueError("a joined record needs a row in at least one version")
    return present.source_id


def record_changes(old: LedgerFacts | None, new: LedgerFacts | None) -> list[Change]:
    source = _source(old, new)
    changes = [
        Change(
            ChangeKind.RECORD,
            source,
            old.decision if old is not None else "",
            new.decision if new is not None else "",
        )
    ]
    if old is None or new is None:
        return changes
    if old.decision != new.decision or old.reasons != new.reasons:
        changes.append(
            Change(
                ChangeKind.DECISION,
                source,
                old.decision,
                new.decision,
                tuple(sorted(set(new.reasons) - set(old.reasons))),
                tuple(sorted(set(old.reasons) - set(new.reasons))),
            )
        )
    before = _rights(old)
    after = _rights(new)
    if before != after:
        changes.append(Change(ChangeKind.RIGHTS, source, before, after))
    if old.content_sha256 != new.content_sha256:
        changes.append(Change(ChangeKind.CONTENT, source))
    if len(changes) == 1:
        changes.append(Change(ChangeKind.UNCHANGED, source))
    return changes


def _rights(facts: LedgerFacts) -> str:
    return f"{facts.license_category or 'none'}: {facts.license_spdx or 'no license found'}"


def subject_key(facts: LedgerFacts) -> tuple[str, ...]:
    """A subject is the set of tokens a record names its own subject by (e.g. e-mail and
    user id): one person with both is one subject, not two."""
    return tuple(sorted(facts.subject_tokens))


def subject_tallies(
    old: LedgerFacts | None, new: LedgerFacts | None
) -> list[tuple[tuple[str, ...], SubjectTally]]:
    """This record's subject: was it withdrawn before, and what NEW removed of theirs."""
    tallies = []
    if old is not None and old.withdrawn and old.subject_tokens:
        tallies.append((subject_key(old), SubjectTally(withdrawn_before=True)))
    if new is not None and new.withdrawn and new.subject_tokens:
        removed = int(old is not None and old.published and not new.published)
        tallies.append(
            (subject_key(new), SubjectTally(withdrawn_records=1, removed_from_dataset=removed))
        )
    return tallies


class ClusterFact(NamedTuple):
    """A withdrawn subject in a NEW cluster, or a copy NEW removed from one."""

    subject: tuple[str, ...] = ()
    copy_removed: bool = False


def cluster_facts(
    old: LedgerFacts | None, new: LedgerFacts | None
) -> list[tuple[str, ClusterFact]]:
    if new is None or new.cluster_id is None:
        return []
    facts = []
    if new.withdrawn and new.subject_tokens:
        facts.append((new.cluster_id, ClusterFact(subject=subject_key(new))))
    newly_a_copy = new.removed_as_copy and not (old is not None and old.removed_as_copy)
    if newly_a_copy and old is not None and old.published:
        facts.append((new.cluster_id, ClusterFact(copy_removed=True)))
    return facts


def copies_by_subject(
    facts: Iterable[ClusterFact],
) -> list[tuple[tuple[str, ...], SubjectTally]]:
    """One cluster's removed copies, credited to each withdrawn subject in it."""
    subjects: set[tuple[str, ...]] = set()
    copies = 0
    for fact in facts:
        if fact.subject:
            subjects.add(fact.subject)
        copies += fact.copy_removed
    if not copies:
        return []
    return [(subject, SubjectTally(copies_removed=copies)) for subject in sorted(subjects)]


def merge_examples(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The smallest doc ids: the same examples whatever the order records arrived in."""
    merged: set[str] = set()
    for group in groups:
        merged.update(group)
        if len(merged) > EXAMPLES_PER_CHANGE:
            merged = set(sorted(merged)[:EXAMPLES_PER_CHANGE])
    return tuple(sorted(merged))


def _gate_state(figures: GateFigures) -> str:
    return "exceeded" if figures.exceeded else "passed"


def gate_flips(
    old: Mapping[str, GateFigures] | None, new: Mapping[str, GateFigures] | None
) -> list[GateFlip]:
    """Sources in both versions whose per-source gate outcome differs (a source only one
    version has is an added or removed source, not a flip)."""
    old, new = old or {}, new or {}
    return [
        GateFlip(
            source,
            _gate_state(old[source]),
            _gate_state(new[source]),
            old[source].rate,
            new[source].rate,
        )
        for source in sorted(set(old) & set(new))
        if old[source].exceeded != new[source].exceeded
    ]
