"""Phone numbers: Presidio's PhoneRecognizer with memoised number checks, and the digit-run check.

Why memoise: Presidio's PhoneRecognizer runs one libphonenumber matcher per region, and
the matcher parses and validates every candidate it cuts from the text; on this stage's
windows that parsing was over half of the phone cost, and the same candidates recur
(the digit-run check below sees them first, then the windows around them, then the
next document repeats a version number or a date). The matcher here is upstream's with
one method wrapped: whether a candidate string parses to a valid number for a region is
a pure function of the string, the region and the leniency, so it is computed once.
Whether the characters next to it disqualify it still depends on the text, and is
checked every time exactly as upstream does. Same matches, same order.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import phonenumbers
from phonenumbers import phonenumbermatcher as _matcher
from phonenumbers.phonenumberutil import NumberParseException
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

# Presidio reports years with times ("37 2006", "35 -0500") as German numbers; no real
# number in the supported regions, written with its area code, has fewer than 7 digits.
MIN_PHONE_DIGITS = 7
# Dates, year ranges and time-zone stamps fill changelogs and copyright lines; none is
# a phone number, so digit runs holding one are dropped (documented filter).
DATE_LIKE = re.compile(
    r"(?:19|20)\d\d-(?:[01]\d-[0-3]\d|(?:19|20)\d\d)(?!\d)"  # 2004-11-23, 2001-2003
    r"|(?<!\d)(?:19|20)\d\d [+-][01]\d[0-5]\d(?!\d)"  # git/e-mail dates: "2007 -0500"
)
_MEMO_SIZE = 1 << 17


# Candidates made of ASCII digits and plain punctuation: parsing reads their digits only.
_SCREENABLE = re.compile(r"[0-9 \-./()\[\]~]*")
_NON_DIGITS = re.compile(r"[^0-9]")
_PLAIN_PREFIXES = re.compile(r"[0-9]+(?:\|[0-9]+)*")


@functools.lru_cache(maxsize=512)
def _region_screen(region: str):
    """What any valid number parsed with this default region must look like, or None.

    Without a "+" or the region's international prefix, libphonenumber takes the
    region's country code, and the national significant number is the candidate's digits
    minus at most the country code and the national prefix (twice); it must have one of
    the possible lengths and match the general pattern of a region of that code. Regions
    whose national prefix is a pattern or rewrites the number get no screen.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.national_prefix_transform_rule:
        return None
    prefix = metadata.national_prefix_for_parsing or ""
    if prefix and not _PLAIN_PREFIXES.fullmatch(prefix):
        return None
    prefix_length = max((len(p) for p in prefix.split("|")), default=0)
    lengths: set[int] = set()
    patterns: list[str] = []
    for code_region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ()):
        code_metadata = phonenumbers.PhoneMetadata.metadata_for_region(code_region, None)
        general = code_metadata.general_desc if code_metadata else None
        if general is None or not general.possible_length or not general.national_number_pattern:
            return None
        lengths.update(general.possible_length)
        patterns.append(general.national_number_pattern)
    if not patterns:
        return None
    idd = metadata.international_prefix
    home = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(metadata.country_code), None
    )
    home_prefix = (home.national_prefix_for_parsing or "") if home else ""
    if home is None or home.national_prefix_transform_rule:
        home_prefix, home = "", None  # no national-prefix screen below
    elif home_prefix and not _PLAIN_PREFIXES.fullmatch(home_prefix):
        home_prefix, home = "", None
    starts = {p for p in (prefix + "|" + home_prefix).split("|") if p}
    return _Screen(
        re.compile(idd) if idd else None,
        len(str(metadata.country_code)) + 2 * prefix_length,
        frozenset(lengths),
        re.compile("(?:" + ")|(?:".join(patterns) + ")"),
        tuple(sorted(starts)) + (str(metadata.country_code),),
        home.number_format if home else None,
    )


class _Screen(NamedTuple):
    international_prefix: re.Pattern | None
    longest_prefix: int  # country code + national prefix, twice
    lengths: frozenset[int]
    general_pattern: re.Pattern
    national_starts: tuple[str, ...]  # national prefixes (region's, home's), country code
    home_formats: list | None  # number formats of the country code's main region


def _needs_missing_national_prefix(digits: str, screen: _Screen) -> bool:
    """Whether a number read in national format, without a national prefix, lacks one.

    Applies only when the digits start with neither a national prefix nor the country
    code, so libphonenumber keeps them whole as the national number and checks (at the
    VALID leniency) that a prefix its formatting rule requires was written.
    """
    if screen.home_formats is None or digits.startswith(screen.national_starts):
        return False
    rule = _matcher._choose_formatting_pattern_for_number(screen.home_formats, digits)
    return bool(
        rule is not None
        and rule.national_prefix_formatting_rule
        and not rule.national_prefix_optional_when_formatting
        and not _matcher._formatting_rule_has_first_group_only(rule.national_prefix_formatting_rule)
    )


