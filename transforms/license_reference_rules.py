"""More phrase rules: bare license references, named license texts and proprietary notices.

Same contract as `license_notices.NOTICE_RULES` (normalised text, Hyperscan-compatible
patterns, every rule reachable from a trigger word). Kept apart so that each table stays
readable; `transforms.licenses` scans both.
"""

from __future__ import annotations

import re

from schemas.licenses import EvidenceKind
from transforms.license_notices import PUBLIC_DOMAIN_ID, NoticeRule

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


REFERENCE_RULES: tuple[NoticeRule, ...] = (
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
