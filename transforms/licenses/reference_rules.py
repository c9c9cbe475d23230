"""More phrase rules: bare license references, named license texts and proprietary notices.

Same contract as `license_notices.NOTICE_RULES` (normalised text, Hyperscan-compatible
patterns, every rule reachable from a trigger word). Kept apart so that each table stays
readable; `transforms.licenses.detect` scans both.
"""

from __future__ import annotations

import re

from schemas.licenses import EvidenceKind
from transforms.licenses.phrase_rules import PUBLIC_DOMAIN_ID, NoticeRule, Resolver

PROPRIETARY_ID = "LicenseRef-scancode-proprietary-license"
_LICENSE = r"licen[cs]e"
_NOT_THIS_LICENSE = re.compile(r"\b(?:(?:in)?compatib\w* with(?: the)?|not) $")
_VERSION_AFTER = re.compile(r"^ ?(?:v|version |-|license version |licence version )?\d")


def _resolve_bare_gpl(text: str, match: re.Match) -> list[tuple[str, float]]:
    """ "under the GPL" with no version: ScanCode's gpl-1.0-plus, a weak guess that a
    versioned notice elsewhere in the document overrides (see `license_evidence`)."""
    if _VERSION_AFTER.match(text[match.end() : match.end() + 24]):
        return []  # "GPL v2", "GPL-2.0": the gpl.short rule reads the version
    if _NOT_THIS_LICENSE.search(text, max(0, match.start() - 30), match.start()):
        return []  # "the MIT licence is compatible with the GNU GPL" names no license
    family = match.group(1) or ""
    if family:
        return [({"l": "LGPL-2.0-or-later", "a": "AGPL-3.0-or-later"}[family], 0.55)]
    return [("GPL-1.0-or-later", 0.55)]


def _named(template: str) -> Resolver:
    """Resolver for "<license name> [version] X.Y": the version picks the SPDX id."""

    def resolve(_text: str, match: re.Match) -> list[tuple[str, float]]:
        return [(template.format(match.group(1)), 0.85)]

    return resolve


_V = r"(?: -)?,?(?: version| v)? ?"

# Licenses named with their version, as in headers and GitHub's license names.
_NAMED_LICENSES: tuple[tuple[str, str, str], ...] = (
    ("npl", r"\bnetscape public " + _LICENSE + _V + r"(1\.0|1\.1)\b", "NPL-{}"),
    ("osl", r"\bopen software " + _LICENSE + _V + r"(1\.0|1\.1|2\.0|2\.1|3\.0)\b", "OSL-{}"),
    ("afl", r"\bacademic free " + _LICENSE + _V + r"(1\.1|1\.2|2\.0|2\.1|3\.0)\b", "AFL-{}"),
    ("ecl", r"\beducational community " + _LICENSE + _V + r"(1\.0|2\.0)\b", "ECL-{}"),
    (
        "lppl",
        r"\blatex project public " + _LICENSE + _V + r"(1\.3c|1\.3a|1\.2|1\.1|1\.0)\b",
        "LPPL-{}",
    ),
    ("apsl", r"\bapple public source " + _LICENSE + _V + r"(1\.0|1\.1|1\.2|2\.0)\b", "APSL-{}"),
    ("erlpl", r"\berlang public " + _LICENSE + _V + r"(1\.1)\b", "ErlPL-{}"),
    ("ipl", r"\bibm public " + _LICENSE + _V + r"(1\.0)\b", "IPL-{}"),
)
NAMED_RULES: tuple[NoticeRule, ...] = tuple(
    NoticeRule(
        f"{key}.name",
        pattern,
        resolver=_named(template),
    )
    for key, pattern, template in _NAMED_LICENSES
)

