"""Copyright holders in real-world shapes: periods, markup, wrapped lines, names before (c)."""

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


def test_debian_markup_around_holders_is_not_a_column_break():
    text = "    © 2008-2009 <s>Nokia Corporation</s> and/or <s>its subsidiary(-ies)</s>.\n"
    assert _holders(text) == ["Nokia Corporation and/or its subsidiary(-ies)"]


def test_holder_on_the_line_after_years_may_be_in_markup():
    text = "  Copyright (c) 1994\n  <s>Hewlett-Packard Company</s>\n"
    assert _holders(text) == ["Hewlett-Packard Company"]


def test_company_name_wrapped_onto_the_next_line_is_joined():
    text = (
        " * Copyright (c) 2002-2006 Sam Leffler, Errno Consulting, Atheros\n"
        " * Communications, Inc.  All rights reserved.\n"
    )
    assert _holders(text) == ["Sam Leffler, Errno Consulting, Atheros Communications, Inc."]


def test_name_list_wrapped_before_and_is_joined():
    text = (
        "Copyright (C) 1999-2006 Henry Cejtin, Matthew Fluet, Suresh\n"
        "   Jagannathan, and Stephen Weeks.\n"
    )
    assert _holders(text) == ["Henry Cejtin, Matthew Fluet, Suresh Jagannathan, and Stephen Weeks"]


def test_and_others_after_a_wrapped_email_is_joined():
    text = (
        "     Copyright © 1998-2009 Bill Spitzak\n"
        "     (spitzak@example.org ) and others, including:\n"
    )
    assert _holders(text) == ["Bill Spitzak and others"]


def test_phrase_cut_by_a_line_break_is_joined():
    text = (
        "Copyright: (c) 2000 United States Government as represented by the\n"
        " *\tSecretary of the Navy. All rights reserved.\n"
    )
    assert _holders(text) == [
        "United States Government as represented by the Secretary of the Navy"
    ]


def test_years_and_holder_on_the_line_after_a_bare_marker():
    text = 'are retained: "Copyright (c)\n1995-2001 Corporation for National Research Initiatives'
    assert _holders(text) == ["Corporation for National Research Initiatives"]


def test_author_field_after_years_is_not_part_of_the_holder():
    text = "* Copyright (C) 2016-2018\n* Author: Matt Ranostay <matt@example.com>\n"
    assert _holders(text) == ["Matt Ranostay"]


def test_years_between_holders_are_dropped():
    text = "Copyright:       © 2004 - 2007 Nigel McNie, 2007 - 2008 Benny Baumann\n"
    (statement,) = scan_copyrights(text)
    assert statement.holders == ["Nigel McNie, Benny Baumann"]
    assert (statement.year_start, statement.year_end) == (2004, 2008)


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


def test_lower_case_project_contributors_are_a_holder():
    assert _holders("Copyright lowRISC contributors.") == ["lowRISC contributors"]


def test_by_at_the_end_of_a_boxed_line_takes_the_next_line():
    text = (
        "/*  Copyright 1996-2005, 2008-2011 by                                      */\n"
        "/*  David Turner, Robert Wilhelm, and Werner Lemberg.                     */\n"
    )
    assert _holders(text) == ["David Turner, Robert Wilhelm, and Werner Lemberg"]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ('Copyright (c) 2013 "Cowboy" Ben Alman', "Cowboy Ben Alman"),
        ("Copyright 2011 Denis 'GNUtoo' Carikli <GNUtoo@example.org>", "Denis GNUtoo Carikli"),
        ("Copyright (C) ???? <s>Simon Mourier <simonm@example.com></s>", "Simon Mourier"),
        ("Copyright (c) 1992 <s>Uri Blumentha<s>l, I</s>BM</s>", "Uri Blumenthal, IBM"),
    ],
)
def test_quotes_placeholders_and_split_markup_are_cleaned(text, holder):
    assert _holders(text) == [holder]


def test_copyright_inside_a_word_or_url_is_no_statement():
    assert _holders("Format-Specification: http://wiki.example.org/Proposals/CopyrightFormat") == []


