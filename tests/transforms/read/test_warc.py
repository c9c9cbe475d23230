"""Specification of the WARC reading core: records as plain data, bad input as error items."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schemas.consent import WarcError, WarcErrorCode, WarcRecord
from transforms.read.warc import detect_charset, html_to_text, iter_warc_records

PAGE = (
    "<html><head><title>T</title><meta name='tdm-reservation' content='1'>"
    "<script>var secret = 1;</script></head><body><nav>Home | About</nav>"
    "<article><h1>Café news</h1><p>The main story of the day is here.</p></article>"
    "</body></html>"
)


def write_warc(
    path: Path,
    pages: list[tuple[str, bytes, list[tuple[str, str]]]],
    *,
    gzip: bool = True,
    status: str = "200 OK",
) -> Path:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record("x.warc", {"software": "test"}))
        for url, body, headers in pages:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http
            )
            writer.write_record(record)
    return path


def html_page(url: str = "https://x.org/a", body: str = PAGE, charset: str = "utf-8"):
    headers = [("Content-Type", f"text/html; charset={charset}"), ("X-Robots-Tag", "noai")]
    return (url, body.encode(charset), headers)


def read_all(path: Path) -> list[WarcRecord | WarcError]:
    with path.open("rb") as handle:
        return list(iter_warc_records(handle))


@pytest.mark.parametrize("gzip", [True, False])
def test_response_records_become_plain_records_and_warcinfo_is_skipped(tmp_path, gzip):
    path = write_warc(tmp_path / "a.warc", [html_page("https://x.org/1")], gzip=gzip)
    [record] = read_all(path)
    assert isinstance(record, WarcRecord)
    assert record.url == "https://x.org/1"
    assert record.http_status == 200
    assert record.fetch_time.endswith("Z")
    assert ("X-Robots-Tag", "noai") in record.http_headers
    assert record.header("x-robots-tag") == ["noai"]
    assert record.html == PAGE.encode()
    assert record.payload_sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    assert ("tdm-reservation", "1") in record.meta_tags


def test_extracted_text_keeps_the_article_and_drops_scripts(tmp_path):
    [record] = read_all(write_warc(tmp_path / "a.warc.gz", [html_page()]))
    assert "The main story of the day is here." in record.text
    assert "Café news" in record.text
    assert "secret" not in record.text


def test_offsets_locate_each_record_and_are_stable(tmp_path):
    pages = [html_page(f"https://x.org/{i}") for i in range(3)]
    path = write_warc(tmp_path / "a.warc.gz", pages)
    first, second = read_all(path), read_all(path)
    offsets = [item.offset for item in first]
    assert offsets == [item.offset for item in second]
    assert len(set(offsets)) == 3 and offsets == sorted(offsets)


def test_header_charset_decodes_legacy_pages(tmp_path):
    page = html_page(body="<p>Grüße aus München, schöne Straße</p>", charset="iso-8859-1")
    [record] = read_all(write_warc(tmp_path / "a.warc.gz", [page]))
    assert record.text == "Grüße aus München, schöne Straße"
    assert (record.charset, record.charset_source) == ("cp1252", "header")


def test_short_utf8_without_declared_charset_is_not_misread_by_the_detector():
    # Trap: uchardet alone calls this cp1250 and produces "CafĂ©".
    assert detect_charset("<p>Café</p>".encode()) == ("utf-8", "utf8")


def test_meta_charset_is_used_when_the_header_has_none():
    body = "<meta charset='windows-1252'><p>na\xefve</p>".encode("cp1252")
    assert detect_charset(body, "text/html") == ("cp1252", "meta")


def test_html_to_text_accepts_bytes_and_str():
    assert html_to_text("<p>Hello world</p>") == "Hello world"
    assert html_to_text("<p>Hello wörld</p>".encode()) == "Hello wörld"


def test_non_html_response_is_an_error_item_with_hash_not_content(tmp_path):
    body = b"%PDF-1.7 private bytes"
    page = ("https://x.org/f.pdf", body, [("Content-Type", "application/pdf")])
    [error] = read_all(write_warc(tmp_path / "a.warc.gz", [page]))
    assert isinstance(error, WarcError)
    assert error.code is WarcErrorCode.UNSUPPORTED_CONTENT_TYPE
    assert (error.byte_length, error.raw_sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert "private" not in error.message


def test_page_without_text_is_an_empty_document_error(tmp_path):
    page = html_page(body="<html><body><script>x()</script></body></html>")
    [error] = read_all(write_warc(tmp_path / "a.warc.gz", [page]))
    assert error.code is WarcErrorCode.EMPTY_DOCUMENT


def test_payload_over_the_limit_is_too_large_and_still_hashed(tmp_path):
    path = write_warc(tmp_path / "a.warc.gz", [html_page()])
    with path.open("rb") as handle:
        [error] = list(iter_warc_records(handle, max_payload_bytes=10))
    assert error.code is WarcErrorCode.TOO_LARGE
    assert error.raw_sha256 == hashlib.sha256(PAGE.encode()).hexdigest()


@pytest.mark.parametrize("gzip", [True, False])
@pytest.mark.parametrize("cut", [40, 200], ids=["in-payload", "in-headers"])
def test_truncated_archive_yields_good_records_then_one_tail_error(tmp_path, gzip, cut):
    # Trap: warcio itself ends silently here and the last record just vanishes.
    pages = [html_page(f"https://x.org/{i}") for i in range(3)]
    data = write_warc(tmp_path / "a.warc", pages, gzip=gzip).read_bytes()[:-cut]
    items = list(iter_warc_records(io.BytesIO(data)))
    assert [type(item) for item in items] == [WarcRecord, WarcRecord, WarcError]
    tail = items[-1]
    assert tail.code in (WarcErrorCode.CORRUPT_COMPRESSED, WarcErrorCode.MALFORMED_RECORD)
    rest = data[tail.offset :]
    assert (tail.byte_length, tail.raw_sha256) == (len(rest), hashlib.sha256(rest).hexdigest())


def test_corrupted_gzip_member_stops_with_error_covering_the_rest(tmp_path):
    pages = [html_page(f"https://x.org/{i}") for i in range(3)]
    data = bytearray(write_warc(tmp_path / "a.warc.gz", pages).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = b"\x00" * 16
    items = list(iter_warc_records(io.BytesIO(bytes(data))))
    error = items[-1]
    assert isinstance(error, WarcError)
    assert error.code is WarcErrorCode.CORRUPT_COMPRESSED
    rest = bytes(data[error.offset :])
    assert (error.byte_length, error.raw_sha256) == (len(rest), hashlib.sha256(rest).hexdigest())


def test_bit_flip_in_plain_warc_payload_is_a_record_error_and_reading_continues(tmp_path):
    pages = [html_page(f"https://x.org/{i}") for i in range(3)]
    data = write_warc(tmp_path / "a.warc", pages, gzip=False).read_bytes()
    data = data.replace(b"main story", b"MAIN story", 1)  # breaks the block digest
    items = list(iter_warc_records(io.BytesIO(data)))
    assert [type(item) for item in items] == [WarcError, WarcRecord, WarcRecord]
    assert items[0].code is WarcErrorCode.MALFORMED_RECORD
    assert items[0].url == "https://x.org/0"
    stored = data[items[0].offset : items[1].offset].rstrip(b"\r\n")
    assert items[0].byte_length == len(stored)
    assert items[0].raw_sha256 == hashlib.sha256(stored).hexdigest()


def test_garbage_file_yields_errors_not_exceptions():
    items = list(iter_warc_records(io.BytesIO(b"\x1f\x8b\x08 not really gzip at all")))
    assert items and all(isinstance(item, WarcError) for item in items)


def test_empty_file_yields_nothing():
    assert list(iter_warc_records(io.BytesIO(b""))) == []
