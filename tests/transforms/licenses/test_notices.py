"""License notices and headers behind any comment style, mapped to SPDX ids."""

import pytest

from transforms.licenses.detect import scan_licenses
from transforms.licenses.normalise import normalise

GPL2_PLUS = """\
This program is free software; you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation; either version 2 of the License, or
(at your option) any later version.
"""

MIT_GRANT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
"""

BSD_3 = """\
Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice.
2. Redistributions in binary form must reproduce the above copyright notice.
3. Neither the name of the copyright holder nor the names of its contributors
   may be used to endorse or promote products derived from this software.
"""


def _comment(text: str, prefix: str) -> str:
    return "".join(f"{prefix}{line}\n" for line in text.splitlines())


def _ids(text: str) -> set[str]:
    return {item.spdx for item in scan_licenses(text) if item.spdx}


@pytest.mark.parametrize("prefix", ["# ", "// ", " * ", "-- ", "; ", ";; ", "REM "])
def test_gpl_header_behind_comment_prefix_is_detected_as_or_later(prefix):
    assert _ids(_comment(GPL2_PLUS, prefix)) == {"GPL-2.0-or-later"}


def test_mit_header_behind_hash_comments_is_detected():
    assert _ids(_comment(MIT_GRANT, "# ")) == {"MIT"}


def test_gpl_version_without_later_clause_is_only():
    text = "licensed under the GNU General Public License version 3 as published by the FSF."
    assert _ids(text) == {"GPL-3.0-only"}


def test_lgpl_2_1_or_later_header_is_detected():
    text = _comment(
        "under the terms of the GNU Lesser General Public\nLicense as published by the Free "
        "Software Foundation; either\nversion 2.1 of the License, or (at your option) any "
        "later version.",
        " * ",
    )
    assert _ids(text) == {"LGPL-2.1-or-later"}


def test_agpl_reference_is_not_plain_gpl():
    assert _ids("GNU Affero General Public License, version 3") == {"AGPL-3.0-only"}


def test_short_gpl_id_with_plus_means_or_later():
    assert _ids("License: GPLv2+") == {"GPL-2.0-or-later"}


def test_bsd_three_clause_is_told_apart_by_its_endorsement_clause():
    assert _ids(_comment(BSD_3, " * ")) == {"BSD-3-Clause"}


def test_bsd_two_clause_has_no_endorsement_clause():
    text = "\n".join(BSD_3.splitlines()[:4])
    assert _ids(text) == {"BSD-2-Clause"}


def test_bsd_four_clause_is_told_apart_by_its_advertising_clause():
    text = BSD_3 + "All advertising materials mentioning features or use of this software\n"
    text = text.replace("3. Neither", "4. Neither")
    text = BSD_3.replace(
        "3. Neither",
        "3. All advertising materials mentioning features or use of this software must "
        "display an acknowledgement.\n4. Neither",
    )
    assert _ids(text) == {"BSD-4-Clause"}


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        ('Licensed under the Apache License, Version 2.0 (the "License");', "Apache-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
        (
            "This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.",
            "MPL-2.0",
        ),
        (
            "Permission to use, copy, modify, and/or distribute this software for any purpose "
            "with or without fee is hereby granted",
            "ISC",
        ),
        ("This is free and unencumbered software released into the public domain.", "Unlicense"),
        (
            "Permission is granted to anyone to use this software for any purpose, including "
            "commercial applications, and to alter it and redistribute it freely",
            "Zlib",
        ),
        ("PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2", "Python-2.0"),
        ("This library is released under the Artistic License 2.0.", "Artistic-2.0"),
        ("Eclipse Public License - v 2.0", "EPL-2.0"),
        ("Distributed under the Boost Software License, Version 1.0.", "BSL-1.0"),
        ("Released under the MIT license", "MIT"),
        (
            "under the terms of the Common Development and Distribution License Version 1.1",
            "CDDL-1.1",
        ),
    ],
)
def test_dominant_license_notice_maps_to_spdx_id(text, spdx):
    assert _ids(text) == {spdx}


def test_html_footer_markup_is_normalised_away():
    text = (
        "<p>Permission is hereby <b>granted</b>, free of charge,<br/>\nto any person "
        "obtaining a copy of this software</p>"
    )
    assert _ids(text) == {"MIT"}


def test_normalise_drops_comment_markup_and_collapses_whitespace():
    assert (
        normalise("  # Licensed   under\n  #   the MIT\n// License")
        == "licensed under the mit license"
    )


def test_gpl_full_text_is_only_despite_its_how_to_apply_appendix():
    text = (
        "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n\nTERMS AND CONDITIONS\n...\n"
        "How to Apply These Terms\n  the Free Software Foundation; either version 2 of the "
        "License, or\n  (at your option) any later version.\n"
    )
    evidence = scan_licenses(text)
    assert {item.spdx for item in evidence} == {"GPL-2.0-only"}
    assert evidence[0].kind == "full_text"


def test_mit_full_text_is_reported_as_full_text():
    text = (
        MIT_GRANT + "The above copyright notice and this permission notice shall be "
        "included in all copies or substantial portions of the Software.\n"
    )
    assert {item.kind for item in scan_licenses(text)} == {"full_text"}


def test_notice_span_maps_back_to_the_original_text():
    text = "x = 1\n# Licensed under the Apache License,\n# Version 2.0\n"
    (item,) = scan_licenses(text)
    assert text[item.start : item.end] == "Apache License,\n# Version 2.0"


def test_text_without_license_words_yields_nothing():
    assert scan_licenses("def add(a, b):\n    return a + b\n" * 100) == []


def test_non_ascii_text_keeps_character_offsets():
    text = "Ünïcödé ©… " * 50 + "\n# Licensed under the MIT License\n"
    (item,) = scan_licenses(text)
    assert text[item.start : item.end] == "Licensed under the MIT License"
