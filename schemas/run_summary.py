"""`reports/summary.json` as one typed value: the counts every report of a run is written from.

The run builds a `RunSummary`, writes it with `to_json()`, and hands the same value to
the report writers and the lineage events, so a figure is named once, here, rather than
by string keys scattered over the writers. `from_json()` reads a summary back (erasure
re-emits lineage from a published one) and refuses anything that is not exactly the
shape this version writes, naming the key, so an old or damaged summary fails loudly
instead of yielding reports with silent zeros.

The stage sections (`source_facts` ... `validation`) may be null or absent: the reports
then say "not run in this pipeline version" rather than mistake a missing check for a
clean one. Everything else is required.

Maps keyed by source, decision, reason code, entity type, ... stay `Mapping`s: their keys
are data, not schema. Errors name keys and types, never values, which can be free text.
"""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from schemas.record import Decision

# Free-form JSON as the source manifest declared it (`SourceConfig.evidence`).
JsonObject = Mapping[str, Any]


class SummaryFormatError(ValueError):
    """A summary that does not have the shape this version writes; the message says where."""


@dataclass(frozen=True)
class Totals:
    records_read: int
    ledger_rows: int
    dead_letter_rows: int
    decisions: Mapping[str, int]


@dataclass(frozen=True)
class SourceReconciliation:
    """Records read vs rows written for one source; `ok` is the "nothing lost" check."""

    records_read: int
    ledger_rows: int
    dead_letter_rows: int
    ok: bool


@dataclass(frozen=True)
class SourceCounts:
    decisions: Mapping[str, int]
    reasons: Mapping[str, Mapping[str, int]]  # decision -> reason code -> records
    dead_letter: Mapping[str, int]  # error code -> records

    @property
    def accepted(self) -> int:
        """Records that reached the dataset, redacted or not."""
        return self.decisions.get(Decision.ACCEPT, 0) + self.decisions.get(
            Decision.ACCEPT_REDACTED, 0
        )


# A source the summary has no counts for (e.g. configured, but nothing read).
NO_COUNTS = SourceCounts(decisions={}, reasons={}, dead_letter={})


@dataclass(frozen=True)
class SourceFacts:
    """What the run config says a source is, and the evidence checker's verdict."""

    type: str
    format: str
    declared_license: str
    legal_basis: str
    evidence: JsonObject
    priority: int
    missing_evidence: tuple[str, ...]  # "field: hint"


@dataclass(frozen=True)
class PiiFigures:
    found: Mapping[str, int]  # entity type -> findings
    documents_with: Mapping[str, int]
    redacted: Mapping[str, int]
    rejected: Mapping[str, int]


@dataclass(frozen=True)
class LicenseFigures:
    categories: Mapping[str, int]
    spdx: Mapping[str, int]
    conflicts: int
    per_source: Mapping[str, Mapping[str, int]]  # source -> category -> documents


@dataclass(frozen=True)
class ConsentFigures:
    status: Mapping[str, int]
    per_source: Mapping[str, Mapping[str, int]]  # source -> status -> documents


@dataclass(frozen=True)
class OptOutFigures:
    signals: Mapping[str, int]  # reason code -> documents


@dataclass(frozen=True)
class DedupFigures:
    documents: int
    clusters: int
    cluster_size_histogram: Mapping[str, int]  # size bin ("2", "3-5", ...) -> clusters
    removed_per_source: Mapping[str, int]
    exact_removed: int
    near_removed: int
    # Connected-component rounds that rewrote an edge (the rest found the graph settled);
    # 0 in summaries from before the rounds were counted.
    component_rounds: int = 0


@dataclass(frozen=True)
class GateFigures:
    """One source's sampled disqualifying rate against the TC260 gate."""

    records: int
    disqualifying: int
    rate: float
    threshold: float
    exceeded: bool
    sample_size: int


@dataclass(frozen=True)
class SizeFigures:
    dataset_bytes: int
    dataset_tokens_estimate: int
    per_source_bytes: Mapping[str, int]
    top_domains: tuple[tuple[str, int], ...]  # (domain, bytes), largest first


@dataclass(frozen=True)
class ReuseFigures:
    """With `run --previous`: what the earlier version saved this run, and what changed."""

    previous_run_id: str
    reused: int  # records whose scan results were carried over, not re-scanned
    rescanned: Mapping[str, int]  # why a record was scanned (new, changed, ...) -> records
    removed: int  # records of the earlier version whose input is gone
    removed_published: int  # ... of them in its dataset
    newly_accepted: int  # rejected by the earlier version, published now
    newly_rejected: int  # published by the earlier version, rejected now
    new_accepted: int  # records the earlier version did not have, published now
    new_rejected: int

    @property
    def scanned(self) -> int:
        return sum(self.rescanned.values())


@dataclass(frozen=True)
class SuiteResult:
    name: str
    file: str
    success: bool
    failed: tuple[str, ...]


