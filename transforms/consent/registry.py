"""Consent registry: load subjects' consent, keyed by HMAC token, from files or SQL.

Identifiers are tokenised row by row as they are read; the raw row is dropped
at once, so the `ConsentIndex` that becomes a Beam side input (pickled to every
worker) holds tokens only (GDPR pseudonymisation, key kept outside outputs).

Token normalisation contract (the integrator and the PII stage must match it):

- canonical subject token = `hmac_token(key, f"{kind}:{normalised}")`, kind in
  `email`, `user_id`, `phone`; see `normalise_identifier`:
  email -> `value.strip().lower()` (no Unicode folding, no plus/dot stripping);
  user_id -> `value.strip()` (case kept: ids are case-sensitive in most systems);
  phone -> `+` and digits when the value starts with `+` or `00` (E.164), else
  digits only (no country inference: `020 7946 0958` and `+44 20 7946 0958` differ).
- PII stage email tokens are `hmac_token(key, email.lower())` (no prefix). For
  every registry email the index also stores that alias, so
  `ConsentIndex.entries_for(token)` accepts either a canonical token or a PII
  email `value_token` for the same key. Likewise registry phones written in
  international form (`+…` or `00…`) get the alias `hmac_token(key, "+digits")`,
  which equals the PII stage's E.164 token; national-format registry phones get
  no alias (store E.164 in the registry). User ids have no PII counterpart.

What the loaded index means for one record (the timestamp rule, mentions, the reasons)
is `transforms.consent.decision`: loading runs once per worker and must be fast and
leak nothing, judging runs per record and must follow the policy; they change apart.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from schemas.consent import ConsentEntry, ConsentStatus, SubjectKind
from transforms.common.hashing import hmac_token

Opener = Callable[[str], BinaryIO]
IDENTIFIER_COLUMNS = tuple(kind.value for kind in SubjectKind)


class ConsentRegistryError(ValueError):
    """A registry row that cannot be used; the message names row and field, never the value."""


def normalise_identifier(kind: SubjectKind | str, value: str) -> str:
    kind = SubjectKind(kind)
    value = value.strip()
    if kind is SubjectKind.EMAIL:
        return value.lower()
    if kind is SubjectKind.PHONE:
        digits = "".join(ch for ch in value if ch.isdigit())
        if value.startswith("+"):
            return "+" + digits
        if value.startswith("00") and len(digits) > 2:
            return "+" + digits[2:]
        return digits
    return value


def subject_token(key: bytes, kind: SubjectKind | str, value: str) -> str:
    """Canonical token of an identifier: kind-prefixed so an email and an id never collide."""
    kind = SubjectKind(kind)
    return hmac_token(key, f"{kind.value}:{normalise_identifier(kind, value)}")


def pii_email_token(key: bytes, email: str) -> str:
    """The token the PII stage gives a found email: `hmac_token(key, email.lower())`."""
    return hmac_token(key, email.strip().lower())


@dataclass
class ConsentIndex:
    """token -> consent history; picklable, tokens only. Build with `build_consent_index`."""

    entries: dict[str, tuple[ConsentEntry, ...]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def entries_for(self, token: str) -> tuple[ConsentEntry, ...]:
        """Entries of a canonical token or of a PII-stage email token."""
        found = self.entries.get(token)
        if found is None and token in self.aliases:
            found = self.entries.get(self.aliases[token])
        return found or ()

    def canonical(self, token: str) -> str:
        return self.aliases.get(token, token)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:  # never dump tokens into logs by accident
        return f"ConsentIndex(subjects={len(self.entries)}, aliases={len(self.aliases)})"


@dataclass(frozen=True)
class RegistryColumns:
    """Column names of the registry source (configurable per registry).

    Long form: `subject_kind` + `subject_id`. Wide form: any of the `email`,
    `user_id`, `phone` columns; every non-empty one identifies the same entry.
    """

    subject_kind: str = "subject_kind"
    subject_id: str = "subject_id"
    status: str = "status"
    purposes: str = "purposes"
    granted_at: str = "granted_at"
    withdrawn_at: str = "withdrawn_at"
    evidence_ref: str = "evidence_ref"


def build_consent_index(
    rows: Iterable[Mapping[str, object]], key: bytes, columns: RegistryColumns | None = None
) -> ConsentIndex:
    """Tokenise rows as they stream in; raw identifiers never outlive their row."""
    columns = columns or RegistryColumns()
    history: dict[str, list[ConsentEntry]] = {}
    aliases: dict[str, str] = {}
    for row_number, row in enumerate(rows, start=1):
        entry = _entry_from_row(row, row_number, columns)
        for kind, value in _identifiers(row, row_number, columns):
            token = subject_token(key, kind, value)
            history.setdefault(token, []).append(entry)
            if kind is SubjectKind.EMAIL:
                aliases[pii_email_token(key, value)] = token
            elif kind is SubjectKind.PHONE and normalise_identifier(kind, value).startswith("+"):
                # The PII stage tokenises phones as bare E.164: alias international numbers.
                aliases[hmac_token(key, normalise_identifier(kind, value))] = token
    entries = {token: tuple(_sorted(found)) for token, found in history.items()}
    return ConsentIndex(entries=entries, aliases=aliases)


def _sorted(entries: list[ConsentEntry]) -> list[ConsentEntry]:
    """Deterministic order whatever the source order (side inputs must be reproducible)."""
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(
        entries,
        key=lambda e: (e.granted_at or epoch, e.withdrawn_at or epoch, e.status, e.evidence_ref),
    )


def _identifiers(
    row: Mapping[str, object], row_number: int, columns: RegistryColumns
) -> list[tuple[SubjectKind, str]]:
    found: list[tuple[SubjectKind, str]] = []
    kind_value = _text(row.get(columns.subject_kind))
    id_value = _text(row.get(columns.subject_id))
    if kind_value or id_value:
        try:
            kind = SubjectKind(kind_value.strip().lower())
        except ValueError:
            raise ConsentRegistryError(
                f"row {row_number}: field '{columns.subject_kind}' must be one of "
                f"{', '.join(IDENTIFIER_COLUMNS)}"
            ) from None
        found.append((kind, id_value))
    found.extend((kind, _text(row.get(kind.value))) for kind in SubjectKind)
    # Trap: a phone of "n/a" normalises to "" and would give every such row the
    # same token; identifiers that normalise to nothing are dropped.
    found = [(kind, value) for kind, value in found if normalise_identifier(kind, value)]
    if not found:
        raise ConsentRegistryError(
            f"row {row_number}: no subject identifier; fill '{columns.subject_id}' with "
            f"'{columns.subject_kind}', or one of the columns {', '.join(IDENTIFIER_COLUMNS)}"
        )
    return found


def _entry_from_row(
    row: Mapping[str, object], row_number: int, columns: RegistryColumns
) -> ConsentEntry:
    status_text = _text(row.get(columns.status)).strip().lower()
    try:
        status = ConsentStatus(status_text)
    except ValueError:
        raise ConsentRegistryError(
            f"row {row_number}: field '{columns.status}' is {status_text!r}; "
            f"use one of granted, withdrawn, refused"
        ) from None
    purposes_value = row.get(columns.purposes)
    if isinstance(purposes_value, list | tuple):
        purposes = tuple(str(p).strip() for p in purposes_value if str(p).strip())
    else:
        text = _text(purposes_value).replace(";", ",")
        purposes = tuple(p.strip() for p in text.split(",") if p.strip())
    if not purposes:
        raise ConsentRegistryError(
            f"row {row_number}: field '{columns.purposes}' is empty; list purposes "
            f"(comma-separated, e.g. 'ai_training') or '*' for all"
        )
    granted_at = _timestamp(row.get(columns.granted_at), row_number, columns.granted_at)
    withdrawn_at = _timestamp(row.get(columns.withdrawn_at), row_number, columns.withdrawn_at)
    return ConsentEntry(
        status=status,
        purposes=tuple(sorted(set(purposes))),
        granted_at=granted_at,
        withdrawn_at=withdrawn_at,
        evidence_ref=_text(row.get(columns.evidence_ref)).strip(),
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _timestamp(value: object, row_number: int, column: str) -> datetime | None:
    """ISO 8601 (or a datetime); naive times are taken as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConsentRegistryError(
                f"row {row_number}: field '{column}' is not an ISO 8601 timestamp "
                f"(e.g. 2024-05-01T12:00:00Z)"
            ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --------------------------------------------------------------------------- sources


def _open_binary(path: str) -> BinaryIO:
    return open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it


def read_csv_rows(path: str, opener: Opener = _open_binary) -> Iterator[dict[str, object]]:
    """Rows of a UTF-8 CSV with a header line. Pass `FileSystems.open` for gs:// or s3://."""
    with opener(path) as handle:
        yield from csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))


