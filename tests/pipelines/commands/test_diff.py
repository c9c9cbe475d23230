"""`provenance diff A B` lists exactly what changed between two published versions.

The scenario of a scheduled run: the demo is published as A; then new web pages
arrive (some near-copies of published news articles), a subject posts once more
and withdraws consent in the registry, and the next run publishes B. The diff must
name exactly those changes and nothing else, checked against both ledgers directly.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.run.config import load_config
from schemas.diff import ERASURE_REASON
from schemas.reason_codes import ConsentReason, DedupReason
from tests.conftest import REPO, run_cli
from transforms.consent.registry import subject_token

MARIA = "maria.lopez@northwind-mail.com"  # granted consent in A, withdraws before B
MARIA_ID = "u-1001"
NEW_PAGES = 3
NEAR_COPIES = 2
WITHDRAWAL_CODES = {
    ConsentReason.WITHDRAWN,
    ConsentReason.WITHDRAWN_COPY,
    ConsentReason.WITHDRAWN_MENTION,
}
WORDS = [
    "harbour",
    "quilt",
    "lantern",
    "meadow",
    "orchard",
    "ferry",
    "violin",
    "granite",
    "pottery",
    "compass",
    "bakery",
    "glacier",
    "tram",
    "parsley",
    "canoe",
    "beacon",
    "mosaic",
    "thistle",
    "walnut",
    "kiln",
    "sparrow",
    "atlas",
    "cedar",
    "tidepool",
    "marble",
    "furnace",
    "ribbon",
    "almanac",
    "heron",
]


def _page(seed: int) -> str:
    rng = random.Random(seed)
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(40)
    ]
    return " ".join(sentences)


def _near_copy(text: str) -> str:
    words = text.split()
    words[len(words) // 2] = "lighthouse"
    return " ".join(words)


def _withdraw(registry: Path, email: str) -> None:
    with registry.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["subject_id"] == email:
            row.update(status="withdrawn", withdrawn_at="2026-12-01T09:00:00Z")
    with registry.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _grow_corpus(corpus: Path) -> set[str]:
    """New pages, near-copies of two published articles, one more post by Maria.
    Returns the contents of the articles that were copied."""
    articles = pq.read_table(corpus / "news" / "articles.parquet").to_pylist()
    copied = [articles[3]["content"], articles[7]["content"]]
    pages = [_page(seed) for seed in range(NEW_PAGES)] + [_near_copy(c) for c in copied]
    with (corpus / "web" / "crawl-2026-12.jsonl").open("w") as handle:
        for text in pages:
            handle.write(json.dumps({"text": text, "fetched_at": "2026-12-01T00:00:00Z"}) + "\n")
    post = {
        "author_email": MARIA,
        "author_id": MARIA_ID,
        "body": _page(99),
        "created_at": "2026-11-30T10:00:00Z",
        "post_id": "post-9000",
        "thread": "thread-900",
    }
    with gzip.open(corpus / "forum" / "posts-2026-12.jsonl.gz", "wt") as handle:
        handle.write(json.dumps(post) + "\n")
    return set(copied)


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """(A, B, diff directory, the copied article texts) of the scenario above."""
    work = tmp_path_factory.mktemp("diff-scenario")
    shutil.copytree(REPO / "configs", work / "configs")
    shutil.copytree(REPO / "demo" / "corpus", work / "demo" / "corpus")
    config = work / "configs" / "demo.yaml"
    assert run_cli("run", config, "--output", work / "A", "--quiet") == 0
    copied = _grow_corpus(work / "demo" / "corpus")
    _withdraw(work / "configs" / "demo-consent.csv", MARIA)
    assert run_cli("run", config, "--output", work / "B", "--quiet") == 0
    assert run_cli("diff", work / "A", work / "B", "--output", work / "diff") == 0
    report = json.loads((work / "diff" / "diff.json").read_text())
    return work / "A", work / "B", report, copied, config


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
