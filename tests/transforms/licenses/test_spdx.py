"""SPDX-License-Identifier tags: parsed, normalised, unknown ids flagged not dropped."""

import pytest

from transforms.licenses.detect import parse_spdx_expression, scan_licenses


def _tags(text: str):
    return [item for item in scan_licenses(text) if item.kind == "spdx_tag"]


def test_spdx_tag_with_single_id_is_detected():
    (tag,) = _tags("# SPDX-License-Identifier: MIT\nimport os\n")
    assert tag.spdx == "MIT"
    assert tag.confidence == 1.0


def test_spdx_tag_with_or_expression_is_normalised():
    (tag,) = _tags("// SPDX-License-Identifier: mit or apache-2.0\n")
    assert tag.spdx == "MIT OR Apache-2.0"


def test_spdx_tag_with_deprecated_plus_and_exception_is_modernised():
    (tag,) = _tags("/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */\n")
    assert tag.spdx == "GPL-2.0-or-later WITH Linux-syscall-note"


def test_spdx_tag_closing_comment_markup_is_not_part_of_the_expression():
    (tag,) = _tags("<!-- SPDX-License-Identifier: Apache-2.0 -->\n")
    assert tag.spdx == "Apache-2.0"


@pytest.mark.parametrize(
    ("line", "expression"),
    [
        # The Linux kernel's dual-license tags: the parentheses are the expression's.
        (
            "/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */",
            "GPL-2.0-only OR BSD-2-Clause",
        ),
        ("// SPDX-License-Identifier: (GPL-2.0+ OR MIT)", "GPL-2.0-or-later OR MIT"),
        ("# SPDX-License-Identifier: (LGPL-2.1 or BSD-2-Clause)", "LGPL-2.1-only OR BSD-2-Clause"),
        (
            "/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */",
            "GPL-2.0-only WITH Linux-syscall-note OR BSD-3-Clause",
        ),
        # A ")" or quote that closes the call or string around the tag is not.
        ('license = f("SPDX-License-Identifier: MIT")', "MIT"),
        ('x = f("SPDX-License-Identifier: (MIT OR Apache-2.0)");', "MIT OR Apache-2.0"),
        ("(* SPDX-License-Identifier: MIT *)", "MIT"),
    ],
)
def test_spdx_tag_keeps_its_own_parentheses_and_drops_the_wrapping(line, expression):
    (tag,) = _tags(line + "\n")
    assert tag.spdx == expression
    assert tag.unknown_ids == ()


def test_spdx_tag_with_unknown_id_is_flagged_not_dropped():
    (tag,) = _tags("SPDX-License-Identifier: Acme-Private-1.0 AND MIT\n")
    assert tag.spdx == "Acme-Private-1.0 AND MIT"
    assert tag.unknown_ids == ("Acme-Private-1.0",)
    assert tag.detail == "spdx.unknown_id"


def test_spdx_tag_span_points_at_the_tag_in_the_original_text():
    text = "int x;\n// SPDX-License-Identifier: BSD-3-Clause\n"
    (tag,) = _tags(text)
    assert text[tag.start : tag.end] == "SPDX-License-Identifier: BSD-3-Clause"


def test_unparsable_expression_is_returned_as_unknown():
    expression, unknown = parse_spdx_expression("MIT AND (")
    assert unknown == ("MIT AND (",)
    assert expression == "MIT AND ("


def test_ids_inside_a_tag_are_not_reported_again_as_notices():
    evidence = scan_licenses("# SPDX-License-Identifier: GPL-2.0-or-later\n")
    assert [item.kind for item in evidence] == ["spdx_tag"]