def read_jsonl_rows(path: str, opener: Opener = _open_binary) -> Iterator[dict[str, object]]:
    with opener(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise ConsentRegistryError(f"{path}: line {line_number} is not JSON") from None
            if not isinstance(row, dict):
                raise ConsentRegistryError(f"{path}: line {line_number} is not a JSON object")
            yield row


def read_parquet_rows(path: str, opener: Opener = _open_binary) -> Iterator[dict[str, object]]:
    import pyarrow.parquet as pq  # lazy: only Parquet registries need it

    with opener(path) as handle:
        for batch in pq.ParquetFile(handle).iter_batches(batch_size=10_000):
            yield from batch.to_pylist()


def read_sql_rows(
    url: str, *, table: str | None = None, query: str | None = None
) -> Iterator[dict[str, object]]:
    """Rows from any SQLAlchemy URL (`sqlite:///consent.db`, `postgresql+psycopg://...`).

    Give `table` (reflected, so no SQL is composed from config) or `query`
    (trusted config, run as-is). A bare path is taken as a SQLite file.
    """
    # Lazy: SQLAlchemy (and a database driver) is needed only for SQL registries.
    from sqlalchemy import MetaData, Table, create_engine, select, text

    if (table is None) == (query is None):
        raise ConsentRegistryError("consent registry: set exactly one of 'table' or 'query'")
    if "://" not in url:
        url = f"sqlite:///{url}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if table is not None:
                schema, _, name = table.rpartition(".")
                reflected = Table(name, MetaData(), schema=schema or None, autoload_with=connection)
                result = connection.execute(select(reflected))
            elif query is not None:
                result = connection.execute(text(query))
            else:
                raise AssertionError("unreachable: exactly one of table/query is set (see above)")
            for mapping in result.mappings():
                yield dict(mapping)
    finally:
        engine.dispose()


def load_consent_index(
    source: str,
    key: bytes,
    *,
    format: str | None = None,
    table: str | None = None,
    query: str | None = None,
    columns: RegistryColumns | None = None,
    opener: Opener = _open_binary,
) -> ConsentIndex:
    """Load a registry from csv, jsonl, parquet (by extension or `format`) or SQL (`sql`).

    `source` is a path for files, a SQLAlchemy URL or SQLite path for `sql`.
    """
    kind = (format or _format_from_source(source)).lower()
    if kind == "csv":
        rows: Iterable[Mapping[str, object]] = read_csv_rows(source, opener)
    elif kind in ("jsonl", "ndjson"):
        rows = read_jsonl_rows(source, opener)
    elif kind == "parquet":
        rows = read_parquet_rows(source, opener)
    elif kind == "sql":
        rows = read_sql_rows(source, table=table, query=query)
    else:
        raise ConsentRegistryError(
            f"consent registry {source!r}: unknown format {kind!r}; use csv, jsonl, parquet or sql"
        )
    return build_consent_index(rows, key, columns)


def _format_from_source(source: str) -> str:
    lowered = source.lower()
    if "://" in lowered and not lowered.startswith(("gs://", "s3://", "file://")):
        return "sql"
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".parquet", "parquet"),
        (".db", "sql"),
        (".sqlite", "sql"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "unknown"
