"""Drafts of the EU AI Act training-content summary and the China source compliance table."""

from __future__ import annotations

import json
import re

import pytest

from pipelines.reports.audit_report import NOT_RUN
from pipelines.reports.regulatory import (
    china_compliance_table,
    eu_training_summary,
    md_text,
    token_size_bin,
)
from schemas.run_summary import RunSummary
from tests.pipelines.reports.test_audit_report import (
    EMPTY_SUMMARY,
    FULL_SUMMARY,
    FULL_SUMMARY_JSON,
    MANIFEST,
    MINIMAL_SUMMARY,
)

EMAIL_SHAPED = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (0, "Less than 1 billion tokens"),
        (999_999_999, "Less than 1 billion tokens"),
        (1_000_000_000, "1 billion to 10 trillion tokens"),
        (10**13 + 1, "More than 10 trillion tokens"),
        (None, "unknown (size figures not recorded)"),
    ],
)
def test_token_counts_fall_in_the_template_size_bins(tokens, expected):
    assert token_size_bin(tokens) == expected


def test_eu_summary_follows_the_template_sections():
    markdown, _ = eu_training_summary(FULL_SUMMARY, MANIFEST)
    for heading in [
        "## 1. General information",
        "## 2. List of data sources",
        "### 2.1 Publicly available datasets",
        "### 2.2 Private",
        "### 2.3 Data crawled and scraped",
        "### 2.4 User data",
        "### 2.5 Synthetic data",
        "## 3. Data processing aspects",
        "### 3.1 Respect of reservations of rights",
        "### 3.2 Removal of illegal content and personal data",
    ]:
        assert heading in markdown
    assert "Modality: text" in markdown


def test_eu_summary_sorts_sources_by_kind():
    _, data = eu_training_summary(FULL_SUMMARY, MANIFEST)
    assert [s["source_id"] for s in data["sources"]["user_data"]] == ["forum"]
    assert [s["source_id"] for s in data["sources"]["crawled_and_scraped"]] == ["crawl"]
    assert data["sources"]["synthetic_data"] == []
    assert data["general"]["size_bin"] == "Less than 1 billion tokens"


def test_eu_summary_lists_the_top_ten_percent_of_domains_by_size():
    markdown, data = eu_training_summary(FULL_SUMMARY, MANIFEST)
    assert data["top_domains"] == [["site0.example", 1000], ["site1.example", 990]]
    assert "site0.example" in markdown and "site2.example" not in markdown


def test_eu_summary_reports_optouts_and_personal_data_handling():
    _, data = eu_training_summary(FULL_SUMMARY, MANIFEST)
    assert data["processing"]["tdm_optouts_honoured"] == {"optout.tdm_reservation": 1}
    assert data["processing"]["personal_data"]["documents_rejected"] == {"US_SSN": 1}
    assert data["processing"]["source_gates_excluded"] == ["crawl"]


@pytest.mark.parametrize("summary", [MINIMAL_SUMMARY, EMPTY_SUMMARY])
def test_eu_summary_without_stage_sections_says_not_run(summary):
    markdown, data = eu_training_summary(summary, MANIFEST)
    assert NOT_RUN in markdown
    assert data["processing"]["tdm_optouts_honoured"] is None
    assert data["general"]["tokens_estimate"] is None


def test_sources_without_recorded_type_are_listed_separately():
    _, data = eu_training_summary(MINIMAL_SUMMARY, MANIFEST)
    assert [s["source_id"] for s in data["sources"]["unknown"]] == ["forum"]


def test_china_table_has_one_row_per_source_with_gate_against_five_percent():
    markdown, data = china_compliance_table(FULL_SUMMARY, MANIFEST)
    rows = {row["source_id"]: row for row in data["sources"]}
    assert set(rows) == {"forum", "crawl"}
    assert rows["crawl"]["gate"]["exceeded"] is True
    assert "12.0% vs 5% — EXCLUDED" in markdown
    assert "2.0% vs 5% — passed" in markdown


