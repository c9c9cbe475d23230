"""License policy: verdict + settings → reason codes with actions."""

import pytest
from pydantic import ValidationError

from schemas.licenses import LicenseSettings, RightsVerdict
from transforms.licenses.rights import license_policy

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


def _codes(verdict, settings=COMMERCIAL) -> dict[str, str]:
    return dict(license_policy(verdict, settings))


@pytest.mark.parametrize("category", ["permissive", "public-domain"])
def test_commercial_default_accepts_open_categories_silently(category):
    assert license_policy(_verdict(category), COMMERCIAL) == []


@pytest.mark.parametrize("category", ["copyleft", "weak-copyleft"])
def test_commercial_default_accepts_copyleft_but_records_it(category):
    assert _codes(_verdict(category)) == {"license.copyleft": "accept"}


def test_copyleft_action_is_configurable():
    settings = LicenseSettings(copyleft_action="reject")
    assert _codes(_verdict("copyleft"), settings) == {"license.copyleft": "reject"}


def test_commercial_default_rejects_non_commercial():
    verdict = _verdict("non-commercial", non_commercial=True)
    assert _codes(verdict) == {"license.non_commercial": "reject"}


def test_research_use_accepts_non_commercial():
    verdict = _verdict("non-commercial", non_commercial=True)
    settings = LicenseSettings(intended_use="research")
    assert _codes(verdict, settings) == {"license.non_commercial": "accept"}


def test_commercial_default_rejects_no_derivatives():
    verdict = _verdict("no-derivatives", no_derivatives=True)
    assert _codes(verdict) == {"license.no_derivatives": "reject"}


def test_commercial_default_rejects_all_rights_reserved():
    verdict = _verdict("proprietary", all_rights_reserved=True)
    assert _codes(verdict) == {"license.all_rights_reserved": "reject"}


def test_commercial_default_rejects_tdm_reservation_whatever_the_license():
    verdict = _verdict("permissive", tdm_reserved=True)
    assert _codes(verdict) == {"license.reserved_tdm": "reject"}


def test_conflict_is_flagged_by_default():
    assert _codes(_verdict("permissive", conflict=True)) == {"license.conflict": "flag"}


def test_conflict_can_be_configured_to_reject():
    settings = LicenseSettings(conflict_action="reject")
    assert _codes(_verdict("permissive", conflict=True), settings) == {"license.conflict": "reject"}


@pytest.mark.parametrize("action", ["accept", "flag", "reject"])
def test_unknown_action_is_configurable(action):
    settings = LicenseSettings(unknown_action=action)
    assert _codes(_verdict("unknown"), settings) == {"license.unknown": action}


def test_unknown_is_flagged_by_default():
    assert _codes(_verdict("unknown")) == {"license.unknown": "flag"}


def test_settings_reject_unknown_fields():
    with pytest.raises(ValidationError):
        LicenseSettings(unkown_action="reject")


def test_settings_reject_unknown_actions():
    with pytest.raises(ValidationError):
        LicenseSettings(unknown_action="drop")


def test_allowed_categories_can_narrow_the_policy():
    settings = LicenseSettings(allowed_categories={"commercial": ["public-domain"]})
    assert _codes(_verdict("permissive"), settings) == {"license.category_not_allowed": "reject"}
