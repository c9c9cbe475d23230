"""`RunSummary`: summary.json read and written through one typed value, refusing other shapes."""

from __future__ import annotations

import copy
import json

import pytest

from schemas.run_summary import GateFigures, RunSummary, SummaryFormatError
from tests.pipelines.reports.test_audit_report import (
    EMPTY_SUMMARY_JSON,
    FULL_SUMMARY_JSON,
    MINIMAL_SUMMARY_JSON,
)

SECTIONS = (
    "source_facts",
    "pii",
    "licenses",
    "consent",
    "optout",
    "dedup",
    "gates",
    "sizes",
    "validation",
    "reuse",
)


def test_a_full_summary_round_trips_key_for_key_in_file_order():
    summary = RunSummary.from_json(json.loads(json.dumps(FULL_SUMMARY_JSON)))
    written = summary.to_json()
    assert written == FULL_SUMMARY_JSON
    assert list(written) == [
        "totals",
        "reconciliation",
        "sources",
        "metrics",
        "run_id",
        *SECTIONS,
    ]
    assert RunSummary.from_json(json.loads(json.dumps(written))) == summary


def test_figures_are_attributes_with_their_json_types():
    summary = RunSummary.from_json(FULL_SUMMARY_JSON)
    assert summary.gates is not None and summary.sizes is not None
    assert summary.gates["crawl"] == GateFigures(
        records=5, disqualifying=3, rate=0.12, threshold=0.05, exceeded=True, sample_size=5
    )
    assert summary.sizes.top_domains[0] == ("site0.example", 1000)
    assert summary.counts_of("forum").accepted == 6
    assert summary.counts_of("never-read").decisions == {}


def test_stages_not_run_are_none_and_written_as_null():
    summary = RunSummary.from_json(MINIMAL_SUMMARY_JSON)
    assert all(getattr(summary, name) is None for name in SECTIONS)
    written = summary.to_json()
    assert {name: written[name] for name in SECTIONS} == dict.fromkeys(SECTIONS)
    assert RunSummary.from_json(written) == summary


def test_a_run_that_read_nothing_is_a_valid_summary():
    assert RunSummary.from_json(EMPTY_SUMMARY_JSON).source_ids() == []


def test_the_demo_summary_round_trips_byte_for_byte(demo_run):
    path = demo_run / RunSummary.FILE
    text = path.read_text(encoding="utf-8")
    # As `write_json` writes it: two-space indent, ASCII escapes, one final newline.
    assert json.dumps(RunSummary.read(path).to_json(), indent=2) + "\n" == text


def _corrupt(edit) -> dict:
    data = copy.deepcopy(FULL_SUMMARY_JSON)
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda d: d.pop("totals"), "lacks required key(s) totals"),
        (lambda d: d["reconciliation"]["forum"].pop("ok"), "`reconciliation['forum']` lacks"),
        (
            lambda d: d["sources"]["forum"]["decisions"].update(accept="3"),
            "`sources['forum'].decisions['accept']` should be an integer, found a string",
        ),
        (
            lambda d: d["gates"]["crawl"].update(exceeded=1),
            "`gates['crawl'].exceeded` should be true/false, found an integer",
        ),
        (
            lambda d: d["totals"].update(records_read=True),
            "`totals.records_read` should be an integer, found true/false",
        ),
        (lambda d: d.update(recon={}), "unexpected key(s) recon"),
        (lambda d: d.update(pii=[]), "`pii` should be an object, found a list"),
        (
            lambda d: d["sizes"].update(top_domains=[["a.example"]]),
            "`sizes.top_domains[0]` should have 2 items, found 1",
        ),
    ],
)
def test_a_corrupt_summary_names_the_key_at_fault(edit, names):
    with pytest.raises(SummaryFormatError) as raised:
        RunSummary.from_json(_corrupt(edit), "run/reports/summary.json")
    message = str(raised.value)
    assert message.startswith("run/reports/summary.json is not a run summary")
    assert names in message


def test_errors_name_keys_but_never_quote_values():
    def plant(data: dict) -> None:
        data["source_facts"]["forum"]["priority"] = "call jane.doe@example.org"

    with pytest.raises(SummaryFormatError) as raised:
        RunSummary.from_json(_corrupt(plant))
    assert "`source_facts['forum'].priority`" in str(raised.value)
    assert "jane.doe" not in str(raised.value)


def test_a_file_that_is_not_json_is_a_summary_format_error(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SummaryFormatError, match="cannot be read as JSON"):
        RunSummary.read(path)
