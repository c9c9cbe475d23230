"""The phrase-rule type of every license rule table, and the resolvers that read a match.

A phrase rule either names its SPDX id or has a resolver: a function that reads the
version and the variant from the match and the text around it (GPL family and "or
later", MPL, CC element words, BSD clause count, the licenses built on MIT's or BSD's
grant). The resolvers live apart from the rule tables (`transforms.licenses.notices`,
`reference_rules`, `variant_rules`) because they are logic with their own traps, while
the tables are data a reader scans for a phrase.

Resolvers read *normalised* text (see `transforms.licenses.normalise`): lower-case ASCII
word tokens joined by single spaces, so their look-behinds and look-aheads are plain
substring and `re` checks on that text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from schemas.licenses import EvidenceKind

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


def resolve_gpl_name(text: str, match: re.Match) -> list[tuple[str, float]]:
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


def resolve_gpl_short(text: str, match: re.Match) -> list[tuple[str, float]]:
    """Short ids: "gplv2", "gpl-2.0+", "lgpl 2.1 or later", "agpl-3.0-only"."""
    if _MENTIONED_ONLY.search(text, max(0, match.start() - 40), match.start()):
        return []
    prefix, version, suffix = match.group(1) or "", match.group(2), match.group(3) or ""
    family = {"a": "AGPL", "l": "LGPL"}.get(prefix, "GPL")
    later = "+" in suffix or "later" in suffix
    spdx = _gpl_id(family, version, later)
    return [(spdx, 0.8)] if spdx else []


def resolve_gpl_full_text(_text: str, match: re.Match) -> list[tuple[str, float]]:
    family = _gpl_family(match.group(0))
    spdx = _gpl_id(family, match.group(1), later=False)
    return [(spdx, 1.0)] if spdx else []


_ADVERTISING_CLAUSE = "except as contained in this notice the name of"


def resolve_mit_grant(text: str, match: re.Match) -> list[tuple[str, float]]:
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


def resolve_isc_grant(text: str, match: re.Match) -> list[tuple[str, float]]:
    """ISC's grant; curl's license is the same grant plus X11's advertising clause."""
    if _ADVERTISING_CLAUSE + " a copyright holder" in text[match.end() : match.end() + 1500]:
        return [("curl", 0.85)]
    return [("ISC", 0.9)]


def resolve_bsd(text: str, match: re.Match) -> list[tuple[str, float]]:
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


def versioned(template: str, default: str | None = None) -> Resolver:
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


def resolve_mpl(_text: str, match: re.Match) -> list[tuple[str, float]]:
    version = match.group(1) or match.group(2)
    if version is None:
        return [("MPL-1.1", 0.5)]
    return [(f"MPL-{version if '.' in version else version + '.0'}", 0.9)]


def resolve_artistic(text: str, match: re.Match) -> list[tuple[str, float]]:
    if re.match(r" (?:version )?2\.0", text[match.end() : match.end() + 12]):
        return []  # the artistic2.name rule owns it
    return [("Artistic-1.0-Perl", 0.6)]


def resolve_cc_name(_text: str, match: re.Match) -> list[tuple[str, float]]:
    version = match.group(2) or (match.group(3) if match.re.groups >= 3 else None)
    return [(cc_id(match.group(1) or "", version), 0.9 if version else 0.5)]


def resolve_not_negated(spdx: str, confidence: float) -> Resolver:
    """For "in the public domain": "not in the public domain" must not count."""

    def resolve(text: str, match: re.Match) -> list[tuple[str, float]]:
        head = text[max(0, match.start() - 12) : match.start() + 12]
        if re.search(r"\bnot\b", head):
            return []
        if "unencumbered software" in text[max(0, match.start() - 60) : match.start()]:
            return []  # the Unlicense's own opening line; the unlicense rule reports it
        return [(spdx, confidence)]

    return resolve
