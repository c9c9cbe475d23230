"""Build the demo corpus deterministically: `python demo/build_demo_corpus.py`.

The corpus is small (a few hundred records) but has something for every stage:
personal data (contact data to redact, cards/SSNs/secrets to reject), license
and copyright notices (permissive, copyleft, non-commercial, reserved, a
declared-vs-detected conflict), exact and near duplicates across sources, a
subject who withdrew consent, a source with too many disqualifying records, and
broken records of every kind the readers must dead-letter.

All personal data here is invented. The output is committed so the demo runs
without this script; rerunning it reproduces the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent / "corpus"
SEED = 20261121

SUBJECTS = [
    "The community garden",
    "Our volunteer team",
    "The night train",
    "A small bakery",
    "The city library",
    "The river ferry",
    "Our reading group",
    "The hill village",
    "A local brewery",
    "The coastal path",
    "The old observatory",
    "Our youth choir",
    "The harbour market",
    "A mountain hut",
    "The repair cafe",
    "The weekly podcast",
    "The tram depot",
    "A ceramics studio",
    "The school robotics club",
    "The bird survey",
]
VERBS = [
    "opened",
    "rebuilt",
    "documented",
    "celebrated",
    "postponed",
    "expanded",
    "mapped",
    "cleaned up",
    "renamed",
    "photographed",
    "measured",
    "repainted",
    "moved",
    "sponsored",
    "digitised",
    "restored",
    "surveyed",
    "recorded",
    "planted",
    "organised",
]
OBJECTS = [
    "a new rooftop terrace",
    "the eastern footbridge",
    "forty apple trees",
    "a winter timetable",
    "its oldest manuscripts",
    "a solar array",
    "the storm drains",
    "a neighbourhood map",
    "three lending shelves",
    "the lighthouse lens",
    "a tool library",
    "the spring concert",
    "an accessible entrance",
    "the seed archive",
    "a bicycle workshop",
    "the flood barriers",
    "a reading room",
    "the heritage orchard",
    "a weather station",
    "the evening classes",
]
TAILS = [
    "after months of planning",
    "with help from local students",
    "despite the heavy rain",
    "ahead of the summer season",
    "on a shoestring budget",
    "for the third year running",
    "with a grant from the council",
    "before the autumn fair",
    "in record time",
    "to the delight of neighbours",
    "while the road was closed",
    "using salvaged timber",
    "after a public vote",
    "with volunteers from the coast",
    "during the long weekend",
    "without any outside funding",
    "as part of a wider plan",
    "following a survey of residents",
    "in partnership with the museum",
    "under clear blue skies",
]

# Invented people. Jonas Weber withdraws consent in the demo registry.
PEOPLE = [
    {
        "name": "Maria Lopez",
        "email": "maria.lopez@northwind-mail.com",
        "phone": "+44 20 7946 0958",
        "user": "u-1001",
    },
    {
        "name": "Jonas Weber",
        "email": "jonas.weber@northwind-mail.com",
        "phone": "+49 30 9018 2764",
        "user": "u-1002",
    },
    {
        "name": "Aiko Tanaka",
        "email": "aiko.tanaka@brightpost.net",
        "phone": "+1 415 738 2916",
        "user": "u-1003",
    },
    {
        "name": "Samuel Okafor",
        "email": "s.okafor@brightpost.net",
        "phone": "+33 1 84 88 32 10",
        "user": "u-1004",
    },
    {
        "name": "Elena Rossi",
        "email": "elena.rossi@vialattea-mail.it",
        "phone": "+39 06 6982 4410",
        "user": "u-1005",
    },
]
CARD = "4111 1111 1111 1111"
SSN = "536-22-8190"
IBAN = "DE89 3704 0044 0532 0130 00"


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def near_copy(rng: random.Random, text: str, edits: int) -> str:
    """A syndicated copy: same text with a few words changed (Jaccard stays high)."""
    words = text.split(" ")
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(["today", "reportedly", "again", "newly"])
    return " ".join(words)


def aws_key(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def github_token(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "ghp_" + "".join(rng.choice(alphabet) for _ in range(36))


def write_jsonl_gz(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # mtime=0 keeps the gzip header, and so the committed bytes, reproducible.
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        for line in lines:
            handle.write(line + b"\n")
    path.write_bytes(buffer.getvalue())


def dumps(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")


# ---------------------------------------------------------------- forum (user_input)
def build_forum(rng: random.Random, shared: dict) -> None:
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
    write_jsonl_gz(ROOT / "forum" / "posts-2026.jsonl.gz", lines)

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
    write_jsonl_gz(ROOT / "forum" / "posts-late.jsonl.gz", more)
    data = (ROOT / "forum" / "posts-late.jsonl.gz").read_bytes()
    (ROOT / "forum" / "posts-late.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])


# ---------------------------------------------------------------- code (open_source)
MIT_HEADER = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software."""

