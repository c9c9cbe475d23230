"""PiiSettings and the finding schema: what the config accepts and what the ledger stores."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas.pii import (
    PiiAction,
    PiiFinding,
    PiiOutcome,
    PiiSettings,
    pii_finding_struct,
    reason_prefix,
)


def test_defaults_redact_contact_data_and_reject_sensitive_data_and_secrets():
    settings = PiiSettings()
    assert settings.action_for("EMAIL_ADDRESS") is PiiAction.REDACT
    assert settings.action_for("PHONE_NUMBER") is PiiAction.REDACT
    assert settings.action_for("IP_ADDRESS") is PiiAction.REDACT
    for entity in ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "AWS_ACCESS_KEY", "PRIVATE_KEY"):
        assert settings.action_for(entity) is PiiAction.REJECT


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
    assert settings.action_for("IBAN_CODE") is PiiAction.PSEUDONYMIZE


def test_reason_families_distinguish_redacted_sensitive_and_secret():
    assert reason_prefix("EMAIL_ADDRESS", PiiAction.REDACT) == "pii.redacted"
    assert reason_prefix("US_SSN", PiiAction.REJECT) == "pii.sensitive"
    assert reason_prefix("AWS_ACCESS_KEY", PiiAction.REJECT) == "pii.secret"


def test_finding_rows_fit_the_ledger_struct_type():
    finding = PiiFinding(3, 9, "EMAIL_ADDRESS", 1.0, "OfflineEmailRecognizer", "ab" * 32)
    array = pa.array([finding.to_row()], type=pii_finding_struct())
    assert array.type.names == ["entity_type", "start", "end", "score", "recognizer", "value_token"]
    assert array.to_pylist()[0]["start"] == 3


def test_outcome_repr_never_shows_the_text():
    outcome = PiiOutcome("kept value 555-0100", redacted=False, reject=False)
    assert "555-0100" not in repr(outcome)
