"""Content digests: order-independent, sensitive to every column, same on the after-run pool."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.publish.outputs import content_digest
from pipelines.run import after_pool
from pipelines.run.after_pool import AfterRunPool, PendingDigests
from schemas.pii import PiiSettings

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


def test_pool_digests_equal_in_process_digests(tmp_path, monkeypatch):
    directories = {"one": _write(tmp_path / "one", ROWS), "two": _write(tmp_path / "two", ROWS[:9])}
    expected = {name: content_digest(d) for name, d in directories.items()}
    monkeypatch.setattr(after_pool, "POOL_THRESHOLD_BYTES", 0)
    with AfterRunPool(PiiSettings(), b"k" * 32, workers=2) as pool:
        pending = PendingDigests(pool, directories)
        assert pool.started  # the pool path really ran
        assert pending.result() == expected


def test_small_outputs_are_digested_without_a_pool(tmp_path):
    directories = {"one": _write(tmp_path / "one", ROWS)}
    with AfterRunPool(PiiSettings(), b"k" * 32, workers=2) as pool:
        assert PendingDigests(pool, directories).result() == {
            "one": content_digest(directories["one"])
        }
        assert not pool.started


TEXTS = [
    "plain words only",
    "write to jane.doe@corp-mail.com or call +44 20 7946 0958",
    None,
    "card 4111 1111 1111 1111 and SSN 078-05-1120",
] * 6


def _dataset(directory):
    return _write(directory, [{"doc_id": f"d{i}", "text": t} for i, t in enumerate(TEXTS)], files=1)


def _batches(path):
    return (
        [t or "" for t in batch.column("text").to_pylist()]
        for batch in pq.ParquetFile(path).iter_batches(batch_size=5, columns=["text"])
    )


def test_pool_residual_counts_equal_in_process_counts(tmp_path, monkeypatch):
    path = next(_dataset(tmp_path / "dataset").glob("*.parquet"))
    expected = list(after_pool.local_residual(PiiSettings(), b"k" * 32)(_batches(path)))
    assert sum(expected) > 0 and 0 in expected
    monkeypatch.setattr(after_pool, "POOL_THRESHOLD_BYTES", 0)
    with AfterRunPool(PiiSettings(), b"k" * 32, workers=2) as pool:
        pending = after_pool.PendingResidual(pool, tmp_path / "dataset")
        assert pool.started
        assert list(pending.counter_for(path)(_batches(path))) == expected
        # A file the validation reads differently from what was scanned is an error.
        short = (batch[:-1] for batch in _batches(path))
        with pytest.raises(RuntimeError, match="counted"):
            list(pending.counter_for(path)(short))
        assert pending.counter_for(tmp_path / "elsewhere.parquet") is None


def _dies(path, index):
    import os

    os._exit(3)


def test_a_broken_pool_rescans_in_process(tmp_path, monkeypatch, caplog):
    path = next(_dataset(tmp_path / "dataset").glob("*.parquet"))
    expected = list(after_pool.local_residual(PiiSettings(), b"k" * 32)(_batches(path)))
    monkeypatch.setattr(after_pool, "POOL_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(after_pool, "residual_counts_of_row_group", _dies)
    with AfterRunPool(PiiSettings(), b"k" * 32, workers=2) as pool:
        pending = after_pool.PendingResidual(pool, tmp_path / "dataset")
        assert list(pending.counter_for(path)(_batches(path))) == expected
    assert "continuing in-process" in caplog.text


def test_small_datasets_are_rescanned_in_process(tmp_path):
    path = next(_dataset(tmp_path / "dataset").glob("*.parquet"))
    assert after_pool.text_bytes(path) >= sum(len((t or "").encode()) for t in TEXTS)
    with AfterRunPool(PiiSettings(), b"k" * 32, workers=2) as pool:
        pending = after_pool.PendingResidual(pool, tmp_path / "dataset")
        assert pending.counter_for(path) is None
        assert not pool.started
