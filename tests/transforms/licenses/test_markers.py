"""Creative Commons markers, public-domain dedications and rights reservations."""

import pytest

from transforms.licenses.detect import LicenseScanner, scan_licenses


def _by_kind(text: str, kind: str) -> list:
    return [item for item in scan_licenses(text) if item.kind == kind]


@pytest.mark.parametrize(
    ("url", "spdx"),
    [
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/", "CC-BY-NC-SA-4.0"),
        ("http://creativecommons.org/licenses/by/3.0/deed.en", "CC-BY-3.0"),
        ("https://creativecommons.org/licenses/by-nd/2.5/", "CC-BY-ND-2.5"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ],
)
def test_creative_commons_license_url_maps_to_spdx_id(url, spdx):
    assert {item.spdx for item in _by_kind(f"License: {url}", "cc_marker")} == {spdx}


def test_creative_commons_public_domain_mark_is_public_domain():
    (item,) = _by_kind("creativecommons.org/publicdomain/mark/1.0/", "public_domain")
    assert item.spdx == "LicenseRef-scancode-public-domain"


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        ("Photo licensed CC BY-NC 4.0", "CC-BY-NC-4.0"),
        ("Licensed under CC-BY-SA-3.0.", "CC-BY-SA-3.0"),
        ("Creative Commons Attribution-NonCommercial 4.0 International License", "CC-BY-NC-4.0"),
        ("Creative Commons Attribution-NoDerivatives 4.0 International", "CC-BY-ND-4.0"),
        (
            "released under the Creative Commons Attribution-ShareAlike License, version 3.0",
            "CC-BY-SA-3.0",
        ),
    ],
)
def test_creative_commons_license_name_maps_to_spdx_id(text, spdx):
    assert {item.spdx for item in _by_kind(text, "cc_marker")} == {spdx}


def test_rel_license_link_in_html_is_a_cc_marker():
    html = '<a rel="license" href="http://creativecommons.org/licenses/by/4.0/">CC</a>'
    details = {item.detail for item in _by_kind(html, "cc_marker")}
    assert "rel_license" in details
    assert {item.spdx for item in _by_kind(html, "cc_marker")} == {"CC-BY-4.0"}


def test_rel_license_link_to_unknown_page_is_kept_as_unresolved():
    (item,) = scan_licenses('<link rel="license" href="/terms.html">')
    assert item.spdx == ""
    assert item.unknown_ids == ("/terms.html",)


def test_public_domain_dedication_is_detected():
    (item,) = scan_licenses("This code has been placed in the public domain by its author.")
    assert item.kind == "public_domain"


def test_negated_public_domain_statement_is_not_a_dedication():
    assert scan_licenses("Note: this work is not in the public domain.") == []


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Copyright 2021 ACME Corp. All Rights Reserved.", "all_rights_reserved"),
        ("No part of this publication may be reproduced without permission.", "no_reproduction"),
        ("These articles may not be reproduced in any form.", "no_reproduction"),
        ("No AI training.", "tdm_reserved"),
        ("TDM reserved.", "tdm_reserved"),
        (
            "The rightsholder reserves text and data mining rights under Art. 4 CDSM.",
            "tdm_reserved",
        ),
        ("Text and data mining of this site is expressly reserved.", "tdm_reserved"),
        ("Content may not be used to train artificial intelligence systems.", "tdm_reserved"),
        ('<meta name="robots" content="noai, noimageai">', "tdm_reserved"),
    ],
)
def test_reservation_is_detected_with_its_kind(text, detail):
    assert detail in {item.detail for item in _by_kind(text, "reservation")}


def test_reservation_evidence_names_no_license():
    (item,) = _by_kind("All rights reserved.", "reservation")
    assert item.spdx == ""


def test_scanner_built_once_gives_same_results_as_functional_api():
    text = "# Licensed under the Apache License, Version 2.0\n"
    assert LicenseScanner().scan(text) == scan_licenses(text)


def test_every_notice_rule_is_reachable_from_a_trigger_word():
    """A phrase can only fire inside a trigger window; check each rule's own example."""
    scanner = LicenseScanner()
    examples = [
        "same terms as Perl itself",
        "GNU Free Documentation License, Version 1.3",
        "no AI training",
        "Unlicense",
    ]
    for example in examples:
        assert scanner.windows(example), example


def test_tdmrep_meta_tag_is_a_tdm_reservation():
    html = '<head><meta name="tdm-reservation" content="1"></head>'
    assert {item.detail for item in _by_kind(html, "reservation")} == {"tdm_reserved"}
