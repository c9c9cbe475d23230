"""Reusing an earlier version's scan: which records may, and that putting the results back
gives the record the scans would have given (findings, verdict, signals, redaction)."""

from __future__ import annotations

from dataclasses import replace

from schemas.actions import Action
from schemas.dedup import DedupSketch
from schemas.document import Document
from schemas.ledger import ledger_row
from schemas.licenses import CopyrightStatement, LicenseEvidence, RightsVerdict
from schemas.pii import PiiFinding, PiiSettings
from schemas.reason_codes import ScanReason
from schemas.record import AuditRecord, Decision, Signal, SourceContext
from transforms.pii.redaction import redact_until_stable
from transforms.reuse.prior import RecordIdentity as Identity
from transforms.reuse.prior import (
    prior_from_ledger,
    replay_redaction,
    restore,
    sketch_from_index,
    why_not_reused,
)

TEXT = "mail ann@example.org or call +1 415 555 0100 today"
SETTINGS = PiiSettings()


def _record(text: str = TEXT, locator: str = "a.txt", declared: str = "MIT") -> AuditRecord:
    document = Document.from_text("src", locator, text, text.encode(), {})
    source = SourceContext("src", "open_source", declared, "legitimate_interest", 0)
    return AuditRecord(document=document, source=source)


def _finding(start: int, end: int, entity: str, recognizer: str = "pattern") -> PiiFinding:
    return PiiFinding(start, end, entity, 0.9, recognizer, "t" * 16)


def _scanned(record: AuditRecord) -> AuditRecord:
    """The record as the scans and the decision left it, as a ledger row records it."""
    email = _finding(5, 20, "EMAIL_ADDRESS")
    phone = _finding(29, 44, "PHONE_NUMBER")
    verdict = RightsVerdict("MIT", "permissive", True, False, False, False, reasons=["declared"])
    return record.with_signals(
        Signal("pii.redacted.EMAIL_ADDRESS", Action.REDACT, "pii"),
        Signal("pii.redacted.PHONE_NUMBER", Action.REDACT, "pii"),
        Signal("licenses.note", Action.FLAG, "licenses", "MIT"),
        Signal("consent.not_required", Action.IGNORE, "consent"),
        pii_findings=[email, phone],
        pii_counts={"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1},
        license_evidence=[LicenseEvidence("spdx_tag", "MIT", 0, 3, 1.0, unknown_ids=("X",))],
        copyrights=[CopyrightStatement(["Ann"], 2020, 2021, 0, 10)],
        rights=verdict,
        decision=Decision.ACCEPT_REDACTED,
    )


def test_a_ledger_row_gives_back_the_scan_results_and_only_the_scans_signals():
    scanned = _scanned(_record())
    prior = prior_from_ledger(ledger_row(replace(scanned, redacted_text="x")))
    assert list(prior.pii_findings) == scanned.pii_findings
    assert prior.pii_counts == scanned.pii_counts
    assert list(prior.license_evidence) == scanned.license_evidence
    assert list(prior.copyrights) == scanned.copyrights
    assert prior.rights == scanned.rights
    assert [s.stage for s in prior.signals] == ["pii", "pii", "licenses"]
    assert prior.published and prior.decision == "accept_redacted"
    assert prior.not_reusable == ""


def test_restore_equals_the_scanned_record_for_every_field_the_scans_set():
    fresh = _record()
    scanned = _scanned(fresh)
    prior = replace(prior_from_ledger(ledger_row(scanned)), sketch=DedupSketch("k", b"\x00" * 8))
    restored = restore(fresh, prior, SETTINGS)
    for name in ("pii_findings", "pii_counts", "license_evidence", "copyrights", "rights"):
        assert getattr(restored, name) == getattr(scanned, name), name
    assert restored.signals == scanned.signals[:3]  # the scans' own; consent is made again
    assert restored.redacted_text == "mail <EMAIL_ADDRESS> or call <PHONE_NUMBER> today"
    assert restored.dedup_sketch == DedupSketch("k", b"\x00" * 8)
    assert fresh.pii_findings == []  # the input record is untouched


def test_replay_follows_later_redaction_passes_like_the_stage_did():
    text = "hosts 5.5.5.7-5.5.6.0 up"
    first = [_finding(14, 21, "IP_ADDRESS")]

    def scan(redacted: str) -> list[PiiFinding]:
        start = redacted.find("5.5.5.7")
        return [_finding(start, start + 7, "IP_ADDRESS")] if start >= 0 else []

    findings, outcome = redact_until_stable(text, first, SETTINGS, scan)
    assert len(findings) == 2 and "(pass 2" in findings[1].recognizer
    assert replay_redaction(text, tuple(findings), SETTINGS) == outcome.redacted_text
    assert outcome.redacted_text == "hosts <IP_ADDRESS>-<IP_ADDRESS> up"


def test_replay_of_a_text_nothing_was_redacted_in_is_none():
    kept = PiiSettings(actions={"EMAIL_ADDRESS": "keep"})
    assert replay_redaction(TEXT, (_finding(5, 20, "EMAIL_ADDRESS"),), kept) is None
    assert replay_redaction(TEXT, (), SETTINGS) is None


def test_which_records_may_reuse_an_earlier_scan():
    record = _record()
    prior = replace(prior_from_ledger(ledger_row(_scanned(record))), sketch=DedupSketch("k", b""))
    assert why_not_reused(prior, Identity.of(record), sketch_needed=True) is None
    assert why_not_reused(None, Identity.of(record), True) == "new"
    assert why_not_reused(prior, Identity.of(_record(TEXT + "!")), True) == "changed"
    assert why_not_reused(prior, Identity.of(_record(locator="b.txt")), True) == "changed"
    assert why_not_reused(prior, Identity.of(_record(declared="GPL-3.0-only")), True) == (
        "declared_license_changed"
    )
    assert why_not_reused(replace(prior, sketch=None), Identity.of(record), True) == "no_sketch"
    assert why_not_reused(replace(prior, sketch=None), Identity.of(record), False) is None


def test_a_scan_that_ran_out_of_time_is_never_reused():
    record = _record()
    over = record.with_signals(
        Signal(ScanReason.TIME_BUDGET_EXCEEDED.value, Action.REJECT, "licenses"),
        decision=Decision.REJECT,
    )
    prior = replace(prior_from_ledger(ledger_row(over)), sketch=DedupSketch("k", b""))
    assert why_not_reused(prior, Identity.of(record), True) == "over_budget"


def test_an_index_row_without_a_sketch_gives_none():
    assert sketch_from_index({"exact_key": None, "signature": None}) is None
    assert sketch_from_index({"exact_key": "k", "signature": b"s"}) == DedupSketch("k", b"s")
