"""The diff report: totals from the decision matrix, escaped HTML, problems refused."""

from __future__ import annotations

import json

import pytest

from pipelines.diff.report import DiffFactsError, assemble, render_html, to_json
from schemas.diff import VersionFacts


def version(run_id: str, key: str | None = "k1") -> VersionFacts:
    return VersionFacts(f"/runs/{run_id}", run_id, "run", "t", "p 1", "ps", "cs", key, None)


def line(kind, source, before="", after="", gained=(), lost=(), records=1, examples=("d1",)):
    change = [kind, source, before, after, list(gained), list(lost)]
    return json.dumps({"change": change, "records": records, "examples": list(examples)})


LINES = [
    line("record", "web", "accept", "accept", records=90),
    line("unchanged", "web", records=88),
    line("record", "web", "", "accept", records=5),
    line("record", "web", "accept", "reject", records=2),
    line("record", "forum", "reject", "", records=3),
    line("decision", "web", "accept", "reject", ["consent.withdrawn"], ["accept.clean"], 2),
    line("decision", "web", "accept", "accept", ["license.conflict"], [], 2),
    json.dumps({"subjects_withdrawn": 1}),
    json.dumps(
        {
            "subject": ["t1", "t2"],
            "withdrawn_before": False,
            "withdrawn_records": 2,
            "removed_from_dataset": 2,
            "copies_removed": 0,
        }
    ),
]


def test_totals_add_up_from_the_matrix():
    totals = to_json(assemble(version("a"), version("b"), LINES, []))["totals"]
    assert totals["old_records"] == 90 + 2 + 3
    assert totals["new_records"] == 90 + 5 + 2
    assert (totals["added"], totals["removed"], totals["unchanged"]) == (5, 3, 88)
    assert totals["decisions_changed"] == 4
    assert (totals["entered_dataset"], totals["left_dataset"]) == (5, 2)


def test_a_source_only_one_version_has_is_added_or_removed():
    sources = to_json(assemble(version("a"), version("b"), LINES, []))["sources"]
    assert {s["source_id"]: s["status"] for s in sources} == {"forum": "removed", "web": "kept"}


def test_problems_from_the_job_refuse_the_report():
    with pytest.raises(DiffFactsError, match="does not match"):
        assemble(
            version("a"), version("b"), [json.dumps({"problem": "ledger/x does not match"})], []
        )


def test_the_page_escapes_every_field():
    hostile = "<script>alert(1)</script>"
    lines = [
        line("record", hostile, "accept", "reject"),
        line("decision", hostile, "accept", "reject"),
    ]
    page = render_html(assemble(version(hostile), version("b"), lines, []))
    assert hostile not in page and "&lt;script&gt;" in page


def test_an_unknown_key_id_is_flagged_on_the_page():
    report = assemble(version("a", key=None), version("b"), LINES, [])
    assert to_json(report)["same_hmac_key"] is None
    assert "records no HMAC key id" in render_html(report)
