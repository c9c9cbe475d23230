"""The diff's core: what one record's two ledger rows say changed, and for whom."""

from __future__ import annotations

from pipelines.diff.changes import (
    ClusterFact,
    cluster_facts,
    copies_by_subject,
    gate_flips,
    merge_examples,
    record_changes,
    subject_tallies,
)
from schemas.diff import EXAMPLES_PER_CHANGE, Change, ChangeKind, LedgerFacts, SubjectTally
from schemas.run_summary import GateFigures


def facts(**changes) -> LedgerFacts:
    base = LedgerFacts(
        doc_id="d1",
        source_id="forum",
        content_sha256="aa",
        decision="accept",
        reasons=("accept.clean",),
        license_spdx="MIT",
        license_category="permissive",
        consent_status="granted",
        subject_tokens=("t-email", "t-id"),
        cluster_id=None,
    )
    return base._replace(**changes)


def test_an_unchanged_record_is_one_matrix_cell_and_unchanged():
    assert record_changes(facts(), facts()) == [
        Change(ChangeKind.RECORD, "forum", "accept", "accept"),
        Change(ChangeKind.UNCHANGED, "forum"),
    ]


def test_added_and_removed_records_are_cells_with_an_absent_side():
    assert record_changes(None, facts()) == [Change(ChangeKind.RECORD, "forum", "", "accept")]
    assert record_changes(facts(), None) == [Change(ChangeKind.RECORD, "forum", "accept", "")]


def test_a_withdrawal_names_the_reasons_gained_and_lost():
    after = facts(decision="reject", reasons=("consent.withdrawn",), consent_status="withdrawn")
    [_, change] = record_changes(facts(), after)
    assert change == Change(
        ChangeKind.DECISION,
        "forum",
        "accept",
        "reject",
        ("consent.withdrawn",),
        ("accept.clean",),
    )


def test_reasons_that_change_under_the_same_decision_are_a_change():
    after = facts(reasons=("accept.clean", "license.conflict"))
    kinds = [c.kind for c in record_changes(facts(), after)]
    assert kinds == [ChangeKind.RECORD, ChangeKind.DECISION]


def test_rights_and_content_changes_are_counted_apart():
    after = facts(license_spdx="GPL-3.0-only", license_category="copyleft", content_sha256="bb")
    changes = record_changes(facts(), after)
    assert (
        Change(ChangeKind.RIGHTS, "forum", "permissive: MIT", "copyleft: GPL-3.0-only") in changes
    )
    assert Change(ChangeKind.CONTENT, "forum") in changes
    assert ChangeKind.UNCHANGED not in [c.kind for c in changes]


def test_a_subject_is_all_the_tokens_of_one_record():
    withdrawn = facts(decision="reject", consent_status="withdrawn")
    assert subject_tallies(facts(), withdrawn) == [
        (("t-email", "t-id"), SubjectTally(withdrawn_records=1, removed_from_dataset=1))
    ]


def test_a_subject_withdrawn_in_both_versions_is_not_newly_withdrawn():
    withdrawn = facts(decision="reject", consent_status="withdrawn")
    total = SubjectTally()
    for _, tally in subject_tallies(withdrawn, withdrawn):
        total = total + tally
    assert total.withdrawn_before and not total.newly_withdrawn
    assert total.removed_from_dataset == 0


def test_an_erased_record_counts_as_withdrawn():
    erased = facts(decision="reject", reasons=("accept.clean", "erasure.requested"))
    [(_, tally)] = subject_tallies(facts(), erased)
    assert tally.newly_withdrawn and tally.removed_from_dataset == 1


def test_records_without_subject_tokens_name_no_subject():
    anonymous = facts(subject_tokens=(), decision="reject", consent_status="withdrawn")
    assert subject_tallies(facts(subject_tokens=()), anonymous) == []


def test_copies_removed_from_a_cluster_are_credited_to_its_withdrawn_subject():
    own = facts(decision="reject", consent_status="withdrawn", cluster_id="c1")
    copy_before = facts(doc_id="d2", subject_tokens=(), cluster_id="c1")
    copy_after = copy_before._replace(decision="reject", reasons=("consent.withdrawn_copy",))
    collected = cluster_facts(facts(), own) + cluster_facts(copy_before, copy_after)
    assert [cluster for cluster, _ in collected] == ["c1", "c1"]
    assert copies_by_subject(fact for _, fact in collected) == [
        (("t-email", "t-id"), SubjectTally(copies_removed=1))
    ]


def test_a_copy_already_removed_before_is_not_removed_again():
    copy = facts(decision="reject", reasons=("consent.withdrawn_copy",), cluster_id="c1")
    assert cluster_facts(copy, copy) == []
    assert copies_by_subject([ClusterFact(subject=("t",))]) == []


def test_examples_are_the_smallest_ids_in_any_order():
    ids = [f"d{n:02d}" for n in range(20)]
    forward = merge_examples([[i] for i in ids])
    backward = merge_examples([ids[10:][::-1], ids[:10][::-1]])
    assert forward == backward == tuple(ids[:EXAMPLES_PER_CHANGE])


def _gate(exceeded: bool, rate: float) -> GateFigures:
    return GateFigures(100, int(rate * 100), rate, 0.05, exceeded, 100)


def test_gate_flips_are_sources_in_both_versions_whose_outcome_changed():
    old = {"a": _gate(False, 0.01), "b": _gate(True, 0.2), "gone": _gate(True, 0.3)}
    new = {"a": _gate(True, 0.07), "b": _gate(True, 0.3), "new": _gate(True, 0.5)}
    [flip] = gate_flips(old, new)
    assert (flip.source_id, flip.before, flip.after) == ("a", "passed", "exceeded")
    assert gate_flips(None, new) == []
