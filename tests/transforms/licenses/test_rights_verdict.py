"""The rights verdict: text markers combined with the source's declared license."""

import pytest

from schemas.licenses import CopyrightStatement, LicenseEvidence
from transforms.licenses.copyrights import scan_copyrights
from transforms.licenses.detect import scan_licenses
from transforms.licenses.rights import expression_category, license_category, rights_verdict


def _verdict(text: str, declared: str = ""):
    return rights_verdict(scan_licenses(text), scan_copyrights(text), declared)


@pytest.mark.parametrize(
    ("spdx", "category"),
    [
        ("MIT", "permissive"),
        ("Apache-2.0", "permissive"),
        ("GPL-3.0-only", "copyleft"),
        ("LGPL-2.1-or-later", "weak-copyleft"),
        ("MPL-2.0", "weak-copyleft"),
        ("CC-BY-4.0", "permissive"),
        ("CC-BY-SA-4.0", "weak-copyleft"),
        ("CC-BY-NC-4.0", "non-commercial"),
        ("CC-BY-ND-4.0", "no-derivatives"),
        ("CC-BY-NC-ND-4.0", "non-commercial"),
        ("CC0-1.0", "public-domain"),
        ("Unlicense", "public-domain"),
        ("LicenseRef-scancode-public-domain", "public-domain"),
        ("Acme-Private-1.0", "unknown"),
    ],
)
def test_license_category_comes_from_scancode_index_with_cc_overrides(spdx, category):
    assert license_category(spdx) == category


def test_or_expression_takes_the_least_strict_choice():
    assert expression_category("GPL-2.0-only OR MIT")[0] == "permissive"


def test_and_expression_takes_the_strictest_part():
    assert expression_category("MIT AND CC-BY-NC-4.0")[0] == "non-commercial"


def test_declared_license_alone_gives_its_category():
    verdict = _verdict("plain text, no markers", declared="Apache-2.0")
    assert verdict.spdx_expression == "Apache-2.0"
    assert verdict.category == "permissive"
    assert verdict.attribution_required
    assert not verdict.conflict


def test_spdx_tag_sets_the_expression_when_nothing_is_declared():
    verdict = _verdict("// SPDX-License-Identifier: MIT OR Apache-2.0\n")
    assert verdict.spdx_expression == "MIT OR Apache-2.0"
    assert verdict.category == "permissive"


def test_declared_mit_with_cc_by_nc_text_is_a_conflict():
    verdict = _verdict("Licensed under CC BY-NC 4.0.", declared="MIT")
    assert verdict.conflict
    assert verdict.non_commercial
    assert verdict.category == "non-commercial"
    assert verdict.spdx_expression == "MIT AND CC-BY-NC-4.0"


def test_declared_mit_with_gpl3_text_is_a_conflict():
    verdict = _verdict("under the GNU General Public License version 3", declared="MIT")
    assert verdict.conflict
    assert verdict.share_alike


def test_declared_gpl_with_mit_notice_is_not_a_conflict():
    verdict = _verdict("Released under the MIT License.", declared="GPL-3.0-or-later")
    assert not verdict.conflict
    assert verdict.category == "copyleft"


def test_text_matching_declared_license_is_not_a_conflict():
    assert not _verdict("Licensed under the Apache License, Version 2.0", "Apache-2.0").conflict


def test_all_rights_reserved_without_any_license_is_proprietary():
    verdict = _verdict("Copyright 2021 ACME Corp. All rights reserved.")
    assert verdict.all_rights_reserved
    assert verdict.category == "proprietary"


def test_all_rights_reserved_beside_a_license_grant_is_boilerplate():
    text = "Copyright (c) 2010 Foo. All rights reserved.\nReleased under the MIT License."
    verdict = _verdict(text)
    assert not verdict.all_rights_reserved
    assert verdict.category == "permissive"


def test_all_rights_reserved_against_a_declared_license_is_a_conflict():
    verdict = _verdict("(c) 2020 Daily Planet. All rights reserved.", declared="CC-BY-4.0")
    assert verdict.conflict
    assert not verdict.all_rights_reserved


def test_tdm_reservation_is_reported_even_with_a_permissive_license():
    verdict = _verdict("Licensed under the MIT License. No AI training.")
    assert verdict.tdm_reserved
    assert verdict.category == "permissive"


def test_no_markers_and_no_declaration_is_unknown():
    verdict = _verdict("just some prose")
    assert verdict.category == "unknown"
    assert verdict.spdx_expression == ""
    assert "no_license_markers" in verdict.reasons


def test_unknown_ids_are_carried_into_the_verdict():
    verdict = _verdict("SPDX-License-Identifier: Acme-Private-1.0")
    assert verdict.unknown_ids == ["Acme-Private-1.0"]
    assert verdict.category == "unknown"


def test_public_domain_needs_no_attribution():
    verdict = _verdict("This file is placed in the public domain.")
    assert verdict.category == "public-domain"
    assert not verdict.attribution_required


def test_cc0_needs_no_attribution():
    verdict = _verdict("https://creativecommons.org/publicdomain/zero/1.0/")
    assert verdict.category == "public-domain"
    assert not verdict.attribution_required


def test_share_alike_flag_follows_cc_by_sa():
    assert _verdict("CC BY-SA 4.0").share_alike


def test_no_derivatives_flag_follows_cc_by_nd():
    assert _verdict("CC BY-ND 4.0").no_derivatives


def test_low_confidence_evidence_is_ignored():
    weak = LicenseEvidence("notice", "BSD-3-Clause", 0, 10, 0.3, "bsd.name")
    assert rights_verdict([weak], [], "").category == "unknown"


def test_copyright_holders_are_collected_once_each():
    statements = [
        CopyrightStatement(["Jane Doe"], 2020, 2020, 0, 10),
        CopyrightStatement(["Jane Doe"], 2021, 2021, 20, 30),
    ]
    assert rights_verdict([], statements, "MIT").copyright_holders == ["Jane Doe"]


def test_declared_deprecated_id_is_normalised():
    assert _verdict("", declared="GPL-2.0+").declared_license == "GPL-2.0-or-later"