REFERENCE_RULES: tuple[NoticeRule, ...] = NAMED_RULES + (
    NoticeRule(
        "postgresql.name",
        r"\bpostgresql " + _LICENSE + r"\b",
        spdx="PostgreSQL",
        confidence=0.8,
    ),
    NoticeRule(
        "wtfpl.name_starred",
        r"\bdo what the f ?ck you want to public " + _LICENSE,
        spdx="WTFPL",
        confidence=0.9,
    ),
    NoticeRule(
        "hpnd_sell.grant",
        r"\bpermission to use copy modify distribute and sell this software and its documentation"
        r" for any purpose is hereby granted without fee\b",
        spdx="HPND-sell-variant",
        confidence=0.75,
    ),
    NoticeRule(
        "gpl.bare_reference",
        r"\b(?:under|under the|of the|the|gnu|is|as) (a|l)?gpl(?: " + _LICENSE + r")?\b",
        resolver=_resolve_bare_gpl,
    ),
    NoticeRule(
        "gpl.bare_license",
        r"\b(a|l)?gpl " + _LICENSE + r"\b",
        resolver=_resolve_bare_gpl,
    ),
    NoticeRule(
        "bsd.style_source_license",
        r"\bbsd(?:-style| style)? source " + _LICENSE + r"\b|\bbsd-modified\b",
        spdx="BSD-3-Clause",
        confidence=0.6,
    ),
    NoticeRule(
        "bsd2.freebsd_license",
        r"\bthe freebsd " + _LICENSE + r"\b",
        spdx="BSD-2-Clause",
        confidence=0.7,
    ),
    NoticeRule(
        "bzip2.reference",
        r"\bthis file is part of bzip2 libbzip2\b",
        spdx="bzip2-1.0.6",
        confidence=0.8,
    ),
    NoticeRule(
        "plexus.text",
        r"\bredistributions of source code must retain copyright statements and notices"
        r" redistributions must also contain a copy of this document\b",
        EvidenceKind.FULL_TEXT,
        spdx="Plexus",
        confidence=0.9,
    ),
    NoticeRule(
        "motorola.grant",
        r"\byou are hereby granted a copyright " + _LICENSE + r" to use modify and distribute"
        r" the software so long as this entire notice is retained\b",
        spdx="LicenseRef-scancode-motorola",
        confidence=0.9,
    ),
    NoticeRule(
        "ietf.grant",
        r"\bthe limited permissions granted above are perpetual and will not be revoked by"
        r" the internet society\b",
        spdx="LicenseRef-scancode-ietf",
        confidence=0.9,
    ),
    NoticeRule(
        "iso_8879.grant",
        r"\bpermission to copy in any form is granted for use with conforming sgml systems and"
        r" applications as defined in iso 8879\b",
        spdx="LicenseRef-scancode-iso-8879",
        confidence=0.9,
    ),
    NoticeRule(
        "newlib_historical.grant",
        r"\bthe authors hereby grant permission to use copy modify distribute and "
        + _LICENSE
        + r" this software and its documentation for any purpose provided that existing copyright"
        r" notices are retained\b",
        spdx="LicenseRef-scancode-newlib-historical",
        confidence=0.85,
    ),
    NoticeRule(
        "public_domain.is",
        r"\b(?:is|are) public domain\b",
        EvidenceKind.PUBLIC_DOMAIN,
        spdx=PUBLIC_DOMAIN_ID,
        confidence=0.7,
    ),
    # Proprietary notices: text that withholds the rights a license would grant.
    NoticeRule(
        "proprietary.confidential",
        r"\bproprietary confidential\b|\bstrictly confidential and the receiver\b"
        r"|\bthis software is proprietary\b|\bis proprietary and is the property of\b",
        spdx=PROPRIETARY_ID,
        confidence=0.8,
    ),
    NoticeRule(
        "proprietary.license_agreement",
        r"\b(?:restricted by accompanying " + _LICENSE + r" agreement"
        r"|except as permitted by the terms of your " + _LICENSE + r" agreement"
        r"|furnished under a " + _LICENSE + r" agreement and (?:is|may)"
        r"|the terms of the software " + _LICENSE + r" agreement included with any software)\b",
        spdx=PROPRIETARY_ID,
        confidence=0.8,
    ),
    NoticeRule(
        "proprietary.crown_copyright",
        r"\bcrown copyright\b",
        spdx=PROPRIETARY_ID,
        confidence=0.6,
    ),
)
