"""License detection core: SPDX tags, notices, full texts, CC markers and reservations.

Corpus speed comes from doing almost nothing on most text: one Hyperscan pass over the
whole document finds trigger words ("license", "copyright", "creativecommons", ...);
only windows around those hits are normalised (comment markup, HTML tags and
whitespace removed) and matched against the phrase rules of `license_notices`, which
are themselves compiled into a second Hyperscan database so each window is read once.
Python `re` then runs only the rules Hyperscan reported, to get spans and groups.

`LicenseScanner` holds the compiled state: build it once per process (DoFn.setup());
Hyperscan databases cannot be pickled, so never ship a built scanner to workers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import hyperscan

from schemas.licenses import EvidenceKind, LicenseEvidence, Reservation
from transforms.common.time_budget import Deadline, check
from transforms.licenses.evidence import reconcile
from transforms.licenses.fingerprints import MIN_HITS, load_fingerprints
from transforms.licenses.normalise import NormalisedWindow
from transforms.licenses.notices import NOTICE_RULES
from transforms.licenses.phrase_rules import PUBLIC_DOMAIN_ID, NoticeRule, cc_id
from transforms.licenses.reference_rules import REFERENCE_RULES
from transforms.licenses.spdx import parse_spdx_expression
from transforms.licenses.urls import url_evidence
from transforms.licenses.variant_rules import VARIANT_RULES

# Trigger words, matched case-insensitively on UTF-8 bytes. A phrase rule whose text
# contains none of these can never fire, so every rule needs one (tests check this).
TRIGGERS: tuple[bytes, ...] = (
    rb"licen[cs]",
    rb"copyright",
    rb"spdx",
    rb"creativecommons",
    rb"creative commons",
    rb"\bcc[ -]?(?:by|0|zero)\b",
    rb"rights\s+reserved",
    rb"public\s+domain",
    rb"\bpermission",
    rb"redistribution\s+and\s+use",
    rb"\b(?:a|l)?gpl",
    rb"may\s+not\s+be\s+(?:reproduced|copied|republished|reprinted|redistributed)",
    rb"no\s+part\s+of\s+this",
    rb"data\s+mining",
    rb"\btdm\b",
    rb"\bnoai\b",
    rb"\b(?:ai|model|machine\s+learning)\s+training",
    rb"used\s+(?:to|for)\s+train",
    rb"perl\s+itself",
    rb"terms\s+as\s+ruby",
    rb"\bbsd-",  # "BSD-Modified", "BSD-3-Clause" in a metadata field with no other keyword
    rb"unlicense",
    rb"proprietary",
    rb"libbzip2",
)

_BARE_URL_MAX = 400  # a document this short with no trigger word may still be a license URL
WINDOW_BEFORE = 400  # a phrase may start this far before its trigger word
WINDOW_AFTER = 2500  # BSD clause counting and GPL "any later version" read this far ahead

_SPDX_TAG = re.compile(r"spdx-license-identifier\s*:\s*([^\n\r]{1,300})", re.IGNORECASE)
_SPDX_TAG_END = re.compile(r"\*/|-->|\"\"\"|'''|#}|%>|\*\)|-}|\s;|\s//|\s#\s")
_CC_URL = re.compile(
    r"creativecommons\.org/(licenses|publicdomain)/([a-z+\-]+)(?:/(\d\.\d))?", re.IGNORECASE
)
_REL_LICENSE = re.compile(
    r"<(?:a|link)\b[^>]{0,400}?\brel\s*=\s*[\"']?[^\"'>]*\blicense\b[^>]{0,400}>", re.IGNORECASE
)
_META = re.compile(r"<meta\b[^>]{0,300}>", re.IGNORECASE)
# Machine-readable opt-outs: TDMRep's tdm-reservation=1 and the "noai" robots directive.
_TDM_META = re.compile(r"\bnoai\b|tdm-reservation[\"']?\s+content\s*=\s*[\"']?1", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_OSI_URL = re.compile(r"opensource\.org/licen[cs]es/([A-Za-z0-9][A-Za-z0-9.\-+]*[A-Za-z0-9])")
_GNU_URL = re.compile(r"gnu\.org/licenses/((?:a|l)?gpl)(?:-(\d\.\d))?", re.IGNORECASE)


def _compile_database(patterns: list[bytes], flags: int) -> hyperscan.Database:
    database = hyperscan.Database()
    database.compile(
        expressions=patterns,
        ids=list(range(len(patterns))),
        elements=len(patterns),
        flags=[flags] * len(patterns),
    )
    return database


class LicenseScanner:
    """Precompiled license detectors. Build once per process, then call `scan(text)`."""

    def __init__(
        self,
        rules: tuple[NoticeRule, ...] = NOTICE_RULES + REFERENCE_RULES + VARIANT_RULES,
        fingerprints: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._rules = rules
        self._compiled = [rule.compiled() for rule in rules]
        if fingerprints is None:
            fingerprints = load_fingerprints()
        # Fingerprint phrases follow the rules in the phrase database: id → (license, phrase).
        self._phrase_owner = [
            (spdx, phrase) for spdx, phrases in sorted(fingerprints.items()) for phrase in phrases
        ]
        self._fingerprint_sizes = {spdx: len(phrases) for spdx, phrases in fingerprints.items()}
        self._triggers = _compile_database(
            list(TRIGGERS), hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_DOTALL
        )
        self._phrases = _compile_database(
            [rule.pattern.encode("ascii") for rule in rules]
            + [re.escape(phrase).encode("ascii") for _, phrase in self._phrase_owner],
            hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL,
        )

    def __reduce__(self):
        """Pickle as "build a new one": Hyperscan databases cannot be pickled, and Beam
        pickles DoFns with whatever they hold. Only the default rule table survives."""
        return (self.__class__, ())

    # -- windows -------------------------------------------------------------------------

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Merged character ranges around trigger hits, in document order."""
        encoded = text.encode("utf-8", "surrogatepass")
        hits: list[int] = []

        def on_hit(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
            if not hits or abs(end - hits[-1]) > 200:  # Hyperscan may report out of order
                hits.append(end)

        self._triggers.scan(encoded, match_event_handler=on_hit)
        if not hits:
            return []
        hits.sort()
        merged: list[list[int]] = []
        for hit in hits:
            start, end = max(0, hit - WINDOW_BEFORE), min(len(encoded), hit + WINDOW_AFTER)
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        if len(encoded) == len(text):
            return [(start, end) for start, end in merged]
        return list(_byte_to_char_ranges(encoded, merged))

    # -- scanning ------------------------------------------------------------------------

    def scan(self, text: str, deadline: Deadline | None = None) -> list[LicenseEvidence]:
        """All license evidence in `text`, in document order.

        Raises TimeBudgetExceeded once `deadline` has passed (checked between windows).
        """
        windows = self.windows(text)
        if not windows and len(text) <= _BARE_URL_MAX and "://" in text:
            # A manifest field that is only a license URL (NuGet's licenseUrl,
            # "http://aws.amazon.com/apache2.0/") may hold no trigger word at all.
            return reconcile(url_evidence(text, 0, len(text)))
        evidence: list[LicenseEvidence] = []
        for start, end in windows:
            check(deadline)
            evidence.extend(self._scan_raw(text, start, end))
            evidence.extend(self._scan_normalised(NormalisedWindow(text, start, end)))
        return reconcile(evidence)

    def _scan_normalised(self, window: NormalisedWindow) -> Iterator[LicenseEvidence]:
        if not window.text:
            return
        matched: set[int] = set()

        def on_match(rule_id: int, _start: int, _end: int, _flags: int, _ctx: object) -> None:
            matched.add(rule_id)

        self._phrases.scan(window.text.encode("ascii"), match_event_handler=on_match)
        rule_count = len(self._rules)
        yield from self._full_texts(window, [i - rule_count for i in matched if i >= rule_count])
        for rule_id in sorted(i for i in matched if i < rule_count):
            rule = self._rules[rule_id]
            for match in self._compiled[rule_id].finditer(window.text):
                if rule.resolver is not None:
                    found = rule.resolver(window.text, match)
                elif rule.kind == EvidenceKind.RESERVATION:
                    found = [("", rule.confidence)]
                else:
                    found = [(rule.spdx, rule.confidence)]
                if not found:
                    continue
                start, end = window.span(match.start(), match.end())
                for spdx, confidence in found:
                    yield LicenseEvidence(
                        kind=str(rule.kind),
                        spdx=spdx,
                        start=start,
                        end=end,
                        confidence=confidence,
                        detail=str(rule.detail),
                    )

    def _full_texts(
        self, window: NormalisedWindow, phrase_ids: list[int]
    ) -> Iterator[LicenseEvidence]:
        """Licenses with at least MIN_HITS of their unique phrases in this window."""
        hits: dict[str, list[str]] = {}
        for phrase_id in phrase_ids:
            spdx, phrase = self._phrase_owner[phrase_id]
            hits.setdefault(spdx, []).append(phrase)
        for spdx, phrases in sorted(hits.items()):
            if len(phrases) < MIN_HITS:
                continue
            positions = [window.text.find(phrase) for phrase in phrases]
            start, _ = window.span(min(positions), min(positions) + 1)
            last = max(positions)
            _, end = window.span(last, last + len(phrases[positions.index(last)]))
            yield LicenseEvidence(
                kind=str(EvidenceKind.FULL_TEXT),
                spdx=spdx,
                start=start,
                end=end,
                confidence=round(0.6 + 0.4 * len(phrases) / self._fingerprint_sizes[spdx], 2),
                detail="fingerprint",
            )

    def _scan_raw(self, text: str, start: int, end: int) -> Iterator[LicenseEvidence]:
        """Markers whose punctuation matters: SPDX tags, CC URLs, rel="license" links."""
        for match in _SPDX_TAG.finditer(text, start, end):
            yield _spdx_tag_evidence(match)
        for match in _CC_URL.finditer(text, start, end):
            found = _cc_url_evidence(match.group(1), match.group(2), match.group(3))
            if found is not None:
                kind, spdx, confidence = found
                yield LicenseEvidence(kind, spdx, match.start(), match.end(), confidence, "cc.url")
        for match in _META.finditer(text, start, end):
            if _TDM_META.search(match.group(0)):
                yield LicenseEvidence(
                    str(EvidenceKind.RESERVATION),
                    "",
                    match.start(),
                    match.end(),
                    0.95,
                    str(Reservation.TDM_RESERVED),
                )
        for match in _OSI_URL.finditer(text, start, end):
            expression, unknown = parse_spdx_expression(match.group(1).removesuffix(".php"))
            if expression and not unknown:
                yield LicenseEvidence(
                    str(EvidenceKind.NOTICE),
                    expression,
                    match.start(),
                    match.end(),
                    0.8,
                    "osi.url",
                )
        if "://" in text[start:end]:
            yield from url_evidence(text, start, end)
        for match in _REL_LICENSE.finditer(text, start, end):
            href = _HREF.search(match.group(0))
            target = href.group(1) if href else ""
            spdx = _rel_license_target(target)
            yield LicenseEvidence(
                str(
                    EvidenceKind.CC_MARKER
                    if "creativecommons" in target.lower()
                    else EvidenceKind.NOTICE
                ),
                spdx,
                match.start(),
                match.end(),
                0.95 if spdx else 0.3,
                "rel_license" if spdx else f"rel_license.unresolved:{target[:200]}",
                () if spdx else (target[:200],),
            )


def _char_boundary(encoded: bytes, offset: int) -> int:
    while 0 < offset < len(encoded) and encoded[offset] & 0xC0 == 0x80:
        offset -= 1
    return offset


def _byte_to_char_ranges(encoded: bytes, ranges: list[list[int]]) -> Iterator[tuple[int, int]]:
    """Convert byte ranges to character ranges in one pass over the document."""
    char_position = 0
    byte_position = 0
    for start, end in ranges:
        # Window edges can fall inside a multi-byte character; snap them to its first byte
        # so no partial character is dropped (each one would shift later offsets by one).
        start, end = _char_boundary(encoded, start), _char_boundary(encoded, end)
        start = max(start, byte_position)
        char_position += len(encoded[byte_position:start].decode("utf-8", "ignore"))
        char_start = char_position
        char_position += len(encoded[start:end].decode("utf-8", "ignore"))
        byte_position = end
        yield char_start, char_position


def _strip_tag_wrapping(raw: str) -> str:
    """Quotes, commas and a ")" that close the string, call or comment around a tag.

    Only an unbalanced ")" goes: the Linux kernel writes
    "(GPL-2.0-only OR BSD-2-Clause)", whose parentheses are the expression's own.
    """
    while True:
        stripped = raw.strip().strip("\"'`,;").strip()
        if stripped.endswith(")") and stripped.count(")") > stripped.count("("):
            stripped = stripped[:-1]
        if stripped == raw:
            return raw
        raw = stripped


def _spdx_tag_evidence(match: re.Match) -> LicenseEvidence:
    raw = match.group(1)
    cut = _SPDX_TAG_END.search(raw)
    if cut is not None:
        raw = raw[: cut.start()]
    raw = _strip_tag_wrapping(raw)
    expression, unknown = parse_spdx_expression(raw)
    end = match.start(1) + len(match.group(1).rstrip())
    return LicenseEvidence(
        kind=str(EvidenceKind.SPDX_TAG),
        spdx=expression,
        start=match.start(),
        end=end,
        confidence=0.7 if unknown else 1.0,
        detail="spdx.unknown_id" if unknown else "spdx.tag",
        unknown_ids=unknown,
    )


def _cc_url_evidence(family: str, path: str, version: str | None) -> tuple[str, str, float] | None:
    path = path.lower().strip("-")
    if family.lower() == "publicdomain":
        if path == "zero":
            return str(EvidenceKind.CC_MARKER), "CC0-1.0", 0.95
        if path == "mark":
            return str(EvidenceKind.PUBLIC_DOMAIN), PUBLIC_DOMAIN_ID, 0.9
        return None
    if not path.startswith("by"):
        return None  # e.g. /licenses/ index pages, sampling licenses
    spdx = cc_id(path[2:].replace("-", " "), version)
    return str(EvidenceKind.CC_MARKER), spdx, 0.95 if version else 0.6


def _rel_license_target(href: str) -> str:
    """SPDX id of a rel="license" link target, or "" when it cannot be resolved."""
    cc = _CC_URL.search(href)
    if cc is not None:
        found = _cc_url_evidence(cc.group(1), cc.group(2), cc.group(3))
        return found[1] if found else ""
    osi = _OSI_URL.search(href)
    if osi is not None:
        expression, unknown = parse_spdx_expression(osi.group(1).removesuffix(".php"))
        return "" if unknown else expression
    gnu = _GNU_URL.search(href)
    if gnu is not None and gnu.group(2):
        return f"{gnu.group(1).upper()}-{gnu.group(2)}-or-later"
    return ""


@lru_cache(maxsize=1)
def default_scanner() -> LicenseScanner:
    """Process-wide scanner for the functional API (built lazily in each worker)."""
    return LicenseScanner()


def scan_licenses(text: str) -> list[LicenseEvidence]:
    """License evidence in `text` (see `LicenseScanner.scan`)."""
    return default_scanner().scan(text)
