"""Notice variants: one-line references, reworded grants, GPL wording traps, bare URLs."""

import pytest

from transforms.licenses.detect import scan_licenses
from transforms.licenses.urls import url_license


def _ids(text: str) -> set[str]:
    return {item.spdx for item in scan_licenses(text) if item.spdx}


def test_zlib_source_header_points_at_zlib_h():
    text = (
        "/* deflate.c -- compress data using the deflation algorithm\n"
        " * Copyright (C) 1995-1998 Jean-loup Gailly.\n"
        " * For conditions of distribution and use, see copyright notice in zlib.h\n"
        " */\n"
    )
    assert _ids(text) == {"Zlib"}


def test_fsf_unlimited_permission_is_fsfullr():
    text = (
        "# This file is free software; the Free Software Foundation\n"
        "# gives unlimited permission to copy and/or distribute it,\n"
        "# with or without modifications, as long as this notice is preserved.\n"
    )
    assert _ids(text) == {"FSFULLR"}


def test_fsf_unlimited_permission_with_warranty_sentence_is_fsfullrwd():
    text = (
        "## This file is free software; the Free Software Foundation gives unlimited\n"
        "## permission to copy and/or distribute it, with or without modifications, as\n"
        "## long as this notice is preserved.\n"
        "## This program is distributed in the hope that it will be useful, but WITHOUT\n"
        "## ANY WARRANTY, to the extent permitted by law.\n"
    )
    assert _ids(text) == {"FSFULLRWD"}


def test_configure_script_permission_is_fsful():
    text = (
        "# This configure script is free software; the Free Software Foundation\n"
        "# gives unlimited permission to copy, distribute and modify it.\n"
    )
    assert _ids(text) == {"FSFUL"}


def test_documentation_grant_for_compiled_forms_is_freebsd_doc():
    text = (
        "Redistribution and use in source (reStructuredText) and 'compiled'\n"
        "forms (HTML, PDF, PostScript, RTF and so forth) with or without\n"
        "modification, are permitted provided that the following conditions\n"
    )
    assert _ids(text) == {"FreeBSD-DOC"}


def test_numpy_license_reference_is_bsd_3_clause():
    text = (
        '"""\nPermission to use, modify, and distribute this software is given under the\n'
        'terms of the NumPy License.\n"""\n'
    )
    assert _ids(text) == {"BSD-3-Clause"}


@pytest.mark.parametrize(
    "text",
    [
        "# You can redistribute it and/or modify it under the same terms as Ruby.",
        "# You can distribute and/or modify this program under the Ruby License.",
    ],
)
def test_ruby_terms_are_the_ruby_license(text):
    assert _ids(text) == {"Ruby"}


def test_bsd_modified_in_a_metadata_field_is_read():
    assert _ids("license: BSD-Modified\n") == {"BSD-3-Clause"}


def test_cddl_short_name_in_maven_metadata():
    text = "  <licenses>\n    <license>\n      <name>CDDL 1.0</name>\n    </license>\n"
    assert _ids(text) == {"CDDL-1.0"}


def test_bsd_grant_worded_for_this_software():
    text = (
        " Redistribution and use of this software in source and binary forms, with or\n"
        " without modification, are permitted provided that the following conditions\n"
        " are met:\n"
        " * Redistributions of source code must retain the above copyright notice,\n"
        " * Redistributions in binary form must reproduce the above copyright notice,\n"
        " * Neither the name of Broadcom Corporation nor the names of its contributors\n"
        "   may be used to endorse or promote products derived from this software\n"
    )
    assert _ids(text) == {"BSD-3-Clause"}


def test_bsd_with_berkeley_db_source_clause_is_sleepycat():
    text = (
        "Redistribution and use in source and binary forms, with or without\n"
        "modification, are permitted provided that the following conditions are met:\n"
        "1. Redistributions of source code must retain the above copyright notice.\n"
        "2. Redistributions in binary form must reproduce the above copyright notice.\n"
        "3. Redistributions in any form must be accompanied by information on how to\n"
        "   obtain complete source code for the DB software and any accompanying software\n"
    )
    assert _ids(text) == {"Sleepycat"}


