"""License references given as a URL: well-known license pages and files named for a license.

A package manifest (NuGet's `licenseUrl`, a README badge) often states its license only as
a link. The link is a license reference when it points at a page that *is* one license
(gnu.org, choosealicense.com, spdx.org, apache.org) or at a file whose name names the
license (`LICENSE-MIT.md`, `UNLICENSE.txt`, `lgpl-2.1.txt`). A link to a project's plain
`LICENSE` file names nothing and is left alone: what it holds is not in the text.
"""

from __future__ import annotations

import re

from schemas.licenses import EvidenceKind, LicenseEvidence
from transforms.licenses.spdx import parse_spdx_expression

URL = re.compile(r"https?://[^\s\"'<>()\[\]]{4,300}", re.IGNORECASE)

PROPRIETARY_ID = "LicenseRef-scancode-proprietary-license"

_GNU_PAGE = re.compile(
    r"gnu\.org/(?:licenses|copyleft)/(a|l)?gpl(?:-(\d\.\d))?(?:\.[a-z]{2}(?:-[a-z]{2})?)?"
    r"(?:\.html|\.txt)?/?$",
    re.IGNORECASE,
)
_CHOOSEALICENSE = re.compile(r"choosealicense\.com/(?:licenses/([\w.\-]+)|(no-license))", re.I)
_SPDX_PAGE = re.compile(r"spdx\.org/licenses/([\w.\-+]+?)(?:\.html|\.json)?/?$", re.IGNORECASE)
_APACHE_PAGE = re.compile(r"(?:apache\.org/licenses/license-2\.0|amazon\.com/apache2\.0)", re.I)
# "Lesser" entered the name with version 2.1, so the unversioned page is 2.1 or later.
_GNU_LESSER_PAGE = re.compile(r"gnu\.org/(?:licenses|copyleft)/lesser(?:\.html|\.txt)?/?$", re.I)
# Sites whose license page is one well-known license.
_PROJECT_PAGES = {
    "jquery.org/license": "MIT",
    "mit-license.org": "MIT",
    "codeproject.com/info/cpol10.aspx": "CPOL-1.02",
}

# Last path segment of a license file named for its license: "MIT-LICENSE.txt",
# "LICENSE.MIT", "license-mit.md", "UNLICENSE", "lgpl-2.1.txt".
_NAMED_FILE = re.compile(
    r"^(?:(?P<before>[a-z0-9.\-]+?)[-_.])?(?:licen[cs]e|copying)(?:[-_.](?P<after>[a-z0-9.\-]+?))?"
    r"(?:\.(?:txt|md|markdown|rst|html?))?$|^(?P<bare>unlicense|(?:a|l)?gpl-\d\.\d)"
    r"(?:\.(?:txt|md|html?))?$",
    re.IGNORECASE,
)
_FILE_LICENSES = {
    "mit": "MIT",
    "apache": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "bsd": "BSD-3-Clause",
    "unlicense": "Unlicense",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only",
}
_GNU_UNVERSIONED = {"": "GPL-1.0-or-later", "l": "LGPL-2.0-or-later", "a": "AGPL-3.0-or-later"}


def url_license(url: str) -> str:
    """SPDX id a URL stands for, or "" when it names no license."""
    url = url.rstrip(".,;:").split("#", 1)[0].split("?", 1)[0]
    gnu = _GNU_PAGE.search(url)
    if gnu is not None:
        family = (gnu.group(1) or "").lower()
        if gnu.group(2) is None:
            return _GNU_UNVERSIONED[family]
        return f"{family.upper()}GPL-{gnu.group(2)}-only"
    choose = _CHOOSEALICENSE.search(url)
    if choose is not None:
        if choose.group(2):
            return PROPRIETARY_ID  # "no license": all rights reserved
        return _spdx_id(choose.group(1))
    spdx = _SPDX_PAGE.search(url)
    if spdx is not None:
        return _spdx_id(spdx.group(1))
    if _APACHE_PAGE.search(url):
        return "Apache-2.0"
    if _GNU_LESSER_PAGE.search(url):
        return "LGPL-2.1-or-later"
    host_path = url.split("://", 1)[-1].lower().removeprefix("www.").rstrip("/")
    if host_path in _PROJECT_PAGES:
        return _PROJECT_PAGES[host_path]
    segment = url.rstrip("/").rsplit("/", 1)[-1]
    named = _NAMED_FILE.match(segment)
    if named is None or "/" not in url.split("://", 1)[-1]:
        return ""
    name = (named.group("bare") or named.group("before") or named.group("after") or "").lower()
    return _FILE_LICENSES.get(name, "")


def _spdx_id(name: str) -> str:
    expression, unknown = parse_spdx_expression(name)
    if unknown or not expression:
        return ""
    return expression


def url_evidence(text: str, start: int, end: int) -> list[LicenseEvidence]:
    """Evidence for every license URL in `text[start:end]`."""
    found: list[LicenseEvidence] = []
    for match in URL.finditer(text, start, end):
        spdx = url_license(match.group(0))
        if spdx:
            # An unversioned GNU page is a weak guess that a versioned notice overrides.
            confidence = 0.55 if spdx in _GNU_UNVERSIONED.values() else 0.75
            found.append(
                LicenseEvidence(
                    str(EvidenceKind.NOTICE), spdx, match.start(), match.end(), confidence, "url"
                )
            )
    return found
