"""Stage figures of the summary, read back from the ledger, do not depend on its row order."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.reports.stage_summary import COLUMNS, stage_sections
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


def write_ledger(directory, spdx_ids: list[str]) -> None:
    directory.mkdir()
    schema = pa.schema([LEDGER_SCHEMA.field(name) for name in COLUMNS])
    table = pa.Table.from_pylist([ledger_row(spdx) for spdx in spdx_ids], schema=schema)
    pq.write_table(table, directory / "part-0.parquet")


def test_spdx_counts_with_equal_counts_are_ordered_by_name_whatever_the_row_order(tmp_path):
    ids = ["MIT AND Apache-2.0", "MIT", "MIT", "MIT AND Apache-2.0", "CC0-1.0"]
    write_ledger(tmp_path / "forward", ids)
    write_ledger(tmp_path / "backward", ids[::-1])
    forward = stage_sections(tmp_path / "forward").licenses.spdx
    backward = stage_sections(tmp_path / "backward").licenses.spdx
    assert list(forward.items()) == [("MIT", 2), ("MIT AND Apache-2.0", 2), ("CC0-1.0", 1)]
    assert list(backward.items()) == list(forward.items())