_MIT_GRANT = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    'of this software and associated documentation files (the "Software"), to deal\n'
    "in the Software without restriction.\n\n"
    "The above copyright notice and this permission notice shall be included in\n"
    "all copies or substantial portions of the Software.\n\n"
)


def test_mit_grant_with_advertising_clause_is_x11():
    text = _MIT_GRANT + (
        "Except as contained in this notice, the name of the X Consortium shall not be\n"
        "used in advertising or otherwise to promote the sale, use or other dealings.\n"
    )
    assert _ids(text) == {"X11"}


def test_mit_grant_without_advertising_clause_stays_mit():
    assert _ids(_MIT_GRANT) == {"MIT"}


def test_isc_grant_with_advertising_clause_is_curl():
    text = (
        " * Permission to use, copy, modify, and distribute this software for any purpose\n"
        " * with or without fee is hereby granted, provided that the above copyright\n"
        " * notice and this permission notice appear in all copies.\n"
        " *\n"
        " * Except as contained in this notice, the name of a copyright holder shall not\n"
        " * be used in advertising or otherwise to promote the sale, use or other dealings\n"
    )
    assert _ids(text) == {"curl"}


def test_gpl_warranty_sentence_does_not_override_the_lgpl_notice():
    text = (
        " *  it under the terms of the GNU Lesser General Public License version 3 as\n"
        " *  published by the Free Software Foundation.\n"
        " *  MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n"
        " *  GNU General Public License for more details.\n"
        " *  You should have received a copy of the GNU Lesser General Public License version 3\n"
    )
    assert _ids(text) == {"LGPL-3.0-only"}


def test_gpl_warranty_sentence_alone_is_unversioned_gpl():
    text = (
        " * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the\n"
        " * GNU General Public License for more details.\n"
    )
    assert _ids(text) == {"GPL-1.0-or-later"}


def test_version_before_the_lgpl_name_is_read():
    text = (
        " * modify it under the terms of version 2.1 of the GNU Lesser General\n"
        " * Public License published by the Free Software Foundation.\n"
    )
    assert _ids(text) == {"LGPL-2.1-only"}


def test_gpl_version_2_1_is_the_lgpl():
    text = (
        "#    modify it under the terms of the GNU General Public\n"
        "#    License as published by the Free Software Foundation; either\n"
        "#    version 2.1 of the License, or (at your option) any later version.\n"
    )
    assert _ids(text) == {"LGPL-2.1-or-later"}


def test_lesser_gnu_public_license_with_version():
    text = " * terms of the Lesser Gnu Public License v2.1, which accompanies this distribution"
    assert _ids(text) == {"LGPL-2.1-only"}


@pytest.mark.parametrize(
    "text",
    [
        " * Licensed under the GPL v2\n"
        " * Note: NOT 'eligible' as defined by gcc's library exception to the GPL v3,\n",
        "- libexif is LGPLv2.1\n- do not statically link to it\n- do not upgrade to LGPLv3\n",
    ],
)
def test_gpl_version_only_mentioned_is_not_applied(text):
    ids = _ids(text)
    assert "GPL-3.0-only" not in ids and "LGPL-3.0-only" not in ids


def test_bare_license_url_without_trigger_word_is_read():
    assert _ids("http://aws.amazon.com/apache2.0/\n") == {"Apache-2.0"}


@pytest.mark.parametrize(
    ("url", "spdx"),
    [
        ("http://www.gnu.org/copyleft/lesser.html", "LGPL-2.1-or-later"),
        ("https://www.codeproject.com/info/cpol10.aspx", "CPOL-1.02"),
    ],
)
def test_more_well_known_license_pages(url, spdx):
    assert url_license(url) == spdx
