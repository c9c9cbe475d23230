"""Derived columns that let declarative GX expectations check nested Parquet data.

The ledger nests reasons, signals and findings in list columns; GX expectations
work per column of scalars. These helpers flatten what each check needs into a
`_`-prefixed column, one file at a time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Fields whose values are hashes or opaque ids by design: checked for being
# well-formed hex, not scanned for personal-data shapes.
HASH_LIKE_FIELDS = re.compile(r"(sha256|token|tokens|doc_id|duplicate_of|cluster_id)$")
TOKEN_FIELDS = re.compile(r"(value_token|subject_tokens|mention_tokens)$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def ledger_frame(table: pa.Table, is_known_reason: Callable[[str], bool]) -> pd.DataFrame:
    """The ledger columns the suite checks, plus the derived ones, computed column-wise.

    Why column-wise: walking every row's nested values in Python was most of the
    validation's launcher time on a large run; Arrow kernels join each row's strings
    and count its malformed tokens instead.
    """
    scanned: list[pa.Array] = []
    malformed = np.zeros(table.num_rows, dtype=np.int64)
    for name in table.column_names:
        if name == "doc_id":
            continue
        strings, bad = _column_facts(table.column(name).combine_chunks(), name)
        if strings is not None:
            scanned.append(strings)
        malformed += bad
    joined = _join_elementwise(scanned)
    reasons = table.column("reasons").combine_chunks()
    return pd.DataFrame(
        {
            "doc_id": table.column("doc_id").to_pylist(),
            "decision": table.column("decision").to_pylist(),
            "content_sha256": table.column("content_sha256").to_pylist(),
            "_reason_count": pc.list_value_length(reasons).fill_null(0).to_numpy(),
            "_unknown_reason_count": _unknown_reason_counts(reasons, is_known_reason),
            "_malformed_token_count": malformed,
            "_scanned_strings": joined.to_pylist() if joined is not None else [""] * table.num_rows,
        }
    )


def _column_facts(array: pa.Array, name: str) -> tuple[pa.Array | None, np.ndarray]:
    """Per element of field `name`: the strings to scan for personal-data shapes, joined by
    newlines (None when the field holds none), and how many malformed HMAC tokens it holds.

    A string belongs to the innermost named field around it: a list's items to the
    list's field, a map's values to their key.
    """
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _string_facts(array, name)
    if pa.types.is_struct(kind):
        parts, malformed = [], np.zeros(len(array), dtype=np.int64)
        for field, child in zip(kind, array.flatten(), strict=True):
            strings, bad = _column_facts(child, field.name)
            if strings is not None:
                parts.append(strings)
            malformed += bad
        return _join_elementwise(parts), malformed
    if pa.types.is_map(kind):
        (keys, values), offsets = _items_of(array)
        strings, bad = _map_value_facts(keys, values)
        return _join_per_row(strings, offsets), _sum_per_row(bad, offsets)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        (items,), offsets = _items_of(array)
        strings, bad = _column_facts(items, name)
        return _join_per_row(strings, offsets), _sum_per_row(bad, offsets)
    return None, np.zeros(len(array), dtype=np.int64)  # numbers, booleans: nothing to scan


def _string_facts(array: pa.Array, name: str) -> tuple[pa.Array | None, np.ndarray]:
    malformed = np.zeros(len(array), dtype=np.int64)
    if TOKEN_FIELDS.search(name):
        malformed = _counts(_not_hex64(array))
    if HASH_LIKE_FIELDS.search(name):
        return None, malformed
    return array.fill_null(""), malformed


def _map_value_facts(keys: pa.Array, values: pa.Array) -> tuple[pa.Array | None, np.ndarray]:
    """A map value is named by its key, so whether it is a token or hash depends on the row."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        if _holds_strings(values.type):
            raise TypeError(f"ledger map values of type {values.type} are not supported")
        return None, np.zeros(len(values), dtype=np.int64)
    is_token = pc.match_substring_regex(keys, TOKEN_FIELDS.pattern)
    is_hash_like = pc.match_substring_regex(keys, HASH_LIKE_FIELDS.pattern)
    strings = pc.if_else(is_hash_like, "", values.fill_null(""))
    return strings, _counts(pc.and_(is_token, _not_hex64(values)))


def _not_hex64(tokens: pa.Array) -> pa.Array:
    return pc.invert(pc.match_substring_regex(tokens, HEX64.pattern))


def _counts(flags: pa.Array) -> np.ndarray:
    """A boolean array as 0/1 counts (null counts as 0)."""
    return flags.fill_null(False).to_numpy(zero_copy_only=False).astype(np.int64)


def _holds_strings(kind: pa.DataType) -> bool:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return True
    if pa.types.is_struct(kind):
        return any(_holds_strings(field.type) for field in kind)
    if pa.types.is_map(kind):
        return _holds_strings(kind.key_type) or _holds_strings(kind.item_type)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _holds_strings(kind.value_type)
    return False


def _items_of(lists: pa.Array) -> tuple[list[pa.Array], np.ndarray]:
    """A list's (or a map's keys' and values') items, and where each row's items start
    and end in them (row offsets, one more than rows).

    From the offsets, not `flatten()` or `list_parent_indices`: neither takes maps, and
    a map's keys and items ignore slicing.
    """
    offsets = lists.offsets.to_numpy()
    children = [lists.keys, lists.items] if pa.types.is_map(lists.type) else [lists.values]
    items = [child.slice(offsets[0], offsets[-1] - offsets[0]) for child in children]
    sizes = np.diff(offsets)
    if lists.null_count:  # a null row's slot may still span items: they are not its
        valid = lists.is_valid().to_numpy(zero_copy_only=False)
        keep = pa.array(np.repeat(valid, sizes))
        items = [child.filter(keep) for child in items]
        sizes = np.where(valid, sizes, 0)
    return items, np.concatenate(([0], np.cumsum(sizes)))


def _join_per_row(strings: pa.Array | None, offsets: np.ndarray) -> pa.Array | None:
    """Each row's item strings joined by newlines (empty for an empty or null list)."""
    if strings is None:
        return None
    regrouped = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), strings)
    return pc.binary_join(regrouped, "\n")


def _sum_per_row(counts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per row, the sum of its items' counts."""
    running = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    return running[offsets[1:]] - running[offsets[:-1]]


def _unknown_reason_counts(reasons: pa.Array, is_known_reason: Callable[[str], bool]) -> np.ndarray:
    """Per row, how many of its reason codes the catalogue does not know (asked once a code)."""
    (codes,), offsets = _items_of(reasons)
    unknown = [code for code in pc.unique(codes).to_pylist() if not is_known_reason(code)]
    return _sum_per_row(_counts(pc.is_in(codes, pa.array(unknown, codes.type))), offsets)


def _join_elementwise(parts: list[pa.Array]) -> pa.Array | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\n")


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
