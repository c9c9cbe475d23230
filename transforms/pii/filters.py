"""Documented false-positive filters of the PII stage, on Presidio's raw results.

Each filter removes a kind of result that Presidio reports and that is not personal data
in training text (versions, ranges, ZIP codes, numbers read twice); the benchmark's
agreement figure is measured after them, on both sides.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from transforms.pii.phone import DATE_LIKE, HEX_LITERAL, MIN_PHONE_DIGITS


@dataclass(frozen=True)
class RawSpan:
    """A Presidio result before our filters, in whole-text coordinates."""

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str


CONTAINED_IN: dict[str, tuple[str, ...]] = {
    "PHONE_NUMBER": ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"),
    "CREDIT_CARD": ("IBAN_CODE",),
    "US_SSN": ("IBAN_CODE", "CREDIT_CARD"),
}
_CONTAINER_TYPES = frozenset(t for types in CONTAINED_IN.values() for t in types)
# US ZIP+4 after a state code ("MA 02110-1301", the FSF's address in every GPL header).
_ZIP_PLUS_4 = re.compile(r"\b[A-Z]{2},?\s+\d{5}-\d{4}\b")
# A dotted quad followed by "-2", "~rc1" or a fifth ".18" is a package version
# (Debian "3.16.2.1-2", "2.13.90.0.18-1"), not an address.
_PACKAGE_VERSION_SUFFIX = re.compile(r"[-~+][0-9a-z]|\.\d")


def best_per_span(spans: list[RawSpan]) -> list[RawSpan]:
    best: dict[tuple[str, int, int], RawSpan] = {}
    for span in spans:
        key = (span.entity_type, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return list(best.values())


def one_per_overlap(spans: list[RawSpan]) -> list[RawSpan]:
    """Among overlapping spans of one type keep the higher score, then the longer one.

    Presidio's recognizer and our context recognizer can read one phone number with or
    without its "+" or brackets; one person's number must count once.
    """
    ranked = sorted(spans, key=lambda s: (-s.score, s.start - s.end, s.start, s.recognizer))
    kept: list[RawSpan] = []
    # Kept spans of one type never overlap, so sorted by start their ends are sorted too:
    # only the last one starting before a new span ends can overlap it.
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for span in ranked:
        type_starts = starts.setdefault(span.entity_type, [])
        type_ends = ends.setdefault(span.entity_type, [])
        before = bisect.bisect_left(type_starts, span.end)
        if before and type_ends[before - 1] > span.start:
            continue
        type_starts.insert(before, span.start)
        type_ends.insert(before, span.end)
        kept.append(span)
    return kept


def plausible(text: str, span: RawSpan) -> bool:
    """Documented false-positive filters on Presidio's phone and IP results."""
    value = text[span.start : span.end]
    if span.entity_type == "PHONE_NUMBER":
        return (
            sum(c.isdigit() for c in value) >= MIN_PHONE_DIGITS
            and not DATE_LIKE.search(value)
            and not HEX_LITERAL.search(value)
            and not _ZIP_PLUS_4.search(text, max(span.start - 4, 0), span.end)
            and not _is_numeric_range(value)
            and not _is_version(value)
        )
    if span.entity_type == "IP_ADDRESS":
        return not _PACKAGE_VERSION_SUFFIX.match(text, span.end)
    return True


def _is_version(value: str) -> bool:
    """ "2.13.90.0.18-1" is a version; "01.84.17.61.18" (French style) is a phone number."""
    parts = value.split(".")
    return len(parts) >= 4 and not all(len(p) == 2 and p.isdigit() for p in parts[1:])


def _is_numeric_range(value: str) -> bool:
    """ "60000-64999": two equal-length numbers, the second larger (uid ranges, pages)."""
    low, dash, high = value.partition("-")
    return (
        bool(dash)
        and low.isdigit()
        and high.isdigit()
        and len(low) == len(high)
        and int(low) < int(high)
    )


def drop_contained(spans: list[RawSpan]) -> list[RawSpan]:
    """Drop a finding lying inside a stronger finding of another type (see CONTAINED_IN).

    libphonenumber happily reads a card number, an SSN or an IP as a phone number, and
    four digit groups of an IBAN pass Luhn one time in ten; Presidio reports both
    readings, and the weaker one is a false positive we filter on purpose.
    """
    containers = [s for s in spans if s.entity_type in _CONTAINER_TYPES]
    return [
        s
        for s in spans
        if s.entity_type not in CONTAINED_IN
        or not any(
            o.entity_type in CONTAINED_IN[s.entity_type] and o.start <= s.start and s.end <= o.end
            for o in containers
        )
    ]
