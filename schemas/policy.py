"""The policy file's model: versioned, named rules that turn stage signals into actions."""

from __future__ import annotations

import fnmatch
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.actions import Action, SignalActionSetting
from schemas.dedup import DedupSettings
from schemas.gate import GateSettings
from schemas.licenses import LicenseSettings
from schemas.pii import PiiSettings
from schemas.reason_codes import ConsentReason


class PolicyRule(BaseModel):
    """Overrides the action of every signal whose code matches `match` (a glob).

    `source_types`/`sources` narrow the rule; the highest `precedence` wins, and
    among equals the rule written first.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    description: str = ""
    match: str = Field(min_length=1, description="glob over reason codes, e.g. pii.sensitive.*")
    action: SignalActionSetting
    source_types: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    precedence: int = 0

    def applies_to(self, code: str, source_id: str, source_type: str) -> bool:
        if self.sources and source_id not in self.sources:
            return False
        if self.source_types and source_type not in self.source_types:
            return False
        return fnmatch.fnmatchcase(code, self.match)


class MissingEvidence(StrEnum):
    ERROR = "error"
    REJECT = "reject"


class SourcePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    missing_evidence: MissingEvidence = MissingEvidence.ERROR


class ConsentPolicy(BaseModel):
    """Which source types need the subject's consent, and what each consent outcome does."""

    model_config = ConfigDict(extra="forbid")

    required_source_types: list[str] = Field(default_factory=lambda: ["user_input"])
    missing_action: SignalActionSetting = Action.REJECT
    withdrawn_action: SignalActionSetting = Action.REJECT
    refused_action: SignalActionSetting = Action.REJECT
    mention_action: SignalActionSetting = Action.REDACT

    def actions(self) -> dict[ConsentReason, Action]:
        """The action each consent code gets; `policy explain` lists these."""
        return {
            ConsentReason.MISSING: self.missing_action,
            ConsentReason.WITHDRAWN: self.withdrawn_action,
            ConsentReason.REFUSED: self.refused_action,
            ConsentReason.WITHDRAWN_MENTION: self.mention_action,
        }


class OptOutPolicy(BaseModel):
    """Machine-readable reservations (TDMRep, noai, Content-Usage, robots.txt) are honoured
    by default: EU AI Act Art. 53(1)(c) asks GPAI providers to respect them."""

    model_config = ConfigDict(extra="forbid")

    action: SignalActionSetting = Action.REJECT


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    intended_use: str = "commercial"
    description: str = ""
    rules: list[PolicyRule] = Field(default_factory=list)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    licenses: LicenseSettings = Field(default_factory=LicenseSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    consent: ConsentPolicy = Field(default_factory=ConsentPolicy)
    optout: OptOutPolicy = Field(default_factory=OptOutPolicy)
    gate: GateSettings = Field(default_factory=GateSettings)
    sources: SourcePolicy = Field(default_factory=SourcePolicy)

    @field_validator("rules")
    @classmethod
    def rule_ids_are_unique(cls, rules: list[PolicyRule]) -> list[PolicyRule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} appears twice; give each rule its own id")
            seen.add(rule.id)
        return rules
