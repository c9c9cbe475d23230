"""License notice, full-text, public-domain and reservation phrases, over normalised text.

Every pattern here runs on *normalised* text: lower-case ASCII word tokens joined by
single spaces, with comment markup (`#`, `//`, ` * `, `--`, `;`), HTML tags, entities and
punctuation gone (see `transforms.licenses.detect.normalise`). That is why the patterns are
written with plain spaces and without punctuation: one pattern then matches a header
wrapped behind any comment style. Patterns must stay Hyperscan-compatible (no
look-arounds, no back-references) because they are compiled into one database.

This module is the table only: the rule type and the resolvers that read versions and
variants from a match (GPL family, MPL, CC names, BSD clause count) are in
`transforms.licenses.phrase_rules`, so the phrases can be read without the logic.
"""

from __future__ import annotations

from schemas.licenses import EvidenceKind, Reservation
from transforms.licenses.phrase_rules import (
    PUBLIC_DOMAIN_ID,
    NoticeRule,
    resolve_artistic,
    resolve_bsd,
    resolve_cc_name,
    resolve_gpl_full_text,
    resolve_gpl_name,
    resolve_gpl_short,
    resolve_isc_grant,
    resolve_mit_grant,
    resolve_mpl,
    resolve_not_negated,
    versioned,
)

_LICENSE = r"licen[cs]e"
_CC_WORDS = r"(?:noncommercial|non-commercial|non commercial|sharealike|share-alike|share alike|noderivatives|noderivs|no-derivatives|no derivatives)"  # noqa: E501

