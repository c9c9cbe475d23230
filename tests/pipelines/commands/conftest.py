"""The scheduled-run scenario `diff` and `run --previous` are tested on (one set of runs).

The demo is published as A; then new web pages arrive (some near-copies of
published news articles), a subject posts once more and withdraws consent in the
registry. B is the next run, built on A (`--previous A`); FULL is a fresh run of
the same inputs without it, which B must equal.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import shutil
from pathlib import Path
from typing import NamedTuple

import pyarrow.parquet as pq
import pytest

from schemas.reason_codes import ConsentReason
from tests.conftest import REPO, run_cli

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


class Scenario(NamedTuple):
    a: Path
    b: Path
    report: dict  # diff.json of `provenance diff A B`
    copied: set[str]  # the texts of the published articles that were copied
    config: Path
    full: Path


def rows_by_doc_id(run: Path, output: str) -> dict[str, dict]:
    """One output of a run (`dataset`, `ledger`, `index`) as {doc_id: row}."""
    return {row["doc_id"]: row for row in pq.read_table(run / output).to_pylist()}


def copy_demo(work: Path) -> Path:
    """The demo's configs and corpus under `work`, free to change; returns the config."""
    shutil.copytree(REPO / "configs", work / "configs")
    shutil.copytree(REPO / "demo" / "corpus", work / "demo" / "corpus")
    return work / "configs" / "demo.yaml"


def the_next_day(work: Path) -> set[str]:
    """What changes in `copy_demo(work)` between A and B: new documents arrive and Maria
    withdraws. Returns the texts of the published articles that were copied."""
    copied = _grow_corpus(work / "demo" / "corpus")
    _withdraw(work / "configs" / "demo-consent.csv", MARIA)
    return copied


@pytest.fixture(scope="package")
def scheduled(tmp_path_factory) -> Scenario:
    work = tmp_path_factory.mktemp("scheduled-runs")
    config = copy_demo(work)
    assert run_cli("run", config, "--output", work / "A", "--quiet") == 0
    copied = the_next_day(work)
    assert run_cli("run", config, "--output", work / "B", "--previous", work / "A", "--quiet") == 0
    assert run_cli("run", config, "--output", work / "FULL", "--quiet") == 0
    assert run_cli("diff", work / "A", work / "B", "--output", work / "diff") == 0
    report = json.loads((work / "diff" / "diff.json").read_text())
    return Scenario(work / "A", work / "B", report, copied, config, work / "FULL")


@pytest.fixture(scope="package")
def versions(scheduled: Scenario) -> tuple:
    """(A, B, diff report, the copied article texts, config) for the diff tests."""
    return scheduled[:5]
