"""No stage changes the record it was given: Beam forbids mutating a DoFn's input.

Each stage gets a record that exercises the fields it sets (PII to redact, a license
to judge, a subject identifier for consent to drop, a prior signal to append to); the
input is deep-copied first and must compare equal to that copy afterwards, while the
output must differ from it, so a stage that writes into its input fails here.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from schemas.actions import Action
from schemas.dedup import DedupSettings
from schemas.document import Document
from schemas.licenses import LicenseSettings
from schemas.pii import PiiSettings
from schemas.policy import ConsentPolicy, OptOutPolicy, Policy
from schemas.record import AuditRecord, Signal, SourceContext
from transforms.common.keys import KeySource
from transforms.common.packing import pack
from transforms.consent.stage import CheckConsentAndOptOuts
from transforms.decision.gate import ApplyGate
from transforms.decision.stage import AttachSource, Decide
from transforms.dedup.core import singleton_assignment
from transforms.dedup.stage import AttachAssignment, _Sketch
from transforms.licenses.stage import ScanLicenses
from transforms.pii.stage import ScanPii

TEXT = (
    "Copyright (c) 2020 Jane Doe\nSPDX-License-Identifier: CC-BY-NC-4.0\n"
    "Write to jane.doe@corp-mail.com or call +44 20 7946 0958.\n"
)
SOURCE = SourceContext(
    "src", "user_input", "MIT", "consent", 0, missing_evidence=["contract: none"]
)


def _document() -> Document:
    return Document.from_text(
        "src",
        "a.txt",
        TEXT,
        TEXT.encode(),
        {"url": "https://example.org/a"},
        subject_identifiers={"email": "jane.doe@corp-mail.com"},
    )


def _record() -> AuditRecord:
    return AuditRecord(
        document=_document(), source=SOURCE, signals=[Signal("earlier.flag", Action.FLAG, "t")]
    )


@pytest.fixture(scope="module")
def key_source(tmp_path_factory) -> KeySource:
    path: Path = tmp_path_factory.mktemp("key") / "key"
    path.write_text("k" * 32)
    return KeySource(file=str(path))


@pytest.fixture(scope="module")
def pii_scan(key_source) -> ScanPii:
    scan = ScanPii(PiiSettings(), key_source)
    scan.setup()
    return scan


@pytest.fixture(scope="module")
def pii_scanned(pii_scan) -> AuditRecord:
    """What the consent stage receives: a record the PII stage has seen."""
    [record] = list(pii_scan.process([_record()]))
    assert record.pii_findings  # otherwise consent would have nothing to look at
    return record


def _unchanged_after(process, element):
    """The outputs of `process(element)`, after checking `element` is as it was."""
    before = copy.deepcopy(element)
    outputs = list(process(element))
    assert element == before, "the stage changed its input"
    return outputs


def test_attach_source_leaves_the_document_as_read():
    attach = AttachSource({"src": SOURCE})
    document = _document()
    [record] = _unchanged_after(attach.process, document)
    assert record.document == document
    assert [signal.code for signal in record.signals] == ["source.missing_evidence"]


def test_pii_stage_returns_a_new_redacted_record(pii_scan):
    batch = [_record()]
    [record] = _unchanged_after(pii_scan.process, batch)
    assert record.redacted_text is not None and record.pii_findings
    assert len(record.signals) > len(batch[0].signals)


def test_license_stage_returns_a_new_record_with_its_verdict():
    scan = ScanLicenses(LicenseSettings())
    scan.setup()
    [record] = _unchanged_after(scan.process, _record())
    assert record.rights is not None and record.license_evidence
    assert "license.non_commercial" in [signal.code for signal in record.signals]


def test_consent_stage_drops_identifiers_from_a_new_document_only(key_source, pii_scanned):
    check = CheckConsentAndOptOuts(
        key_source, None, {}, ConsentPolicy(), OptOutPolicy(), PiiSettings()
    )
    check.setup()
    [record] = _unchanged_after(check.process, pii_scanned)
    assert pii_scanned.document.subject_identifiers  # the input still has them
    assert record.document.subject_identifiers == {}
    assert record.subject_tokens and record.consent_status != pii_scanned.consent_status


def test_sketch_returns_new_records():
    sketch = _Sketch(DedupSettings())
    sketch.setup()
    batch = [_record()]
    [record] = _unchanged_after(sketch.process, batch)
    assert record.dedup_sketch is not None and batch[0].dedup_sketch is None


def test_duplicate_assignment_leaves_the_grouped_input_alone():
    record = _record()
    grouped = {"record": [pack(record)], "assignment": [singleton_assignment(record.doc_id)]}
    [attached] = _unchanged_after(AttachAssignment().process, (record.doc_id, grouped))
    assert attached.dedup == singleton_assignment(record.doc_id)


def test_gate_returns_a_new_record_when_it_rejects_the_source():
    gate = ApplyGate(threshold=0.0)
    record = _record()
    [gated] = _unchanged_after(lambda r: gate.process(r, {"src": (1, 1)}), record)
    assert len(gated.signals) == len(record.signals) + 1


def test_decide_returns_a_new_decided_record():
    decide = Decide(Policy(name="p", version="1"))
    record = _record()
    [decided] = _unchanged_after(decide.process, record)
    assert record.decision is None and decided.decision is not None