def test_single_first_name_wrapped_before_the_surname_is_joined():
    text = '<p class="Legal">Copyright © 2012-2013 Christian \nRau</p>\n'
    assert _holders(text) == ["Christian Rau"]


def test_statement_inside_an_html_comment_is_read():
    assert _holders("<!-- Copyright 2008 ABCD, LLC. -->\n") == ["ABCD, LLC."]


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


def test_year_range_to_present_with_a_tilde():
    assert _holders("* Copyright (c) 2017 ~ present NAVER Corp.") == ["NAVER Corp."]


def test_many_copyright_signs_do_not_shift_later_statements():
    # Each "©" is two UTF-8 bytes; offsets must stay exact after hundreds of them.
    text = "© é " * 300 + "\nCopyright © 2020 Jane Doe\n"
    statement = scan_copyrights(text)[-1]
    assert text[statement.start : statement.end] == "Copyright © 2020 Jane Doe"


def test_certificate_distinguished_name_fields_end_the_holder():
    text = "        Issuer: OU=Copyright (c) 1997 Microsoft Corp., OU=Microsoft Corporation, CN=X\n"
    assert _holders(text) == ["Microsoft Corp."]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        # C and JSON string literals escape their quotes and line breaks.
        ('const char id[] = "Copyright (c) 2019 Acme Widgets, L.L.C.\\";', "Acme Widgets, L.L.C."),
        ('"copyright": "Copyright (c) 2014 \\"Spike\\" Jane Doe"', "Spike Jane Doe"),
        (
            '"notice": "Copyright (c) 2016 Northwind Traders\\r\\nAll rights reserved."',
            "Northwind Traders",
        ),
    ],
)
def test_statement_inside_a_string_literal(text, holder):
    assert _holders(text) == [holder]


def test_defined_term_after_the_holder_is_not_part_of_it():
    text = 'Copyright (c) Jane Roe (the "Original Author") and additional contributors\n'
    assert _holders(text) == ["Jane Roe"]


def test_markdown_bold_around_the_statement_goes():
    assert _holders("**Copyright (c) 2021 Jane Roe and contributors**\n") == [
        "Jane Roe and contributors"
    ]


def test_xcode_placeholder_company_loses_its_underscores():
    text = "//  Copyright 2011 __MyCompanyName__. All rights reserved.\n"
    assert _holders(text) == ["MyCompanyName"]


def test_capitalised_word_and_year_after_a_company_period_start_a_sentence():
    text = " * Copyright (C) 1991-2, RSA Data Security, Inc. Created 1991. All\n"
    assert _holders(text) == ["RSA Data Security, Inc."]


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


def test_filled_in_template_brackets_around_the_name_go():
    assert _holders("Copyright (c) <2010-2012> <Jane Roe>\n") == ["Jane Roe"]


def test_unfilled_template_brackets_are_no_holder():
    assert _holders("Copyright (c) <year> <Your Name>\n") == []


def test_bracketed_note_after_a_name_goes_like_contact_data():
    assert _holders(" * Copyright (C) 2009 Jane Roe <Example Labs Inc>\n") == ["Jane Roe"]


def test_parenthesised_for_whom_stays_with_the_name():
    text = "(C) Copyright 2003, 2004, by Jane Roe (for Example Survey Division).\n"
    assert _holders(text) == ["Jane Roe (for Example Survey Division)"]


def test_version_control_keyword_before_the_holder_goes():
    text = " * Copyright (c) $LastChangedDate$ Example Technologies Corporation\n"
    assert _holders(text) == ["Example Technologies Corporation"]


def test_email_with_a_brace_list_is_contact_data():
    text = " *   Copyright (C) 2004, Jane Roe <jroe@{example.org,example.net}>\n"
    assert _holders(text) == ["Jane Roe"]


def test_space_before_a_comma_is_not_kept():
    text = "(c) 1991-1992, Jane Roe , Part of the Example Imaging Group's\n"
    assert _holders(text) == ["Jane Roe, Part of the Example Imaging Group's"]


def test_line_after_a_trailing_comma_that_reads_as_prose_is_not_joined():
    text = (
        '  © Copyright 2010 by the <a href="https://example.org">Example Team</a>,\n'
        '  documentation generated by <a href="https://example.org/gen">Gen</a>\n'
    )
    assert _holders(text) == ["the Example Team"]


