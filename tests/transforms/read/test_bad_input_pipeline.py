"""Bad input through the real pipeline: each kind is one dead-letter row and the run succeeds."""

from __future__ import annotations

import gzip
import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import IN_MEMORY, run_cli
from tests.corpus_counts import count_source_records


def build_bad_corpus(root):
    lines = [
        json.dumps({"body": "a perfectly fine record"}).encode(),
        b'{"body": "unterminated',
        b"[1, 2]",
        json.dumps({"body": 3.5}).encode(),
        json.dumps({"other": "field"}).encode(),
        b'{"body": "caf\xe9"}',
        json.dumps({"body": ""}).encode(),
        json.dumps({"body": "z" * 5000}).encode(),
    ]
    (root / "jsonl").mkdir()
    (root / "jsonl" / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    varied = b"".join(
        json.dumps({"body": f"line {i} " + hashlib.sha256(str(i).encode()).hexdigest()}).encode()
        + b"\n"
        for i in range(2000)
    )
    good = gzip.compress(varied, mtime=0)
    (root / "jsonl" / "cut.jsonl.gz").write_bytes(good[: len(good) // 2])
    (root / "text").mkdir()
    (root / "text" / "ok.txt").write_text("some documentation")
    (root / "text" / "empty.txt").write_text("")
    (root / "text" / "latin1.txt").write_bytes(b"Fran\xe7ois")
    (root / "parquet").mkdir()
    pq.write_table(pa.table({"body": ["row", None]}), root / "parquet" / "ok.parquet")
    (root / "parquet" / "garbage.parquet").write_bytes(b"not parquet at all" * 10)
    (root / "key").write_text("k" * 32)
    (root / "policy.yaml").write_text("name: p\nversion: '1'\nrules: []\n")
    config = root / "run.yaml"
    config.write_text(
        """
name: bad-input
policy: policy.yaml
hmac_key: {file: key}
limits: {max_document_bytes: 1000}
sources:
  - {id: j, type: self_collected, format: jsonl, paths: ["jsonl/*"],
     fields: {text: body}, legal_basis: contract,
     evidence: {collection: {period_start: "2026-01-01", period_end: "2026-01-02",
                             method: export}, jurisdiction: EU}}
  - {id: t, type: open_source, format: text, paths: ["text/*.txt"], legal_basis: contract,
     evidence: {license: MIT, license_url: "https://opensource.org/license/mit",
                jurisdiction: US}}
  - {id: p, type: commercial, format: parquet, paths: ["parquet/*.parquet"],
     fields: {text: body}, legal_basis: contract,
     evidence: {contract_ref: C-1, jurisdiction: EU}}
"""
    )
    return config


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-input")
    config = build_bad_corpus(root)
    output = root / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    return config, output


def dead_letter_codes(output) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for row in pq.read_table(output / "dead_letter").to_pylist():
        codes.setdefault(row["source_id"], []).append(row["error_code"])
    return {source: sorted(found) for source, found in codes.items()}


def test_every_bad_kind_has_its_own_dead_letter_code(bad_run):
    _, output = bad_run
    assert dead_letter_codes(output) == {
        "j": sorted(
            [
                "read.malformed_json",
                "read.not_an_object",
                "read.wrong_type",
                "read.missing_text",
                "read.invalid_utf8",
                "read.empty_document",
                "read.too_large",
                "read.corrupt_compressed",
            ]
        ),
        "t": ["read.empty_document", "read.invalid_utf8"],
        "p": ["read.missing_text", "read.unreadable_file"],
    }


def test_good_records_beside_bad_ones_are_kept(bad_run):
    _, output = bad_run
    texts = sorted(row["text"] for row in pq.read_table(output / "dataset").to_pylist())
    assert "a perfectly fine record" in texts
    assert "some documentation" in texts and "row" in texts
    assert sum(text.startswith("line ") for text in texts) > 100


def test_nothing_is_lost_even_with_bad_input(bad_run):
    config, output = bad_run
    found: dict[str, int] = {}
    for name in ("ledger", "dead_letter"):
        for row in pq.read_table(output / name, columns=["source_id"]).to_pylist():
            found[row["source_id"]] = found.get(row["source_id"], 0) + 1
    assert found == count_source_records(config)


def test_dead_letter_rows_hold_no_content(bad_run):
    _, output = bad_run
    table = pq.read_table(output / "dead_letter")
    assert set(table.column_names) == {
        "doc_id",
        "source_id",
        "locator",
        "error_code",
        "message",
        "byte_length",
        "raw_sha256",
        "identifier_findings",  # tokens only
    }
    for message in table.column("message").to_pylist():
        assert "Fran" not in message and "unterminated" not in message
