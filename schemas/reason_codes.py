"""The catalogue of reason codes: the one place a code is defined.

Stages, policy rules, `policy explain`, the audit report and the data-quality check all
import the constants below instead of spelling codes, and a test walks the product code
for stray code-like strings, so a new code cannot be emitted without an entry here.
What each code means to a non-engineer, and which rule it serves, is prose a privacy
officer may edit: it lives in `schemas/data/reason_codes.json`, which is checked against
these constants when first used (`catalogue()`; `provenance run` and `check` load it before
any work, so a missing, unknown or extra entry stops the program with a message naming it,
rather than a report that reads "unknown" later).

Family codes (`pii.redacted.<ENTITY>`) name an entity type in their last part; a family
is one catalogue entry (`pii.redacted.*`) and builds its concrete codes with `code()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

DATA_FILE = "reason_codes.json"
DATA_PATH = f"schemas/data/{DATA_FILE}"


class AcceptReason(StrEnum):
    """The reason of a record nothing objected to."""

    CLEAN = "accept.clean"


class ScanReason(StrEnum):
    """Codes any scanning stage raises about the scan itself."""

    TIME_BUDGET_EXCEEDED = "scan.time_budget_exceeded"


class LicenseReason(StrEnum):
    """Codes of the license policy (`transforms/licenses/policy_rules.py` decides them)."""

    RESERVED_TDM = "license.reserved_tdm"
    ALL_RIGHTS_RESERVED = "license.all_rights_reserved"
    CONFLICT = "license.conflict"
    NON_COMMERCIAL = "license.non_commercial"
    NO_DERIVATIVES = "license.no_derivatives"
    COPYLEFT = "license.copyleft"
    PROPRIETARY = "license.proprietary"
    UNKNOWN = "license.unknown"
    CATEGORY_NOT_ALLOWED = "license.category_not_allowed"


class DedupReason(StrEnum):
    """Codes of the duplicate stage. The `_of` pair is catalogued, not raised by this
    version: the kept copy is named in the ledger's `duplicate_of` column instead."""

    EXACT_DUPLICATE = "dedup.exact_duplicate"
    NEAR_DUPLICATE = "dedup.near_duplicate"
    EXACT_DUPLICATE_OF = "dedup.exact_duplicate_of"
    NEAR_DUPLICATE_OF = "dedup.near_duplicate_of"


class ConsentReason(StrEnum):
    """Codes of the consent check, and of copies of a withdrawn subject's text."""

    MISSING = "consent.missing"
    WITHDRAWN = "consent.withdrawn"
    REFUSED = "consent.refused"
    WITHDRAWN_MENTION = "consent.withdrawn_mention"
    WITHDRAWN_COPY = "consent.withdrawn_copy"


class OptOutReason(StrEnum):
    """Codes of machine-readable reservations; several signal kinds share one code."""

    TDM_RESERVATION = "optout.tdm_reservation"
    NOAI = "optout.noai"
    CONTENT_USAGE = "optout.content_usage"
    ROBOTS = "optout.robots"


class SourceReason(StrEnum):
    """Codes that judge a whole source, not one record's content."""

    GATE_EXCEEDED = "source.gate_exceeded"
    MISSING_EVIDENCE = "source.missing_evidence"


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


# Entity names follow Presidio's convention (upper case, digits, underscores).
_ENTITY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class ReasonFamily:
    """Codes `<stem>.<ENTITY>`: one catalogue entry, one concrete code per entity type."""

    stem: str

    @property
    def prefix(self) -> str:
        return f"{self.stem}."

    @property
    def pattern(self) -> str:
        """The family's catalogue key and glob, e.g. `pii.sensitive.*` (policy rules use it)."""
        return f"{self.stem}.*"

    def code(self, entity_type: str) -> str:
        """The concrete code for an entity type; a malformed type is a programming error."""
        if not entity_type or not set(entity_type) <= _ENTITY_CHARACTERS:
            raise ValueError(f"{entity_type!r} is not an entity type (upper case, digits, _)")
        return f"{self.prefix}{entity_type}"

    def entity_of(self, code: str) -> str | None:
        """The entity type a code of this family names, or None if it is not one."""
        suffix = code[len(self.prefix) :] if code.startswith(self.prefix) else ""
        return suffix if suffix and set(suffix) <= _ENTITY_CHARACTERS else None


PII_REDACTED = ReasonFamily("pii.redacted")
PII_SENSITIVE = ReasonFamily("pii.sensitive")
PII_SECRET = ReasonFamily("pii.secret")

CODE_ENUMS: tuple[type[StrEnum], ...] = (
    AcceptReason,
    ScanReason,
    LicenseReason,
    DedupReason,
    ConsentReason,
    OptOutReason,
    SourceReason,
    ReadError,
)
FAMILIES: tuple[ReasonFamily, ...] = (PII_REDACTED, PII_SENSITIVE, PII_SECRET)


