"""Record types, policy settings and ledger (pyarrow) types of the license and copyright stage.

The detectors in `transforms/licenses/detect.py` and `transforms/licenses/copyrights.py` emit these
dataclasses; `transforms/licenses/rights.py` folds them into one `RightsVerdict` per document and
turns it into reason codes under a `LicenseSettings` policy. The pyarrow types below are
the one definition the ledger writer should use for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.actions import Action, LicenseActionSetting
from schemas.rows import flat_row


class EvidenceKind(StrEnum):
    """How a license marker was found; kinds differ in how much they can be trusted."""

    SPDX_TAG = "spdx_tag"  # `SPDX-License-Identifier:`; `spdx` holds a whole expression
    NOTICE = "notice"  # a license header / reference ("licensed under the MIT license")
    FULL_TEXT = "full_text"  # the body of a license text itself
    CC_MARKER = "cc_marker"  # Creative Commons URL, name or rel="license" link
    PUBLIC_DOMAIN = "public_domain"  # "placed in the public domain" and similar
    RESERVATION = "reservation"  # all rights reserved, no reproduction, TDM / AI-training opt-out
    # A match of the optional deep engine (ScanCode): `spdx` holds an expression, `detail`
    # the engine and its rule id, `confidence` the engine's score / 100.
    DEEP_MATCH = "deep_match"


class Category(StrEnum):
    """Coarse rights categories the policy reasons about (ordered loosely by restriction)."""

    PUBLIC_DOMAIN = "public-domain"
    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    COPYLEFT = "copyleft"
    NON_COMMERCIAL = "non-commercial"
    NO_DERIVATIVES = "no-derivatives"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"


class Reservation(StrEnum):
    """Which right a RESERVATION evidence reserves (stored in `LicenseEvidence.detail`)."""

    ALL_RIGHTS_RESERVED = "all_rights_reserved"
    NO_REPRODUCTION = "no_reproduction"
    TDM_RESERVED = "tdm_reserved"


@dataclass(frozen=True)
class LicenseEvidence:
    """One license marker found in a text, with its character span in the original text.

    `spdx` is an SPDX id or, for `spdx_tag`, a normalised SPDX expression; it is empty
    for reservations. `unknown_ids` lists ids of an SPDX tag that are not in the SPDX /
    ScanCode index: they are kept (flagged), never dropped.
    """

    kind: str
    spdx: str
    start: int
    end: int
    confidence: float
    detail: str = ""
    unknown_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CopyrightStatement:
    """A copyright line: holders as found (not normalised), years as an inclusive range."""

    holders: list[str]
    year_start: int | None
    year_end: int | None
    start: int
    end: int
    statement: str = ""


@dataclass
class RightsVerdict:
    """What a document's rights are, from its own markers plus the source's declared license.

    `category` is the strictest category the expression forces (OR picks the least strict
    alternative, AND the strictest). `reasons` are short machine-readable notes explaining
    how the verdict was reached (they are not policy reason codes).
    """

    spdx_expression: str
    category: str
    attribution_required: bool
    share_alike: bool
    conflict: bool
    tdm_reserved: bool
    reasons: list[str] = field(default_factory=list)
    non_commercial: bool = False
    no_derivatives: bool = False
    all_rights_reserved: bool = False
    unknown_ids: list[str] = field(default_factory=list)
    declared_license: str = ""
    detected_licenses: list[str] = field(default_factory=list)
    copyright_holders: list[str] = field(default_factory=list)


IntendedUse = Literal["commercial", "non_commercial", "research"]


def _default_allowed_categories() -> dict[IntendedUse, list[Category]]:
    base = [Category.PUBLIC_DOMAIN, Category.PERMISSIVE, Category.WEAK_COPYLEFT, Category.COPYLEFT]
    return {
        "commercial": base,
        "non_commercial": [*base, Category.NON_COMMERCIAL],
        "research": [*base, Category.NON_COMMERCIAL, Category.NO_DERIVATIVES],
    }


class DeepScanSettings(BaseModel):
    """The optional second opinion for documents the fast detectors are unsure of.

    Off by default: the engine (ScanCode toolkit) is an optional extra, scans ~1.5 files/s
    of what it is given and needs ~1 GB per worker. See `transforms/licenses/deep.py`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: Literal["off", "scancode"] = "off"
    # Fast license evidence below this confidence is a guess worth a second opinion.
    confident_at: float = Field(default=0.9, ge=0.0, le=1.0)
    # License words with no license the fast rules know (web text says "license" a lot:
    # turn this off to send only weak matches, unknown ids and bare URLs).
    scan_unresolved: bool = True
    bare_url_max_chars: int = Field(default=400, ge=0)
    # Larger documents keep the fast answer (ScanCode's time grows with the text).
    max_chars: int = Field(default=300_000, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)
    # Engine matches below this score (0-100) are ignored.
    min_score: float = Field(default=0.0, ge=0.0, le=100.0)
    # Only records of these sources / source types get a second opinion (empty: all), as
    # policy rules narrow theirs: e.g. `source_types: [open_source]` spends ScanCode's
    # time on code, not on web text that says "license" in passing.
    sources: list[str] = Field(default_factory=list)
    source_types: list[str] = Field(default_factory=list)

    def applies_to(self, source_id: str, source_type: str) -> bool:
        """Whether a record of this source is in scope (the engine itself may be off)."""
        if self.sources and source_id not in self.sources:
            return False
        return not self.source_types or source_type in self.source_types

    @field_validator("engine", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        """YAML reads a bare `off` as false; `engine: off` should still mean off."""
        return "off" if value is False else value


class LicenseSettings(BaseModel):
    """License policy. Defaults suit a commercial model; every action can be overridden.

    Actions are spelled `accept` (records the reason code without blocking: the signal
    carries `Action.IGNORE`), `flag` (keeps the document but surfaces the reason) and
    `reject` (drops it). `transforms/licenses/policy_rules.py` says which action each
    code gets.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    intended_use: IntendedUse = "commercial"
    allowed_categories: dict[IntendedUse, list[Category]] = Field(
        default_factory=_default_allowed_categories
    )
    disallowed_action: LicenseActionSetting = Action.REJECT
    unknown_action: LicenseActionSetting = Action.FLAG
    conflict_action: LicenseActionSetting = Action.FLAG
    copyleft_action: LicenseActionSetting = Action.IGNORE
    tdm_reserved_action: LicenseActionSetting = Action.REJECT
    all_rights_reserved_action: LicenseActionSetting = Action.REJECT
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    deep: DeepScanSettings = Field(default_factory=DeepScanSettings)

    def allowed(self) -> frozenset[Category]:
        return frozenset(self.allowed_categories.get(self.intended_use, []))


def license_evidence_type() -> pa.DataType:
    return pa.struct(
        [
            pa.field("kind", pa.string(), nullable=False),
            pa.field("spdx", pa.string(), nullable=False),
            pa.field("start", pa.int64(), nullable=False),
            pa.field("end", pa.int64(), nullable=False),
            pa.field("confidence", pa.float32(), nullable=False),
            pa.field("detail", pa.string()),
            pa.field("unknown_ids", pa.list_(pa.string())),
        ]
    )


def copyright_statement_type() -> pa.DataType:
    """Holders are names, which can be personal data: the integrator decides whether the
    ledger keeps them or only an HMAC of them (the design keeps raw values out of logs)."""
    return pa.struct(
        [
            pa.field("holders", pa.list_(pa.string()), nullable=False),
            pa.field("year_start", pa.int32()),
            pa.field("year_end", pa.int32()),
            pa.field("start", pa.int64(), nullable=False),
            pa.field("end", pa.int64(), nullable=False),
        ]
    )


def rights_verdict_type() -> pa.DataType:
    return pa.struct(
        [
            pa.field("spdx_expression", pa.string(), nullable=False),
            pa.field("category", pa.string(), nullable=False),
            pa.field("attribution_required", pa.bool_(), nullable=False),
            pa.field("share_alike", pa.bool_(), nullable=False),
            pa.field("conflict", pa.bool_(), nullable=False),
            pa.field("tdm_reserved", pa.bool_(), nullable=False),
            pa.field("non_commercial", pa.bool_(), nullable=False),
            pa.field("no_derivatives", pa.bool_(), nullable=False),
            pa.field("all_rights_reserved", pa.bool_(), nullable=False),
            pa.field("reasons", pa.list_(pa.string()), nullable=False),
            pa.field("unknown_ids", pa.list_(pa.string()), nullable=False),
            pa.field("declared_license", pa.string(), nullable=False),
            pa.field("detected_licenses", pa.list_(pa.string()), nullable=False),
        ]
    )


def license_evidence_list_type() -> pa.DataType:
    return pa.list_(license_evidence_type())


def copyright_statement_list_type() -> pa.DataType:
    return pa.list_(copyright_statement_type())


def evidence_row(evidence: LicenseEvidence) -> dict:
    row = flat_row(evidence)
    row["unknown_ids"] = list(evidence.unknown_ids)
    return row


def copyright_row(statement: CopyrightStatement) -> dict:
    row = flat_row(statement)
    row.pop("statement")
    return row


def verdict_row(verdict: RightsVerdict) -> dict:
    """Ledger row for a verdict; copyright holder names are left out (see above)."""
    row = flat_row(verdict)
    row.pop("copyright_holders")
    return row
