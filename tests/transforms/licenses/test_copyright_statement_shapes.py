"""Which text is a copyright statement: marker variants, names before the marker, look-alikes.

The marker is not always "Copyright (c) <years> <name>": the name may come first or after
"by", the sign may be spelled many ways, and legal prose that says "copyright" or "(c)"
may be no statement at all.
"""

import pytest

from transforms.licenses.copyrights import scan_copyrights


def _holders(text: str) -> list[str]:
    return [holder for statement in scan_copyrights(text) for holder in statement.holders]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("Copyright (©) 2001, Rice University", "Rice University"),
        ("Copyright &copy  The MITRE Corporation (", "The MITRE Corporation"),
        (
            "Copyright \u00ef\u00bf\u00bd 1999 CERN".encode("latin-1").decode("utf-8", "replace"),
            "CERN",
        ),
        (" * Copyright \\u00A9 2006, Google Inc.", "Google Inc."),
        ("(c)opyrighted by Parik Rao.", "Parik Rao"),
        ("Copyright . 2008 Foo Name, Inc.", "Foo Name, Inc."),
        (" * Copyright (C) <2013>, GENIVI Alliance, Inc.", "GENIVI Alliance, Inc."),
    ],
)
def test_marker_variants_are_read(text, holder):
    assert _holders(text) == [holder]


def test_restructuredtext_copy_substitution_is_a_marker():
    assert _holders("**Copyright** |copy| 1999-2016 : Example Developers\n") == [
        "Example Developers"
    ]


def test_many_copyright_signs_do_not_shift_later_statements():
    # Each "©" is two UTF-8 bytes; offsets must stay exact after hundreds of them.
    text = "© é " * 300 + "\nCopyright © 2020 Jane Doe\n"
    statement = scan_copyrights(text)[-1]
    assert text[statement.start : statement.end] == "Copyright © 2020 Jane Doe"


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        (" * Rusty Russell (C)2000 -- This code is GPL.\n", "Rusty Russell"),
        ("| Professional Informatics (C) 1994\n", "Professional Informatics"),
        (
            " * Modified by Vladimir Oleynik <dzo@example.ru> (c) 2001-2005 to be\n",
            "Vladimir Oleynik",
        ),
    ],
)
def test_holder_named_before_the_marker(text, holder):
    assert _holders(text) == [holder]


def test_statement_span_covers_a_holder_named_before_the_marker():
    text = " * Rusty Russell (C)2000 -- This code is GPL.\n"
    (statement,) = scan_copyrights(text)
    assert statement.statement == "Rusty Russell (C)2000"


def test_years_after_a_second_marker_count_for_the_holder():
    (statement,) = scan_copyrights("// 0   Copyright nexB and others (c) 2012       `\n")
    assert statement.holders == ["nexB and others"]
    assert statement.year_start == 2012


@pytest.mark.parametrize(
    ("text", "holders"),
    [
        (" * Written by Jane Roe, Copyright 1994.\n", ["Jane Roe"]),
        (" *    by Jane Roe Copyright (C) 1995.  Send bug reports to the list.\n", ["Jane Roe"]),
        (
            " *  started by Jane Roe, Copyright (C) 2001\n"
            " *  debugging by John Doe, Copyright (C) 2015\n",
            ["Jane Roe", "John Doe"],
        ),
    ],
)
def test_name_after_by_before_a_statement_that_ends_with_its_years(text, holders):
    assert _holders(text) == holders


def test_holder_after_the_years_wins_over_a_name_before():
    assert _holders(" * Written by Jane Roe, Copyright 1994 Example Inc.\n") == ["Example Inc."]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("The Example OHL is copyright of CERN. Anyone is welcome to use it.\n", "CERN"),
        ("These icons are copyright of <s>Jane Roe</s> and licensed under the MIT\n", "Jane Roe"),
    ],
)
def test_is_copyright_of_names_the_holder(text, holder):
    assert _holders(text) == [holder]


def test_lower_case_project_contributors_are_a_holder():
    assert _holders("Copyright lowRISC contributors.") == ["lowRISC contributors"]


def test_c_sign_at_a_line_start_without_a_list_is_still_a_statement():
    assert _holders("(c) Example Widgets Inc.\nAll rights reserved.\n") == ["Example Widgets Inc."]


def test_copyright_inside_a_word_or_url_is_no_statement():
    assert _holders("Format-Specification: http://wiki.example.org/Proposals/CopyrightFormat") == []


def test_copyright_of_a_thing_is_no_holder():
    assert _holders("The copyright of this software is held by its authors.\n") == []


def test_copyright_agent_is_not_a_holder():
    assert _holders("Copyright Agent\nExample Systems Incorporated\n601 Main Street\n") == []


def test_third_list_item_in_legal_text_is_no_copyright_sign():
    text = (
        "(a) Grant. Subject to these terms, Example grants you a licence.\n"
        "(b) Restrictions. You may not rent the software.\n"
        "(c) Representations. Each party represents that it has authority.\n"
    )
    assert _holders(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "NO LICENSE IS GRANTED UNDER ANY COPYRIGHT, PATENT, TRADEMARK, OR OTHER RIGHT.\n",
        "This work is not subject to copyright by Section 105 of the Copyright Act.\n",
        "Directive 2001/29/EC (the Copyright Directive) applies.\n",
        "Copyright GNU AGPL.\n",
    ],
)
def test_intellectual_property_law_after_copyright_is_no_holder(text):
    assert _holders(text) == []
