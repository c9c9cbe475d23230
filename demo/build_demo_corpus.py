"""Build the demo corpus deterministically: `python demo/build_demo_corpus.py`.

The corpus is small (a few hundred records) but has something for every stage:
personal data (contact data to redact, cards/SSNs/secrets to reject), license
and copyright notices (permissive, copyleft, non-commercial, reserved, a
declared-vs-detected conflict), exact and near duplicates across sources, a
subject who withdrew consent, a source with too many disqualifying records, and
broken records of every kind the readers must dead-letter.

All personal data here is invented. The output is committed so the demo runs
without this script; rerunning it reproduces the same bytes.

This script is the order of play: one seeded generator is handed to each source's
builder in turn (`demo_records`, `demo_code`, `demo_crawl`, drawing on `demo_text`), so
changing the order, or a builder's number of draws, changes every later byte.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

from demo_code import build_code
from demo_crawl import build_warc
from demo_records import build_forum, build_news, build_pastes, build_web
from demo_text import PEOPLE

ROOT = Path(__file__).resolve().parent / "corpus"
SEED = 20261121


def build_consent_registry() -> None:
    """The example registry: granted, withdrawn and refused subjects (u-1004 has no entry)."""
    path = Path(__file__).resolve().parent.parent / "configs" / "demo-consent.csv"
    rows = [
        ("email", PEOPLE[0]["email"], "granted", "training", "2025-12-01T00:00:00Z", ""),
        (
            "email",
            PEOPLE[1]["email"],
            "withdrawn",
            "training",
            "2025-12-01T00:00:00Z",
            "2026-10-15T09:30:00Z",
        ),
        ("user_id", PEOPLE[2]["user"], "granted", "training", "2025-11-20T00:00:00Z", ""),
        ("user_id", PEOPLE[4]["user"], "refused", "training", "2026-01-05T00:00:00Z", ""),
        ("user_id", PEOPLE[0]["user"], "granted", "training", "2025-12-01T00:00:00Z", ""),
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["subject_kind", "subject_id", "status", "purposes", "granted_at", "withdrawn_at"]
        )
        writer.writerows(rows)


def main() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    rng = random.Random(SEED)
    shared: dict = {}
    build_forum(ROOT, rng, shared)
    build_code(ROOT, rng)
    build_news(ROOT, rng, shared)
    build_web(ROOT, rng, shared)
    build_pastes(ROOT, rng)
    build_warc(ROOT, rng)
    build_consent_registry()
    files = sorted(p for p in ROOT.rglob("*") if p.is_file())
    print(f"wrote {len(files)} files under {ROOT}")


if __name__ == "__main__":
    main()
