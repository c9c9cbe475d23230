"""Specification of the consent registry: tokenised loading and the consent decision."""

from __future__ import annotations

import json
import pickle
import sqlite3
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.consent import ConsentEntry, ConsentStatus, LedgerConsentStatus
from transforms.common.hashing import hmac_token
from transforms.consent.decision import consent_decision, decision_signals, subject_status
from transforms.consent.registry import (
    ConsentRegistryError,
    build_consent_index,
    load_consent_index,
    normalise_identifier,
    pii_email_token,
    subject_token,
)

KEY = b"k" * 32
PURPOSE = "ai_training"
COLUMNS = [
    "subject_kind",
    "subject_id",
    "status",
    "purposes",
    "granted_at",
    "withdrawn_at",
    "evidence_ref",
]
ROWS = [
    ["email", " Alice@Example.COM ", "granted", "ai_training", "2024-01-01T00:00:00Z", "", "ev-1"],
    ["user_id", "bob-7", "withdrawn", "ai_training;analytics", "2024-01-01", "2024-06-01", "ev-2"],
    ["phone", "+44 20 7946 0958", "refused", "*", "", "2024-02-01", "ev-3"],
]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def alice() -> str:
    return subject_token(KEY, "email", "alice@example.com")


def bob() -> str:
    return subject_token(KEY, "user_id", "bob-7")


def entry(status: str, granted: str | None = None, stopped: str | None = None) -> ConsentEntry:
    return ConsentEntry(
        ConsentStatus(status),
        (PURPOSE,),
        t(granted) if granted else None,
        t(stopped) if stopped else None,
    )


# --------------------------------------------------------------------------- tokens


def test_email_normalisation_is_trimmed_lower_case():
    assert normalise_identifier("email", "  Alice@Example.COM ") == "alice@example.com"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+44 20 7946-0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("(020) 7946 0958", "02079460958"),
    ],
)
def test_phone_normalisation_is_e164_or_digits_only(raw, normalised):
    assert normalise_identifier("phone", raw) == normalised


def test_tokens_are_kind_prefixed_so_an_email_and_a_user_id_never_collide():
    assert subject_token(KEY, "email", "a@b.c") == hmac_token(KEY, "email:a@b.c")
    assert subject_token(KEY, "email", "a@b.c") != subject_token(KEY, "user_id", "a@b.c")


def test_user_ids_keep_their_case():
    assert subject_token(KEY, "user_id", "Bob") != subject_token(KEY, "user_id", "bob")


# --------------------------------------------------------------------------- loading


