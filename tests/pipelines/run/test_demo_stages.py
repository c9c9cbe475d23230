"""What each stage must show on the demo corpus, asserted on the Parquet the run wrote."""

from __future__ import annotations

import json
import re

import pyarrow.parquet as pq
import pytest

HEX64 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def ledger(demo_run) -> dict[tuple[str, str], dict]:
    rows = pq.read_table(demo_run / "ledger").to_pylist()
    return {(row["source_id"], row["locator"]): row for row in rows}


@pytest.fixture(scope="module")
def dataset(demo_run) -> dict[str, dict]:
    return {row["doc_id"]: row for row in pq.read_table(demo_run / "dataset").to_pylist()}


def forum(ledger, line: int) -> dict:
    return ledger[("forum-posts", f"posts-2026.jsonl.gz:L{line}")]


def warc_rows(ledger) -> list[dict]:
    return [row for (source, _), row in ledger.items() if source == "newsroom-warc"]


# ------------------------------------------------------------------ personal information


def test_findings_carry_type_span_and_an_hmac_token(ledger):
    findings = [f for row in ledger.values() for f in row["pii_findings"]]
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "AWS_ACCESS_KEY"} <= {
        f["entity_type"] for f in findings
    }
    for finding in findings:
        assert 0 <= finding["start"] < finding["end"]
        assert HEX64.match(finding["value_token"])


def test_contact_data_is_redacted_in_the_dataset_text(ledger, dataset):
    row = forum(ledger, 1)  # Maria's post with her email and phone, consent granted
    assert row["decision"] == "accept_redacted"
    assert row["reasons"] == ["pii.redacted.EMAIL_ADDRESS", "pii.redacted.PHONE_NUMBER"]
    text = dataset[row["doc_id"]]["text"]
    assert "<EMAIL_ADDRESS>" in text and "<PHONE_NUMBER>" in text
    assert "@" not in text


def test_cards_ssns_and_secrets_reject_with_their_codes(ledger):
    assert "pii.sensitive.CREDIT_CARD" in forum(ledger, 8)["reasons"]
    assert "pii.sensitive.US_SSN" in forum(ledger, 12)["reasons"]
    code = ledger[("oss-code", "pkg1/module_13.js")]
    assert code["decision"] == "reject" and code["reasons"] == ["pii.secret.AWS_ACCESS_KEY"]
    token = ledger[("oss-code", "pkg2/module_26.py")]
    assert token["reasons"] == ["pii.secret.GITHUB_TOKEN"]


# ------------------------------------------------------------------ licenses


def test_every_ledger_record_has_a_rights_verdict(ledger):
    for row in ledger.values():
        assert row["license_category"] in {
            "permissive",
            "weak-copyleft",
            "copyleft",
            "non-commercial",
            "no-derivatives",
            "proprietary",
            "public-domain",
            "unknown",
        }
        assert row["rights"] is not None


def test_non_commercial_and_reserved_web_pages_are_rejected(ledger):
    web = {loc: row for (source, loc), row in ledger.items() if source == "web-crawl"}
    assert web["crawl-2026-09.jsonl:L3"]["reasons"] == ["license.non_commercial"]
    assert web["crawl-2026-09.jsonl:L3"]["license_spdx"] == "CC-BY-NC-4.0"
    reserved = web["crawl-2026-09.jsonl:L5"]
    assert reserved["decision"] == "reject"
    assert {"license.all_rights_reserved", "license.reserved_tdm"} <= set(reserved["reasons"])


def test_permissive_code_keeps_its_spdx_expression(ledger):
    row = ledger[("oss-code", "pkg1/module_01.js")]
    assert row["decision"] == "accept"
    assert row["license_category"] == "permissive"
    assert {e["kind"] for e in row["license_evidence"]} >= {"spdx_tag"}
    assert row["copyrights"] and row["copyrights"][0]["holders"]


def test_declared_versus_detected_conflict_is_flagged(ledger):
    row = ledger[("oss-code", "pkg1/vendored_gpl.py")]
    assert row["license_conflict"] is True
    assert "license.conflict" in row["reasons"]
    assert "GPL-3.0-or-later" in row["license_spdx"]


# ------------------------------------------------------------------ duplicates


def test_exact_duplicate_points_to_the_kept_copy(ledger):
    removed = forum(ledger, 41)
    kept = forum(ledger, 151)
    assert removed["reasons"] == ["dedup.exact_duplicate"]
    assert removed["duplicate_of"] == kept["doc_id"]
    assert removed["cluster_id"] == kept["cluster_id"] is not None
    assert kept["decision"] == "accept" and kept["duplicate_of"] is None


