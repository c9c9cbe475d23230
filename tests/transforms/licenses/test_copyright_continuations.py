"""Copyright holders that continue past their first line, or past an abbreviation period."""

from transforms.licenses.copyrights import scan_copyrights


def _holders(text: str) -> list[str]:
    return [holder for statement in scan_copyrights(text) for holder in statement.holders]


def test_holder_list_wrapped_inside_html_markup_is_joined():
    text = (
        "Copyright (C) 2002-2004 <s>James W. Newkirk</s>, <s>Michael C. Two</s>,\n"
        "                        <s>Charlie Poole</s>\n"
        "Copyright (C) 2000-2004 <s>Philip A. Craig</s>\n"
    )
    assert _holders(text) == ["James W. Newkirk, Michael C. Two, Charlie Poole", "Philip A. Craig"]


def test_year_list_wrapped_over_several_lines_still_finds_the_holder():
    text = (
        "GCC is Copyright (C) 1986, 1987, 1988, 1989, 1990, 1991, 1992, 1993, 1994,\n"
        "1995, 1996, 1997, 1998, 1999, 2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007,\n"
        "2008 Free Software Foundation, Inc.\n"
        "\n"
        "GCC is free software; you can redistribute it\n"
    )
    (statement,) = scan_copyrights(text)
    assert statement.holders == ["Free Software Foundation, Inc."]
    assert (statement.year_start, statement.year_end) == (1986, 2008)


def test_second_holder_on_an_and_line_is_joined():
    text = (
        "Copyright (c) 1998, 1999, 2000 Thai Open Source Software Center Ltd\n"
        "                               and Clark Cooper\n"
        "\n"
        "Permission is hereby granted, free of charge, to any person obtaining\n"
    )
    assert _holders(text) == ["Thai Open Source Software Center Ltd and Clark Cooper"]


def test_ampersand_line_with_contact_is_joined():
    text = (
        " * Copyright (C) 1996-1999 Ralph Metzler\n"
        " *                       & Marcus Metzler (rjkm@metzlerbros.de)\n"
        " *\n"
    )
    assert _holders(text) == ["Ralph Metzler & Marcus Metzler"]


def test_and_others_after_company_period_is_kept():
    text = "Copyright 2012- GoInstant, Inc. and other contributors. All rights reserved."
    assert _holders(text) == ["GoInstant, Inc. and other contributors"]


def test_sentence_after_company_period_is_still_cut():
    text = "# Copyright 2015 Amazon.com, Inc. or its affiliates. All Rights Reserved."
    assert _holders(text) == ["Amazon.com, Inc."]


def test_acronym_of_the_holder_in_parentheses_is_kept():
    text = "Copyright (C) 2003 Commonwealth Scientific and Industrial Research Organisation (CSIRO)"
    assert _holders(text) == [
        "Commonwealth Scientific and Industrial Research Organisation (CSIRO)"
    ]


def test_lowercase_nickname_in_parentheses_still_goes():
    assert _holders("Copyright (C) 2004 Masayuki Hatta (mhatta)") == ["Masayuki Hatta"]


def test_year_range_ending_in_and_later_is_read_as_years():
    assert _holders("Copyright (c) 2016 and later Unicode, Inc. and others") == [
        "Unicode, Inc. and others"
    ]


def test_year_range_ending_in_a_build_variable_is_read_as_years():
    assert _holders("Copyright 2014 - ${current.year} Rafael Winterhalter") == [
        "Rafael Winterhalter"
    ]


def test_troff_copyright_sign_is_a_marker():
    text = ".SH COPYRIGHT\n        Copyright \\(co 2001-2017 Free Software Foundation, Inc.\n"
    assert _holders(text) == ["Free Software Foundation, Inc."]


def test_sign_lost_in_conversion_before_a_year_is_a_marker():
    text = "Copyright   : Copyright c 2011 by Kimberly Geswein All rights reserved"
    assert _holders(text) == ["Kimberly Geswein"]


def test_postscript_copyright_field_prose_is_no_holder():
    text = (
        "%%Copyright: Copyright 1990-2009 Adobe Systems Incorporated.\n"
        "%%Copyright: All rights reserved.\n"
        "%%Copyright: Redistribution and use in source and binary forms, with or\n"
        "%%Copyright: without modification, are permitted provided that the\n"
    )
    assert _holders(text) == ["Adobe Systems Incorporated"]


def test_lower_case_company_name_is_still_a_holder():
    text = " * Copyright (C) 2001 convergence integrated media GmbH"
    assert _holders(text) == ["convergence integrated media GmbH"]


def test_ssleay_documentation_holder_sentence_names_the_holder():
    text = (
        " * included with this distribution is covered by the same copyright terms\n"
        " * except that the holder is Tim Hudson (tjh@cryptsoft.com).\n"
    )
    assert _holders(text) == ["Tim Hudson"]
