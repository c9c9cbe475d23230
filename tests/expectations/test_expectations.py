"""The GX suites catch what they promise to, file by file."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.validate import finish_validation
from pipelines.reports.output_facts import OutputFacts
from pipelines.run.output_checks import CheckSettings, ConsentRule, OutputChecker
from schemas.dataset import DATASET_SCHEMA
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.gate import GateSettings
from schemas.ledger import LEDGER_SCHEMA
from schemas.pii import PiiSettings
from schemas.run_summary import SourceReconciliation
from transforms.common.keys import KeySource

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


RECONCILED = {"s": SourceReconciliation(records_read=1, ledger_rows=1, dead_letter_rows=0, ok=True)}


def validate_run(root, reconciliation) -> list[str]:
    """Each file checked as a worker checks it, then validation finished as the launcher does."""
    settings = CheckSettings(
        staging=str(root),
        gate=GateSettings(),
        pii=PiiSettings(),
        key_source=KeySource(env="TEST_EXPECTATIONS_KEY"),
        allowed_categories=("permissive",),
        consent=ConsentRule(frozenset()),
    )
    checker = OutputChecker(settings)
    facts, records = OutputFacts(), []
    for output in ("ledger", "dataset", "dead_letter"):
        for path in sorted((root / output).glob("*.parquet")):
            file_facts, record = checker.check(output, str(path))
            facts.merge(file_facts)
            records.append(record)
    report = finish_validation(
        root / "reports" / "gx", records, facts.checks, reconciliation, facts.repeated_ids
    )
    return report.failures()


@pytest.fixture(autouse=True)
def hmac_key(monkeypatch):
    monkeypatch.setenv("TEST_EXPECTATIONS_KEY", "k" * 32)


def failures(root, reconciliation=RECONCILED) -> list[str]:
    return validate_run(root, reconciliation)


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
    lost = {"s": SourceReconciliation(records_read=2, ledger_rows=1, dead_letter_rows=0, ok=False)}
    assert any("records read" in failure for failure in failures(tmp_path, lost))


def test_clean_outputs_pass(tmp_path):
    write_run(tmp_path, [ledger_row("d1", "accept", ["accept.clean"])])
    assert failures(tmp_path) == []


def dataset_row(doc_id: str, text: str, text_sha256: str | None = None) -> dict:
    import hashlib

    row = {field.name: None for field in DATASET_SCHEMA}
    row.update(
        doc_id=doc_id,
        source_id="s",
        source_type="open_source",
        locator=f"f:{doc_id}",
        text=text,
        text_sha256=text_sha256 or hashlib.sha256(text.encode()).hexdigest(),
        content_sha256=TOKEN,
        decision="accept",
        redacted=False,
        consent_status="not_required",
        metadata=[],
    )
    return row


def write_dataset_run(root, rows: list[dict]) -> dict[str, SourceReconciliation]:
    write_run(root, [ledger_row(row["doc_id"], "accept", ["accept.clean"]) for row in rows])
    pq.write_table(
        pa.Table.from_pylist(rows, schema=DATASET_SCHEMA), root / "dataset" / "part-0.parquet"
    )
    counts = SourceReconciliation(
        records_read=len(rows), ledger_rows=len(rows), dead_letter_rows=0, ok=True
    )
    return {"s": counts}


def test_residual_personal_data_in_published_text_is_caught(tmp_path):
    rows = [dataset_row("d1", "nothing to see"), dataset_row("d2", "mail jane.doe@corp-mail.com")]
    reconciled = write_dataset_run(tmp_path, rows)
    found = validate_run(tmp_path, reconciled)
    assert any("re-scanning the text finds no personal data" in failure for failure in found)


def test_text_that_does_not_match_its_hash_is_caught(tmp_path):
    reconciled = write_dataset_run(tmp_path, [dataset_row("d1", "some text", "0" * 64)])
    found = validate_run(tmp_path, reconciled)
    assert any("matches its text_sha256" in failure for failure in found), found


def test_clean_dataset_passes(tmp_path):
    reconciled = write_dataset_run(tmp_path, [dataset_row("d1", "some text")])
    assert validate_run(tmp_path, reconciled) == []


def test_data_docs_are_built_from_results_validated_elsewhere(tmp_path):
    write_run(tmp_path, [ledger_row("d1", "accept", ["accept.clean"])])
    validate_run(tmp_path, RECONCILED)
    docs = tmp_path / "reports" / "gx"
    assert (docs / "index.html").is_file()
    assert {path.name for path in (docs / "expectations").glob("*.html")} >= {
        "ledger.html",
        "dataset.html",
        "dead_letter.html",
        "reconciliation.html",
    }
    [page] = (docs / "validations" / "ledger").glob("ledger__part-0.parquet/*/*.html")
    assert page.stat().st_size > 0


def _walked_strings(value, name: str):
    """Reference: every string nested in a row value, with the field it belongs to."""
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walked_strings(item, key)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                yield from _walked_strings(item[1], item[0])  # a map entry: (key, value)
            else:
                yield from _walked_strings(item, name)


def test_ledger_frame_scans_every_nested_string_and_counts_bad_tokens():
    from expectations.frames import HASH_LIKE_FIELDS, HEX64, TOKEN_FIELDS, ledger_frame

    clean = ledger_row("d1", "accept", ["accept.clean"], "detail one")
    busy = ledger_row("d2", "reject", ["pii.reject", "made.up"], "call 555 0100")
    busy.update(
        pii_findings=[
            {
                "entity_type": "EMAIL_ADDRESS",
                "start": 1,
                "end": 9,
                "score": 1.0,
                "recognizer": "EmailRecognizer",
                "value_token": "not-hex",
            },
            {
                "entity_type": "PHONE_NUMBER",
                "start": 20,
                "end": 30,
                "score": 0.4,
                "recognizer": "PhoneRecognizer",
                "value_token": TOKEN,
            },
        ],
        pii_counts=[("EMAIL_ADDRESS", 1), ("PHONE_NUMBER", 1)],
        copyrights=[{"holders": ["Jane Roe", "ACME"], "year_start": 2001, "start": 0, "end": 5}],
        subject_tokens=[TOKEN, "XYZ", None],
        cluster_id="c" * 64,
        rights=None,
    )
    table = pa.Table.from_pylist([clean, busy], schema=LEDGER_SCHEMA)
    frame = ledger_frame(table, lambda code: code != "made.up")

    for position, row in enumerate(table.to_pylist()):
        walked = list(_walked_strings({k: v for k, v in row.items() if k != "doc_id"}, ""))
        expected_lines = sorted(
            text for field, text in walked if not HASH_LIKE_FIELDS.search(field)
        )
        lines = [line for line in frame["_scanned_strings"][position].split("\n") if line]
        assert sorted(lines) == [line for line in expected_lines if line]
        bad = sum(
            1 for field, text in walked if TOKEN_FIELDS.search(field) and not HEX64.match(text)
        )
        assert frame["_malformed_token_count"][position] == bad
    assert frame["_malformed_token_count"].tolist() == [0, 2]
    assert (
        "Jane Roe" in frame["_scanned_strings"][1] and "c" * 64 not in frame["_scanned_strings"][1]
    )
    assert frame["_reason_count"].tolist() == [1, 2]
    assert frame["_unknown_reason_count"].tolist() == [0, 1]


def test_column_facts_honour_slices_and_null_rows_of_lists_and_maps():
    from expectations.frames import _column_facts

    maps = pa.array(
        [[("note", "a")], None, [("value_token", "bad"), ("note", "b")], [("doc_id", "x")]],
        pa.map_(pa.string(), pa.string()),
    ).slice(1, 3)
    strings, bad = _column_facts(maps, "extra")
    assert strings.to_pylist() == ["", "\nb", ""]  # the token counts as malformed, not scanned
    assert bad.tolist() == [0, 1, 0]

    lists = pa.array([["a"], None, ["b", "c"], []], pa.list_(pa.string())).slice(1, 3)
    strings, bad = _column_facts(lists, "holders")
    assert strings.to_pylist() == ["", "b\nc", ""]
    assert bad.tolist() == [0, 0, 0]


def test_failed_checks_name_no_value_in_results_or_data_docs(tmp_path):
    email, card = "jane.doe@corp-mail.com", "4111 1111 1111 1111"
    write_run(
        tmp_path,
        [
            ledger_row("d1", "accept", ["accept.clean"], f"mail {email}"),
            ledger_row("d2", "accept", ["accept.clean"], f"card {card}"),
        ],
    )
    found = failures(tmp_path)
    assert any("no email-shaped value" in failure for failure in found), found
    assert any("no card-number-shaped value" in failure for failure in found), found
    rendered = [path for path in (tmp_path / "reports" / "gx").rglob("*") if path.is_file()]
    assert any(path.suffix == ".html" and "ledger" in str(path) for path in rendered)
    for path in rendered:
        text = path.read_text(errors="replace")
        assert email not in text and "jane.doe" not in text, path
        # Not "4111" alone: a timestamp's microseconds in the page can hold those digits.
        assert card not in text and card.replace(" ", "") not in text, path


def test_withheld_results_keep_counts_and_drop_values():
    from expectations.validate import WITHHELD, withhold_values

    result = {
        "results": [
            {
                "success": False,
                "result": {
                    "element_count": 3,
                    "unexpected_count": 1,
                    "partial_unexpected_list": ["jane@x.org"],
                    "partial_unexpected_counts": [{"value": "jane@x.org", "count": 1}],
                    "partial_unexpected_index_list": [2],
                    "unexpected_rows": [{"detail": "jane@x.org"}],
                    "observed_value": "jane@x.org",
                },
            },
            {"result": {"observed_value": 7}},
        ]
    }
    assert withhold_values(result) == {
        "results": [
            {
                "success": False,
                "result": {"element_count": 3, "unexpected_count": 1, "observed_value": WITHHELD},
            },
            {"result": {"observed_value": 7}},
        ]
    }