def cannot_be_valid(candidate: str, region: str) -> bool:
    """True only when parsing the candidate for the region cannot give a valid number.

    A cheap, exact pre-check against the region metadata (see _region_screen); False
    means "parse it", never "it is valid".
    """
    screen = _region_screen(region)
    if screen is None or not _SCREENABLE.fullmatch(candidate):
        return False
    digits = _NON_DIGITS.sub("", candidate)
    if screen.international_prefix is not None and screen.international_prefix.match(digits):
        return False
    for skipped in range(min(screen.longest_prefix, len(digits)) + 1):
        national = digits[skipped:]
        if len(national) in screen.lengths and screen.general_pattern.fullmatch(national):
            return _needs_missing_national_prefix(digits, screen)
    return True


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _verified_number(candidate: str, region: str, leniency: int):
    """Upstream `_parse_and_verify` minus its neighbour checks: the number, or None."""
    if leniency == _matcher.Leniency.VALID and cannot_be_valid(candidate, region):
        return None
    if not _matcher.fullmatch(_matcher._MATCHING_BRACKETS, candidate) or _matcher._PUB_PAGES.search(
        candidate
    ):
        return None
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
        if not _matcher._verify(leniency, number, candidate, None):
            return None
    except NumberParseException:
        return None
    number.country_code_source = phonenumbers.CountryCodeSource.UNSPECIFIED
    number.raw_input = None
    number.preferred_domestic_carrier_code = None
    return number


@functools.lru_cache(maxsize=4096)
def _disqualifies(character: str) -> bool:
    """A letter or currency sign next to a candidate ("abc8005001234") rules it out."""
    matcher = _matcher.PhoneNumberMatcher
    return matcher._is_invalid_punctuation_symbol(character) or matcher._is_latin_letter(character)


class MemoisedPhoneNumberMatcher(_matcher.PhoneNumberMatcher):
    """libphonenumber's matcher; candidates are parsed and validated once per region.

    Only the VALID and POSSIBLE leniencies are memoised: the grouping leniencies look at
    the matcher itself, so they take upstream's path unchanged.
    """

    def _parse_and_verify(self, candidate, offset):
        if self.leniency > _matcher.Leniency.VALID:
            return super()._parse_and_verify(candidate, offset)
        if self.leniency >= _matcher.Leniency.VALID:
            text = self.text
            leads = offset > 0 and not _matcher._LEAD_PATTERN.match(candidate)
            if leads and _disqualifies(text[offset - 1]):
                return None
            after = offset + len(candidate)
            if after < len(text) and _disqualifies(text[after]):
                return None
        number = _verified_number(candidate, self.preferred_region, int(self.leniency))
        if number is None:
            return None
        return _matcher.PhoneNumberMatch(offset, candidate, number)


class MemoisedPhoneRecognizer(PhoneRecognizer):
    """Presidio's PhoneRecognizer (same name, score, context and results), memoised matcher."""

    def __init__(self, supported_regions) -> None:
        super().__init__(supported_regions=supported_regions, name="PhoneRecognizer")

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        results = []
        for region in self.supported_regions:
            for match in MemoisedPhoneNumberMatcher(text, region, leniency=self.leniency):
                results.append(
                    self._get_recognizer_result(
                        match, text, _explained_region(match.raw_string, region), nlp_artifacts
                    )
                )
        return EntityRecognizer.remove_duplicates(results)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _explained_region(raw: str, region: str) -> str:
    """The region upstream names in its explanation (it re-parses the match without one)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(raw))
    except NumberParseException:
        return region


@functools.lru_cache(maxsize=65536)
def phone_matches(candidate: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Spans libphonenumber finds in a digit run alone (cached: the same runs recur).

    Only these spans, widened into windows, go to the PhoneRecognizer, which then decides
    in context; this keeps its 8-regions-per-window cost off most digit runs.
    """
    return tuple(
        sorted(
            {
                (match.start, match.end)
                for region in regions
                for match in MemoisedPhoneNumberMatcher(candidate, region, leniency=1)
            }
        )
    )


def phone_spans(text: str, start: int, end: int, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where in the digit run text[start:end] a phone number may be; [] for dates and ranges."""
    if DATE_LIKE.search(text, start, end):
        return []
    lead = 1 if start > 0 and text[start - 1] in "+(" else 0
    base = start - lead
    return [(base + s, base + e) for s, e in phone_matches(text[base:end], regions)]
