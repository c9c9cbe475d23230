"""The reason-code catalogue: every code the pipeline emits has a plain-language meaning."""

from __future__ import annotations

import pytest

from schemas.consent import OptOutReason
from schemas.dead_letter import ReadError
from schemas.reason_codes import explain, is_known_reason, known_codes, regulation

CONTRACT_CODES = [
    "accept.clean",
    "pii.redacted.EMAIL_ADDRESS",
    "pii.sensitive.US_SSN",
    "pii.secret.AWS_ACCESS_KEY",
    "license.non_commercial",
    "license.no_derivatives",
    "license.conflict",
    "license.reserved_tdm",
    "license.all_rights_reserved",
    "license.unknown",
    "license.copyleft",
    "license.proprietary",
    "license.category_not_allowed",
    "consent.withdrawn_copy",
    "consent.withdrawn_mention",
    "dedup.exact_duplicate_of",
    "dedup.near_duplicate_of",
    "dedup.exact_duplicate",
    "dedup.near_duplicate",
    "consent.missing",
    "consent.withdrawn",
    "consent.refused",
    "optout.tdm_reservation",
    "optout.noai",
    "optout.content_usage",
    "optout.robots",
    "source.gate_exceeded",
    "source.missing_evidence",
]


@pytest.mark.parametrize("code", CONTRACT_CODES)
def test_every_contract_code_is_known_and_explained(code):
    assert is_known_reason(code)
    assert not explain(code).startswith("Unknown")
    assert regulation(code)


@pytest.mark.parametrize("code", [str(error) for error in ReadError])
def test_every_dead_letter_code_is_known(code):
    assert is_known_reason(code)
    assert "could not be read" in explain(code)


@pytest.mark.parametrize("code", [str(reason) for reason in OptOutReason])
def test_every_optout_reason_is_known(code):
    assert is_known_reason(code)


@pytest.mark.parametrize(
    "code",
    [
        "pii.redacted.",
        "pii.redacted.email",
        "pii.redacted.X.Y",
        "nonsense",
        "",
        "license.non_commercial.extra",
        "pii.redacted",
    ],
)
def test_malformed_or_unlisted_codes_are_unknown(code):
    assert not is_known_reason(code)
    assert explain(code).startswith("Unknown reason code")
    assert regulation(code) == ""


def test_family_explanation_names_the_entity_type():
    assert explain("pii.sensitive.CREDIT_CARD").endswith("Type: credit card.")


def test_explanations_avoid_engineering_jargon():
    for code in known_codes():
        text = explain(code)
        assert text[0].isupper() and text.endswith(".")
        assert "DoFn" not in text and "PCollection" not in text


def test_catalogue_lists_family_patterns():
    assert {"pii.redacted.*", "pii.sensitive.*", "pii.secret.*"} <= set(known_codes())
