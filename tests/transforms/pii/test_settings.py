"""PiiSettings and the finding schema: what the config accepts and what the ledger stores."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas.actions import Action
from schemas.pii import (
    PiiFinding,
    PiiOutcome,
    PiiSettings,
    pii_finding_struct,
    reason_code,
    signal_action,
)


def test_defaults_redact_contact_data_and_reject_sensitive_data_and_secrets():
    settings = PiiSettings()
    assert settings.action_for("EMAIL_ADDRESS") is Action.REDACT
    assert settings.action_for("PHONE_NUMBER") is Action.REDACT
    assert settings.action_for("IP_ADDRESS") is Action.REDACT
    for entity in ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "AWS_ACCESS_KEY", "PRIVATE_KEY"):
        assert settings.action_for(entity) is Action.REJECT


def test_unknown_entity_type_is_a_config_error_naming_it():
    with pytest.raises(ValidationError, match="PASSPORT"):
        PiiSettings(entities=["EMAIL_ADDRESS", "PASSPORT"])


def test_unknown_phone_region_is_a_config_error_naming_it():
    with pytest.raises(ValidationError, match="XX"):
        PiiSettings(phone_regions=["GB", "XX"])


def test_action_for_an_unknown_entity_is_a_config_error():
    with pytest.raises(ValidationError, match="NOPE"):
        PiiSettings(actions={"NOPE": "redact"})


def test_unknown_setting_is_rejected_rather_than_ignored():
    with pytest.raises(ValidationError):
        PiiSettings(score_treshold=0.5)


def test_configured_action_overrides_the_default():
    settings = PiiSettings(actions={"IBAN_CODE": "pseudonymize"})
    assert settings.action_for("IBAN_CODE") is Action.PSEUDONYMIZE


def test_reason_families_distinguish_redacted_sensitive_and_secret():
    assert reason_code("EMAIL_ADDRESS", Action.REDACT) == "pii.redacted.EMAIL_ADDRESS"
    assert reason_code("US_SSN", Action.REJECT) == "pii.sensitive.US_SSN"
    assert reason_code("AWS_ACCESS_KEY", Action.REJECT) == "pii.secret.AWS_ACCESS_KEY"


def test_a_secret_rejects_its_record_even_when_its_text_action_is_redact():
    code = reason_code("AWS_ACCESS_KEY", Action.REDACT)
    assert code == "pii.secret.AWS_ACCESS_KEY"
    assert signal_action(code) is Action.REJECT
    assert signal_action(reason_code("EMAIL_ADDRESS", Action.PSEUDONYMIZE)) is Action.REDACT


@pytest.mark.parametrize("spelling", ["flag", "ignore", "accept"])
def test_pii_actions_accept_only_their_own_spellings(spelling):
    with pytest.raises(ValidationError, match="'redact', 'pseudonymize', 'reject', 'keep'"):
        PiiSettings(actions={"EMAIL_ADDRESS": spelling})


def test_finding_rows_fit_the_ledger_struct_type():
    finding = PiiFinding(3, 9, "EMAIL_ADDRESS", 1.0, "OfflineEmailRecognizer", "ab" * 32)
    array = pa.array([finding.to_row()], type=pii_finding_struct())
    assert array.type.names == ["entity_type", "start", "end", "score", "recognizer", "value_token"]
    assert array.to_pylist()[0]["start"] == 3


def test_outcome_repr_never_shows_the_text():
    outcome = PiiOutcome("kept value 555-0100", redacted=False, reject=False)
    assert "555-0100" not in repr(outcome)
