"""The GX suites catch what they promise to, file by file."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.validate import validate_run
from schemas.dataset import DATASET_SCHEMA
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.ledger import LEDGER_SCHEMA

TOKEN = "a" * 64


def ledger_row(doc_id: str, decision: str, reasons: list[str], detail: str = "") -> dict:
    row = {field.name: None for field in LEDGER_SCHEMA}
    row.update(
        doc_id=doc_id,
        source_id="s",
        source_type="open_source",
        locator=f"f:{doc_id}",
        content_sha256=TOKEN,
        byte_length=1,
        char_length=1,
        decision=decision,
        reasons=reasons,
        signals=[{"code": "x", "action": "flag", "stage": "t", "detail": detail}],
        redacted=False,
        pii_findings=[],
        pii_counts=[],
        license_evidence=[],
        copyrights=[],
        consent_status="not_required",
        subject_tokens=[TOKEN],
        optout_signals=[],
    )
    return row


def write_run(root, ledger_rows: list[dict]) -> None:
    for name, schema, rows in (
        ("ledger", LEDGER_SCHEMA, ledger_rows),
        ("dataset", DATASET_SCHEMA, []),
        ("dead_letter", DEAD_LETTER_SCHEMA, []),
    ):
        (root / name).mkdir()
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), root / name / "part-0.parquet")


RECONCILED = {"s": {"records_read": 1, "ledger_rows": 1, "dead_letter_rows": 0}}


def failures(root, reconciliation=RECONCILED) -> list[str]:
    return validate_run(root, reconciliation, lambda code: code != "made.up").failures()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (ledger_row("d1", "reject", []), "every rejected record has at least one reason code"),
        (ledger_row("d1", "accept", ["made.up"]), "every reason code is one the catalogue"),
        (ledger_row("d1", "maybe", ["accept.clean"]), "expect_column_values_to_be_in_set"),
        (
            ledger_row("d1", "accept", ["accept.clean"], "mail jane.doe@corp-mail.com"),
            "no email-shaped value",
        ),
        (
            ledger_row("d1", "accept", ["accept.clean"], "card 4111 1111 1111 1111"),
            "no card-number-shaped value",
        ),
    ],
    ids=["reject-without-reason", "unknown-reason", "bad-decision", "email", "card"],
)
def test_ledger_suite_catches(tmp_path, row, expected):
    write_run(tmp_path, [row])
    found = failures(tmp_path)
    assert any(expected in failure and "ledger/part-0.parquet" in failure for failure in found), (
        found
    )


def test_malformed_token_is_caught(tmp_path):
    row = ledger_row("d1", "accept", ["accept.clean"])
    row["subject_tokens"] = ["not-a-token"]
    write_run(tmp_path, [row])
    assert any("HMAC token" in failure for failure in failures(tmp_path))


def test_reconciliation_mismatch_is_caught(tmp_path):
    write_run(tmp_path, [ledger_row("d1", "accept", ["accept.clean"])])
    lost = {"s": {"records_read": 2, "ledger_rows": 1, "dead_letter_rows": 0}}
    assert any("records read" in failure for failure in failures(tmp_path, lost))


def test_clean_outputs_pass(tmp_path):
    write_run(tmp_path, [ledger_row("d1", "accept", ["accept.clean"])])
    assert failures(tmp_path) == []
