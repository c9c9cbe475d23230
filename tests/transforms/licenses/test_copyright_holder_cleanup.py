"""Markup, quoting and placeholders around a copyright holder, and what is left of it.

Statements live in HTML, Debian copyright files, string literals, Markdown, templates and
metadata fields; the holder must come out as the plain name whatever wraps it.
"""

import pytest

from transforms.licenses.copyrights import scan_copyrights


def _holders(text: str) -> list[str]:
    return [holder for statement in scan_copyrights(text) for holder in statement.holders]


def test_debian_markup_around_holders_is_not_a_column_break():
    text = "    © 2008-2009 <s>Nokia Corporation</s> and/or <s>its subsidiary(-ies)</s>.\n"
    assert _holders(text) == ["Nokia Corporation and/or its subsidiary(-ies)"]


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


def test_statement_inside_an_html_comment_is_read():
    assert _holders("<!-- Copyright 2008 ABCD, LLC. -->\n") == ["ABCD, LLC."]


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


def test_markdown_bold_around_the_statement_goes():
    assert _holders("**Copyright (c) 2021 Jane Roe and contributors**\n") == [
        "Jane Roe and contributors"
    ]


def test_xcode_placeholder_company_loses_its_underscores():
    text = "//  Copyright 2011 __MyCompanyName__. All rights reserved.\n"
    assert _holders(text) == ["MyCompanyName"]


def test_filled_in_template_brackets_around_the_name_go():
    assert _holders("Copyright (c) <2010-2012> <Jane Roe>\n") == ["Jane Roe"]


def test_unfilled_template_brackets_are_no_holder():
    assert _holders("Copyright (c) <year> <Your Name>\n") == []


def test_version_control_keyword_before_the_holder_goes():
    text = " * Copyright (c) $LastChangedDate$ Example Technologies Corporation\n"
    assert _holders(text) == ["Example Technologies Corporation"]


def test_html_meta_copyright_content_is_read():
    text = '\t<meta name="copyright" content="copyright 2005-2006 Jane ROE"/>\r\n'
    assert _holders(text) == ["Jane ROE"]


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
