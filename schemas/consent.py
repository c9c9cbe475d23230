"""Record types of the consent and opt-out half, and the ledger columns they add.

Everything here is plain, picklable data: it crosses Beam worker boundaries as
side inputs and elements. None of these types may ever hold a raw personal
identifier; subjects appear only as HMAC tokens (see `transforms/consent/registry.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from schemas.reason_codes import OptOutReason, ReadError

# --------------------------------------------------------------------------- opt-out


class OptOutKind(StrEnum):
    """What a signal is; several kinds map to the same reason code."""

    TDM_RESERVATION = "tdm_reservation"
    TDM_POLICY = "tdm_policy"
    NOAI = "noai"
    NOIMAGEAI = "noimageai"
    CONTENT_USAGE = "content_usage"
    ROBOTS_DISALLOW = "robots_disallow"


class OptOutSource(StrEnum):
    """Where the signal was read; privacy officers ask 'how did you know?'."""

    HEADER = "header"
    META = "meta"
    METADATA = "metadata"
    TDMREP_JSON = "tdmrep_json"
    ROBOTS_TXT = "robots_txt"


REASON_BY_KIND: dict[OptOutKind, OptOutReason] = {
    OptOutKind.TDM_RESERVATION: OptOutReason.TDM_RESERVATION,
    OptOutKind.TDM_POLICY: OptOutReason.TDM_RESERVATION,
    OptOutKind.NOAI: OptOutReason.NOAI,
    OptOutKind.NOIMAGEAI: OptOutReason.NOAI,
    OptOutKind.CONTENT_USAGE: OptOutReason.CONTENT_USAGE,
    OptOutKind.ROBOTS_DISALLOW: OptOutReason.ROBOTS,
}


@dataclass(frozen=True)
class OptOutSignal:
    """One opt-out statement as found (`raw`) and as understood (`reserved`).

    Keeping `raw` next to the parsed bit lets an auditor re-judge a decision when a
    standard or our parser changes; `parser_version` says which parser judged it.
    `reserved=False` signals are still recorded (e.g. `tdm-reservation: 0`, a
    `noimageai` on a text page): they prove we looked.
    """

    kind: OptOutKind
    source: OptOutSource
    raw: str
    reserved: bool
    parser_version: str

    @property
    def reason_code(self) -> str:
        return str(REASON_BY_KIND[self.kind])

    def to_row(self) -> dict:
        return {
            "kind": str(self.kind),
            "source": str(self.source),
            "raw": self.raw,
            "reserved": self.reserved,
            "reason_code": self.reason_code,
            "parser_version": self.parser_version,
        }


OPTOUT_SIGNAL_TYPE = pa.struct(
    [
        pa.field("kind", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("raw", pa.string(), nullable=False),
        pa.field("reserved", pa.bool_(), nullable=False),
        pa.field("reason_code", pa.string(), nullable=False),
        pa.field("parser_version", pa.string(), nullable=False),
    ]
)

# --------------------------------------------------------------------------- consent


class SubjectKind(StrEnum):
    """Identifier kinds; the value is also the token prefix (`email:`, `user_id:`, `phone:`)."""

    EMAIL = "email"
    USER_ID = "user_id"
    PHONE = "phone"


class ConsentStatus(StrEnum):
    """Status of one registry entry."""

    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


class LedgerConsentStatus(StrEnum):
    """The consent status a ledger row records for its record."""

    GRANTED = "granted"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    NOT_REQUIRED = "not_required"


ALL_PURPOSES = "*"


@dataclass(frozen=True)
class ConsentEntry:
    """One registry row, stripped of the identifier (the index keys it by token).

    `withdrawn_at` is the time consent stopped: the withdrawal time for
    `withdrawn`, the refusal time for `refused` (None = unknown, treated as
    "applies to everything"). `granted_at` stays set on a withdrawn entry so the
    history is kept. Datetimes are timezone-aware UTC.
    """

    status: ConsentStatus
    purposes: tuple[str, ...]
    granted_at: datetime | None = None
    withdrawn_at: datetime | None = None
    evidence_ref: str = ""

    def covers(self, purpose: str) -> bool:
        return ALL_PURPOSES in self.purposes or purpose in self.purposes


@dataclass(frozen=True)
class ConsentDecision:
    """What the consent check concluded for one record.

    `reasons` pairs reason codes with the action the settings give them (values of
    `schemas.record.Action`); empty when consent does not block the record.
    `blocked_mention_tokens` are the mentioned tokens (as passed in, e.g. PII
    finding value tokens) whose subjects withdrew or refused: redact those.
    """

    status: LedgerConsentStatus
    reasons: tuple[tuple[str, str], ...] = ()
    blocked_mention_tokens: tuple[str, ...] = ()


CONSENT_STATUS_TYPE = pa.string()  # one of LedgerConsentStatus

CONSENT_LEDGER_FIELDS = [
    pa.field("consent_status", CONSENT_STATUS_TYPE, nullable=False),
    pa.field("optout_signals", pa.list_(OPTOUT_SIGNAL_TYPE), nullable=False),
]
"""Columns proposed for LEDGER_SCHEMA (integrator owns it): append these two fields."""

# --------------------------------------------------------------------------- WARC


@dataclass(frozen=True)
class WarcRecord:
    """A WARC `response` record as plain data, ready to become a Document.

    `offset` is the record's byte offset in the (possibly compressed) file: with
    the file path it is a stable locator. `html` is the decoded HTTP payload (not
    the WARC block), kept so opt-out meta tags can be read; drop it after that.
    """

    offset: int
    url: str
    fetch_time: str
    http_status: int
    http_headers: list[tuple[str, str]]
    html: bytes
    charset: str
    charset_source: str
    text: str
    meta_tags: list[tuple[str, str]]
    payload_sha256: str
    warc_record_id: str = ""

    def header(self, name: str) -> list[str]:
        """All values of an HTTP header, case-insensitively (headers repeat)."""
        wanted = name.lower()
        return [value for key, value in self.http_headers if key.lower() == wanted]


class WarcErrorCode(StrEnum):
    """The dead-letter codes a WARC file can produce: a subset of `ReadError`, by value."""

    CORRUPT_COMPRESSED = ReadError.CORRUPT_COMPRESSED.value
    UNREADABLE_FILE = ReadError.UNREADABLE_FILE.value
    MALFORMED_RECORD = ReadError.WARC_MALFORMED_RECORD.value
    UNSUPPORTED_CONTENT_TYPE = ReadError.UNSUPPORTED_CONTENT_TYPE.value
    EMPTY_DOCUMENT = ReadError.EMPTY_DOCUMENT.value
    TOO_LARGE = ReadError.TOO_LARGE.value


@dataclass(frozen=True)
class WarcError:
    """A WARC record (or the rest of a file) that could not be read: never its content."""

    offset: int
    code: WarcErrorCode
    message: str
    byte_length: int
    raw_sha256: str
    url: str = ""


class ConsentRegistryConfig(BaseModel):
    """Where the consent registry lives: a CSV/JSONL/Parquet file or a SQLAlchemy URL.

    The run config's `consent:` block, handed to the consent stage as it is (one type from
    the YAML to the worker, no copy to keep in step).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    registry: str
    format: str | None = Field(default=None, description="csv, jsonl, parquet or sql")
    table: str | None = None
    query: str | None = None
    purpose: str = "training"


class OptOutSnapshots(BaseModel):
    """robots.txt and /.well-known/tdmrep.json captured at crawl time, per site (host).

    A source's `optout:` block; the consent stage reads the same object.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    robots_txt: dict[str, str] = Field(default_factory=dict)
    tdmrep: dict[str, str] = Field(default_factory=dict)
