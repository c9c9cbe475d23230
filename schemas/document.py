"""The unit every stage works on: one record read from one source."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from schemas.consent import OptOutSignal
from schemas.pii import IdentifierFinding

DOC_ID_HEX_LENGTH = 32


def make_doc_id(source_id: str, locator: str) -> str:
    """Stable id from source id + locator, so takedowns and erasure can find a record again.

    Ids never depend on content, run time or worker layout: re-running the same
    config over the same files gives the same ids (dolma's lesson).
    """
    digest = hashlib.sha256(f"{source_id}\x1f{locator}".encode()).hexdigest()
    return digest[:DOC_ID_HEX_LENGTH]


@dataclass
class Document:
    doc_id: str
    source_id: str
    locator: str
    text: str
    content_sha256: str
    byte_length: int
    metadata: dict[str, str] = field(default_factory=dict)
    # Raw identifiers of the record's own subject (author email, user id), kept only
    # until the consent stage turns them into HMAC tokens; never written anywhere.
    subject_identifiers: dict[str, str] = field(default_factory=dict, repr=False)
    collected_at: str | None = None
    # Machine-readable reservations seen at read time (HTTP headers, meta tags, fields).
    optout_signals: list[OptOutSignal] = field(default_factory=list)
    # Personal data masked in the locator or metadata (`transforms.pii.identifiers`).
    identifier_findings: list[IdentifierFinding] = field(default_factory=list)

    @classmethod
    def from_text(
        cls,
        source_id: str,
        locator: str,
        text: str,
        raw: bytes,
        metadata: dict[str, str],
        **extra,
    ) -> Document:
        return cls(
            doc_id=make_doc_id(source_id, locator),
            source_id=source_id,
            locator=locator,
            text=text,
            content_sha256=hashlib.sha256(raw).hexdigest(),
            byte_length=len(raw),
            metadata=metadata,
            **extra,
        )
