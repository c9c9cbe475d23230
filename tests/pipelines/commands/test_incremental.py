"""`provenance run --previous A`: B equals a fresh run of the same inputs, scanning only
what A had not seen (the scenario is in tests/pipelines/commands/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.reason_codes import ConsentReason, DedupReason
from tests.conftest import run_cli
from tests.pipelines.commands.conftest import rows_by_doc_id

SCAN_STAGES = ("pii", "licenses")


def _summary(run: Path) -> dict:
    return json.loads((run / "reports" / "summary.json").read_text())


@pytest.mark.parametrize("output", ["dataset", "ledger", "index"])
def test_b_equals_a_fresh_run_of_the_same_inputs(scheduled, output):
    built_on_a, fresh = rows_by_doc_id(scheduled.b, output), rows_by_doc_id(scheduled.full, output)
    assert built_on_a.keys() == fresh.keys()
    differing = [doc_id for doc_id in fresh if built_on_a[doc_id] != fresh[doc_id]]
    assert differing == []


def test_only_the_new_documents_were_scanned(scheduled):
    a, b = rows_by_doc_id(scheduled.a, "ledger"), rows_by_doc_id(scheduled.b, "ledger")
    new = {doc_id: row for doc_id, row in b.items() if doc_id not in a}
    assert len(new) == 6  # 3 pages, 2 near-copies, 1 post
    reuse = _summary(scheduled.b)["reuse"]
    assert (
        reuse["previous_run_id"]
        == json.loads((scheduled.a / "manifest.json").read_text())["run_id"]
    )
    assert reuse["reused"] == len(a)
    assert reuse["rescanned"] == {"new": len(new)}
    assert reuse["removed"] == 0
    # The scanners' own counters: they read exactly the new documents' bytes.
    metrics = _summary(scheduled.b)["metrics"]
    full = _summary(scheduled.full)["metrics"]
    new_bytes = sum(row["byte_length"] for row in new.values())
    assert metrics["pii/bytes_scanned"] == new_bytes
    assert full["pii/bytes_scanned"] == sum(row["byte_length"] for row in b.values())


def test_decision_changes_are_counted(scheduled):
    a, b = rows_by_doc_id(scheduled.a, "ledger"), rows_by_doc_id(scheduled.b, "ledger")
    reuse = _summary(scheduled.b)["reuse"]
    both = a.keys() & b.keys()
    published = {"accept", "accept_redacted"}
    assert reuse["newly_rejected"] == sum(
        a[d]["decision"] in published and b[d]["decision"] == "reject" for d in both
    )
    assert reuse["newly_rejected"] > 0  # the withdrawn subject's published records
    assert reuse["newly_accepted"] == sum(
        a[d]["decision"] == "reject" and b[d]["decision"] in published for d in both
    )
    added = [b[d] for d in b.keys() - a.keys()]
    assert reuse["new_accepted"] == sum(row["decision"] in published for row in added)
    assert reuse["new_rejected"] == sum(row["decision"] == "reject" for row in added)


def test_the_withdrawn_subject_loses_reused_and_new_records(scheduled):
    b = rows_by_doc_id(scheduled.b, "ledger")
    withdrawn = [row for row in b.values() if row["consent_status"] == "withdrawn"]
    assert withdrawn
    assert all(row["decision"] == "reject" for row in withdrawn)
    assert all(ConsentReason.WITHDRAWN in row["reasons"] for row in withdrawn)


def test_near_copies_point_at_a_published_documents(scheduled):
    a, b = rows_by_doc_id(scheduled.a, "ledger"), rows_by_doc_id(scheduled.b, "ledger")
    near = [
        row
        for doc_id, row in b.items()
        if doc_id not in a and DedupReason.NEAR_DUPLICATE in row["reasons"]
    ]
    assert len(near) == 2
    assert all(a[row["duplicate_of"]]["decision"] != "reject" for row in near)


def test_the_manifest_chains_to_a(scheduled):
    manifest = json.loads((scheduled.b / "manifest.json").read_text())
    chained = manifest["previous_version"]
    a_manifest = json.loads((scheduled.a / "manifest.json").read_text())
    assert chained["run_id"] == a_manifest["run_id"]
    assert len(chained["manifest_sha256"]) == 64
    assert manifest["scan_fingerprint"] == a_manifest["scan_fingerprint"]
    assert run_cli("verify", scheduled.b) == 0
