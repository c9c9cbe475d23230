"""The invented material every demo source draws on: word lists, people, secrets, writers.

Why a module: the demo's stages only have something to find because the sources share
it. The same invented people post on the forum, are mentioned on web pages and appear in
the consent registry; the same card number turns up in a forum post and in pastes; the
same seeded generator, called in a fixed order by `build_demo_corpus.main`, makes every
byte reproducible. All personal data here is invented.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

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
