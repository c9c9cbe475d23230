"""A record that overruns its scan time budget is rejected, never published half-checked."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from tests.conftest import IN_MEMORY, run_cli
from transforms.common.time_budget import TIME_BUDGET_EXCEEDED, Deadline, TimeBudgetExceeded

EXPIRED = Deadline(at=0.0, seconds=0.5)
PII_TEXT = "mail jane.doe@corp-mail.com or call +44 20 7946 0958 " * 20
LICENSE_TEXT = "Copyright (c) 2020 Jane Doe\nSPDX-License-Identifier: MIT\n" * 5


def test_pii_engine_stops_at_an_expired_deadline_and_works_without_one():
    from schemas.pii import PiiSettings
    from transforms.pii.engine import PiiEngine

    engine = PiiEngine(PiiSettings())
    assert engine.scan(PII_TEXT, b"k" * 32)
    with pytest.raises(TimeBudgetExceeded, match="0.5 s"):
        engine.scan(PII_TEXT, b"k" * 32, EXPIRED)


@pytest.mark.parametrize("scanner_name", ["licenses", "copyrights"])
def test_license_and_copyright_scanners_stop_at_an_expired_deadline(scanner_name):
    from transforms.licenses.copyrights import CopyrightScanner
    from transforms.licenses.detect import LicenseScanner

    scanner = LicenseScanner() if scanner_name == "licenses" else CopyrightScanner()
    assert scanner.scan(LICENSE_TEXT)
    with pytest.raises(TimeBudgetExceeded):
        scanner.scan(LICENSE_TEXT, EXPIRED)


def test_a_generous_deadline_changes_nothing():
    from transforms.licenses.detect import LicenseScanner

    scanner = LicenseScanner()
    assert scanner.scan(LICENSE_TEXT, Deadline.after(60)) == scanner.scan(LICENSE_TEXT)


def test_overrunning_records_are_rejected_with_their_reason_and_nothing_is_lost(tmp_path):
    lines = [json.dumps({"body": PII_TEXT + f" #{i}"}) for i in range(3)]
    lines += [json.dumps({"body": f"plain words number {i}"}) for i in range(3)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "key").write_text("k" * 32)
    (tmp_path / "policy.yaml").write_text("name: p\nversion: '1'\nrules: []\n")
    config = tmp_path / "run.yaml"
    config.write_text(
        """
name: budget
policy: policy.yaml
hmac_key: {file: key}
limits: {record_time_budget_seconds: 0.000001}
sources:
  - {id: j, type: open_source, format: jsonl, paths: ["in.jsonl"], fields: {text: body},
     legal_basis: contract, declared_license: MIT,
     evidence: {license: MIT, license_url: "https://opensource.org/license/mit",
                jurisdiction: US}}
"""
    )
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    kept = output
    ledger = pq.read_table(kept / "ledger").to_pylist()
    assert len(ledger) == 6
    overran = [row for row in ledger if TIME_BUDGET_EXCEEDED in row["reasons"]]
    assert len(overran) == 3
    assert all(row["decision"] == "reject" for row in overran)
    dataset_texts = [row["text"] for row in pq.read_table(kept / "dataset").to_pylist()]
    assert all("jane.doe" not in text for text in dataset_texts)
    assert sorted(dataset_texts) == [f"plain words number {i}" for i in range(3)]