@dataclass(frozen=True)
class ValidationResults:
    success: bool
    suites: tuple[SuiteResult, ...]

    def failures(self) -> list[str]:
        return [
            f"{suite.name} on {suite.file}: {failure}"
            for suite in self.suites
            for failure in suite.failed
        ]


@dataclass(frozen=True)
class RunSummary:
    """The whole of `reports/summary.json`; field order is the file's key order."""

    FILE: ClassVar[str] = "reports/summary.json"

    totals: Totals
    reconciliation: Mapping[str, SourceReconciliation]
    sources: Mapping[str, SourceCounts]
    metrics: Mapping[str, int]  # Beam counter "namespace/name" -> value
    run_id: str
    source_facts: Mapping[str, SourceFacts] | None = None
    pii: PiiFigures | None = None
    licenses: LicenseFigures | None = None
    consent: ConsentFigures | None = None
    optout: OptOutFigures | None = None
    dedup: DedupFigures | None = None
    gates: Mapping[str, GateFigures] | None = None
    sizes: SizeFigures | None = None
    validation: ValidationResults | None = None
    reuse: ReuseFigures | None = None

    def counts_of(self, source_id: str) -> SourceCounts:
        return self.sources.get(source_id, NO_COUNTS)

    def source_ids(self) -> list[str]:
        """Every source the summary mentions, configured or counted."""
        return sorted(set(self.source_facts or {}) | set(self.reconciliation) | set(self.sources))

    def to_json(self) -> dict[str, Any]:
        """The JSON object written as summary.json (a not-run stage section is null)."""
        return _encode(self)

    @classmethod
    def from_json(cls, data: object, where: str = FILE) -> RunSummary:
        """Raises `SummaryFormatError` naming `where` and the first key out of shape."""
        try:
            return _decode(data, cls, "")
        except _Mismatch as mismatch:
            raise SummaryFormatError(
                f"{where} is not a run summary this version can read: {mismatch}. It was "
                "written by another pipeline version or has been altered; re-run the "
                "pipeline (or restore the published file) to get a readable one."
            ) from None

    @classmethod
    def read(cls, path: str | Path) -> RunSummary:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SummaryFormatError(f"{path} cannot be read as JSON: {error}") from None
        return cls.from_json(data, str(path))


# ---- one generic encoder/decoder over the dataclasses above ------------------------------


class _Mismatch(Exception):
    pass


def as_json(value: Any) -> Any:
    """Any part of a summary as the JSON it has inside summary.json (None stays None)."""
    return _encode(value)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _encode(getattr(value, field.name)) for field in _fields(type(value))}
    if isinstance(value, Mapping):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(cls)


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _where(path: str) -> str:
    return f"`{path}`" if path else "the top level"


_TYPE_NAMES = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}


def _found(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _decode(value: object, hint: Any, path: str) -> Any:
    origin = get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(hint) if arg is not type(None)]
        if value is None and len(options) < len(get_args(hint)):
            return None
        (hint,) = options  # only `X | None` unions are used above
        return _decode(value, hint, path)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(value, hint, path)
    if origin is Mapping:
        if not isinstance(value, dict):
            raise _Mismatch(f"{_where(path)} should be an object, found {_found(value)}")
        _, item_hint = get_args(hint)
        return {key: _decode(item, item_hint, f"{path}[{key!r}]") for key, item in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise _Mismatch(f"{_where(path)} should be a list, found {_found(value)}")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(item, args[0], f"{path}[{i}]") for i, item in enumerate(value))
        if len(value) != len(args):
            raise _Mismatch(f"{_where(path)} should have {len(args)} items, found {len(value)}")
        return tuple(
            _decode(item, arg, f"{path}[{i}]")
            for i, (item, arg) in enumerate(zip(value, args, strict=True))
        )
    # JSON has no int/float distinction worth enforcing for floats; bool is never a number.
    accepted = (int, float) if hint is float else (hint,)
    if isinstance(value, bool) != (hint is bool) or not isinstance(value, accepted):
        raise _Mismatch(f"{_where(path)} should be {_TYPE_NAMES[hint]}, found {_found(value)}")
    return value


def _decode_dataclass(value: object, cls: type, path: str) -> Any:
    if not isinstance(value, dict):
        raise _Mismatch(f"{_where(path)} should be an object, found {_found(value)}")
    fields = _fields(cls)
    names = {field.name for field in fields}
    unknown = sorted(str(key) for key in value if key not in names)
    if unknown:
        raise _Mismatch(f"{_where(path)} has unexpected key(s) {', '.join(unknown)}")
    missing = [
        field.name
        for field in fields
        if field.name not in value and field.default is dataclasses.MISSING
    ]
    if missing:
        raise _Mismatch(f"{_where(path)} lacks required key(s) {', '.join(missing)}")
    hints = _hints(cls)
    prefix = f"{path}." if path else ""
    return cls(
        **{name: _decode(item, hints[name], f"{prefix}{name}") for name, item in value.items()}
    )
