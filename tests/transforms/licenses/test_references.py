"""License references: URLs that name a license, bare names, named licenses, proprietary notices."""

import pytest

from transforms.licenses.detect import scan_licenses
from transforms.licenses.urls import url_license


def _ids(text: str) -> set[str]:
    return {item.spdx for item in scan_licenses(text) if item.spdx}


@pytest.mark.parametrize(
    ("url", "spdx"),
    [
        ("https://github.com/DefinitelyTyped/NugetAutomation/blob/master/LICENSE.MIT", "MIT"),
        ("https://github.com/Kyle2123/statsd-csharp-client/blob/master/MIT-LICENCE.md", "MIT"),
        ("https://github.com/red-willow/mvc-toastr-flash/blob/master/LICENSE-MIT.md", "MIT"),
        ("https://github.com/jehugaleahsa/ChangeDetector/blob/master/UNLICENSE.txt", "Unlicense"),
        ("https://raw.github.com/majorsilence/MPlayerControl/master/lgpl-2.1.txt", "LGPL-2.1-only"),
        ("https://www.gnu.org/licenses/gpl-3.0.en.html", "GPL-3.0-only"),
        ("http://www.gnu.org/licenses/agpl-3.0.html", "AGPL-3.0-only"),
        ("http://www.gnu.org/copyleft/gpl.html", "GPL-1.0-or-later"),
        ("http://choosealicense.com/licenses/mit/", "MIT"),
        ("http://choosealicense.com/no-license/", "LicenseRef-scancode-proprietary-license"),
        ("https://spdx.org/licenses/BSD-2-Clause.html", "BSD-2-Clause"),
        ("https://jquery.org/license", "MIT"),
    ],
)
def test_url_naming_a_license_is_resolved(url, spdx):
    assert url_license(url) == spdx


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/parekhkb/OrderByNullsLast/blob/master/LICENSE",
        "https://raw.githubusercontent.com/tbrushwyler/Xamarin.BluetoothLE/master/LICENSE.md",
        "http://www.syncfusion.com/nuget/license?utm_source=nuget",
    ],
)
def test_url_to_a_plain_license_file_names_no_license(url):
    assert url_license(url) == ""


def test_bare_license_url_in_a_manifest_is_evidence():
    text = "https://github.com/Kyle2123/statsd-csharp-client/blob/master/MIT-LICENCE.md\n"
    assert _ids(text) == {"MIT"}


def test_unversioned_gnu_url_yields_to_a_versioned_notice():
    text = (
        " * under the terms of the GNU General Public License as published by the Free\n"
        " * Software Foundation; either version 2 of the License, or (at your option)\n"
        " * any later version. You can also get it at http://www.gnu.org/licenses/gpl.html\n"
    )
    assert _ids(text) == {"GPL-2.0-or-later"}


@pytest.mark.parametrize(
    "text",
    [
        "// Natural Docs is licensed under the GPL.",
        "/* My work is under the GPL license */",
        "/* Gnu GPL is what governs this work */",
        "is licensed under the GPL, see `/usr/share/common-licenses/GPL'.",
    ],
)
def test_bare_gpl_reference_is_gpl_1_or_later(text):
    assert _ids(text) == {"GPL-1.0-or-later"}


def test_gpl_named_only_for_compatibility_is_not_a_license():
    text = "In particular, note that the MIT licence is compatible with the GNU GPL."
    assert _ids(text) == {"MIT"}


def test_versioned_gpl_short_name_is_not_read_as_bare():
    assert _ids("This file is under the GPL v2.") == {"GPL-2.0-only"}


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        ("Academic Free License v3.0", "AFL-3.0"),
        ("Educational Community License v2.0", "ECL-2.0"),
        ("LaTeX Project Public License v1.3c", "LPPL-1.3c"),
        ("Open Software License 3.0", "OSL-3.0"),
        ("PostgreSQL License", "PostgreSQL"),
        ("Do What The F*ck You Want To Public License", "WTFPL"),
        (
            "# The contents of this file are subject to the Netscape Public\n"
            '# License Version 1.1 (the "License"); you may not use this file',
            "NPL-1.1",
        ),
        (
            "%%% The contents of this file are subject to the Erlang Public License,\n"
            '%%% Version 1.1, (the "License"); you may not use this file except in',
            "ErlPL-1.1",
        ),
        (
            'subject to the Apple Public Source License Version 1.1 (the "License").',
            "APSL-1.1",
        ),
    ],
)
def test_license_named_with_its_version(text, spdx):
    assert _ids(text) == {spdx}


def test_motorola_grant_is_recognised():
    text = (
        "You are hereby granted a copyright license to use, modify, and distribute the "
        "SOFTWARE\nso long as this entire notice is retained without alteration in any "
        "modified and/or\nredistributed versions"
    )
    assert _ids(text) == {"LicenseRef-scancode-motorola"}


