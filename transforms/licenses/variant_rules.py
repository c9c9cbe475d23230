"""Phrase rules for common notice variants: one-line references and reworded grants.

Same contract as `license_notices.NOTICE_RULES` (normalised text, Hyperscan-compatible
patterns, every rule reachable from a trigger word in `transforms.licenses.detect.TRIGGERS`).
These are the shapes real headers take besides the canonical wording: a pointer to
another file's notice (zlib's "see copyright notice in zlib.h"), the one-sentence FSF
permissions autoconf and libtool put in generated files, short ids in package metadata
(`<name>CDDL 1.0</name>`), and "same terms as Ruby". Kept apart so each table stays
readable; `transforms.licenses.detect` scans all of them.
"""

from __future__ import annotations

import re

from transforms.licenses.phrase_rules import NoticeRule

_LICENSE = r"licen[cs]e"


def _resolve_fsf_unlimited(text: str, match: re.Match) -> list[tuple[str, float]]:
    """FSF's all-permissive notice; with the warranty sentence after it, it is FSFULLRWD."""
    if "distributed in the hope that it will be useful" in text[match.end() : match.end() + 120]:
        return [("FSFULLRWD", 0.85)]
    return [("FSFULLR", 0.85)]


VARIANT_RULES: tuple[NoticeRule, ...] = (
    NoticeRule(
        # Every zlib source file points at zlib.h instead of repeating the license.
        "zlib.header_reference",
        r"\bsee copyright notice in zlib\.h\b",
        spdx="Zlib",
        confidence=0.85,
    ),
    NoticeRule(
        # autoconf / automake / libtool generated files.
        "fsf_unlimited.grant",
        r"\bthe free software foundation gives unlimited permission to copy and or distribute"
        r" it with or without modifications as long as this notice is preserved\b",
        resolver=_resolve_fsf_unlimited,
    ),
    NoticeRule(
        "fsf_unlimited_configure.grant",
        r"\bthe free software foundation gives unlimited permission to copy distribute and"
        r" modify it\b",
        spdx="FSFUL",
        confidence=0.85,
    ),
    NoticeRule(
        # The FreeBSD documentation license: BSD-2 reworded for "source and compiled forms".
        "freebsd_doc.grant",
        r"\bredistribution and use in source (?:[a-z]+ ){0,3}and compiled forms\b",
        spdx="FreeBSD-DOC",
        confidence=0.85,
    ),
    NoticeRule(
        # NumPy's license is BSD-3-Clause; f2py and SciPy files refer to it by name.
        "numpy.name",
        r"\bnumpy " + _LICENSE + r"\b",
        spdx="BSD-3-Clause",
        confidence=0.7,
    ),
    NoticeRule(
        "ruby.name",
        r"\bsame terms as ruby\b|\b(?:the|under) ruby(?:'s)? " + _LICENSE + r"\b",
        spdx="Ruby",
        confidence=0.8,
    ),
    NoticeRule(
        # Short ids as package metadata writes them: "CDDL 1.0", "CDDLv1.0", "CDDL-1.1".
        "cddl.short",
        r"\bcddl(?: |-|v| v|-v)(1\.0|1\.1)\b",
        resolver=lambda _t, m: [(f"CDDL-{m.group(1)}", 0.8)],
    ),
    NoticeRule(
        # IBM Public License has one version only, so the unversioned name is enough.
        "ipl.unversioned",
        r"\bibm public " + _LICENSE + r" ipl\b",
        spdx="IPL-1.0",
        confidence=0.75,
    ),
)
