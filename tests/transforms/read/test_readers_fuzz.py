"""Property tests: whatever bytes arrive, the readers account for them and never raise."""

from __future__ import annotations

import gzip
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.dead_letter import DeadLetter
from schemas.document import Document
from transforms.read.readers import ReadSpec, iter_jsonl, read_text_file

SPEC = ReadSpec(source_id="f", format="jsonl", root="/", max_document_bytes=2000)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def non_blank_lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip())


@FUZZ
@given(st.binary(max_size=6000))
def test_random_bytes_give_one_item_per_non_blank_line(data):
    items = list(iter_jsonl(SPEC, "/x.jsonl", io.BytesIO(data)))
    assert all(isinstance(item, Document | DeadLetter) for item in items)
    if data[:2] != b"\x1f\x8b":
        assert len(items) == non_blank_lines(data)


@FUZZ
@given(st.lists(st.text(max_size=300), max_size=30), st.floats(0.0, 1.0))
def test_truncated_gzip_never_raises(texts, cut):
    data = gzip.compress("\n".join(texts).encode("utf-8", "surrogatepass"), mtime=0)
    truncated = data[: int(len(data) * cut)]
    items = list(iter_jsonl(SPEC, "/x.jsonl.gz", io.BytesIO(truncated)))
    assert all(isinstance(item, Document | DeadLetter) for item in items)


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=40,
    )
)
def test_any_json_value_is_a_document_or_a_dead_letter(value):
    import json

    line = json.dumps({"text": value}).encode()
    [item] = list(iter_jsonl(SPEC, "/x.jsonl", io.BytesIO(line)))
    if isinstance(value, str) and value.strip() and len(value.encode()) <= 2000:
        assert isinstance(item, Document)
    else:
        assert isinstance(item, DeadLetter)


@FUZZ
@given(st.binary(max_size=3000))
def test_text_files_of_random_bytes_never_raise(data):
    spec = ReadSpec(source_id="t", format="text", root="/", max_document_bytes=2000)
    item = read_text_file(spec, "/a.txt", io.BytesIO(data), len(data))
    assert isinstance(item, Document | DeadLetter)


def test_gzip_bomb_stops_at_the_decompressed_size_cap():
    spec = ReadSpec(
        source_id="b",
        format="jsonl",
        root="/",
        max_document_bytes=2000,
        max_decompressed_bytes=1_000_000,
    )
    line = b'{"text": "' + b"a" * 500 + b'"}\n'
    bomb = gzip.compress(line * 200_000, mtime=0)  # ~100 MB of text in ~100 KB
    items = list(iter_jsonl(spec, "/bomb.jsonl.gz", io.BytesIO(bomb)))
    assert items[-1].error_code == "read.decompression_limit"
    assert len(items) < 3000


def test_enormous_line_is_skipped_in_bounded_memory():
    spec = ReadSpec(source_id="e", format="jsonl", root="/", max_document_bytes=1000)
    huge = b'{"text": "' + b"x" * 5_000_000 + b'"}\n{"text": "after"}\n'
    items = list(iter_jsonl(spec, "/e.jsonl", io.BytesIO(huge)))
    assert [type(item).__name__ for item in items] == ["DeadLetter", "Document"]
    assert items[0].byte_length == 5_000_013


class _HugeLineStream(io.RawIOBase):
    """A 200 MB single-line JSONL document produced on the fly (never held in memory)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.head = b'{"text": "'
        self.tail = b'"}\n{"text": "next"}\n'

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        assert (offset, whence) == (0, 0)
        self.position = 0
        return 0

    def _byte_range(self, start: int, length: int) -> bytes:
        body_end = len(self.head) + self.size
        out = bytearray()
        for index in range(start, min(start + length, body_end + len(self.tail))):
            if index < len(self.head):
                out.append(self.head[index])
            elif index < body_end:
                out.extend(b"z")
            else:
                out.append(self.tail[index - body_end])
        return bytes(out)

    def readinto(self, buffer) -> int:
        total = len(self.head) + self.size + len(self.tail)
        count = min(len(buffer), total - self.position)
        if count <= 0:
            return 0
        body_start, body_end = len(self.head), len(self.head) + self.size
        if body_start <= self.position and self.position + count <= body_end:
            buffer[:count] = b"z" * count  # fast path through the body
        else:
            buffer[:count] = self._byte_range(self.position, count)
        self.position += count
        return count


def test_a_200_mb_single_document_is_dead_lettered_and_the_file_goes_on():
    spec = ReadSpec(source_id="h", format="jsonl", root="/", max_document_bytes=10_000_000)
    stream = io.BufferedReader(_HugeLineStream(200_000_000), buffer_size=1 << 20)
    items = list(iter_jsonl(spec, "/huge.jsonl", stream))
    assert items[0].error_code == "read.too_large"
    assert items[0].byte_length == 200_000_000 + 13
    assert isinstance(items[1], Document) and items[1].text == "next"