def test_ietf_grant_is_recognised():
    text = (
        "   The limited permissions granted above are perpetual and will not be\n"
        "   revoked by the Internet Society or its successors or assigns.\n"
    )
    assert _ids(text) == {"LicenseRef-scancode-ietf"}


def test_dom4j_style_bsd_is_plexus():
    text = (
        " 1. Redistributions of source code must retain copyright\n"
        "    statements and notices.  Redistributions must also contain a\n"
        "    copy of this document.\n"
    )
    assert _ids(text) == {"Plexus"}


def test_bzip2_file_header_is_bzip2_license():
    text = (
        "   This file is part of bzip2/libbzip2, a program and library for\n"
        "   lossless, block-sorting data compression.\n"
    )
    assert _ids(text) == {"bzip2-1.0.6"}


def test_sell_variant_grant_is_hpnd_sell_variant():
    text = (
        "Permission to use, copy, modify, distribute, and sell this software and its\n"
        "documentation for any purpose is hereby granted without fee, provided that\n"
    )
    assert "HPND-sell-variant" in _ids(text)


@pytest.mark.parametrize(
    "text",
    [
        " * SUN PROPRIETARY/CONFIDENTIAL. Use is subject to license terms.",
        " * This software is proprietary and is the property of abc 123\n * Software, Inc.",
        "Comment Restricted By Accompanying License Agreement With IBM Corp.",
        " * This file is licensed under the terms of your license agreement(s) \n"
        " * with ABC convering this file. Redistribution, except as permitted by  \n"
        " * the terms of your license agreement(s) with ABC, is strictly prohibited.",
    ],
)
def test_proprietary_notice_is_proprietary(text):
    assert _ids(text) == {"LicenseRef-scancode-proprietary-license"}


def test_is_public_domain_is_a_dedication():
    assert _ids("LibTomCrypt is public domain.  As should all quality software be.") == {
        "LicenseRef-scancode-public-domain"
    }


def test_unversioned_cc_name_yields_to_a_versioned_cc_url():
    text = (
        "This work is licensed under a Creative Commons Attribution license:\n"
        "http://creativecommons.org/licenses/by/2.5/\n"
    )
    assert _ids(text) == {"CC-BY-2.5"}


def test_specific_license_text_replaces_the_generic_grant_it_builds_on():
    # MITNFA is the MIT text plus a no-false-attribution clause a paragraph below.
    text = (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of\n"
        'this software and associated documentation files (the "Software"), to deal in\n'
        "the Software without restriction, including without limitation the rights to use,\n"
        "copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the\n"
        "Software, and to permit persons to whom the Software is furnished to do so,\n"
        "subject to the following conditions:\n\n"
        "The above copyright notice and this permission notice shall be included in all\n"
        "copies or substantial portions of the Software.\n\n"
        "Distributions of all or part of the Software intended to be used by the recipients\n"
        "as they would use the unmodified Software, containing modifications that\n"
        "substantially alter, remove, or disable functionality of the Software, outside of\n"
        "the documented configuration mechanisms provided by the Software, shall be\n"
        "modified such that the Original Author's bug reporting email addresses and urls\n"
        "are either replaced with the contact information of the parties responsible for\n"
        "the changes, or removed entirely.\n"
    )
    assert _ids(text) == {"MITNFA"}


def test_iso_8879_entity_set_notice_is_recognised():
    text = (
        "<!-- Portions (C) International Organization for Standardization 1986:\n"
        "     Permission to copy in any form is granted for use with\n"
        "     conforming SGML systems and applications as defined in\n"
        "     ISO 8879, provided this notice is included in all copies. -->\n"
    )
    assert _ids(text) == {"LicenseRef-scancode-iso-8879"}


def test_newlib_historical_grant_is_recognised():
    text = (
        "The authors hereby grant permission to use, copy, modify, distribute,\n"
        "and license this software and its documentation for any purpose, provided\n"
        "that existing copyright notices are retained in all copies and that this\n"
        "notice is included verbatim in any distributions.\n"
    )
    assert _ids(text) == {"LicenseRef-scancode-newlib-historical"}


def test_notice_inside_an_html_comment_is_read():
    # "<!-- ... -->" is a comment to read, not a tag to skip.
    assert _ids("<!-- This file is licensed under the MIT License -->") == {"MIT"}


def test_spans_stay_exact_after_multibyte_text():
    text = "é©" * 300 + " licensed under the MIT License. " + "ü" * 5000 + " Apache License 2.0"
    spans = {item.spdx: text[item.start : item.end] for item in scan_licenses(text)}
    assert spans["MIT"].endswith("MIT License")
    assert spans["Apache-2.0"] == "Apache License 2.0"
