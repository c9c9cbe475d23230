"""`provenance diff A B` lists exactly what changed between two published versions.

The scenario of a scheduled run (tests/pipelines/commands/conftest.py): the demo is
published as A; then new web pages arrive (some near-copies of published news
articles), a subject posts once more and withdraws consent in the registry, and the
next run publishes B with `--previous A`. The diff must name exactly those changes
and nothing else, checked against both ledgers directly.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.run.config import load_config
from schemas.diff import ERASURE_REASON
from schemas.reason_codes import ConsentReason, DedupReason
from tests.conftest import run_cli
from tests.pipelines.commands.conftest import (
    MARIA,
    MARIA_ID,
    NEAR_COPIES,
    NEW_PAGES,
    WITHDRAWAL_CODES,
)
from transforms.consent.registry import subject_token


def _ledger(run: Path) -> dict[str, dict]:
    return {row["doc_id"]: row for row in pq.read_table(run / "ledger").to_pylist()}


def _cells(items: list[dict]) -> Counter:
    return Counter(
        {
            (
                i["source_id"],
                i["before"],
                i["after"],
                *i["reasons_gained"],
                "/",
                *i["reasons_lost"],
            ): i["records"]
            for i in items
        }
    )


def test_the_diff_counts_every_record_of_both_versions(versions):
    a, b, report, _, _ = versions
    totals = report["totals"]
    assert totals["old_records"] == len(_ledger(a))
    assert totals["new_records"] == len(_ledger(b))
    assert totals["old_records"] + totals["added"] == totals["new_records"] + totals["removed"]


def test_added_records_are_the_new_pages_copies_and_post(versions):
    a, b, report, _, _ = versions
    added = {
        (i["source_id"], i["after"]): i["records"] for i in report["records"] if i["before"] is None
    }
    assert added == {
        ("web-crawl", "accept"): NEW_PAGES,
        ("web-crawl", "reject"): NEAR_COPIES,
        ("forum-posts", "reject"): 1,
    }
    assert report["totals"]["removed"] == 0
    assert [s["status"] for s in report["sources"]] == ["kept"] * len(report["sources"])


def test_decision_changes_match_the_two_ledgers_exactly(versions):
    a, b, report, _, _ = versions
    old, new = _ledger(a), _ledger(b)
    expected = Counter()
    for doc_id in old.keys() & new.keys():
        before, after = old[doc_id], new[doc_id]
        if (before["decision"], sorted(before["reasons"])) != (
            after["decision"],
            sorted(after["reasons"]),
        ):
            gained = sorted(set(after["reasons"]) - set(before["reasons"]))
            lost = sorted(set(before["reasons"]) - set(after["reasons"]))
            key = (after["source_id"], before["decision"], after["decision"], *gained, "/", *lost)
            expected[key] += 1
    assert expected, "the withdrawal changed no decision"
    assert _cells(report["decision_changes"]) == expected


def test_every_changed_decision_is_the_withdrawal(versions):
    # A withdrawn post may also become a duplicate: its cluster now keeps another copy.
    _, _, report, _, _ = versions
    for change in report["decision_changes"]:
        assert set(change["reasons_gained"]) & WITHDRAWAL_CODES, change
    assert report["rights_changes"] == []
    assert report["content_changes"] == []
    assert report["gates_flipped"] == []
    assert report["policy_changed"] is False
    assert report["same_hmac_key"] is True


def test_the_withdrawn_subject_and_what_was_removed_for_them(versions):
    a, b, report, _, config = versions
    key = load_config(config).key_source.load()
    maria = sorted([subject_token(key, "email", MARIA), subject_token(key, "user_id", MARIA_ID)])
    old = _ledger(a)
    hers = [r for r in old.values() if sorted(r["subject_tokens"]) == maria]
    withdrawn = report["subjects_withdrawn"]
    assert withdrawn["count"] == 1
    [listed] = withdrawn["listed"]
    assert listed["subject_tokens"] == maria
    assert listed["records"] == len(hers) + 1  # and her new post
    assert listed["removed_from_dataset"] == sum(r["decision"] != "reject" for r in hers)
    copies = [
        row
        for doc_id, row in _ledger(b).items()
        if ConsentReason.WITHDRAWN_COPY in row["reasons"]
        and old[doc_id]["decision"] != "reject"
        and ConsentReason.WITHDRAWN_COPY not in old[doc_id]["reasons"]
    ]
    assert listed["copies_removed"] == len(copies)


def test_near_copies_point_at_the_published_articles(versions):
    a, b, _, copied, _ = versions
    old, new = _ledger(a), _ledger(b)
    articles = pq.read_table(a / "dataset", columns=["doc_id", "text"]).to_pylist()
    published_ids = {row["doc_id"] for row in articles if row["text"] in copied}
    assert len(published_ids) == NEAR_COPIES
    added = [row for doc_id, row in new.items() if doc_id not in old]
    near = [row for row in added if DedupReason.NEAR_DUPLICATE in row["reasons"]]
    assert {row["duplicate_of"] for row in near} == published_ids


def test_the_html_report_names_no_raw_value(versions):
    a, b, report, _, _ = versions
    page = (a.parent / "diff" / "diff.html").read_text()
    assert "Decisions that changed" in page
    assert MARIA not in page and MARIA not in json.dumps(report)
    assert report["subjects_withdrawn"]["listed"][0]["subject_tokens"][0] in page


def test_an_erasure_diffs_as_exactly_the_erased_records(versions, tmp_path, capsys):
    a, _, _, _, config = versions
    erased = tmp_path / "erased"
    shutil.copytree(a, erased)
    assert run_cli("erase", erased, "--subject-email", MARIA, "--config", config) == 0
    assert run_cli("diff", a, erased, "--output", tmp_path / "diff") == 0
    report = json.loads((tmp_path / "diff" / "diff.json").read_text())
    marked = {d for d, row in _ledger(erased).items() if ERASURE_REASON in row["reasons"]}
    assert report["totals"]["decisions_changed"] == len(marked)
    assert {g for c in report["decision_changes"] for g in c["reasons_gained"]} == {ERASURE_REASON}
    assert report["subjects_withdrawn"]["count"] == 1
    assert "decisions changed" in capsys.readouterr().out
