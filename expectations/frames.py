"""Derived columns that let declarative GX expectations check nested Parquet data.

The ledger nests reasons, signals and findings in list columns; GX expectations
work per column of scalars. These helpers flatten what each check needs into a
`_`-prefixed column, one file at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pandas as pd
import pyarrow as pa

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


def scanned_strings(row: dict) -> str:
    return (
        "\n".join(text for field, text in _walk(row, "") if not HASH_LIKE_FIELDS.search(field))
        if row
        else ""
    )


def malformed_tokens(row: dict) -> int:
    return sum(
        1 for field, text in _walk(row, "") if TOKEN_FIELDS.search(field) and not HEX64.match(text)
    )


def ledger_frame(table: pa.Table, is_known_reason: Callable[[str], bool]) -> pd.DataFrame:
    rows = table.to_pylist()
    frame = pd.DataFrame(
        {
            "doc_id": [row["doc_id"] for row in rows],
            "decision": [row["decision"] for row in rows],
            "content_sha256": [row["content_sha256"] for row in rows],
            "_reason_count": [len(row["reasons"]) for row in rows],
            "_unknown_reason_count": [
                sum(1 for reason in row["reasons"] if not is_known_reason(reason)) for row in rows
            ],
            "_malformed_token_count": [malformed_tokens(row) for row in rows],
            "_scanned_strings": [
                scanned_strings({k: v for k, v in row.items() if k != "doc_id"}) for row in rows
            ],
        }
    )
    return frame


def dataset_frame(
    table: pa.Table,
    consent_valid: Callable[[dict], bool] | None = None,
    pii_left: Callable[[str], int] | None = None,
) -> pd.DataFrame:
    frame = (
        table.drop_columns(["metadata"]).to_pandas()
        if "metadata" in table.column_names
        else (table.to_pandas())
    )
    if consent_valid is not None:
        frame["_consent_valid"] = [consent_valid(row) for row in table.to_pylist()]
    if pii_left is not None:
        frame["_pii_left"] = [pii_left(text) for text in frame["text"]]
    return frame
