"""Where a copyright holder ends: periods, contact data, addresses, remarks and reservations.

The hard part of reading a holder is knowing when the name is over; each test is one
real-world shape of what follows a name and must not become part of it (or must).
"""

import pytest

from transforms.licenses.copyrights import scan_copyrights


def _holders(text: str) -> list[str]:
    return [holder for statement in scan_copyrights(text) for holder in statement.holders]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("Copyright (c) 2009 IBM Corporation.", "IBM Corporation"),
        ("Copyright 1998 Adobe Systems Incorporated.", "Adobe Systems Incorporated"),
        ("Copyright Foobar Pvt. Ltd.. All rights reserved.", "Foobar Pvt. Ltd."),
        ("Copyright (C) 2008 Free Software Foundation, Inc.", "Free Software Foundation, Inc."),
        ("(c) 1994-2008 Trolltech ASA.", "Trolltech ASA."),
        ("Copyright (c) 2003 Fluendo, S.L.", "Fluendo, S.L."),
    ],
)
def test_sentence_period_goes_but_abbreviation_period_stays(text, holder):
    assert _holders(text) == [holder]


def test_company_period_is_kept_when_a_sentence_follows():
    text = "Copyright (c) 2012 Joyent, Inc. Permission is hereby granted, free of charge"
    assert _holders(text) == ["Joyent, Inc."]


def test_capitalised_word_and_year_after_a_company_period_start_a_sentence():
    text = " * Copyright (C) 1991-2, RSA Data Security, Inc. Created 1991. All\n"
    assert _holders(text) == ["RSA Data Security, Inc."]


def test_author_field_after_years_is_not_part_of_the_holder():
    text = "* Copyright (C) 2016-2018\n* Author: Matt Ranostay <matt@example.com>\n"
    assert _holders(text) == ["Matt Ranostay"]


def test_years_between_holders_are_dropped():
    text = "Copyright:       © 2004 - 2007 Nigel McNie, 2007 - 2008 Benny Baumann\n"
    (statement,) = scan_copyrights(text)
    assert statement.holders == ["Nigel McNie, Benny Baumann"]
    assert (statement.year_start, statement.year_end) == (2004, 2008)


def test_year_range_to_present_with_a_tilde():
    assert _holders("* Copyright (c) 2017 ~ present NAVER Corp.") == ["NAVER Corp."]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("Copyright (c) 2014 [Jon Schlinkert](https://github.com/jonschlinkert)", "Jon Schlinkert"),
        ("Copyright (c) 2013 Masayuki Hatta (mhatta)", "Masayuki Hatta"),
        ("Copyright (c) 2013 Simon Boudrias (twitter: @vaxilart)", "Simon Boudrias"),
        ("Copyright (c) 1992 Ronald S. Karr Copyleft", "Ronald S. Karr"),
        (
            "Copyright (C) 1998-2001, Daniel Stenberg, <daniel@haxx.example>, et al.",
            "Daniel Stenberg",
        ),
        ("Copyright (c) 2005, 2006  Nick Galbreath -- nickg [at] modp [dot] com", "Nick Galbreath"),
        (
            '_("Copyright (C) %d Free Software Foundation, Inc.\\n"), 2006);',
            "Free Software Foundation, Inc.",
        ),
        ("Copyright (c) 2012 Segment.io Inc. &lt;friends@segment.io&gt;", "Segment.io Inc."),
    ],
)
def test_decorations_after_the_name_are_cut(text, holder):
    assert _holders(text) == [holder]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("Copyright (c) 2011 Christopher Jeffrey. (MIT License)", "Christopher Jeffrey"),
        ("Copyright (c) 2013 Rod Vagg and licenced under the MIT licence", "Rod Vagg"),
        (
            "Copyright (C) 1989 Free Software Foundation, Inc. 675 Mass Ave, Cambridge, MA",
            "Free Software Foundation, Inc.",
        ),
        (
            "Copyright 1997 Sun Microsystems, Inc., 901 San Antonio Road, Palo Alto",
            "Sun Microsystems, Inc.",
        ),
        (
            "Portions (C) International Organization for Standardization 1986:",
            "International Organization for Standardization",
        ),
        ('"copyright":"(c) 2019 Denis Pushkarev (zloirock.ru)",license', "Denis Pushkarev"),
        ("Copyright (C) 2002 Simon Josefsson, with portions by others", "Simon Josefsson"),
    ],
)
def test_addresses_license_remarks_and_clauses_after_the_name_are_cut(text, holder):
    assert _holders(text) == [holder]


