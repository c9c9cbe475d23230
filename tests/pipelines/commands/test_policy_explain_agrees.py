"""`policy explain` says what the decision does: crafted documents through the real code.

Each case is license evidence as the detectors would emit it. It goes through the real
`rights_verdict` and `license_policy`; the explain statement for each code the case is
about must give the action the decision gave (or say "not raised" when it raised none),
and the printed explanation must carry that statement. The same holds for a PII finding
of each entity type under several action settings (a secret set to `redact` still
rejects its record, which the hand-written explain used to get wrong).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipelines.commands.policy_explain import explain_policy, license_statement_line, pii_lines
from schemas.actions import Action
from schemas.licenses import Category, EvidenceKind, LicenseEvidence, LicenseSettings, Reservation
from schemas.pii import PiiFinding, PiiSettings
from schemas.policy import Policy
from schemas.reason_codes import LicenseReason
from schemas.record import Decision
from transforms.decision.policy import decide
from transforms.licenses.policy_rules import RuleStatement, explain_rules, license_policy
from transforms.licenses.rights import rights_verdict
from transforms.pii.redaction import apply_pii_policy
from transforms.pii.stage import signal_for


def _tag(spdx: str) -> LicenseEvidence:
    return LicenseEvidence(EvidenceKind.SPDX_TAG, spdx, 0, 10, 1.0)


def _reservation(kind: Reservation) -> LicenseEvidence:
    return LicenseEvidence(EvidenceKind.RESERVATION, "", 0, 10, 1.0, detail=str(kind))


@dataclass(frozen=True)
class Case:
    """A crafted document and the codes explain must speak to for it, each with the
    category that gates it: `own` (the verdict's), `nc`/`nd` (fixed) or None (ungated)."""

    name: str
    evidence: tuple[LicenseEvidence, ...]
    about: tuple[tuple[LicenseReason, str | None], ...]
    declared: str = ""


CASES = [
    Case("non-commercial", (_tag("CC-BY-NC-4.0"),), ((LicenseReason.NON_COMMERCIAL, "nc"),)),
    Case("no-derivatives", (_tag("CC-BY-ND-4.0"),), ((LicenseReason.NO_DERIVATIVES, "nd"),)),
    Case("copyleft", (_tag("GPL-3.0-only"),), ((LicenseReason.COPYLEFT, "own"),)),
    Case("weak-copyleft", (_tag("CC-BY-SA-4.0"),), ((LicenseReason.COPYLEFT, "own"),)),
    Case("proprietary", (_tag("Elastic-2.0"),), ((LicenseReason.PROPRIETARY, "own"),)),
    Case("permissive", (_tag("MIT"),), ((LicenseReason.CATEGORY_NOT_ALLOWED, "own"),)),
    Case("public-domain", (_tag("CC0-1.0"),), ((LicenseReason.CATEGORY_NOT_ALLOWED, "own"),)),
    Case("no-license", (), ((LicenseReason.UNKNOWN, None),)),
    Case(
        "all-rights-reserved",
        (_reservation(Reservation.ALL_RIGHTS_RESERVED),),
        ((LicenseReason.ALL_RIGHTS_RESERVED, None),),
    ),
    Case(
        "tdm-reserved",
        (_tag("MIT"), _reservation(Reservation.TDM_RESERVED)),
        ((LicenseReason.RESERVED_TDM, None), (LicenseReason.CATEGORY_NOT_ALLOWED, "own")),
    ),
    Case(
        "conflict",
        (_tag("GPL-3.0-only"),),
        ((LicenseReason.CONFLICT, None), (LicenseReason.COPYLEFT, "own")),
        declared="MIT",
    ),
]
FIXED_GATES = {"nc": Category.NON_COMMERCIAL, "nd": Category.NO_DERIVATIVES}

POLICIES = {
    "commercial": LicenseSettings(),
    "research": LicenseSettings(intended_use="research"),
    "non_commercial": LicenseSettings(intended_use="non_commercial"),
    "public-domain-only": LicenseSettings(allowed_categories={"commercial": ["public-domain"]}),
    "strict-settings": LicenseSettings(
        copyleft_action="reject", unknown_action="accept", conflict_action="reject"
    ),
    "proprietary-allowed": LicenseSettings(
        allowed_categories={"commercial": ["permissive", "proprietary"]}
    ),
}


def _statement(
    statements: list[RuleStatement], code: LicenseReason, gate: Category | None
) -> RuleStatement:
    [statement] = [s for s in statements if s.code == code and s.gate_category == gate]
    return statement


def _checked(case: Case, settings: LicenseSettings) -> list[RuleStatement]:
    """Assert explain agrees with the decision on one case; the statements it checked."""
    verdict = rights_verdict(list(case.evidence), [], case.declared)
    decided = dict(license_policy(verdict, settings))
    statements = explain_rules(settings)
    checked = []
    for code, gate in case.about:
        category = FIXED_GATES.get(gate, Category(verdict.category)) if gate else None
        statement = _statement(statements, code, category)
        assert statement.action == decided.get(code), (case.name, code, decided)
        checked.append(statement)
    # The case names every code the decision raised: nothing happens that explain omits.
    raised = {code for code, _ in case.about if decided.get(code) is not None}
    assert set(decided) == raised, (case.name, decided)
    return checked


@pytest.mark.parametrize("policy", POLICIES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_explain_states_the_action_the_decision_takes(case, policy):
    _checked(case, POLICIES[policy])


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_every_statement_explain_makes_is_checked_by_a_crafted_document(policy):
    settings = POLICIES[policy]
    checked = {statement for case in CASES for statement in _checked(case, settings)}
    assert set(explain_rules(settings)) == checked


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_the_printed_explanation_carries_every_statement(policy):
    settings = POLICIES[policy]
    out = explain_policy(Policy(name="p", version="1", licenses=settings), "p.yaml", "0" * 64)
    for statement in explain_rules(settings):
        assert license_statement_line(statement, settings.intended_use) in out


def test_non_commercial_is_accepted_when_the_intended_use_allows_it_and_explain_says_so():
    [case] = [case for case in CASES if case.name == "non-commercial"]
    for policy, action, words in (
        (
            "research",
            Action.IGNORE,
            "non-commercial is allowed for research use: the record is kept",
        ),
        (
            "commercial",
            Action.REJECT,
            "non-commercial is not allowed for commercial use: the record is rejected",
        ),
    ):
        settings = POLICIES[policy]
        [statement] = _checked(case, settings)
        assert statement.action is action
        out = explain_policy(Policy(name="p", version="1", licenses=settings), "p.yaml", "0" * 64)
        [line] = [line for line in out.splitlines() if line.startswith("  - license.non_comm")]
        assert words in line


def test_explain_lists_every_license_code():
    out = explain_policy(Policy(name="p", version="1"), "p.yaml", "0" * 64)
    for code in LicenseReason:
        assert f"  - {code}, when " in out


# --------------------------------------------------------------- personal information

PII_VARIANTS = {
    "defaults": {},
    "secret-redacted": {"AWS_ACCESS_KEY": "redact", "GITHUB_TOKEN": "pseudonymize"},
    "iban-pseudonymized": {"IBAN_CODE": "pseudonymize"},
    "email-rejected": {"EMAIL_ADDRESS": "reject"},
    "phone-kept": {"PHONE_NUMBER": "keep"},
}


@pytest.mark.parametrize("variant", PII_VARIANTS, ids=str)
def test_explain_states_what_a_finding_of_each_entity_does_to_its_record(variant):
    settings = PiiSettings(actions=PII_VARIANTS[variant])
    policy = Policy(name="p", version="1", pii=settings)
    lines = pii_lines(settings)
    for entity in settings.entities:
        finding = PiiFinding(0, 5, entity, 1.0, "test", "ab" * 32)
        outcome = apply_pii_policy("value", [finding], settings)
        decision, _ = decide([signal_for(r) for r in outcome.reasons], policy, "s", "web_crawl")
        [line] = [line for line in lines if entity in line.split(":", 1)[0]]
        if not outcome.reasons:
            assert "no reason code" in line and decision is Decision.ACCEPT
            continue
        [code] = outcome.reasons
        assert line.startswith(f"  - {code}: ")
        if decision is Decision.REJECT:
            assert "the record is rejected" in line, line
        else:
            assert decision is Decision.ACCEPT_REDACTED and "the record kept" in line, line
