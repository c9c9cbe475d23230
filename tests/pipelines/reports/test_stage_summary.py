"""Stage figures of the summary, tallied from the ledger, do not depend on its row order or
on how its rows are spread over files."""

from __future__ import annotations

import pyarrow as pa

from pipelines.reports.stage_summary import COLUMNS, StageTally
from schemas.ledger import LEDGER_SCHEMA


def ledger_row(spdx: str) -> dict:
    row = {name: None for name in COLUMNS}
    row.update(
        source_id="s",
        decision="accept",
        signals=[],
        pii_counts=[],
        license_spdx=spdx,
        license_category="permissive",
        license_conflict=False,
        consent_status="not_required",
        optout_signals=[],
        byte_length=1,
    )
    return row


SCHEMA = pa.schema([LEDGER_SCHEMA.field(name) for name in COLUMNS])


def tally_of(*tables: pa.Table) -> StageTally:
    tally = StageTally()
    for table in tables:
        part = StageTally()
        part.add(table)
        tally.merge(part)
    return tally


def table_of(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def test_spdx_counts_with_equal_counts_are_ordered_by_name_whatever_the_row_order():
    ids = ["MIT AND Apache-2.0", "MIT", "MIT", "MIT AND Apache-2.0", "CC0-1.0"]
    forward = tally_of(table_of([ledger_row(spdx) for spdx in ids])).finish().licenses.spdx
    backward = tally_of(table_of([ledger_row(spdx) for spdx in ids[::-1]])).finish().licenses.spdx
    assert list(forward.items()) == [("MIT", 2), ("MIT AND Apache-2.0", 2), ("CC0-1.0", 1)]
    assert list(backward.items()) == list(forward.items())


def clustered(doc: str, cluster: str, size: int, kept: str | None, kind: str = "near") -> dict:
    row = ledger_row("MIT")
    row.update(
        cluster_id=cluster,
        cluster_size=size,
        duplicate_of=kept,
        duplicate_kind=kind if kept else None,
        source_id=doc[0],
    )
    return row


def test_clusters_are_counted_once_each_at_their_kept_copy_whatever_file_holds_it():
    rows = [
        clustered("a1", "c1", 3, None),
        clustered("a2", "c1", 3, "a1", "exact"),
        clustered("b3", "c1", 3, "a1"),
        clustered("b4", "c2", 2, "b5"),
        clustered("b5", "c2", 2, None),
        ledger_row("MIT"),  # a singleton: no cluster
    ]
    one_file = tally_of(table_of(rows)).finish().dedup
    split = tally_of(table_of(rows[1:4]), table_of(rows[4:]), table_of(rows[:1])).finish().dedup
    assert one_file == split
    assert one_file.clusters == 2
    assert one_file.cluster_size_histogram == {"2": 1, "3-5": 1}
    assert (one_file.exact_removed, one_file.near_removed) == (1, 2)
    assert one_file.removed_per_source == {"a": 1, "b": 2}
    assert one_file.documents == 6


def test_a_tally_survives_its_json_form():
    rows = [clustered("a1", "c1", 2, None), clustered("b2", "c1", 2, "a1")]
    tally = tally_of(table_of(rows))
    assert StageTally.from_json(tally.to_json()) == tally
    assert StageTally.from_json(tally.to_json()).finish() == tally.finish()
