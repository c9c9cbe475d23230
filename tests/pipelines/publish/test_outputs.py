"""Content digests: order-independent, sensitive to every column, the same whether a
directory is digested at once (verify) or file by file and added up (the audit pipeline)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.publish.outputs import (
    FileEntry,
    batches_digest,
    content_digest,
    file_sha256,
    parquet_files,
)
from pipelines.publish.staging import describe_outputs, unchecked_files
from pipelines.reports.output_facts import OutputFacts

ROWS = [
    {"doc_id": f"d{i}", "text": f'text number {i}\nwith "quotes" é', "tags": [str(i), "x"]}
    for i in range(40)
]


def _write(directory, rows, files=2, row_group_size=7):
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        part = rows[index::files]
        pq.write_table(
            pa.Table.from_pylist(part),
            directory / f"part-{index:05d}.parquet",
            row_group_size=row_group_size,
        )
    return directory


def test_digest_ignores_sharding_and_order_but_not_content(tmp_path):
    base = content_digest(_write(tmp_path / "a", ROWS))
    assert base["rows"] == len(ROWS)
    assert content_digest(_write(tmp_path / "b", ROWS[::-1], files=3, row_group_size=5)) == base
    changed_text = [dict(r) for r in ROWS]
    changed_text[3]["text"] += " "
    assert content_digest(_write(tmp_path / "c", changed_text)) != base
    changed_other = [dict(r) for r in ROWS]
    changed_other[5]["tags"] = ["5"]
    assert content_digest(_write(tmp_path / "d", changed_other)) != base


def test_per_file_digests_added_as_facts_equal_the_directory_digest(tmp_path):
    directory = _write(tmp_path / "out", ROWS, files=3, row_group_size=4)
    merged = OutputFacts()
    for path in parquet_files(directory):
        part = OutputFacts()
        part.add_digest("out", *batches_digest(pq.ParquetFile(path).iter_batches(batch_size=3)))
        merged.merge(part)
    round_tripped = OutputFacts.from_json(merged.to_json())
    assert round_tripped.content_digests(("out",)) == {"out": content_digest(directory)}
    assert round_tripped.content_digests(("none",)) == {"none": content_digest(tmp_path / "x")}


def test_manifest_takes_parquet_entries_from_the_checks_and_hashes_only_the_rest(tmp_path):
    _write(tmp_path / "dataset", ROWS)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "summary.json").write_text("{}")
    checked = {
        f"dataset/{path.name}": FileEntry(f"dataset/{path.name}", 1, "c" * 64, 20)
        for path in parquet_files(tmp_path / "dataset")
    }
    entries = {e["path"]: e for e in describe_outputs(tmp_path, ("dataset", "reports"), checked)}
    assert entries["dataset/part-00000.parquet"]["sha256"] == "c" * 64  # not re-hashed
    assert entries["reports/summary.json"]["sha256"] == file_sha256(
        tmp_path / "reports" / "summary.json"
    )


def test_a_parquet_file_the_checks_missed_is_refused_not_hashed(tmp_path):
    _write(tmp_path / "dataset", ROWS)
    checked = {"dataset/part-00000.parquet": FileEntry("dataset/part-00000.parquet", 1, "c", 20)}
    assert unchecked_files(tmp_path, ("dataset",), checked) == ["dataset/part-00001.parquet"]
    with pytest.raises(ValueError, match="part-00001.parquet was not checked"):
        describe_outputs(tmp_path, ("dataset",), checked)