def test_lower_case_handle_after_a_trailing_comma_is_joined():
    text = "Copyright (c) 2016 Jane Roe <https://example.org/jroe>,\nsnerks, John Doe\n"
    assert _holders(text) == ["Jane Roe, snerks, John Doe"]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ('copyright = u"2010-2020, Jane Roe"\n', "Jane Roe"),  # Sphinx conf.py
        ("copyright = '2017-2018, Example Developers'\n", "Example Developers"),
        ('  "copyright": "2019 Jane Roe",\n', "Jane Roe"),  # a JSON metadata field
    ],
)
def test_copyright_assigned_as_a_string_value(text, holder):
    assert _holders(text) == [holder]


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        ("The Example OHL is copyright of CERN. Anyone is welcome to use it.\n", "CERN"),
        ("These icons are copyright of <s>Jane Roe</s> and licensed under the MIT\n", "Jane Roe"),
    ],
)
def test_is_copyright_of_names_the_holder(text, holder):
    assert _holders(text) == [holder]


def test_copyright_of_a_thing_is_no_holder():
    assert _holders("The copyright of this software is held by its authors.\n") == []


def test_copyright_agent_is_not_a_holder():
    assert _holders("Copyright Agent\nExample Systems Incorporated\n601 Main Street\n") == []


def test_restructuredtext_copy_substitution_is_a_marker():
    assert _holders("**Copyright** |copy| 1999-2016 : Example Developers\n") == [
        "Example Developers"
    ]


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


@pytest.mark.parametrize(
    ("text", "holder"),
    [
        (
            "Copyright 2013 Example \n Plc and/or its subsidiary(-ies) and other contributors.",
            "Example Plc and/or its subsidiary(-ies) and other contributors",
        ),
        (
            "Copyright 2005-2007\t<s>Commonwealth Example and Industrial Research\n"
            "                        Organisation (CEIRO)</s>\n",
            "Commonwealth Example and Industrial Research Organisation (CEIRO)",
        ),
        (
            "Copyright (C) 1996 - 2008. <s>Example Systems \n    Incorporated</s>. All Rights",
            "Example Systems Incorporated",
        ),
    ],
)
def test_organisation_form_wrapped_onto_the_next_line_is_joined(text, holder):
    assert _holders(text) == [holder]


def test_holder_named_in_ssleay_terms_with_old_mac_line_endings():
    text = (
        "/* Copyright (C) 1995-1997 Jane Roe (jroe@example.org)\r * All rights reserved.\r *\r"
        " * The licence and distribution terms for any publically available version or\r"
        " * derivative of this code cannot be changed.  i.e. this code cannot simply be\r"
        " * copied and put under another distribution licence\r"
        " * [including the GNU Public Licence.]\r */\r"
        "Copyright remains Jane Roe's, and as such any Copyright notices in\r"
        " * the code are not to be removed. This library is covered by the same copyright terms\r"
        " * except that the holder is John Doe (jdoe@example.org).\r"
    )
    assert "John Doe" in _holders(text)


def test_third_list_item_in_legal_text_is_no_copyright_sign():
    text = (
        "(a) Grant. Subject to these terms, Example grants you a licence.\n"
        "(b) Restrictions. You may not rent the software.\n"
        "(c) Representations. Each party represents that it has authority.\n"
    )
    assert _holders(text) == []


def test_c_sign_at_a_line_start_without_a_list_is_still_a_statement():
    assert _holders("(c) Example Widgets Inc.\nAll rights reserved.\n") == ["Example Widgets Inc."]


def test_postscript_copyright_field_lines_after_the_first_are_licence_text():
    text = (
        "%%Copyright: Copyright 1990-2009 Example Systems Incorporated.\n"
        "%%Copyright: All rights reserved.\n"
        "%%Copyright: MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE\n"
        "%%Copyright: DISCLAIMED.\n"
    )
    assert _holders(text) == ["Example Systems Incorporated"]


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


def test_html_meta_copyright_content_is_read():
    text = '\t<meta name="copyright" content="copyright 2005-2006 Jane ROE"/>\r\n'
    assert _holders(text) == ["Jane ROE"]


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