def test_certificate_distinguished_name_fields_end_the_holder():
    text = "        Issuer: OU=Copyright (c) 1997 Microsoft Corp., OU=Microsoft Corporation, CN=X\n"
    assert _holders(text) == ["Microsoft Corp."]


def test_defined_term_after_the_holder_is_not_part_of_it():
    text = 'Copyright (c) Jane Roe (the "Original Author") and additional contributors\n'
    assert _holders(text) == ["Jane Roe"]


def test_reservation_before_by_names_the_holder():
    text = "Copyright (c) 2008 All rights reserved by Contoso Corporation.\n"
    assert _holders(text) == ["Contoso Corporation"]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("Contoso © COPYRIGHT 2020 - Tous droits réservés\n", "Contoso"),
        (
            "Copyright (c) 1998-2021 Beispiel Software. Alle Rechte vorbehalten.\n",
            "Beispiel Software",
        ),
    ],
)
def test_reservations_in_other_languages_end_the_holder(text, holder):
    assert _holders(text) == [holder]


def test_bracketed_note_after_a_name_goes_like_contact_data():
    assert _holders(" * Copyright (C) 2009 Jane Roe <Example Labs Inc>\n") == ["Jane Roe"]


def test_parenthesised_for_whom_stays_with_the_name():
    text = "(C) Copyright 2003, 2004, by Jane Roe (for Example Survey Division).\n"
    assert _holders(text) == ["Jane Roe (for Example Survey Division)"]


def test_email_with_a_brace_list_is_contact_data():
    text = " *   Copyright (C) 2004, Jane Roe <jroe@{example.org,example.net}>\n"
    assert _holders(text) == ["Jane Roe"]


def test_space_before_a_comma_is_not_kept():
    text = "(c) 1991-1992, Jane Roe , Part of the Example Imaging Group's\n"
    assert _holders(text) == ["Jane Roe, Part of the Example Imaging Group's"]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        (
            "<p>Copyright 1999,2000 <BR>The Board of Trustees of the University of \n"
            "Example<BR>All rights reserved <BR>See <A HREF='x'>",
            "The Board of Trustees of the University of Example",
        ),
        (
            "&nbsp;*&nbsp;@copyright&nbsp;&nbsp;2005&nbsp;Jane&nbsp;Roe<br />"
            "&nbsp;*&nbsp;@version&nbsp;&nbsp;CVS:&nbsp;1.31<br />",
            "Jane Roe",
        ),
    ],
)
def test_html_line_breaks_end_a_holder_and_nbsp_separates_words(text, holder):
    assert _holders(text) == [holder]


def test_ellipsis_in_brackets_after_a_name_list_goes():
    assert _holders("  Copyright (C) 1998 Jane Roe, John Doe [, ...]\n") == ["Jane Roe, John Doe"]


@pytest.mark.parametrize(
    "text",
    [
        "EXPL © the Example Community 2007 \nThis Example Public Licence applies to the work.\n",
        "(c) the Example Community 2007 This Example Union Public Licence\n",
    ],
)
def test_the_holder_after_years_is_kept_over_a_word_before_and_a_sentence_after(text):
    assert _holders(text) == ["the Example Community"]


def test_postscript_copyright_field_lines_after_the_first_are_licence_text():
    text = (
        "%%Copyright: Copyright 1990-2009 Example Systems Incorporated.\n"
        "%%Copyright: All rights reserved.\n"
        "%%Copyright: MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE\n"
        "%%Copyright: DISCLAIMED.\n"
    )
    assert _holders(text) == ["Example Systems Incorporated"]
