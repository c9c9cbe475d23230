"""Copyright statements: holders kept as found, years as a range."""

import pytest

from transforms.licenses.copyrights import CopyrightScanner, scan_copyrights


def _one(text: str):
    (statement,) = scan_copyrights(text)
    return statement


def test_copyright_with_c_marker_year_and_holder_is_parsed():
    statement = _one("# Copyright (c) 2013 GENIVI Alliance, Inc.\n")
    assert statement.holders == ["GENIVI Alliance, Inc."]
    assert (statement.year_start, statement.year_end) == (2013, 2013)


def test_year_range_becomes_start_and_end():
    statement = _one(" * Copyright (C) 1996-2001 Internet Software Consortium\n")
    assert (statement.year_start, statement.year_end) == (1996, 2001)
    assert statement.holders == ["Internet Software Consortium"]


def test_year_list_becomes_its_range():
    statement = _one("Copyright 1999,2000,2002 Free Software Foundation, Inc.")
    assert (statement.year_start, statement.year_end) == (1999, 2002)


def test_copyright_sign_is_a_marker():
    statement = _one("© 2020 Jane Doe")
    assert statement.holders == ["Jane Doe"]


def test_html_entity_copy_is_a_marker():
    assert _one("<footer>&copy; 2019 Example News Ltd.</footer>").holders == ["Example News Ltd."]


def test_all_rights_reserved_is_not_part_of_the_holder():
    assert _one("Copyright (c) 2005 Red Hat, Inc. All rights reserved.").holders == [
        "Red Hat, Inc."
    ]


def test_email_after_holder_is_cut():
    statement = _one("Copyright (c) 2004 Benjamin Herrenschmidt <benh@kernel.example.org>")
    assert statement.holders == ["Benjamin Herrenschmidt"]


def test_by_before_holder_is_dropped():
    assert _one("Copyright (c) 1989-1998 by Lucent Technologies").holders == ["Lucent Technologies"]


def test_trailing_year_after_holder_is_read_as_year():
    statement = _one("Copyright Chameleon Systems, 1999")
    assert statement.holders == ["Chameleon Systems"]
    assert statement.year_start == 1999


def test_holder_wrapped_onto_next_comment_line_is_joined():
    text = " * Copyright (c) 1999 Henry Cejtin, Matthew Fluet,\n *    and Stephen Weeks\n"
    assert _one(text).holders == ["Henry Cejtin, Matthew Fluet, and Stephen Weeks"]


def test_copyright_without_year_keeps_holder_and_no_years():
    statement = _one("Copyright (C) Microsoft Corporation.")
    assert statement.year_start is None and statement.year_end is None
    assert statement.holders == ["Microsoft Corporation"]


@pytest.mark.parametrize(
    "text",
    [
        "The above copyright notice and this permission notice shall be included",
        "THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS",
        "Copyright (C) <year> <name of author>",
        "copyright law protects this work",
    ],
)
def test_copyright_used_as_a_noun_is_not_a_statement(text):
    assert scan_copyrights(text) == []


def test_span_covers_the_statement_in_the_original_text():
    text = "x\n// Copyright 2020 Jane Doe\n"
    statement = _one(text)
    assert text[statement.start : statement.end] == "Copyright 2020 Jane Doe"


def test_several_statements_are_returned_in_document_order():
    text = "Copyright (c) 2005 Arkadiy Vertleyb\nCopyright (c) 2005 Peder Holt\n"
    holders = [statement.holders for statement in CopyrightScanner().scan(text)]
    assert holders == [["Arkadiy Vertleyb"], ["Peder Holt"]]


def test_non_ascii_holder_is_kept_as_found():
    assert _one("Ünïcode prefix\nCopyright © 2011 Jürgen Müller").holders == ["Jürgen Müller"]
