"""Records that could not become a Document: kept with a reason, never with their content."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from enum import StrEnum

import pyarrow as pa

from schemas.document import make_doc_id


class ReadError(StrEnum):
    """Error codes of the dead-letter output; each names one kind of bad input."""

    MALFORMED_JSON = "read.malformed_json"
    NOT_AN_OBJECT = "read.not_an_object"
    WRONG_TYPE = "read.wrong_type"
    MISSING_TEXT = "read.missing_text"
    INVALID_UTF8 = "read.invalid_utf8"
    EMPTY_DOCUMENT = "read.empty_document"
    TOO_LARGE = "read.too_large"
    CORRUPT_COMPRESSED = "read.corrupt_compressed"
    UNREADABLE_FILE = "read.unreadable_file"
    DECOMPRESSION_LIMIT = "read.decompression_limit"
    WARC_MALFORMED_RECORD = "read.warc_malformed_record"
    UNSUPPORTED_CONTENT_TYPE = "read.unsupported_content_type"


DEAD_LETTER_DESCRIPTIONS: dict[str, str] = {
    ReadError.MALFORMED_JSON: "The line is not valid JSON.",
    ReadError.NOT_AN_OBJECT: "The JSON value is not an object (e.g. a list or a number).",
    ReadError.WRONG_TYPE: "The text field holds a value that is not a string.",
    ReadError.MISSING_TEXT: "The configured text field is absent or null.",
    ReadError.INVALID_UTF8: "The bytes are not valid UTF-8.",
    ReadError.EMPTY_DOCUMENT: "The text is empty or only whitespace.",
    ReadError.TOO_LARGE: "The record is larger than limits.max_document_bytes.",
    ReadError.CORRUPT_COMPRESSED: "The compressed stream is truncated or corrupt from here on.",
    ReadError.UNREADABLE_FILE: "The whole file could not be opened or parsed.",
    ReadError.DECOMPRESSION_LIMIT: "The file decompresses to more than "
    "limits.max_decompressed_bytes (a gzip bomb or a mislabelled file); the rest is not read.",
    ReadError.WARC_MALFORMED_RECORD: "A WARC record's headers or payload are malformed.",
    ReadError.UNSUPPORTED_CONTENT_TYPE: "A WARC response is not text (e.g. an image).",
}


@dataclass(frozen=True)
class DeadLetter:
    doc_id: str
    source_id: str
    locator: str
    error_code: str
    message: str
    byte_length: int
    raw_sha256: str

    @classmethod
    def build(
        cls,
        source_id: str,
        locator: str,
        error: ReadError,
        message: str,
        raw: bytes = b"",
        *,
        byte_length: int | None = None,
        raw_sha256: str | None = None,
    ) -> DeadLetter:
        """The message must describe the problem, never quote the content.

        `byte_length`/`raw_sha256` override the values computed from `raw` when the
        record was streamed rather than held in memory (huge records).
        """
        return cls(
            doc_id=make_doc_id(source_id, locator),
            source_id=source_id,
            locator=locator,
            error_code=str(error),
            message=message,
            byte_length=len(raw) if byte_length is None else byte_length,
            raw_sha256=hashlib.sha256(raw).hexdigest() if raw_sha256 is None else raw_sha256,
        )

    def to_row(self) -> dict:
        return asdict(self)


DEAD_LETTER_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("error_code", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
        pa.field("byte_length", pa.int64(), nullable=False),
        pa.field("raw_sha256", pa.string(), nullable=False),
    ]
)