def test_china_table_markdown_rows_describe_their_own_source():
    markdown, _ = china_compliance_table(FULL_SUMMARY, MANIFEST)
    rows = {
        line.split("|")[1].strip(): line
        for line in markdown.splitlines()
        if line.startswith("| ") and "---" not in line and "source |" not in line
    }
    assert set(rows) == {"forum", "crawl"}
    assert "web_crawl" in rows["crawl"] and "EXCLUDED" in rows["crawl"]
    assert "user_input" in rows["forum"] and "passed" in rows["forum"]


def test_china_table_checks_evidence_by_source_type():
    _, data = china_compliance_table(FULL_SUMMARY, MANIFEST)
    rows = {row["source_id"]: row for row in data["sources"]}
    assert rows["forum"]["evidence"] == {
        "required": "user authorisation",
        "present": True,
        "fields": ["consent_mechanism"],
        "missing": [],
    }
    assert rows["crawl"]["evidence"]["required"] == "collection record"


def test_china_table_flags_missing_evidence_reason():
    summary = json.loads(json.dumps(FULL_SUMMARY_JSON))
    summary["sources"]["forum"]["reasons"]["reject"]["source.missing_evidence"] = 7
    _, data = china_compliance_table(RunSummary.from_json(summary), MANIFEST)
    forum = next(row for row in data["sources"] if row["source_id"] == "forum")
    assert forum["evidence"]["present"] is False


def test_china_table_counts_personal_data_and_license_outcomes():
    _, data = china_compliance_table(FULL_SUMMARY, MANIFEST)
    rows = {row["source_id"]: row for row in data["sources"]}
    assert rows["forum"]["personal_data"] == {"redaction_reasons": 3, "rejection_reasons": 1}
    assert rows["crawl"]["license"]["rejected_for_license"] == 1
    assert rows["crawl"]["license"]["categories"] == {"permissive": 4, "non_commercial": 1}


@pytest.mark.parametrize("summary", [MINIMAL_SUMMARY, EMPTY_SUMMARY])
def test_china_table_without_stage_sections_says_not_run(summary):
    markdown, data = china_compliance_table(summary, MANIFEST)
    assert data["gates_recorded"] is False
    if data["sources"]:
        assert NOT_RUN in markdown


def test_outputs_contain_no_email_shaped_strings():
    for function in (eu_training_summary, china_compliance_table):
        markdown, data = function(FULL_SUMMARY, MANIFEST)
        assert not EMAIL_SHAPED.search(markdown)
        assert not EMAIL_SHAPED.search(json.dumps(data))


def test_eu_summary_counts_rejections_for_reservations_from_the_decisions():
    _, data = eu_training_summary(FULL_SUMMARY, MANIFEST)
    assert data["processing"]["reservation_rejections"] == {"optout.tdm_reservation": 1}


def test_china_table_marks_a_source_missing_from_recorded_gates():
    summary = json.loads(json.dumps(FULL_SUMMARY_JSON))
    del summary["gates"]["forum"]
    markdown, _ = china_compliance_table(RunSummary.from_json(summary), MANIFEST)
    assert "no gate figures for this source" in markdown


def test_china_table_trusts_the_evidence_checkers_missing_list():
    summary = json.loads(json.dumps(FULL_SUMMARY_JSON))
    summary["source_facts"]["crawl"]["missing_evidence"] = ["jurisdiction: set evidence.x"]
    markdown, data = china_compliance_table(RunSummary.from_json(summary), MANIFEST)
    crawl = next(row for row in data["sources"] if row["source_id"] == "crawl")
    assert crawl["evidence"]["present"] is False
    assert "collection record: MISSING (jurisdiction missing)" in markdown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("a | b", "a \\| b"),
        ("`code` and *bold* and _it_", "\\`code\\` and \\*bold\\* and \\_it\\_"),
        ("LicenseRef-acme-1.0", "LicenseRef-acme-1.0"),
    ],
)
def test_free_text_in_markdown_is_shown_as_the_text_it_is(value, shown):
    assert md_text(value) == shown