NOTICE_RULES: tuple[NoticeRule, ...] = (
    # MIT / Expat
    NoticeRule(
        "mit.full_text",
        r"permission is hereby granted free of charge to any person obtaining a copy"
        r" .{0,400}?the above copyright notice and this permission notice shall be included",
        EvidenceKind.FULL_TEXT,
        confidence=0.95,
        resolver=lambda text, match: [(resolve_mit_grant(text, match)[0][0], 0.95)],
    ),
    NoticeRule(
        "mit.grant",
        r"permission is hereby granted free of charge to any person obtaining a copy",
        resolver=resolve_mit_grant,
    ),
    NoticeRule(
        "mit.name",
        r"\b(?:the )?(?:mit|expat)(?:-style| style)? " + _LICENSE,
        spdx="MIT",
        confidence=0.8,
    ),
    NoticeRule(
        "mit.reference",
        r"\b" + _LICENSE + r"d? (?:under )?(?:the )?(?:mit|expat)\b",
        spdx="MIT",
        confidence=0.75,
    ),
    # BSD family
    NoticeRule(
        "bsd.grant",
        r"redistribution and use (?:of this software )?in source and binary forms with or"
        r" without modification"
        r" are permitted provided that",
        resolver=resolve_bsd,
    ),
    NoticeRule(
        "bsd3.name",
        r"\b(?:new|modified|revised|3-clause|three-clause|3 clause|three clause) bsd\b|"
        r"\bbsd-3-clause\b|\bbsd 3-clause\b",
        spdx="BSD-3-Clause",
        confidence=0.8,
    ),
    NoticeRule(
        "bsd2.name",
        r"\b(?:simplified|2-clause|two-clause|2 clause|two clause|freebsd) bsd\b|"
        r"\bbsd-2-clause\b|\bbsd 2-clause\b",
        spdx="BSD-2-Clause",
        confidence=0.8,
    ),
    NoticeRule(
        "bsd.name",
        r"\bbsd(?:-style| style|-like)? " + _LICENSE,
        spdx="BSD-3-Clause",
        confidence=0.5,
    ),
    # Apache
    NoticeRule(
        "apache2.full_text",
        r"\bapache " + _LICENSE + r" version 2\.0 january 2004",
        EvidenceKind.FULL_TEXT,
        "Apache-2.0",
        1.0,
    ),
    NoticeRule(
        "apache2.name",
        r"\bapache " + _LICENSE + r" (?:version |v |v)?2(?:\.0)?\b|\bapache-2\.0\b|"
        r"apache\.org licenses license-2\.0|\bapache 2\.0 " + _LICENSE + r"|\bapache2 " + _LICENSE,
        spdx="Apache-2.0",
        confidence=0.9,
    ),
    NoticeRule(
        "apache1.1.name",
        r"\bapache (?:software )?" + _LICENSE + r" version 1\.1\b",
        spdx="Apache-1.1",
        confidence=0.9,
    ),
    # GPL / LGPL / AGPL
    NoticeRule(
        "gpl.full_text",
        r"\bgnu (?:lesser |library |affero )?general public "
        + _LICENSE
        + r" version (\d(?:\.\d)?),? (?:\d{1,2} )?(?:june|february|november|29 june)"
        r" (?:1989|1991|1999|2007)",
        EvidenceKind.FULL_TEXT,
        confidence=1.0,
        resolver=resolve_gpl_full_text,
    ),
    NoticeRule(
        "gpl.name",
        r"\b(?:gnu )?(?:lesser |library |affero )?(?:gnu )?general public " + _LICENSE + r"\b",
        resolver=resolve_gpl_name,
    ),
    NoticeRule(
        "gpl.gnu_public",
        r"\b(?:lesser |library )?gnu public " + _LICENSE + r"\b",
        resolver=resolve_gpl_name,
    ),
    NoticeRule(
        "gpl.field", r"\b" + _LICENSE + r" gpl(?: |$)", spdx="GPL-1.0-or-later", confidence=0.6
    ),
    NoticeRule(
        "gfdl.name",
        r"\bgnu free documentation " + _LICENSE + r",?(?: version| v)? ?(1\.1|1\.2|1\.3)",
        resolver=lambda _t, m: [(f"GFDL-{m.group(1)}-only", 0.85)],
    ),
    NoticeRule(
        "apache.notice_file",
        r"\bthis product includes software developed (?:at|by) the apache software foundation",
        spdx="Apache-2.0",
        confidence=0.55,
    ),
    NoticeRule(
        "gpl.short",
        r"\b(a|l)?gpl(?:v|-v|-| v| version | )?(\d(?:\.\d)?)"
        r"(\+|-or-later| or later| or any later|-only)?(?: |$)",
        resolver=resolve_gpl_short,
    ),
    # Other dominant licenses
    NoticeRule(
        "mpl.name",
        r"\bmozilla public " + _LICENSE + r"(?: version| v)? ?(1\.0|1\.1|2\.0|1|2)?\b|"
        r"\bmpl[- ](1\.0|1\.1|2\.0)\b",
        resolver=resolve_mpl,
    ),
    NoticeRule(
        "ms.name",
        r"\bmicrosoft (public|reciprocal|limited public) " + _LICENSE,
        resolver=lambda _t, m: [
            (
                {"public": "MS-PL", "reciprocal": "MS-RL", "limited public": "MS-LPL"}[m.group(1)],
                0.9,
            )
        ],
    ),
    NoticeRule(
        "isc.grant",
        r"permission to use copy modify (?:and or |and )?distribute this software for any"
        r" purpose with or without fee is hereby granted",
        resolver=resolve_isc_grant,
    ),
    NoticeRule(
        "isc.name",
        r"\bisc " + _LICENSE + r"\b|\bisc-" + _LICENSE + r"\b",
        spdx="ISC",
        confidence=0.8,
    ),
    NoticeRule(
        "ncsa.name",
        r"\buniversity of illinois(?: ncsa)? open source "
        + _LICENSE
        + r"|\bncsa open source "
        + _LICENSE,
        spdx="NCSA",
        confidence=0.85,
    ),
    NoticeRule(
        "hpnd.grant",
        r"permission to use copy modify (?:and or |and )?distribute (?:and sell )?this software"
        r" and its documentation for any purpose (?:and )?without fee is hereby granted",
        spdx="HPND",
        confidence=0.5,
    ),
    NoticeRule(
        "unlicense.text",
        r"this is free and unencumbered software released into the public domain|"
        r"unlicense\.org|\bthe unlicense\b",
        spdx="Unlicense",
        confidence=0.95,
    ),
    NoticeRule(
        "cc0.name",
        r"\bcc0(?:-1\.0| 1\.0)?\b|\bcreative commons zero\b",
        EvidenceKind.CC_MARKER,
        "CC0-1.0",
        0.9,
    ),
    NoticeRule(
        "zlib.grant",
        r"permission is granted to anyone to use this software for any purpose including"
        r" commercial applications and to alter it and redistribute it freely",
        spdx="Zlib",
        confidence=0.9,
    ),
    NoticeRule("zlib.name", r"\bzlib " + _LICENSE + r"\b", spdx="Zlib", confidence=0.7),
    NoticeRule(
        "python.name",
        r"\bpython software foundation " + _LICENSE + r"|\bpsf " + _LICENSE + r" agreement\b",
        spdx="Python-2.0",
        confidence=0.85,
    ),
    NoticeRule(
        "artistic2.name",
        r"\bartistic " + _LICENSE + r"(?: version)? 2\.0\b",
        spdx="Artistic-2.0",
        confidence=0.9,
    ),
    NoticeRule("artistic.name", r"\bthe artistic " + _LICENSE + r"\b", resolver=resolve_artistic),
    NoticeRule(
        "perl.terms",
        r"\bsame terms as perl itself\b",
        resolver=lambda _t, _m: [("GPL-1.0-or-later", 0.8), ("Artistic-1.0-Perl", 0.8)],
    ),
    NoticeRule(
        "epl.name",
        r"\beclipse public " + _LICENSE + r"(?: -)?(?: version| v)? ?(1\.0|2\.0)?\b",
        resolver=versioned("EPL-{}", "EPL-1.0"),
    ),
    NoticeRule(
        "cddl.name",
        r"\bcommon development and distribution "
        + _LICENSE
        + r"(?: cddl)?(?: version)? ?(1\.0|1\.1)?\b",
        resolver=versioned("CDDL-{}", "CDDL-1.0"),
    ),
    NoticeRule(
        "cpl.name",
        r"\bcommon public " + _LICENSE + r"(?: version)? 1\.0\b",
        spdx="CPL-1.0",
        confidence=0.9,
    ),
    NoticeRule(
        "bsl.name",
        r"\bboost software " + _LICENSE + r"(?: -)?(?: version)? 1\.0\b",
        spdx="BSL-1.0",
        confidence=0.9,
    ),
    NoticeRule(
        "wtfpl.name",
        r"\bdo what the fuck you want to public " + _LICENSE,
        spdx="WTFPL",
        confidence=0.9,
    ),
    NoticeRule(
        "eupl.name",
        r"\beuropean union public " + _LICENSE + r"(?: version| v)? ?(1\.1|1\.2)\b",
        resolver=versioned("EUPL-{}"),
    ),
    NoticeRule(
        "ofl.name",
        r"\bsil open font " + _LICENSE + r"(?: version)? 1\.1\b",
        spdx="OFL-1.1",
        confidence=0.9,
    ),
    NoticeRule(
        "openssl.ack",
        r"\bthis product includes software developed by the openssl project",
        spdx="OpenSSL-standalone",
        confidence=0.7,
    ),
    # Grants that withhold rights: ScanCode files these under proprietary-license.
    NoticeRule(
        "proprietary.noncommercial_grant",
        r"\bpermission to use copy (?:modify )?(?:and )?distribute (?:this software )?"
        r"(?:and its documentation )?for non ?-?commercial purposes",
        spdx="LicenseRef-scancode-proprietary-license",
        confidence=0.8,
    ),
    NoticeRule(
        "proprietary.unpublished",
        r"\bunpublished proprietary source code\b|\b(?:proprietary and confidential|"
        r"confidential and proprietary)\b",
        spdx="LicenseRef-scancode-proprietary-license",
        confidence=0.8,
    ),
    # Creative Commons by name (URLs are matched on the raw text)
    NoticeRule(
        "cc.name",
        r"\bcreative commons (attribution(?:[ -]" + _CC_WORDS + r")*)(?: (\d\.\d))?"
        r"(?: international| unported| generic)?(?: public)?(?: " + _LICENSE + r")?"
        r"(?:,? (?:version |v)(\d\.\d))?",
        EvidenceKind.CC_MARKER,
        resolver=resolve_cc_name,
    ),
    NoticeRule(
        "cc.short",
        r"\bcc[ -](by(?:[ -](?:nc|nd|sa)){0,2})(?:[ -](\d\.\d))?\b",
        EvidenceKind.CC_MARKER,
        resolver=resolve_cc_name,
    ),
    # Public domain dedications
    NoticeRule(
        "public_domain.dedication",
        r"\b(?:placed|released|dedicated|put|committed|donated|contributed|is|are|be|been|remains?)"
        r" (?:in|into|to) the public domain\b|\bpublic domain dedication\b",
        EvidenceKind.PUBLIC_DOMAIN,
        resolver=resolve_not_negated(PUBLIC_DOMAIN_ID, 0.8),
    ),
    # Reservations
    NoticeRule(
        Reservation.ALL_RIGHTS_RESERVED,
        r"\ball rights reserved\b",
        EvidenceKind.RESERVATION,
        confidence=0.9,
    ),
    NoticeRule(
        Reservation.NO_REPRODUCTION,
        r"\bmay not be (?:reproduced|copied|republished|reprinted|redistributed)\b|"
        r"\bno part of this (?:publication|book|work|document|site|website|material|article)"
        r" may be (?:reproduced|copied|used)\b",
        EvidenceKind.RESERVATION,
        confidence=0.85,
    ),
    NoticeRule(
        Reservation.TDM_RESERVED,
        r"\bno (?:ai|genai|llm|machine learning) training\b|\btdm[ -]reserv|\bnoai\b|"
        r"\btext (?:and )?data mining\b.{0,160}?\b(?:reserved|reserve|prohibited|not permitted|"
        r"opt out|opts out|opted out|forbidden|expressly excluded)\b|"
        r"\b(?:reserve|reserves|reserved|prohibit|prohibits|prohibited)\b.{0,80}?\btext (?:and )?"
        r"data mining\b|"
        r"\b(?:not|never) (?:be )?used (?:to|for) (?:train|training)\b.{0,60}?"
        r"\b(?:ai|artificial intelligence|machine learning|models?|llms?|neural)\b|"
        r"\b(?:ai|machine learning|model) training is (?:not permitted|prohibited|forbidden)\b",
        EvidenceKind.RESERVATION,
        confidence=0.9,
    ),
)
