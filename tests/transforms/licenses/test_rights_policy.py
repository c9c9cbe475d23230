"""License policy: verdict + settings → reason codes with actions."""

import pytest
from pydantic import ValidationError

from schemas.actions import Action
from schemas.licenses import LicenseSettings, RightsVerdict
from schemas.reason_codes import LicenseReason
from transforms.licenses.policy_rules import license_policy

COMMERCIAL = LicenseSettings()


def _verdict(category: str, **flags) -> RightsVerdict:
    fields = dict(
        spdx_expression="X",
        category=category,
        attribution_required=False,
        share_alike=False,
        conflict=False,
        tdm_reserved=False,
    )
    fields.update(flags)
    return RightsVerdict(**fields)


def _codes(verdict, settings=COMMERCIAL) -> dict[str, Action]:
    return dict(license_policy(verdict, settings))


@pytest.mark.parametrize("category", ["permissive", "public-domain"])
def test_commercial_default_accepts_open_categories_silently(category):
    assert license_policy(_verdict(category), COMMERCIAL) == []


@pytest.mark.parametrize("category", ["copyleft", "weak-copyleft"])
def test_commercial_default_accepts_copyleft_but_records_it(category):
    assert _codes(_verdict(category)) == {LicenseReason.COPYLEFT: Action.IGNORE}


def test_copyleft_action_is_configurable():
    settings = LicenseSettings(copyleft_action="reject")
    assert _codes(_verdict("copyleft"), settings) == {LicenseReason.COPYLEFT: Action.REJECT}


def test_commercial_default_rejects_non_commercial():
    verdict = _verdict("non-commercial", non_commercial=True)
    assert _codes(verdict) == {LicenseReason.NON_COMMERCIAL: Action.REJECT}


def test_research_use_accepts_non_commercial():
    verdict = _verdict("non-commercial", non_commercial=True)
    settings = LicenseSettings(intended_use="research")
    assert _codes(verdict, settings) == {LicenseReason.NON_COMMERCIAL: Action.IGNORE}


def test_commercial_default_rejects_no_derivatives():
    verdict = _verdict("no-derivatives", no_derivatives=True)
    assert _codes(verdict) == {LicenseReason.NO_DERIVATIVES: Action.REJECT}


def test_commercial_default_rejects_all_rights_reserved():
    verdict = _verdict("proprietary", all_rights_reserved=True)
    assert _codes(verdict) == {LicenseReason.ALL_RIGHTS_RESERVED: Action.REJECT}


def test_commercial_default_rejects_tdm_reservation_whatever_the_license():
    verdict = _verdict("permissive", tdm_reserved=True)
    assert _codes(verdict) == {LicenseReason.RESERVED_TDM: Action.REJECT}


def test_conflict_is_flagged_by_default():
    assert _codes(_verdict("permissive", conflict=True)) == {LicenseReason.CONFLICT: Action.FLAG}


def test_conflict_can_be_configured_to_reject():
    settings = LicenseSettings(conflict_action="reject")
    assert _codes(_verdict("permissive", conflict=True), settings) == {
        LicenseReason.CONFLICT: Action.REJECT
    }


@pytest.mark.parametrize(
    ("spelling", "action"),
    [("accept", Action.IGNORE), ("flag", Action.FLAG), ("reject", Action.REJECT)],
)
def test_unknown_action_is_configurable_in_the_license_spellings(spelling, action):
    settings = LicenseSettings(unknown_action=spelling)
    assert _codes(_verdict("unknown"), settings) == {LicenseReason.UNKNOWN: action}


def test_unknown_is_flagged_by_default():
    assert _codes(_verdict("unknown")) == {LicenseReason.UNKNOWN: Action.FLAG}


def test_settings_reject_unknown_fields():
    with pytest.raises(ValidationError):
        LicenseSettings(unkown_action="reject")


@pytest.mark.parametrize("spelling", ["drop", "ignore", "redact", "keep"])
def test_settings_reject_actions_the_license_block_never_accepted(spelling):
    with pytest.raises(ValidationError, match="use one of 'accept', 'flag', 'reject'"):
        LicenseSettings(unknown_action=spelling)


def test_settings_write_accept_back_as_accept():
    assert LicenseSettings(copyleft_action="accept").model_dump()["copyleft_action"] == "accept"


def test_allowed_categories_can_narrow_the_policy():
    settings = LicenseSettings(allowed_categories={"commercial": ["public-domain"]})
    assert _codes(_verdict("permissive"), settings) == {
        LicenseReason.CATEGORY_NOT_ALLOWED: Action.REJECT
    }
