"""Records cross the global steps without text; the text comes back from sidecar files."""

from __future__ import annotations

import hashlib

import pyarrow.parquet as pq
import pytest

from pipelines.run import graph as audit
from schemas.document import Document
from schemas.record import AuditRecord, SourceContext
from tests.conftest import DEMO_CONFIG, IN_MEMORY, run_cli
from transforms.read import sidecar as text_sidecar
from transforms.read.sidecar import MissingText, SidecarWriter, attach_texts, detached


def _record(text: str, redacted: str | None = None) -> AuditRecord:
    document = Document.from_text("src", "a.txt", text, text.encode(), {})
    source = SourceContext("src", "open_source", "MIT", "legitimate_interest", 0)
    return AuditRecord(document=document, source=source, redacted_text=redacted)


def test_detached_record_keeps_length_and_redaction_but_not_text():
    record = _record("call 555-0100 now", redacted="call <PHONE> now")
    slim = detached(record, "/tmp/x.parquet")
    assert slim.document.text == "" and slim.redacted_text is None
    assert slim.char_length == len("call 555-0100 now")
    assert slim.is_redacted
    assert record.output_text == "call <PHONE> now"  # the original is untouched
    with pytest.raises(RuntimeError, match="moved to /tmp/x.parquet"):
        _ = slim.output_text


def test_writer_rotates_files_and_every_text_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(text_sidecar, "ROW_GROUP_BYTES", 100)
    monkeypatch.setattr(text_sidecar, "FILE_BYTES", 250)
    writer = SidecarWriter(str(tmp_path))
    texts = {f"doc{i:03d}": f"text number {i} " * 5 for i in range(40)}
    files = {doc_id: writer.add(doc_id, text) for doc_id, text in texts.items()}
    writer.close()
    assert len(set(files.values())) > 3  # rotated
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {f.rsplit("/", 1)[-1] for f in files.values()}
    )
    for path in set(files.values()):
        wanted = [
            ("dataset", doc_id, {"doc_id": doc_id}) for doc_id, f in files.items() if f == path
        ]
        back = {row["doc_id"]: text for _, row, text in attach_texts(path, wanted)}
        assert back == {doc_id: texts[doc_id] for _, doc_id, _ in wanted}


def test_a_row_whose_text_is_missing_fails_loudly(tmp_path):
    writer = SidecarWriter(str(tmp_path))
    path = writer.add("present", "some text")
    writer.close()
    wanted = [("dataset", "present", {}), ("dataset", "absent", {})]
    with pytest.raises(MissingText, match="absent"):
        list(attach_texts(path, wanted))


def test_one_row_wanted_twice_gets_the_text_for_each_kind(tmp_path):
    writer = SidecarWriter(str(tmp_path))
    path = writer.add("d1", "hello")
    writer.close()
    kinds = sorted(
        kind
        for kind, _, text in attach_texts(
            path, [("dataset", "d1", {}), ("review_sample", "d1", {})]
        )
        if text == "hello"
    )
    assert kinds == ["dataset", "review_sample"]


def _assert_no_text(record):
    if record.document.text or record.redacted_text is not None:
        raise AssertionError(f"{record.doc_id} crossed a global stage with its text")
    return record


def test_global_stages_never_see_text_and_dataset_text_matches_its_hash(tmp_path, monkeypatch):
    import apache_beam as beam

    original = audit.global_stages
    monkeypatch.setattr(
        audit,
        "global_stages",
        lambda config, entering=None: [
            ("AssertSlimBefore", beam.Map(_assert_no_text)),
            *original(config, entering),
            ("AssertSlimAfter", beam.Map(_assert_no_text)),
        ],
    )
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 0
    dataset = pq.read_table(tmp_path / "dataset").to_pylist()
    ledger = pq.read_table(tmp_path / "ledger").to_pylist()
    accepted = {row["doc_id"] for row in ledger if row["decision"] != "reject"}
    assert {row["doc_id"] for row in dataset} == accepted
    for row in dataset:
        assert row["text"]
        assert hashlib.sha256(row["text"].encode()).hexdigest() == row["text_sha256"]
    sample = pq.read_table(tmp_path / "reports" / "review_sample").to_pylist()
    assert sample and all(row["text"] for row in sample)
    assert not (tmp_path / audit.TEXT_SIDECAR_DIR).exists()


def test_records_pickle_compactly_and_round_trip():
    import pickle

    record = _record("call 555-0100 now " * 50, redacted="call <PHONE> now " * 50)
    record.reasons = ["pii.redacted.PHONE_NUMBER"]
    blob = pickle.dumps(record)
    back = pickle.loads(blob)
    assert back == record and back is not record
    assert len(blob) < len(pickle.dumps(record.__dict__))
