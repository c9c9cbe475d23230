"""The readers' cores: every kind of bad input becomes its own dead-letter code."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.dead_letter import DeadLetter, ReadError
from schemas.document import Document, make_doc_id
from transforms.read.readers import ReadSpec, iter_jsonl, iter_parquet_row_group, read_text_file

SPEC = ReadSpec(
    source_id="src",
    format="jsonl",
    root="/data",
    text_field="body",
    id_field="id",
    metadata_fields=("lang",),
    max_document_bytes=1000,
)


def read_lines(*lines: bytes, compress: bool = False):
    data = b"\n".join(lines) + b"\n"
    if compress:
        data = gzip.compress(data, mtime=0)
    return list(iter_jsonl(SPEC, "/data/part.jsonl", io.BytesIO(data)))


def only_error(items) -> str:
    assert len(items) == 1
    assert isinstance(items[0], DeadLetter), items[0]
    return items[0].error_code


def test_valid_line_becomes_a_document_with_a_stable_id():
    [document] = read_lines(json.dumps({"id": 7, "body": "hello world", "lang": "en"}).encode())
    assert isinstance(document, Document)
    assert document.locator == "part.jsonl:L1"
    assert document.doc_id == make_doc_id("src", "part.jsonl:L1")
    assert document.metadata == {"lang": "en", "source_record_id": "7"}
    assert len(document.content_sha256) == 64


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b'{"body": "unterminated', ReadError.MALFORMED_JSON),
        (b"[1, 2, 3]", ReadError.NOT_AN_OBJECT),
        (b'{"body": 42}', ReadError.WRONG_TYPE),
        (b'{"title": "no body"}', ReadError.MISSING_TEXT),
        (b'{"body": null}', ReadError.MISSING_TEXT),
        (b'{"body": "caf\xe9"}', ReadError.INVALID_UTF8),
        (b'{"body": "   \\n  "}', ReadError.EMPTY_DOCUMENT),
        (json.dumps({"body": "x" * 1001}).encode(), ReadError.TOO_LARGE),
        (b"[" * 1400 + b"]" * 1400, ReadError.MALFORMED_JSON),
    ],
    ids=["malformed", "array", "wrong-type", "missing", "null", "utf8", "empty", "large", "deep"],
)
def test_each_bad_line_kind_gets_its_own_error_code(line, code):
    assert only_error(read_lines(line)) == code


def test_a_line_far_over_the_limit_is_skipped_without_stopping_the_file():
    huge = b'{"body": "' + b"y" * 50_000 + b'"}'
    items = read_lines(huge, b'{"body": "after"}')
    assert items[0].error_code == ReadError.TOO_LARGE
    assert items[0].byte_length == len(huge) + 1
    assert isinstance(items[1], Document) and items[1].text == "after"


def test_blank_lines_are_not_records():
    items = read_lines(b'{"body": "a"}', b"", b"   ", b'{"body": "b"}')
    assert [item.locator for item in items] == ["part.jsonl:L1", "part.jsonl:L4"]


def test_dead_letters_never_carry_the_raw_content():
    [dead] = read_lines(b'{"body": 12345, "secret": "jane@example.org"}')
    assert "jane" not in dead.message and "12345" not in dead.message
    assert dead.byte_length > 0 and len(dead.raw_sha256) == 64


def test_gzip_is_detected_by_magic_bytes():
    items = read_lines(b'{"body": "zipped"}', compress=True)
    assert isinstance(items[0], Document) and items[0].text == "zipped"


def test_truncated_gzip_keeps_the_good_lines_and_dead_letters_the_tail():
    lines = [json.dumps({"body": f"line {i} " + "words " * 50}).encode() for i in range(200)]
    data = gzip.compress(b"\n".join(lines), mtime=0)
    items = list(iter_jsonl(SPEC, "/data/cut.jsonl.gz", io.BytesIO(data[: len(data) // 2])))
    *good, tail = items
    assert good and all(isinstance(item, Document) for item in good)
    assert tail.error_code == ReadError.CORRUPT_COMPRESSED
    assert tail.locator == f"cut.jsonl.gz:L{len(good) + 1}"


def test_corrupt_gzip_stream_is_a_compressed_error():
    data = bytearray(gzip.compress(b'{"body": "x"}\n' * 100, mtime=0))
    data[20:40] = b"\x00" * 20
    items = list(iter_jsonl(SPEC, "/data/bad.gz", io.BytesIO(bytes(data))))
    assert items[-1].error_code == ReadError.CORRUPT_COMPRESSED


def test_text_file_is_one_document_and_strips_a_byte_order_mark():
    spec = ReadSpec(source_id="code", format="text", root="/repo")
    raw = "\ufeffprint('hi')\n".encode()
    document = read_text_file(spec, "/repo/a/b.py", io.BytesIO(raw), len(raw))
    assert document.locator == "a/b.py" and document.text == "print('hi')\n"


@pytest.mark.parametrize(
    ("raw", "code"),
    [(b"", ReadError.EMPTY_DOCUMENT), (b"\xff\xfe\x00bad", ReadError.INVALID_UTF8)],
)
def test_bad_text_files_are_dead_lettered(raw, code):
    spec = ReadSpec(source_id="code", format="text", root="/repo")
    assert read_text_file(spec, "/repo/x.txt", io.BytesIO(raw), len(raw)).error_code == code


def test_oversized_text_file_is_hashed_without_being_decoded():
    spec = ReadSpec(source_id="code", format="text", root="/repo", max_document_bytes=10)
    raw = b"z" * 100
    dead = read_text_file(spec, "/repo/big.txt", io.BytesIO(raw), len(raw))
    assert dead.error_code == ReadError.TOO_LARGE and dead.byte_length == 100


def test_parquet_rows_keep_their_row_index_across_row_groups(tmp_path):
    path = tmp_path / "t.parquet"
    table = pa.table({"body": ["a", None, "c", 5 and "d"], "lang": ["en", "de", "fr", "it"]})
    pq.write_table(table, path, row_group_size=2)
    spec = ReadSpec(source_id="p", format="parquet", root=str(tmp_path), text_field="body")
    with open(path, "rb") as stream:
        second_group = list(iter_parquet_row_group(spec, str(path), stream, 1, 2))
    assert [item.locator for item in second_group] == ["t.parquet#row=2", "t.parquet#row=3"]
    with open(path, "rb") as stream:
        first_group = list(iter_parquet_row_group(spec, str(path), stream, 0, 0))
    assert first_group[1].error_code == ReadError.MISSING_TEXT