APACHE_HEADER = """Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License."""

GPL3_HEADER = """This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version."""


def comment(text: str, prefix: str) -> str:
    return "\n".join(f"{prefix} {line}".rstrip() for line in text.splitlines())


def code_body(rng: random.Random, index: int, language: str) -> str:
    name = f"{rng.choice(['parse', 'load', 'merge', 'render', 'index'])}_{index}"
    if language == "py":
        return (
            f"def {name}(items):\n"
            f'    """{sentence(rng)}"""\n'
            f"    total = 0\n    for item in items:\n        total += len(item) * {index}\n"
            f"    return total\n"
        )
    return (
        f"function {name}(items) {{\n  // {sentence(rng)}\n  let total = 0;\n"
        f"  for (const item of items) total += item.length * {index};\n  return total;\n}}\n"
    )


def build_code(rng: random.Random) -> None:
    base = ROOT / "code"
    year = 2019
    for index in range(60):
        language = "py" if index % 2 == 0 else "js"
        prefix = "#" if language == "py" else "//"
        holder = rng.choice(["Tidewater Labs", "Aiko Tanaka", "The Orchard Project authors"])
        header = f"{prefix} Copyright (c) {year + index % 6} {holder}\n"
        kind = index % 5
        if kind == 0:
            header += f"{prefix} SPDX-License-Identifier: MIT\n"
        elif kind == 1:
            header += f"{prefix} SPDX-License-Identifier: Apache-2.0 OR MIT\n"
        elif kind == 2:
            header += comment(MIT_HEADER, prefix) + "\n"
        elif kind == 3:
            header += comment(APACHE_HEADER, prefix) + "\n"
        else:
            header += f"{prefix} SPDX-License-Identifier: BSD-3-Clause\n"
        body = code_body(rng, index, language)
        if index == 13:
            body += f'\nAWS_ACCESS_KEY_ID = "{aws_key(rng)}"\n'
        if index == 26:
            body += f'\nconst token = "{github_token(rng)}";\n'
        path = base / f"pkg{index % 4}" / f"module_{index:02d}.{language}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + "\n" + body, encoding="utf-8")
    # Declared MIT by the source, but this file is GPL-3.0-or-later: a conflict.
    (base / "pkg1" / "vendored_gpl.py").write_text(
        "# Copyright (C) 2021 Free Range Software Foundation\n"
        + comment(GPL3_HEADER, "#")
        + "\n\n"
        + code_body(rng, 99, "py"),
        encoding="utf-8",
    )
    (base / "pkg2" / "empty.py").write_text("", encoding="utf-8")
    (base / "pkg3" / "legacy_latin1.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n# Auteur: Fran\xe7ois\nprint('ok')\n"
    )


# ---------------------------------------------------------------- news (commercial, parquet)
def build_news(rng: random.Random, shared: dict) -> None:
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
    (ROOT / "news").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, ROOT / "news" / "articles.parquet", row_group_size=40, compression="zstd")
    (ROOT / "news" / "articles-damaged.parquet").write_bytes(b"PAR1" + bytes(range(200)) * 3)


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


def build_web(rng: random.Random, shared: dict) -> None:
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
    path = ROOT / "web" / "crawl-2026-09.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")