def test_near_duplicate_keeps_the_copy_with_the_best_rights(ledger):
    original = ledger[("news-licensed", "articles.parquet#row=5")]
    wire_copy = ledger[("news-licensed", "articles.parquet#row=80")]
    assert original["cluster_id"] == wire_copy["cluster_id"] is not None
    kept, removed = (wire_copy, original) if original["duplicate_of"] else (original, wire_copy)
    assert removed["reasons"] == ["dedup.near_duplicate"]
    assert removed["duplicate_of"] == kept["doc_id"]


def test_scraped_copy_loses_to_the_consented_original(ledger):
    scraped = ledger[("web-crawl", "crawl-2026-09.jsonl:L35")]
    assert "dedup.near_duplicate" in scraped["reasons"]
    assert scraped["duplicate_of"] == forum(ledger, 151)["doc_id"]


def test_withdrawn_consent_removes_whole_duplicate_cluster(ledger):
    jonas = forum(ledger, 2)
    reprint = ledger[("news-licensed", "articles.parquet#row=81")]
    assert jonas["cluster_id"] == reprint["cluster_id"] is not None
    assert "consent.withdrawn" in jonas["reasons"]
    assert reprint["reasons"] == ["consent.withdrawn_copy"]


# ------------------------------------------------------------------ consent and opt-outs


def test_forum_posts_follow_the_consent_registry(ledger):
    assert forum(ledger, 1)["consent_status"] == "granted"
    assert forum(ledger, 4)["consent_status"] == "missing"
    assert forum(ledger, 4)["reasons"] == ["consent.missing"]
    assert forum(ledger, 5)["reasons"] == ["consent.refused"]
    assert "consent.withdrawn" in forum(ledger, 7)["reasons"]


def test_a_withdrawn_subject_mentioned_by_others_is_redacted(ledger, dataset):
    row = forum(ledger, 21)
    assert row["decision"] == "accept_redacted"
    assert "consent.withdrawn_mention" in row["reasons"]
    assert "jonas.weber" not in dataset[row["doc_id"]]["text"]


def test_subject_tokens_are_recorded_for_erasure(ledger):
    row = forum(ledger, 1)
    assert len(row["subject_tokens"]) == 2 and all(HEX64.match(t) for t in row["subject_tokens"])


def test_each_opt_out_signal_rejects_its_page_with_its_code(ledger):
    by_reason: dict[str, int] = {}
    for row in warc_rows(ledger):
        for reason in row["reasons"]:
            by_reason[reason] = by_reason.get(reason, 0) + 1
    assert by_reason["optout.tdm_reservation"] == 3  # header, meta tag, tdmrep.json
    assert by_reason["optout.noai"] == 2  # X-Robots-Tag and robots meta
    assert by_reason["optout.content_usage"] == 1
    assert by_reason["optout.robots"] == 1
    assert by_reason["accept.clean"] == 3


def test_opt_out_signals_are_kept_raw_with_their_parser_version(ledger):
    signals = [s for row in warc_rows(ledger) for s in row["optout_signals"]]
    header = [s for s in signals if s["kind"] == "tdm_reservation" and s["source"] == "header"]
    assert any(s["raw"] and s["reserved"] for s in header)
    assert all(s["parser_version"] for s in signals)
    robots = [s for s in signals if s["kind"] == "robots_disallow"]
    assert robots and "GPTBot" in robots[0]["raw"]


def test_commercial_source_with_a_contract_is_used(ledger):
    rows = [row for (source, _), row in ledger.items() if source == "news-licensed"]
    accepted = [row for row in rows if row["decision"] == "accept"]
    assert len(accepted) >= len(rows) - 3


def test_source_over_the_gate_is_rejected_whole(ledger, demo_run):
    pastes = [row for (source, _), row in ledger.items() if source == "paste-dump"]
    assert all("source.gate_exceeded" in row["reasons"] for row in pastes)
    gates = json.loads((demo_run / "reports" / "summary.json").read_text())["gates"]
    assert gates["paste-dump"]["exceeded"] and gates["paste-dump"]["rate"] > 0.05
    assert not gates["forum-posts"]["exceeded"]


def test_review_sample_covers_every_source(demo_run):
    sample = pq.read_table(demo_run / "reports" / "review_sample").to_pylist()
    assert {row["source_id"] for row in sample} == {
        "forum-posts",
        "oss-code",
        "news-licensed",
        "web-crawl",
        "newsroom-warc",
        "paste-dump",
    }
    assert not any("@northwind-mail.com" in row["text"] for row in sample)
