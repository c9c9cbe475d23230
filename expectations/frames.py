"""Derived columns that let declarative GX expectations check nested Parquet data.

The ledger nests reasons, signals and findings in list columns; GX expectations
work per column of scalars. These helpers flatten what each check needs into a
`_`-prefixed column, one file at a time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Fields whose values are hashes or opaque ids by design: checked for being
# well-formed hex, not scanned for personal-data shapes.
HASH_LIKE_FIELDS = re.compile(r"(sha256|token|tokens|doc_id|duplicate_of|cluster_id)$")
TOKEN_FIELDS = re.compile(r"(value_token|subject_tokens|mention_tokens)$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _walk(value, name: str) -> Iterator[tuple[str, str]]:
    """(field name, string) for every string nested anywhere in a row value."""
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                yield from _walk(item[1], item[0])  # map entries arrive as (key, value)
            else:
                yield from _walk(item, name)


def _string_facts(row: dict) -> tuple[str, int]:
    """(strings to scan for personal-data shapes, malformed HMAC tokens) in one walk."""
    scanned: list[str] = []
    malformed = 0
    for field, text in _walk(row, ""):
        if TOKEN_FIELDS.search(field) and not HEX64.match(text):
            malformed += 1
        if not HASH_LIKE_FIELDS.search(field):
            scanned.append(text)
    return "\n".join(scanned), malformed


def ledger_frame(table: pa.Table, is_known_reason: Callable[[str], bool]) -> pd.DataFrame:
    rows = table.to_pylist()
    facts = [_string_facts({k: v for k, v in row.items() if k != "doc_id"}) for row in rows]
    return pd.DataFrame(
        {
            "doc_id": [row["doc_id"] for row in rows],
            "decision": [row["decision"] for row in rows],
            "content_sha256": [row["content_sha256"] for row in rows],
            "_reason_count": [len(row["reasons"]) for row in rows],
            "_unknown_reason_count": [
                sum(1 for reason in row["reasons"] if not is_known_reason(reason)) for row in rows
            ],
            "_malformed_token_count": [malformed for _, malformed in facts],
            "_scanned_strings": [scanned for scanned, _ in facts],
        }
    )


ResidualCounter = Callable[[Iterator[list[str]]], Iterator[int]]
TEXT_BATCH_ROWS = 2048


def dataset_frame(
    parquet: pq.ParquetFile,
    consent_valid: Callable[[dict], bool] | None = None,
    pii_left: ResidualCounter | None = None,
) -> pd.DataFrame:
    """One dataset file as GX sees it: every column but the text, plus checks on the text.

    The text is streamed by record batch for the checks that need it (hash,
    residual personal data), so memory holds one batch of text, not a file of it.
    `pii_left` takes batches of texts and yields one count per text, in order.
    """
    columns = [name for name in parquet.schema_arrow.names if name not in ("text", "metadata")]
    table = parquet.read(columns=columns)
    frame = table.to_pandas()
    if consent_valid is not None:
        frame["_consent_valid"] = [consent_valid(row) for row in table.to_pylist()]
    matches_hash: list[bool] = []

    def texts() -> Iterator[list[str]]:
        for batch in parquet.iter_batches(
            batch_size=TEXT_BATCH_ROWS, columns=["text", "text_sha256"]
        ):
            texts = batch.column("text").to_pylist()
            for text, digest in zip(texts, batch.column("text_sha256").to_pylist(), strict=True):
                matches_hash.append(
                    text is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
                )
            yield [text or "" for text in texts]

    if pii_left is not None:
        frame["_pii_left"] = list(pii_left(texts()))
    else:
        for _ in texts():
            pass
    frame["_text_matches_sha256"] = matches_hash
    return frame
