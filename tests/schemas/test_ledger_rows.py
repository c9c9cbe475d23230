"""Ledger rows never carry contact data copied from documents, even inside free text."""

from __future__ import annotations

import json

from schemas.actions import Action
from schemas.document import Document
from schemas.ledger import ledger_row
from schemas.licenses import CopyrightStatement, LicenseEvidence, RightsVerdict
from schemas.record import AuditRecord, Decision, Signal, SourceContext

EMAIL = "jeon@kernel-mail.org"
JUNK_TAG = f"GPL-2.0-only AND *   Copyright (C) 2016 Namjae Jeon <{EMAIL}>"


def record_with_junk() -> AuditRecord:
    document = Document.from_text("src", "a.c", "text", b"text", {})
    source = SourceContext("src", "open_source", "MIT", "contract", 10)
    record = AuditRecord(document=document, source=source, decision=Decision.ACCEPT)
    record.reasons = ["license.unknown"]
    record.add_signal(Signal("license.unknown", Action.FLAG, "licenses", JUNK_TAG))
    record.license_evidence = [
        LicenseEvidence("spdx_tag", JUNK_TAG, 0, 10, 0.5, unknown_ids=(JUNK_TAG,))
    ]
    record.copyrights = [CopyrightStatement([f"Namjae Jeon <{EMAIL}>"], 2016, 2016, 0, 5)]
    record.rights = RightsVerdict(
        spdx_expression=JUNK_TAG,
        category="unknown",
        attribution_required=False,
        share_alike=False,
        conflict=False,
        tdm_reserved=False,
        unknown_ids=[JUNK_TAG],
        detected_licenses=[JUNK_TAG],
        reasons=[f"tag {JUNK_TAG}"],
    )
    return record


def test_no_email_survives_in_any_ledger_field():
    row = ledger_row(record_with_junk())
    assert EMAIL not in json.dumps(row, default=str)
    assert "<EMAIL_ADDRESS>" in row["signals"][0]["detail"]
    assert row["copyrights"][0]["holders"] == ["Namjae Jeon <EMAIL_ADDRESS>"]


def test_card_shaped_numbers_in_free_text_are_scrubbed():
    record = record_with_junk()
    record.signals[0] = Signal("license.unknown", Action.FLAG, "licenses", "id 4111111111111111")
    assert "4111111111111111" not in json.dumps(ledger_row(record), default=str)


def test_flat_rows_equal_dataclasses_asdict():
    """The fast row builder may only be used on flat dataclasses: no dataclass inside."""
    from dataclasses import asdict, fields, is_dataclass

    from schemas.pii import PiiFinding
    from schemas.rows import flat_row

    record = record_with_junk()
    samples = [
        record.license_evidence[0],
        record.copyrights[0],
        record.rights,
        PiiFinding(1, 5, "EMAIL_ADDRESS", 1.0, "EmailRecognizer", "tok"),
    ]
    for sample in samples:
        assert flat_row(sample) == asdict(sample)
        assert not any(is_dataclass(getattr(sample, f.name)) for f in fields(sample))
