"""The demo's record sources: forum posts, news articles, crawled web pages and pastes.

One generator per source, each writing the format its reader expects (gzipped JSONL,
Parquet, plain JSONL) with the records that source is there to show: contact data to
redact and cards or SSNs to reject, exact and near duplicates across sources (through
`shared`, which carries texts from one source to the next), license footers, a subject
who withdrew consent, and broken records of every kind the readers must dead-letter.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from demo_text import CARD, PEOPLE, SSN, aws_key, dumps, near_copy, paragraph, write_jsonl_gz


# ---------------------------------------------------------------- forum (user_input)
def build_forum(root: Path, rng: random.Random, shared: dict) -> None:
    lines: list[bytes] = []
    for index in range(150):
        person = PEOPLE[index % len(PEOPLE)]
        text = paragraph(rng, rng.randint(8, 14))
        if index % 6 == 0:
            text += f" Write to me at {person['email']} if you want to join."
        if index % 9 == 0:
            text += f" You can also call {person['phone']} in the evenings."
        if index == 7:
            text += f" My card {CARD} was charged twice, can someone help?"
        if index == 11:
            text += f" For the payroll form my SSN is {SSN}."
        if index == 20:
            text += f" Jonas Weber ({PEOPLE[1]['email']}) organised the whole thing."
        record = {
            "post_id": f"post-{index:04d}",
            "author_id": person["user"],
            "author_email": person["email"],
            "created_at": f"2026-0{1 + index % 9}-{1 + index % 27:02d}T10:00:00Z",
            "thread": f"thread-{index // 10:03d}",
            "body": text,
        }
        lines.append(dumps(record))
        if person is PEOPLE[1] and "jonas_post" not in shared:
            shared["jonas_post"] = text
        if index == 40:
            shared["popular_post"] = text
    # Exact duplicate: a user posted the same text twice.
    repeat = json.loads(lines[40])
    repeat["post_id"] = "post-0150"
    lines.append(dumps(repeat))
    # Broken records, one of each kind.
    lines.append(b'{"post_id": "post-bad-1", "body": "unterminated')
    lines.append(b'["an", "array", "not", "an", "object"]')
    lines.append(dumps({"post_id": "post-bad-3", "author_id": "u-1003", "body": 12345}))
    lines.append(dumps({"post_id": "post-bad-4", "author_id": "u-1003", "title": "no body"}))
    lines.append(b'{"post_id": "post-bad-5", "body": "caf\xe9 au lait, latin-1 bytes"}')
    lines.append(dumps({"post_id": "post-bad-6", "author_id": "u-1004", "body": "   "}))
    huge = " ".join(paragraph(rng, 3) for _ in range(1500))  # ~270 KB, over the demo limit
    lines.append(dumps({"post_id": "post-bad-7", "author_id": "u-1005", "body": huge}))
    write_jsonl_gz(root / "forum" / "posts-2026.jsonl.gz", lines)

    # A second export that was cut off mid-transfer: a truncated gzip stream.
    more = [
        dumps(
            {
                "post_id": f"post-late-{i}",
                "author_id": "u-1004",
                "author_email": PEOPLE[3]["email"],
                "created_at": "2026-10-01T08:00:00Z",
                "thread": "thread-late",
                "body": paragraph(rng, 10),
            }
        )
        for i in range(30)
    ]
    write_jsonl_gz(root / "forum" / "posts-late.jsonl.gz", more)
    data = (root / "forum" / "posts-late.jsonl.gz").read_bytes()
    (root / "forum" / "posts-late.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])


# ---------------------------------------------------------------- news (commercial, parquet)
def build_news(root: Path, rng: random.Random, shared: dict) -> None:
    rows = []
    for index in range(80):
        text = paragraph(rng, rng.randint(10, 16))
        if index % 10 == 0:
            text += " (c) 2025 Daily Ledger Media Ltd. All rights reserved."
        rows.append(
            {
                "article_id": f"dl-{index:04d}",
                "headline": f"Local news {index}",
                "published": f"2025-{1 + index % 12:02d}-15",
                "content": text,
            }
        )
    # Syndicated copies: a near duplicate of an article and of a forum post.
    rows.append(
        {
            "article_id": "dl-0080",
            "headline": "Local news 5 (wire copy)",
            "published": "2025-06-16",
            "content": near_copy(rng, rows[5]["content"], 2),
        }
    )
    rows.append(
        {
            "article_id": "dl-0081",
            "headline": "Reader letter",
            "published": "2026-03-02",
            "content": near_copy(rng, shared["jonas_post"], 2),
        }
    )
    rows.append(
        {
            "article_id": "dl-0082",
            "headline": "Missing body",
            "published": "2026-03-03",
            "content": None,
        }
    )
    table = pa.Table.from_pylist(rows)
    (root / "news").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, root / "news" / "articles.parquet", row_group_size=40, compression="zstd")
    (root / "news" / "articles-damaged.parquet").write_bytes(b"PAR1" + bytes(range(200)) * 3)


# ---------------------------------------------------------------- web (web_crawl)
CC_FOOTERS = [
    (
        "This page is licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).",
        "cc-by",
    ),
    (
        "Text available under the Creative Commons Attribution-ShareAlike 4.0 International "
        "license.",
        "cc-by-sa",
    ),
    ("Licensed under CC BY-NC 4.0: https://creativecommons.org/licenses/by-nc/4.0/", "cc-by-nc"),
    ("This work is dedicated to the public domain under CC0 1.0.", "cc0"),
    ("Copyright 2024 Harbour Gazette. All rights reserved. No AI training.", "reserved"),
    ("", "none"),
]


WEB_SITES = ["harbour-gazette.test", "cityblog.test", "wiki.test"]


def build_web(root: Path, rng: random.Random, shared: dict) -> None:
    lines = []
    for index in range(80):
        footer, kind = CC_FOOTERS[index % len(CC_FOOTERS)]
        text = paragraph(rng, rng.randint(8, 14))
        if index == 33:
            text = near_copy(rng, shared["popular_post"], 3)  # a scraped copy of a forum post
        if index == 34:
            text = shared["popular_post"]  # an exact copy
        if index % 15 == 4:
            text += f" Contact the editor at {PEOPLE[4]['email']}."
        lines.append(
            dumps(
                {
                    "url": f"https://{WEB_SITES[index % 3]}/articles/{index}",
                    "fetched_at": "2026-09-30T12:00:00Z",
                    "footer_kind": kind,
                    "text": (text + " " + footer).strip(),
                }
            )
        )
    path = root / "web" / "crawl-2026-09.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")


# ---------------------------------------------------------------- pastes (self_collected)
def build_pastes(root: Path, rng: random.Random) -> None:
    lines = []
    for index in range(40):
        text = paragraph(rng, rng.randint(5, 9))
        if index % 6 == 0:
            text += f" staging creds: aws_access_key_id={aws_key(rng)}"
        if index % 13 == 5:
            text += f" card on file {CARD}"
        lines.append(dumps({"paste_id": f"p{index:03d}", "text": text}))
    path = root / "pastes" / "pastes.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")
