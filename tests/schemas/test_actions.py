"""One action vocabulary: every setting speaks `Action`, each in the spellings it always had."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.actions import Action
from schemas.licenses import LicenseSettings
from schemas.pii import PiiSettings
from schemas.policy import ConsentPolicy, OptOutPolicy, PolicyRule


def test_pii_license_and_rule_settings_all_hold_the_same_enum():
    pii = PiiSettings(actions={"EMAIL_ADDRESS": "pseudonymize"}).action_for("EMAIL_ADDRESS")
    license = LicenseSettings(unknown_action="reject").unknown_action
    rule = PolicyRule(id="r", match="license.*", action="flag").action
    assert (pii, license, rule) == (Action.PSEUDONYMIZE, Action.REJECT, Action.FLAG)
    assert all(type(action) is Action for action in (pii, license, rule))


def test_license_accept_is_the_signal_action_ignore():
    assert LicenseSettings(conflict_action="accept").conflict_action is Action.IGNORE
    assert LicenseSettings().copyleft_action is Action.IGNORE


@pytest.mark.parametrize("spelling", ["reject", "redact", "flag", "ignore"])
def test_rules_consent_and_optout_take_the_signal_spellings(spelling):
    assert PolicyRule(id="r", match="*", action=spelling).action == spelling
    assert ConsentPolicy(missing_action=spelling).missing_action == spelling
    assert OptOutPolicy(action=spelling).action == spelling


@pytest.mark.parametrize("spelling", ["keep", "pseudonymize", "accept", "drop"])
def test_a_rule_cannot_ask_for_an_action_a_signal_does_not_have(spelling):
    with pytest.raises(ValidationError, match="use one of 'reject', 'redact', 'flag', 'ignore'"):
        PolicyRule(id="r", match="*", action=spelling)
