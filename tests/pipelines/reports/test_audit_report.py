"""The privacy officer's HTML report and its JSON figures, from summary + manifest only.

`FULL_SUMMARY` / `MINIMAL_SUMMARY` / `EMPTY_SUMMARY` (typed, read from the `*_JSON` dicts as
summary.json would be) and `MANIFEST` are the shared fixtures of the audit-output tests
(test_regulatory, test_croissant, test_lineage, test_run_summary import them).
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from pipelines.reports.audit_report import NOT_RUN, audit_figures, render_audit_html
from pipelines.reports.html_blocks import bar_chart
from schemas.run_summary import RunSummary

MANIFEST = {
    "run_id": "20261121T120000-abcd1234",
    "started_at": "2026-11-21T12:00:00+00:00",
    "finished_at": "2026-11-21T12:00:05+00:00",
    "config": {"path": "/srv/configs/demo.yaml", "sha256": "c" * 64},
    "policy": {
        "path": "/srv/policy.yaml",
        "name": "commercial-training",
        "version": "2026.11.1",
        "sha256": "p" * 64,
    },
    "runner": "FnApiRunner (multi_processing, 2 workers)",
    "packages": {"provenance-pipeline": "0.1.0"},
    "content_digests": {"dataset": {"rows": 9, "sha256_sum": "d" * 64}},
    "outputs": [
        {
            "path": "dataset/part-00000-of-00002.parquet",
            "bytes": 100,
            "sha256": "a" * 64,
            "rows": 5,
        },
        {"path": "dataset/part-00001-of-00002.parquet", "bytes": 90, "sha256": "b" * 64, "rows": 4},
        {"path": "ledger/part-00000-of-00001.parquet", "bytes": 50, "sha256": "e" * 64, "rows": 12},
    ],
}

MINIMAL_SUMMARY_JSON = {
    "run_id": MANIFEST["run_id"],
    "totals": {
        "records_read": 3,
        "ledger_rows": 2,
        "dead_letter_rows": 1,
        "decisions": {"accept": 2},
    },
    "reconciliation": {
        "forum": {"records_read": 3, "ledger_rows": 2, "dead_letter_rows": 1, "ok": True}
    },
    "sources": {
        "forum": {
            "decisions": {"accept": 2},
            "reasons": {"accept": {"accept.clean": 2}},
            "dead_letter": {"read.malformed_json": 1},
        }
    },
    "metrics": {},
}

FULL_SUMMARY_JSON = {
    "run_id": MANIFEST["run_id"],
    "totals": {
        "records_read": 14,
        "ledger_rows": 12,
        "dead_letter_rows": 2,
        "decisions": {"accept": 6, "accept_redacted": 3, "reject": 3},
    },
    "reconciliation": {
        "forum": {"records_read": 8, "ledger_rows": 7, "dead_letter_rows": 1, "ok": True},
        "crawl": {"records_read": 6, "ledger_rows": 5, "dead_letter_rows": 1, "ok": True},
    },
    "sources": {
        "forum": {
            "decisions": {"accept": 3, "accept_redacted": 3, "reject": 1},
            "reasons": {
                "accept": {"accept.clean": 3},
                "accept_redacted": {"pii.redacted.EMAIL_ADDRESS": 3},
                "reject": {"pii.sensitive.US_SSN": 1},
            },
            "dead_letter": {"read.malformed_json": 1},
        },
        "crawl": {
            "decisions": {"accept": 3, "reject": 2},
            "reasons": {
                "accept": {"accept.clean": 3},
                "reject": {
                    "optout.tdm_reservation": 1,
                    "license.non_commercial": 1,
                    "stage.brand_new_code": 1,
                },
            },
            "dead_letter": {"read.invalid_utf8": 1},
        },
    },
    "metrics": {},
    "source_facts": {
        "forum": {
            "type": "user_input",
            "format": "jsonl",
            "declared_license": "LicenseRef-forum-terms",
            "legal_basis": "consent",
            "evidence": {"consent_mechanism": "terms v3; contact dpo@example.org"},
            "priority": 30,
            "missing_evidence": [],
        },
        "crawl": {
            "type": "web_crawl",
            "format": "warc",
            "declared_license": "",
            "legal_basis": "legitimate_interests",
            "evidence": {"collection_period": "2026-09", "method": "focused crawl"},
            "priority": 50,
            "missing_evidence": [],
        },
    },
    "pii": {
        "found": {"EMAIL_ADDRESS": 4, "US_SSN": 1},
        "documents_with": {"EMAIL_ADDRESS": 3, "US_SSN": 1},
        "redacted": {"EMAIL_ADDRESS": 3},
        "rejected": {"US_SSN": 1},
    },
    "licenses": {
        "categories": {"permissive": 4, "non_commercial": 1},
        "spdx": {"MIT": 4, "CC-BY-NC-4.0": 1},
        "conflicts": 0,
        "per_source": {"crawl": {"permissive": 4, "non_commercial": 1}},
    },
    "dedup": {
        "documents": 12,
        "clusters": 2,
        "cluster_size_histogram": {"2": 2},
        "removed_per_source": {"crawl": 2},
        "exact_removed": 1,
        "near_removed": 1,
        "component_rounds": 2,
    },
    "consent": {
        "status": {"granted": 6, "withdrawn": 1, "not_required": 5},
        "per_source": {"forum": {"granted": 6, "withdrawn": 1}},
    },
    "optout": {"signals": {"optout.tdm_reservation": 1}},
    "gates": {
        "forum": {
            "rate": 0.02,
            "threshold": 0.05,
            "disqualifying": 1,
            "records": 7,
            "exceeded": False,
            "sample_size": 7,
        },
        "crawl": {
            "rate": 0.12,
            "threshold": 0.05,
            "disqualifying": 3,
            "records": 5,
            "exceeded": True,
            "sample_size": 5,
        },
    },
    "validation": {
        "success": False,
        "suites": [
            {
                "name": "ledger",
                "file": "ledger/part-00000-of-00001.parquet",
                "success": False,
                "failed": ["reason codes come from the known set"],
            },
            {
                "name": "dataset",
                "file": "dataset/part-00000-of-00002.parquet",
                "success": True,
                "failed": [],
            },
        ],
    },
    "sizes": {
        "dataset_bytes": 4000,
        "dataset_tokens_estimate": 1000,
        "per_source_bytes": {"forum": 1500, "crawl": 2500},
        "top_domains": [[f"site{i}.example", 1000 - i * 10] for i in range(20)],
    },
    "reuse": {
        "previous_run_id": "20261120T120000-aaaaaaaa",
        "reused": 10,
        "rescanned": {"new": 3, "changed": 1},
        "removed": 2,
        "removed_published": 1,
        "newly_accepted": 0,
        "newly_rejected": 1,
        "new_accepted": 2,
        "new_rejected": 1,
    },
}

# A run that read nothing and ran no stage: every report must still render.
EMPTY_SUMMARY_JSON = {
    "totals": {"records_read": 0, "ledger_rows": 0, "dead_letter_rows": 0, "decisions": {}},
    "reconciliation": {},
    "sources": {},
    "metrics": {},
    "run_id": MANIFEST["run_id"],
}

FULL_SUMMARY = RunSummary.from_json(FULL_SUMMARY_JSON)
MINIMAL_SUMMARY = RunSummary.from_json(MINIMAL_SUMMARY_JSON)
EMPTY_SUMMARY = RunSummary.from_json(EMPTY_SUMMARY_JSON)

HEADINGS = [
    "Run and manifest",
    "Records by source and decision",
    "Reason codes",
    "Personal data",
    "Licenses",
    "Duplicates removed",
    "Opt-outs honoured",
    "Consent outcomes",
    "Source gates",
    "Validation results",
    "Dead letters by code",
]
EMAIL_SHAPED = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture(params=["full", "minimal", "empty"])
def any_summary(request) -> RunSummary:
    return {"full": FULL_SUMMARY, "minimal": MINIMAL_SUMMARY, "empty": EMPTY_SUMMARY}[request.param]


def test_every_main_section_has_a_heading(any_summary):
    page = render_audit_html(any_summary, MANIFEST)
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in page


def test_page_references_no_external_assets(any_summary):
    page = render_audit_html(any_summary, MANIFEST)
    assert "<link" not in page
    assert "<script" not in page
    assert not re.search(r"<img[^>]+src=[\"']?https?:", page)
    assert "http://" not in page and "https://" not in page


def test_page_contains_no_email_shaped_string_even_when_evidence_has_one():
    assert "dpo@example.org" in json.dumps(FULL_SUMMARY.to_json())
    page = render_audit_html(FULL_SUMMARY, MANIFEST)
    assert not EMAIL_SHAPED.search(page)


def test_figures_contain_no_email_shaped_string():
    assert not EMAIL_SHAPED.search(json.dumps(audit_figures(FULL_SUMMARY, MANIFEST)))


def test_missing_stages_are_reported_as_not_run():
    page = render_audit_html(MINIMAL_SUMMARY, MANIFEST)
    # source facts, pii, licenses, dedup, optout, consent, gates, validation
    assert page.count(NOT_RUN) == 8
    assert NOT_RUN not in render_audit_html(FULL_SUMMARY, MANIFEST)


def test_reason_codes_are_explained_in_plain_language():
    page = render_audit_html(FULL_SUMMARY, MANIFEST)
    assert "pii.redacted.EMAIL_ADDRESS" in page
    assert "replaced by a placeholder" in page


def test_unknown_reason_codes_are_called_out():
    figures = audit_figures(FULL_SUMMARY, MANIFEST)
    assert figures["unknown_reason_codes"] == ["stage.brand_new_code"]
    assert "Codes missing from the catalogue" in render_audit_html(FULL_SUMMARY, MANIFEST)


def test_gate_chart_marks_exceeded_source_and_threshold():
    page = render_audit_html(FULL_SUMMARY, MANIFEST)
    section = page[page.index('id="gates"') : page.index('id="validation"')]
    assert "<svg" in section and "stroke-dasharray" in section
    assert "EXCLUDED" in section and "12.0%" in section


def test_manifest_hashes_are_shown():
    page = render_audit_html(FULL_SUMMARY, MANIFEST)
    assert "p" * 64 in page and "a" * 64 in page and "d" * 64 in page


def test_figures_are_json_serialisable_and_agree_with_summary(any_summary):
    figures = json.loads(json.dumps(audit_figures(any_summary, MANIFEST)))
    assert figures["run"]["run_id"] == MANIFEST["run_id"]
    dead = {row["code"]: row["records"] for row in figures["dead_letters"]}
    expected: dict[str, int] = {}
    for source in any_summary.sources.values():
        for code, count in source.dead_letter.items():
            expected[code] = expected.get(code, 0) + count
    assert dead == expected


def test_figures_list_sections_not_run():
    assert audit_figures(FULL_SUMMARY, MANIFEST)["sections_not_run"] == []
    assert "pii" in audit_figures(MINIMAL_SUMMARY, MANIFEST)["sections_not_run"]


def test_render_does_not_mutate_its_inputs():
    summary, manifest = copy.deepcopy(FULL_SUMMARY), copy.deepcopy(MANIFEST)
    render_audit_html(summary, manifest)
    audit_figures(summary, manifest)
    assert summary == FULL_SUMMARY and manifest == MANIFEST


def test_html_special_characters_in_names_are_escaped():
    data = copy.deepcopy(MINIMAL_SUMMARY_JSON)
    data["sources"]["<script>x</script>"] = data["sources"].pop("forum")
    page = render_audit_html(RunSummary.from_json(data), MANIFEST)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_bar_chart_is_inline_svg_with_one_bar_per_item():
    svg = bar_chart([("a", 3), ("b", 1)])
    assert svg.startswith("<svg") and svg.count("<rect") == 2


def test_sources_show_type_legal_basis_and_evidence_kinds_not_values():
    page = render_audit_html(FULL_SUMMARY, MANIFEST)
    section = page[page.index('id="sources"') : page.index('id="reasons"')]
    assert "user_input" in section and "legitimate_interests" in section
    assert "consent_mechanism" in section
    assert "terms v3" not in section