def write_csv(path, rows=ROWS):
    lines = [",".join(COLUMNS)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_registry_is_indexed_by_token_only(tmp_path):
    index = load_consent_index(str(write_csv(tmp_path / "r.csv")), KEY)
    assert len(index) == 3
    [alice_entry] = index.entries_for(alice())
    assert alice_entry.status is ConsentStatus.GRANTED
    assert alice_entry.evidence_ref == "ev-1"
    assert bob() in index.entries


def test_pickled_index_holds_no_raw_identifier(tmp_path):
    index = load_consent_index(str(write_csv(tmp_path / "r.csv")), KEY)
    blob = pickle.dumps(index)
    for raw in (b"alice", b"Alice", b"bob-7", b"7946", b"4420"):
        assert raw not in blob
    assert pickle.loads(blob).entries_for(alice()) == index.entries_for(alice())
    assert "alice" not in repr(index)


def test_pii_stage_email_token_finds_the_registry_subject(tmp_path):
    index = load_consent_index(str(write_csv(tmp_path / "r.csv")), KEY)
    pii_token = hmac_token(KEY, "ALICE@example.com".lower())  # what the PII stage emits
    assert pii_token == pii_email_token(KEY, "alice@example.com")
    assert index.entries_for(pii_token) == index.entries_for(alice())
    assert index.canonical(pii_token) == alice()


def test_pii_stage_e164_phone_token_finds_an_international_registry_phone(tmp_path):
    index = load_consent_index(str(write_csv(tmp_path / "r.csv")), KEY)
    [refusal] = index.entries_for(hmac_token(KEY, "+442079460958"))
    assert refusal.status is ConsentStatus.REFUSED


def test_jsonl_registry_in_wide_form_links_all_identifiers_to_one_entry(tmp_path):
    path = tmp_path / "r.jsonl"
    row = {
        "email": "c@x.org",
        "user_id": "c-1",
        "status": "granted",
        "purposes": ["ai_training"],
        "granted_at": "2024-01-01T00:00:00+02:00",
    }
    path.write_text(json.dumps(row) + "\n\n", encoding="utf-8")
    index = load_consent_index(str(path), KEY)
    by_email = index.entries_for(subject_token(KEY, "email", "c@x.org"))
    assert by_email == index.entries_for(subject_token(KEY, "user_id", "c-1"))
    assert by_email[0].granted_at == datetime(2023, 12, 31, 22, tzinfo=UTC)


def test_parquet_registry_loads(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(
        pa.Table.from_pylist([dict(zip(COLUMNS, row, strict=True)) for row in ROWS]), path
    )
    assert len(load_consent_index(str(path), KEY)) == 3


def make_sqlite(path):
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE consent ({', '.join(COLUMNS)})")
        connection.executemany(f"INSERT INTO consent VALUES ({', '.join('?' * 7)})", ROWS)
    return path


def test_sqlite_registry_loads_from_a_table(tmp_path):
    path = make_sqlite(tmp_path / "r.db")
    index = load_consent_index(f"sqlite:///{path}", KEY, format="sql", table="consent")
    assert len(index) == 3


def test_sqlite_registry_loads_from_a_query_and_a_bare_path(tmp_path):
    path = make_sqlite(tmp_path / "r.db")
    query = "SELECT * FROM consent WHERE status = 'granted'"
    index = load_consent_index(str(path), KEY, query=query)
    assert list(index.entries) == [alice()]


def test_sql_registry_needs_exactly_one_of_table_or_query(tmp_path):
    with pytest.raises(ConsentRegistryError, match="exactly one"):
        load_consent_index(str(make_sqlite(tmp_path / "r.db")), KEY)


def test_bad_status_names_row_and_field_but_not_the_identifier():
    rows = [
        {
            "subject_kind": "email",
            "subject_id": "secret@x.org",
            "status": "maybe",
            "purposes": "ai_training",
        }
    ]
    with pytest.raises(ConsentRegistryError, match="row 1: field 'status'") as caught:
        build_consent_index(rows, KEY)
    assert "secret" not in str(caught.value)


def test_row_without_identifier_is_rejected_with_a_fix():
    with pytest.raises(ConsentRegistryError, match="no subject identifier"):
        build_consent_index([{"status": "granted", "purposes": "*"}], KEY)


def test_bad_timestamp_is_rejected_with_an_example():
    rows = [{"email": "a@x.org", "status": "granted", "purposes": "*", "granted_at": "yesterday"}]
    with pytest.raises(ConsentRegistryError, match="granted_at.*ISO 8601"):
        build_consent_index(rows, KEY)


def test_identifiers_that_normalise_to_nothing_are_ignored_not_merged():
    rows = [
        {"phone": "n/a", "email": f"{name}@x.org", "status": "granted", "purposes": "*"}
        for name in ("a", "b")
    ]
    index = build_consent_index(rows, KEY)
    assert subject_token(KEY, "phone", "n/a") not in index.entries
    assert len(index) == 2


def test_index_is_the_same_whatever_the_row_order():
    rows = [
        {"email": "a@x.org", "status": s, "purposes": "*", "granted_at": g}
        for s, g in (("granted", "2024-01-01"), ("withdrawn", "2023-01-01"))
    ]
    assert build_consent_index(rows, KEY) == build_consent_index(rows[::-1], KEY)


# --------------------------------------------------------------------------- timestamp rule


def test_grant_before_collection_covers_the_record():
    assert subject_status([entry("granted", "2024-01-01")], PURPOSE, t("2024-03-01")) == "granted"


def test_withdrawal_after_collection_condemns_the_record():
    history = [entry("withdrawn", "2024-01-01", "2024-06-01")]
    assert subject_status(history, PURPOSE, t("2024-03-01")) == "withdrawn"


def test_consent_given_again_after_withdrawal_does_not_resurrect_earlier_records():
    history = [entry("withdrawn", "2024-01-01", "2024-06-01"), entry("granted", "2024-09-01")]
    assert subject_status(history, PURPOSE, t("2024-03-01")) == "withdrawn"


def test_consent_given_again_covers_records_collected_after_the_withdrawal():
    history = [entry("withdrawn", "2024-01-01", "2024-06-01"), entry("granted", "2024-09-01")]
    assert subject_status(history, PURPOSE, t("2024-10-01")) == "granted"


def test_record_collected_while_withdrawn_without_new_grant_is_withdrawn():
    history = [entry("withdrawn", "2024-01-01", "2024-06-01")]
    assert subject_status(history, PURPOSE, t("2024-07-01")) == "withdrawn"


def test_consent_given_after_collection_covers_a_never_withdrawn_record():
    assert subject_status([entry("granted", "2024-09-01")], PURPOSE, t("2024-03-01")) == "granted"


def test_undated_withdrawal_applies_to_every_record():
    history = [entry("granted", "2024-01-01"), entry("withdrawn", "2024-01-01", None)]
    assert subject_status(history, PURPOSE, t("2030-01-01")) == "withdrawn"


def test_unknown_collection_time_lets_any_withdrawal_count():
    history = [entry("withdrawn", "2024-01-01", "2024-06-01"), entry("granted", "2024-09-01")]
    assert subject_status(history, PURPOSE, None) == "withdrawn"


def test_refusal_is_never_read_as_a_grant_even_with_a_granted_at():
    history = [entry("refused", "2024-01-01", "2023-01-01")]
    assert subject_status(history, PURPOSE, t("2024-03-01")) == "refused"


def test_consent_for_another_purpose_is_missing_for_training():
    other = ConsentEntry(ConsentStatus.GRANTED, ("analytics",), t("2024-01-01"))
    assert subject_status([other], PURPOSE, t("2024-03-01")) == "missing"


# --------------------------------------------------------------------------- decision


@pytest.fixture
def index(tmp_path):
    return load_consent_index(str(write_csv(tmp_path / "r.csv")), KEY)


def test_user_input_with_granted_consent_passes(index):
    decision = consent_decision([alice()], [], "user_input", t("2024-03-01"), PURPOSE, index)
    assert decision.status is LedgerConsentStatus.GRANTED
    assert decision.reasons == ()


def test_user_input_without_consent_is_missing(index):
    stranger = subject_token(KEY, "email", "nobody@x.org")
    decision = consent_decision([stranger], [], "user_input", t("2024-03-01"), PURPOSE, index)
    assert decision.status is LedgerConsentStatus.MISSING
    assert decision.reasons == (("consent.missing", "reject"),)


def test_user_input_without_any_subject_token_is_missing(index):
    decision = consent_decision([], [], "user_input", None, PURPOSE, index)
    assert decision.reasons == (("consent.missing", "reject"),)


def test_withdrawn_subjects_record_is_rejected_whatever_the_source_type(index):
    decision = consent_decision([bob()], [], "web_crawl", t("2024-03-01"), PURPOSE, index)
    assert decision.status is LedgerConsentStatus.WITHDRAWN
    assert decision.reasons == (("consent.withdrawn", "reject"),)


def test_refused_subjects_record_is_rejected(index):
    phone = subject_token(KEY, "phone", "+44 20 7946 0958")
    decision = consent_decision([phone], [], "user_input", t("2024-01-01"), PURPOSE, index)
    assert decision.reasons == (("consent.refused", "reject"),)


def test_consent_is_not_required_for_crawled_records_of_unknown_subjects(index):
    decision = consent_decision([], [], "web_crawl", t("2024-03-01"), PURPOSE, index)
    assert (decision.status, decision.reasons) == (LedgerConsentStatus.NOT_REQUIRED, ())


def test_mention_of_a_withdrawn_subject_asks_for_redaction_of_that_token(index):
    bob_mention = bob()
    decision = consent_decision(
        [alice()], [bob_mention, alice()], "user_input", t("2024-03-01"), PURPOSE, index
    )
    assert decision.status is LedgerConsentStatus.GRANTED
    assert decision.reasons == (("consent.withdrawn_mention", "redact"),)
    assert decision.blocked_mention_tokens == (bob_mention,)


def test_mention_found_by_pii_email_token_is_matched(index, tmp_path):
    rows = [
        {
            "email": "dora@x.org",
            "status": "withdrawn",
            "purposes": "*",
            "withdrawn_at": "2025-01-01",
        }
    ]
    index = build_consent_index(rows, KEY)
    pii_token = hmac_token(KEY, "dora@x.org")
    decision = consent_decision([], [pii_token], "web_crawl", t("2024-03-01"), PURPOSE, index)
    assert decision.blocked_mention_tokens == (pii_token,)


def test_records_own_subject_is_not_also_counted_as_a_mention(index):
    decision = consent_decision([bob()], [bob()], "web_crawl", t("2024-03-01"), PURPOSE, index)
    assert decision.reasons == (("consent.withdrawn", "reject"),)


def test_decision_becomes_ledger_signals_without_tokens(index):
    decision = consent_decision([alice()], [bob()], "user_input", t("2024-03-01"), PURPOSE, index)
    [signal] = decision_signals(decision)
    assert (signal.code, signal.stage) == ("consent.withdrawn_mention", "consent")
    assert bob() not in signal.detail