# ---------------------------------------------------------------- pastes (self_collected)
def build_pastes(rng: random.Random) -> None:
    lines = []
    for index in range(40):
        text = paragraph(rng, rng.randint(5, 9))
        if index % 6 == 0:
            text += f" staging creds: aws_access_key_id={aws_key(rng)}"
        if index % 13 == 5:
            text += f" card on file {CARD}"
        lines.append(dumps({"paste_id": f"p{index:03d}", "text": text}))
    path = ROOT / "pastes" / "pastes.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")


WARC_SITE = "newsroom.test"
WARC_PAGES = [
    # (path, extra HTTP headers, extra <head> markup, what it demonstrates)
    ("/stories/harbour-festival", [("tdm-reservation", "1")], "", "TDMRep header"),
    ("/stories/tram-depot", [], '<meta name="tdm-reservation" content="1">', "TDMRep meta"),
    ("/stories/bird-survey", [("X-Robots-Tag", "noai, noimageai")], "", "X-Robots-Tag noai"),
    ("/stories/repair-cafe", [], '<meta name="robots" content="noai">', "robots meta noai"),
    ("/stories/night-train", [("Content-Usage", "train-ai=n")], "", "AI-preferences header"),
    ("/members/newsletter-7", [], "", "robots.txt disallows GPTBot and CCBot here"),
    ("/archive/2019/ferry-timetable", [], "", "tdmrep.json reserves /archive/"),
    ("/stories/library-rooftop", [], "", "no reservation"),
    ("/stories/coastal-path", [("tdm-reservation", "0")], "", "TDMRep explicitly not reserved"),
    ("/stories/ceramics-studio", [], "", "no reservation"),
]
ROBOTS_TXT = """User-agent: GPTBot
Disallow: /members/

User-agent: CCBot
Disallow: /members/

User-agent: *
Allow: /
"""
TDMREP_JSON = """[
  {"location": "/archive/*", "tdm-reservation": 1,
   "tdm-policy": "https://newsroom.test/tdm-policy.json"},
  {"location": "/*", "tdm-reservation": 0}
]
"""


def warc_headers(rng: random.Random, date: str) -> dict[str, str]:
    """Fixed record ids (from the seeded generator) keep the WARC bytes reproducible."""
    record_id = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return {
        "WARC-Date": date,
        "WARC-Record-ID": f"<urn:uuid:{record_id[:8]}-{record_id[8:12]}-"
        f"{record_id[12:16]}-{record_id[16:20]}-{record_id[20:]}>",
    }


def build_warc(rng: random.Random) -> None:
    """A small crawl with one page per opt-out signal, plus an image the reader must refuse."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    directory = ROOT / "warc"
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    date = "2026-09-20T08:00:00Z"
    for index, (path, headers, head, _purpose) in enumerate(WARC_PAGES):
        body = (
            f"<html><head><title>Newsroom story {index}</title>{head}</head><body>"
            f"<nav>Home | Stories | Archive</nav><article><h1>Story {index}</h1>"
            f"<p>{paragraph(rng, 6)}</p><p>{paragraph(rng, 5)}</p></article>"
            "<footer>Newsroom Test</footer></body></html>"
        ).encode()
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            f"https://{WARC_SITE}{path}",
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict=warc_headers(rng, date),
        )
        writer.write_record(record)
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            f"https://{WARC_SITE}/logo.png",
            "response",
            payload=io.BytesIO(b"\x89PNG\r\n" + bytes(64)),
            http_headers=image,
            warc_headers_dict=warc_headers(rng, date),
        )
    )
    (directory / "newsroom-2026-09.warc.gz").write_bytes(buffer.getvalue())
    snapshots = ROOT / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    (snapshots / f"{WARC_SITE}.robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")
    (snapshots / f"{WARC_SITE}.tdmrep.json").write_text(TDMREP_JSON, encoding="utf-8")


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
    build_forum(rng, shared)
    build_code(rng)
    build_news(rng, shared)
    build_web(rng, shared)
    build_pastes(rng)
    build_warc(rng)
    build_consent_registry()
    files = sorted(p for p in ROOT.rglob("*") if p.is_file())
    print(f"wrote {len(files)} files under {ROOT}")


if __name__ == "__main__":
    main()
