"""Records that could not become a Document: kept with a reason, never with their content.

The error codes (`ReadError`) are reason codes, defined with the others in
`schemas/reason_codes.py`; their meaning is in the catalogue's prose file.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

import pyarrow as pa

from schemas.document import make_doc_id
from schemas.pii import IdentifierFinding, identifier_finding_list
from schemas.reason_codes import ReadError


@dataclass(frozen=True)
class DeadLetter:
    doc_id: str
    source_id: str
    locator: str
    error_code: str
    message: str
    byte_length: int
    raw_sha256: str
    # Personal data masked in the locator (`transforms.pii.identifiers`).
    identifier_findings: list[IdentifierFinding] = field(default_factory=list)

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
        pa.field("identifier_findings", identifier_finding_list(), nullable=False),
    ]
)
