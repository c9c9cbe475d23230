"""Types of the personal-information stage: its settings, its findings and its outcome.

A finding never holds the matched value, only where it was and a keyed HMAC token
of its normalised form, so findings can go to the ledger as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.actions import Action, PiiActionSetting
from schemas.reason_codes import PII_REDACTED, PII_SECRET, PII_SENSITIVE, ReasonFamily
from schemas.rows import flat_row

CONTACT_ENTITIES: tuple[str, ...] = ("EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS")
SENSITIVE_ENTITIES: tuple[str, ...] = ("CREDIT_CARD", "US_SSN", "IBAN_CODE")
SECRET_ENTITIES: tuple[str, ...] = (
    "AWS_ACCESS_KEY",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "SLACK_TOKEN",
    "PRIVATE_KEY",
    "SECRET_VALUE",
)
SUPPORTED_ENTITIES: tuple[str, ...] = CONTACT_ENTITIES + SENSITIVE_ENTITIES + SECRET_ENTITIES

# IBAN is rejected, not redacted: a bank account identifies a person as surely as a
# card does, and a redacted IBAN leaves the surrounding payment text (names, amounts)
# that made it sensitive in the first place.
DEFAULT_ACTIONS: dict[str, Action] = {
    **{entity: Action.REDACT for entity in CONTACT_ENTITIES},
    **{entity: Action.REJECT for entity in SENSITIVE_ENTITIES},
    **{entity: Action.REJECT for entity in SECRET_ENTITIES},
}

# Presidio's PhoneRecognizer default regions; each extra region costs one more
# phonenumbers matcher pass over every phone candidate.
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")


def reason_family(entity_type: str, action: Action) -> ReasonFamily:
    """The reason-code family of an acted-upon entity: redacted, sensitive or secret."""
    if entity_type in SECRET_ENTITIES:
        return PII_SECRET
    if action is Action.REJECT:
        return PII_SENSITIVE
    return PII_REDACTED


def reason_code(entity_type: str, action: Action) -> str:
    """The code findings of one entity type raise under an action (`pii.redacted.EMAIL_ADDRESS`)."""
    return reason_family(entity_type, action).code(entity_type)


# A secret or a sensitive value rejects the whole record, whatever was done to its text:
# a secret configured `redact` is still redacted in the (rejected) text.
REJECTING_FAMILIES: tuple[ReasonFamily, ...] = (PII_SENSITIVE, PII_SECRET)
REJECTING_PREFIXES: tuple[str, ...] = tuple(family.prefix for family in REJECTING_FAMILIES)


def signal_action(code: str) -> Action:
    """The action the PII stage's signal for `code` carries to the decision step."""
    return Action.REJECT if code.startswith(REJECTING_PREFIXES) else Action.REDACT


class PiiSettings(BaseModel):
    """The `pii:` block of the run config, validated before any work starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: tuple[str, ...] = Field(default=SUPPORTED_ENTITIES, min_length=1)
    actions: dict[str, PiiActionSetting] = Field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    allow_list: tuple[str, ...] = Field(
        default=(), description="Values never reported, compared after normalisation."
    )
    allow_domains: tuple[str, ...] = Field(
        default=(), description="Extra e-mail domains (and their subdomains) never reported."
    )
    # 0.4 is Presidio's score after one context word: weak patterns (a bare 9-digit
    # number as US_SSN scores 0.05) need a context word such as "ssn" to count.
    score_threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    nlp_model: str | None = Field(
        default=None, description="Installed spaCy model for lemmas, e.g. en_core_web_lg."
    )

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, entities: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(entities) - set(SUPPORTED_ENTITIES))
        if unknown:
            raise ValueError(
                f"unknown entity types {unknown}; supported: {list(SUPPORTED_ENTITIES)}"
            )
        return tuple(dict.fromkeys(entities))

    @field_validator("phone_regions")
    @classmethod
    def _known_regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        import phonenumbers

        unknown = sorted(set(regions) - phonenumbers.SUPPORTED_REGIONS)
        if unknown:
            raise ValueError(f"unknown phone regions {unknown}; use ISO 3166 codes like 'GB'")
        return regions

    @model_validator(mode="after")
    def _actions_name_known_entities(self) -> PiiSettings:
        unknown = sorted(set(self.actions) - set(SUPPORTED_ENTITIES))
        if unknown:
            raise ValueError(f"actions name unknown entity types {unknown}")
        return self

    def action_for(self, entity_type: str) -> Action:
        """Configured action, falling back to the default for that entity type."""
        return self.actions.get(entity_type, DEFAULT_ACTIONS.get(entity_type, Action.REDACT))


@dataclass(frozen=True, order=True)
class PiiFinding:
    """One detected entity, in character offsets of the whole document text."""

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    value_token: str  # hmac_token(key, normalised value); never the value itself

    def to_row(self) -> dict:
        return flat_row(self)


def pii_finding_struct() -> pa.StructType:
    """The pyarrow type of one finding, for the ledger's `pii_findings` list column."""
    return pa.struct(
        [
            pa.field("entity_type", pa.string(), nullable=False),
            pa.field("start", pa.int64(), nullable=False),
            pa.field("end", pa.int64(), nullable=False),
            pa.field("score", pa.float64(), nullable=False),
            pa.field("recognizer", pa.string(), nullable=False),
            pa.field("value_token", pa.string(), nullable=False),
        ]
    )


@dataclass(frozen=True, order=True)
class IdentifierFinding:
    """Personal data found outside the text: in the locator or a kept metadata value.

    The value itself is replaced where it stood (`transforms.pii.identifiers`); this keeps
    its full token so erasure by subject still finds the record.
    """

    field: str  # "locator" or "metadata.<name>"
    entity_type: str
    value_token: str

    def to_row(self) -> dict:
        return flat_row(self)


def identifier_finding_list() -> pa.ListType:
    """The pyarrow type of the ledger's and dead letter's `identifier_findings` column."""
    return pa.list_(
        pa.struct(
            [
                pa.field("field", pa.string(), nullable=False),
                pa.field("entity_type", pa.string(), nullable=False),
                pa.field("value_token", pa.string(), nullable=False),
            ]
        )
    )


@dataclass(frozen=True)
class PiiOutcome:
    """What the policy did to one document; holds redacted text, never raw findings' values."""

    redacted_text: str
    redacted: bool
    reject: bool
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        # The redacted text can still hold kept values (action `keep`): keep it out of logs.
        return (
            f"PiiOutcome(redacted={self.redacted}, reject={self.reject}, "
            f"counts={self.counts}, reasons={self.reasons}, "
            f"redacted_text=<{len(self.redacted_text)} chars>)"
        )
