"""License notice, full-text, public-domain and reservation phrases, over normalised text.

Every pattern here runs on *normalised* text: lower-case ASCII word tokens joined by
single spaces, with comment markup (`#`, `//`, ` * `, `--`, `;`), HTML tags, entities and
punctuation gone (see `transforms.licenses.detect.normalise`). That is why the patterns are
written with plain spaces and without punctuation: one pattern then matches a header
wrapped behind any comment style. Patterns must stay Hyperscan-compatible (no
look-arounds, no back-references) because they are compiled into one database.

A rule either names its SPDX id or has a resolver that reads versions and variants
from the match (GPL family, MPL, CC names, BSD clause count).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from schemas.licenses import EvidenceKind, Reservation

PUBLIC_DOMAIN_ID = "LicenseRef-scancode-public-domain"

# A resolver returns (spdx_id, confidence) pairs for one match; empty means "not really".
Resolver = Callable[[str, re.Match], list[tuple[str, float]]]


@dataclass(frozen=True)
class NoticeRule:
    """One phrase. `spdx` is used when there is no resolver; `detail` names the rule."""

    detail: str
    pattern: str
    kind: EvidenceKind = EvidenceKind.NOTICE
    spdx: str = ""
    confidence: float = 0.8
    resolver: Resolver | None = None

    def compiled(self) -> re.Pattern:
        return _compile(self.pattern)


_CACHE: dict[str, re.Pattern] = {}


def _compile(pattern: str) -> re.Pattern:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern)
    return _CACHE[pattern]


_LICENSE = r"licen[cs]e"
_LATER = re.compile(r"^.{0,60}?\b(?:or at your option any later|or any later|or later|any later)\b")
_GPL_VERSION = re.compile(r"\b(?:version |v |v)(\d(?:\.\d)?)\b")


def _gpl_family(name: str) -> str:
    if "affero" in name:
        return "AGPL"
    if "lesser" in name or "library" in name:
        return "LGPL"
    return "GPL"


_GPL_VERSIONS = {
    "GPL": {"1": "1.0", "1.0": "1.0", "2": "2.0", "2.0": "2.0", "3": "3.0", "3.0": "3.0"},
    "LGPL": {"2": "2.0", "2.0": "2.0", "2.1": "2.1", "3": "3.0", "3.0": "3.0"},
    "AGPL": {"1": "1.0", "1.0": "1.0", "3": "3.0", "3.0": "3.0"},
}
# What an unversioned name means, following ScanCode's conventions (gpl-1.0-plus ...).
_GPL_UNVERSIONED = {
    "GPL": "GPL-1.0-or-later",
    "LGPL": "LGPL-2.0-or-later",
    "AGPL": "AGPL-3.0-or-later",
}


def _gpl_id(family: str, version: str | None, later: bool) -> str | None:
    if version is None:
        return None
    normalised = _GPL_VERSIONS[family].get(version)
    if normalised is None:
        return None
    return f"{family}-{normalised}-{'or-later' if later else 'only'}"


def _resolve_gpl_name(text: str, match: re.Match) -> list[tuple[str, float]]:
    """Read "GNU GPL ... version 2 ... or (at your option) any later version"."""
    family = _gpl_family(match.group(0))
    if "another distribution licen" in text[max(0, match.start() - 60) : match.start()]:
        return []  # SSLeay: "cannot ... be put under another distribution licence [incl. GPL]"
    tail = text[match.end() : match.end() + 200]
    if tail.startswith(" for more details"):
        # The warranty boilerplate ("See the GNU General Public License for more details")
        # names no version, and LGPL headers often say GPL there by mistake: a weak guess
        # that any other GNU notice in the document overrides.
        return [(_GPL_UNVERSIONED[family], 0.5)]
    # A version belongs to the nearest name: in "... GNU GPL for more details. You should
    # have received a copy of the GNU Lesser GPL version 3" the 3 is the Lesser one's.
    next_name = _ANOTHER_NAME.search(tail)
    if next_name is not None:
        tail = tail[: next_name.start()]
    if "lesser" in match.group(0) and "library" not in match.group(0):
        unversioned = "LGPL-2.1-or-later"
    else:
        unversioned = _GPL_UNVERSIONED[family]
    version_match = _GPL_VERSION.search(tail)
    # A version far from the name (another sentence) is more often the program's own.
    if version_match is None or version_match.start() > 150:
        head = text[max(0, match.start() - 60) : match.start()]
        head_version = re.search(r"\b(?:version |v)(\d(?:\.\d)?)(?: of)?(?: the)? ?$", head)
        if head_version is None:
            return [(unversioned, 0.6)]
        later = bool(_LATER.search(tail)) or tail.startswith(" or later")
        return [(_gpl_id(family, head_version.group(1), later) or unversioned, 0.8)]
    later = bool(_LATER.search(tail[version_match.end() :]))
    if family == "GPL" and version_match.group(1) == "2.1":
        family = "LGPL"  # there is no GPL 2.1: "the GNU General Public License ... version 2.1"
    spdx = _gpl_id(family, version_match.group(1), later)
    return [(spdx, 0.9)] if spdx else [(unversioned, 0.5)]


_ANOTHER_NAME = re.compile(r"\bgeneral public licen[cs]e\b|\bgnu public licen[cs]e\b")
# A short id that is mentioned, not applied: "the gcc library exception to the GPL v3",
# "do not upgrade to LGPLv3", "not compatible with GPLv2".
_MENTIONED_ONLY = re.compile(
    r"\b(?:exception to(?: the)?|upgrade to|not|compatib\w* with(?: the)?|instead of(?: the)?)"
    r" $"
)


def _resolve_gpl_short(text: str, match: re.Match) -> list[tuple[str, float]]:
    """Short ids: "gplv2", "gpl-2.0+", "lgpl 2.1 or later", "agpl-3.0-only"."""
    if _MENTIONED_ONLY.search(text, max(0, match.start() - 40), match.start()):
        return []
    prefix, version, suffix = match.group(1) or "", match.group(2), match.group(3) or ""
    family = {"a": "AGPL", "l": "LGPL"}.get(prefix, "GPL")
    later = "+" in suffix or "later" in suffix
    spdx = _gpl_id(family, version, later)
    return [(spdx, 0.8)] if spdx else []


def _resolve_gpl_full_text(_text: str, match: re.Match) -> list[tuple[str, float]]:
    family = _gpl_family(match.group(0))
    spdx = _gpl_id(family, match.group(1), later=False)
    return [(spdx, 1.0)] if spdx else []


_ADVERTISING_CLAUSE = "except as contained in this notice the name of"


def _resolve_mit_grant(text: str, match: re.Match) -> list[tuple[str, float]]:
    if "distribute with modifications" in text[match.end() : match.end() + 400]:
        return [("X11-distribute-modifications-variant", 0.85)]  # ScanCode's x11-fsf
    if _ADVERTISING_CLAUSE in text[match.end() : match.end() + 2000]:
        # MIT plus "the name of X shall not be used in advertising": the X11 license and
        # the variants that carry their author's name in the same place.
        around = text[max(0, match.start() - 600) : match.end() + 2000]
        if "xfree86" in around:
            return [("LicenseRef-scancode-xfree86-1.0", 0.8)]
        if "daniel veillard" in around:
            return [("LicenseRef-scancode-x11-xconsortium-veillard", 0.8)]
        return [("X11", 0.85)]
    return [("MIT", 0.85)]


def _resolve_isc_grant(text: str, match: re.Match) -> list[tuple[str, float]]:
    """ISC's grant; curl's license is the same grant plus X11's advertising clause."""
    if _ADVERTISING_CLAUSE + " a copyright holder" in text[match.end() : match.end() + 1500]:
        return [("curl", 0.85)]
    return [("ISC", 0.9)]