def namespace(codes: type[StrEnum]) -> str:
    """The `<namespace>.` every code of an enum starts with (e.g. `optout.`)."""
    prefixes = {str(code).split(".", 1)[0] for code in codes}
    if len(prefixes) != 1:
        raise ValueError(f"{codes.__name__} mixes namespaces {sorted(prefixes)}")
    return f"{prefixes.pop()}."


def defined_codes() -> Iterator[str]:
    """Every exact code, then every family pattern, in definition order."""
    for codes in CODE_ENUMS:
        yield from (str(code) for code in codes)
    yield from (family.pattern for family in FAMILIES)


@dataclass(frozen=True)
class ReasonInfo:
    """A code's plain-language meaning and the regulation or principle it serves."""

    explanation: str
    serves: str


class CatalogueError(RuntimeError):
    """The prose file does not match the constants: a start-up error, never a silent gap."""


def _load_catalogue(text: str, where: str = DATA_PATH) -> dict[str, ReasonInfo]:
    """Parse and check the prose file against the constants; every problem named at once."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(f"{where}: not valid JSON ({error})") from error
    if not isinstance(data, dict) or set(data) != {"principles", "codes"}:
        raise CatalogueError(f"{where}: expected an object with exactly 'principles' and 'codes'")
    principles, entries = data["principles"], data["codes"]
    problems: list[str] = []
    defined = list(defined_codes())
    missing = [code for code in defined if code not in entries]
    unknown = sorted(set(entries) - set(defined))
    if missing:
        problems.append(f"no entry for {missing}: add their explanation and serves")
    if unknown:
        problems.append(
            f"entries for codes no constant defines {unknown}: remove them, or add the "
            "constant in schemas/reason_codes.py"
        )
    catalogue: dict[str, ReasonInfo] = {}
    for code in (code for code in defined if code in entries):
        entry = entries[code]
        if not isinstance(entry, dict) or set(entry) != {"explanation", "serves"}:
            problems.append(f"{code}: needs exactly the keys 'explanation' and 'serves'")
            continue
        explanation, serves = entry["explanation"], entry["serves"]
        if not isinstance(explanation, str) or not explanation.strip():
            problems.append(f"{code}: 'explanation' must be a non-empty sentence")
        if serves not in principles:
            problems.append(f"{code}: 'serves' is {serves!r}, not one of {sorted(principles)}")
            continue
        catalogue[code] = ReasonInfo(explanation, principles[serves])
    used = {entry.get("serves") for entry in entries.values() if isinstance(entry, dict)}
    unused = sorted(set(principles) - used)
    if unused:
        problems.append(f"principles no code serves {unused}: remove them")
    if problems:
        raise CatalogueError(f"{where}: " + "; ".join(problems))
    return catalogue


@lru_cache(maxsize=1)
def catalogue() -> dict[str, ReasonInfo]:
    """The checked prose of every code, loaded on first use.

    A function, not an import-time constant, so a broken install surfaces as one
    `CatalogueError` the CLI prints at start-up (`provenance run/check` call this first),
    not as a traceback from whichever import happened to come first.
    """
    try:
        text = resources.files("schemas").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(
            f"{DATA_PATH} cannot be read ({error}); reinstall the package"
        ) from error
    return _load_catalogue(text)


def family_of(code: str) -> ReasonFamily | None:
    """The family a code belongs to, if it has a well-formed entity suffix."""
    return next((family for family in FAMILIES if family.entity_of(code)), None)


def lookup(code: str) -> ReasonInfo | None:
    """The catalogue entry for a code (exact match first, then its family)."""
    if code in catalogue():
        return catalogue()[code]
    family = family_of(code)
    return catalogue()[family.pattern] if family else None


def is_known_reason(code: str) -> bool:
    """True for a listed code or a family member such as `pii.redacted.EMAIL_ADDRESS`."""
    return lookup(code) is not None


def explain(code: str) -> str:
    """A sentence a privacy officer can read, naming the entity type for family codes."""
    info = lookup(code)
    if info is None:
        return f"Unknown reason code '{code}': not in the catalogue (schemas/reason_codes.py)."
    family = family_of(code) if code not in catalogue() else None
    if family:
        entity = (family.entity_of(code) or "").replace("_", " ").lower()
        return f"{info.explanation} Type: {entity}."
    return info.explanation


def regulation(code: str) -> str:
    """The regulation or principle a code serves, or "" when the code is unknown."""
    info = lookup(code)
    return info.serves if info else ""


def known_codes() -> list[str]:
    """Every catalogued code and family pattern, sorted."""
    return sorted(catalogue())