def _resolve_bsd(text: str, match: re.Match) -> list[tuple[str, float]]:
    """BSD clause count is read from the conditions that follow the grant."""
    body = text[match.end() : match.end() + 1500]
    around = text[max(0, match.start() - 1500) : match.end() + 1500]
    # Licenses built on the BSD grant: name them rather than the BSD skeleton.
    if "apache software foundation" in around or "apache software license" in around:
        return [("Apache-1.1", 0.8)]
    # SPDX's OpenSSL is the OpenSSL + SSLeay pair; each half alone has a -standalone id.
    if "openssl project" in around:
        return [("OpenSSL" if "eric young" in around else "OpenSSL-standalone", 0.8)]
    if "eric young" in around:
        return [("SSLeay-standalone", 0.7)]
    if "obtain complete source code for the db software" in body:
        return [("Sleepycat", 0.85)]  # Berkeley DB: BSD plus a source-availability clause
    if "all advertising materials mentioning features or use of this software" in body:
        if "university of california" in around:
            return [("BSD-4-Clause-UC", 0.9)]
        return [("BSD-4-Clause", 0.9)]
    if "redistributions in binary form" not in body and "source code must retain" in body:
        return [("BSD-1-Clause", 0.8)]
    if re.search(r"\bendorse or promote\b|\bneither the name\b", body):
        return [("BSD-3-Clause", 0.9)]
    if "redistributions of source code must retain" in body:
        return [("BSD-2-Clause", 0.85)]
    return [("BSD-3-Clause", 0.5)]


def _versioned(template: str, default: str | None = None) -> Resolver:
    def resolve(_text: str, match: re.Match) -> list[tuple[str, float]]:
        version = match.group(1)
        if version is None:
            return [(default, 0.6)] if default else []
        if "." not in version:
            version += ".0"
        return [(template.format(version), 0.9)]

    return resolve


_CC_ELEMENTS = (
    ("nc", ("noncommercial", "non-commercial", "non commercial", "nc")),
    ("nd", ("noderivatives", "noderivs", "no-derivatives", "no derivatives", "nd")),
    ("sa", ("sharealike", "share-alike", "share alike", "sa")),
)


def cc_id(elements: str, version: str | None) -> str:
    """SPDX id of a CC license from its element words ("noncommercial sharealike")."""
    words = re.split(r"[ \-]+", elements.lower())
    joined = " ".join(words)
    parts = ["CC-BY"]
    for short, names in _CC_ELEMENTS:
        multiword = any(name in joined for name in names if " " in name or "-" in name)
        if short in words or multiword or any(name in words for name in names):
            parts.append(short.upper())
    return "-".join(parts) + "-" + (version or "4.0")


def _resolve_mpl(_text: str, match: re.Match) -> list[tuple[str, float]]:
    version = match.group(1) or match.group(2)
    if version is None:
        return [("MPL-1.1", 0.5)]
    return [(f"MPL-{version if '.' in version else version + '.0'}", 0.9)]


def _resolve_artistic(text: str, match: re.Match) -> list[tuple[str, float]]:
    if re.match(r" (?:version )?2\.0", text[match.end() : match.end() + 12]):
        return []  # the artistic2.name rule owns it
    return [("Artistic-1.0-Perl", 0.6)]


def _resolve_cc_name(_text: str, match: re.Match) -> list[tuple[str, float]]:
    version = match.group(2) or (match.group(3) if match.re.groups >= 3 else None)
    return [(cc_id(match.group(1) or "", version), 0.9 if version else 0.5)]


def _resolve_not_negated(spdx: str, confidence: float) -> Resolver:
    """For "in the public domain": "not in the public domain" must not count."""

    def resolve(text: str, match: re.Match) -> list[tuple[str, float]]:
        head = text[max(0, match.start() - 12) : match.start() + 12]
        if re.search(r"\bnot\b", head):
            return []
        if "unencumbered software" in text[max(0, match.start() - 60) : match.start()]:
            return []  # the Unlicense's own opening line; the unlicense rule reports it
        return [(spdx, confidence)]

    return resolve


_CC_WORDS = r"(?:noncommercial|non-commercial|non commercial|sharealike|share-alike|share alike|noderivatives|noderivs|no-derivatives|no derivatives)"  # noqa: E501

NOTICE_RULES: tuple[NoticeRule, ...] = (
    # MIT / Expat
    NoticeRule(
        "mit.full_text",
        r"permission is hereby granted free of charge to any person obtaining a copy"
        r" .{0,400}?the above copyright notice and this permission notice shall be included",
        EvidenceKind.FULL_TEXT,
        confidence=0.95,
        resolver=lambda text, match: [(_resolve_mit_grant(text, match)[0][0], 0.95)],
    ),
    NoticeRule(
        "mit.grant",
        r"permission is hereby granted free of charge to any person obtaining a copy",
        resolver=_resolve_mit_grant,
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
        resolver=_resolve_bsd,
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
        resolver=_resolve_gpl_full_text,
    ),
    NoticeRule(
        "gpl.name",
        r"\b(?:gnu )?(?:lesser |library |affero )?(?:gnu )?general public " + _LICENSE + r"\b",
        resolver=_resolve_gpl_name,
    ),
    NoticeRule(
        "gpl.gnu_public",
        r"\b(?:lesser |library )?gnu public " + _LICENSE + r"\b",
        resolver=_resolve_gpl_name,
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
        resolver=_resolve_gpl_short,
    ),
    # Other dominant licenses
    NoticeRule(
        "mpl.name",
        r"\bmozilla public " + _LICENSE + r"(?: version| v)? ?(1\.0|1\.1|2\.0|1|2)?\b|"
        r"\bmpl[- ](1\.0|1\.1|2\.0)\b",
        resolver=_resolve_mpl,
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
        resolver=_resolve_isc_grant,
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
    NoticeRule("artistic.name", r"\bthe artistic " + _LICENSE + r"\b", resolver=_resolve_artistic),
    NoticeRule(
        "perl.terms",
        r"\bsame terms as perl itself\b",
        resolver=lambda _t, _m: [("GPL-1.0-or-later", 0.8), ("Artistic-1.0-Perl", 0.8)],
    ),
    NoticeRule(
        "epl.name",
        r"\beclipse public " + _LICENSE + r"(?: -)?(?: version| v)? ?(1\.0|2\.0)?\b",
        resolver=_versioned("EPL-{}", "EPL-1.0"),
    ),
    NoticeRule(
        "cddl.name",
        r"\bcommon development and distribution "
        + _LICENSE
        + r"(?: cddl)?(?: version)? ?(1\.0|1\.1)?\b",
        resolver=_versioned("CDDL-{}", "CDDL-1.0"),
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
        resolver=_versioned("EUPL-{}"),
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
        resolver=_resolve_cc_name,
    ),
    NoticeRule(
        "cc.short",
        r"\bcc[ -](by(?:[ -](?:nc|nd|sa)){0,2})(?:[ -](\d\.\d))?\b",
        EvidenceKind.CC_MARKER,
        resolver=_resolve_cc_name,
    ),
    # Public domain dedications
    NoticeRule(
        "public_domain.dedication",
        r"\b(?:placed|released|dedicated|put|committed|donated|contributed|is|are|be|been|remains?)"
        r" (?:in|into|to) the public domain\b|\bpublic domain dedication\b",
        EvidenceKind.PUBLIC_DOMAIN,
        resolver=_resolve_not_negated(PUBLIC_DOMAIN_ID, 0.8),
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
